import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { is } from '@snapcopy/core';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsConfiguredRegion, createAwsEbsCopier } from '../src/index.js';

// The profile's region as the AWS CLI reads it, and the sandbox keys kept on loopback,
// with no network at all (nock refuses every connection).

const saved = { ...process.env };
let dir: string;

beforeAll(() => {
  nock.disableNetConnect();
  dir = mkdtempSync(join(tmpdir(), 'snapcopy-aws-conventions-'));
  writeFileSync(join(dir, 'config'), '[default]\nregion = eu-west-1\n\n[profile dr]\nregion = us-west-2\n');
  writeFileSync(join(dir, 'credentials'), '');
  for (const k of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[k];
  process.env.AWS_CONFIG_FILE = join(dir, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
});

afterAll(() => {
  process.env = saved;
  nock.enableNetConnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('AWS: configured region and sandbox keys', () => {
  it.each([
    { row: 'the default profile', profile: undefined, env: {}, want: 'eu-west-1' },
    { row: 'a named profile', profile: 'dr', env: {}, want: 'us-west-2' },
    { row: 'AWS_PROFILE', profile: undefined, env: { AWS_PROFILE: 'dr' }, want: 'us-west-2' },
    {
      row: 'AWS_REGION wins over the profile',
      profile: 'dr',
      env: { AWS_REGION: 'ap-south-1' },
      want: 'ap-south-1',
    },
    { row: 'an unknown profile has none', profile: 'nope', env: {}, want: undefined },
  ])('$row', async ({ profile, env, want }) => {
    Object.assign(process.env, env);
    try {
      expect(await awsConfiguredRegion(profile === undefined ? {} : { profile })).toBe(want);
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
    }
  });

  it.each([
    { row: 'no endpoint (the real AWS)', endpoint: undefined },
    { row: 'an endpoint off this machine', endpoint: 'https://ec2.us-east-1.amazonaws.com' },
  ])('a sandbox key is refused before any request: $row', async ({ endpoint }) => {
    const copier = createAwsEbsCopier({
      credentials: { accessKeyId: 'AKIASANDBOX000000001', secretAccessKey: 'sandbox-secret-aws-0001' },
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      ...(endpoint === undefined ? {} : { endpoint }),
    });
    const err = await copier
      .plan({
        source: { region: 'us-east-1', snapshotId: 'snap-0123456789abcdef0' },
        destination: { region: 'us-west-2' },
      })
      .catch((e: unknown) => e);
    expect(is(err, 'INVALID_REQUEST'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/refusing to send the sandbox's access key AKIASANDBOX000000001/);
  });
});
