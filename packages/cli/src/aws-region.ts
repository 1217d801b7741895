import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where {@link awsRegionFromEnvironment} found the region, for messages. */
export type RegionSource = '--region' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | `profile ${string}`;

/** The `region` of one profile in an AWS shared config file (`[default]`, `[profile NAME]`). */
export function regionOfProfile(configText: string, profile: string): string | undefined {
  const wanted = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let inside = false;
  for (const raw of configText.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (line === '') continue;
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) {
      inside = wanted.includes(section[1]!.replace(/\s+/g, ' '));
      continue;
    }
    if (!inside) continue;
    const kv = /^region\s*=\s*(\S+)$/.exec(line);
    if (kv) return kv[1];
  }
  return undefined;
}

/**
 * The region an AWS command would use, in the AWS CLI's order: `--region`, then
 * `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the `region` of the profile (`--profile`,
 * else `AWS_PROFILE`, else `default`) in the shared config file (`AWS_CONFIG_FILE`, else
 * `~/.aws/config`). Undefined when none says.
 * https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
 */
export function awsRegionFromEnvironment(
  flags: { readonly region?: string; readonly profile?: string },
  env: NodeJS.ProcessEnv = process.env,
  readConfig: (path: string) => string | undefined = (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
): { region: string; source: RegionSource } | undefined {
  if (flags.region) return { region: flags.region, source: '--region' };
  if (env.AWS_REGION) return { region: env.AWS_REGION, source: 'AWS_REGION' };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, source: 'AWS_DEFAULT_REGION' };
  const profile = flags.profile ?? env.AWS_PROFILE ?? 'default';
  const text = readConfig(env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'));
  const region = text === undefined ? undefined : regionOfProfile(text, profile);
  return region === undefined ? undefined : { region, source: `profile ${profile}` };
}
