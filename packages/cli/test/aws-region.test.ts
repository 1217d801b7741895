import { describe, expect, it } from 'vitest';
import { awsRegionFromEnvironment, regionOfProfile } from '../src/aws-region.js';

const CONFIG = `
[default]
region = us-east-1
[profile vault]
output = json
region=eu-west-2 ; the vault account
[profile empty]
output = text
`;
const read = () => CONFIG;
const none = () => undefined;

// The AWS CLI's order of region settings (AWS CLI user guide, "Environment variables to
// configure the AWS CLI"): the flag, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
describe('awsRegionFromEnvironment', () => {
  it.each([
    {
      rule: '--region wins over everything',
      flags: { region: 'sa-east-1' },
      env: { AWS_REGION: 'us-west-2' },
      want: ['sa-east-1', '--region'],
    },
    {
      rule: 'AWS_REGION next',
      flags: {},
      env: { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1' },
      want: ['us-west-2', 'AWS_REGION'],
    },
    {
      rule: 'AWS_DEFAULT_REGION next',
      flags: {},
      env: { AWS_DEFAULT_REGION: 'ap-south-1' },
      want: ['ap-south-1', 'AWS_DEFAULT_REGION'],
    },
    { rule: 'the default profile', flags: {}, env: {}, want: ['us-east-1', 'profile default'] },
    {
      rule: 'AWS_PROFILE names the profile',
      flags: {},
      env: { AWS_PROFILE: 'vault' },
      want: ['eu-west-2', 'profile vault'],
    },
    {
      rule: '--profile wins over AWS_PROFILE',
      flags: { profile: 'default' },
      env: { AWS_PROFILE: 'vault' },
      want: ['us-east-1', 'profile default'],
    },
    { rule: 'a profile without a region: none', flags: { profile: 'empty' }, env: {}, want: undefined },
  ])('$rule', ({ flags, env, want }) => {
    const got = awsRegionFromEnvironment(flags, env, read);
    expect(got === undefined ? undefined : [got.region, got.source]).toEqual(want);
  });

  it('no config file and no variables: none', () => {
    expect(awsRegionFromEnvironment({}, {}, none)).toBeUndefined();
  });

  it('reads AWS_CONFIG_FILE when set', () => {
    const paths: string[] = [];
    awsRegionFromEnvironment({}, { AWS_CONFIG_FILE: '/x/config' }, (p) => {
      paths.push(p);
      return undefined;
    });
    expect(paths).toEqual(['/x/config']);
  });

  it('regionOfProfile ignores other sections and comments', () => {
    expect(regionOfProfile(CONFIG, 'vault')).toBe('eu-west-2');
    expect(regionOfProfile(CONFIG, 'missing')).toBeUndefined();
  });
});
