import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The aliyun CLI's config file as `@alicloud/credentials` finds it: `~/.aliyun/config.json`. */
export function aliyunConfigPath(): string {
  return join(homedir(), '.aliyun', 'config.json');
}

interface AliyunConfig {
  readonly current?: unknown;
  readonly profiles?: readonly { readonly name?: unknown; readonly region_id?: unknown }[];
}

/**
 * The region the aliyun CLI would use for a command: `ALIBABA_CLOUD_REGION_ID`, else the
 * `region_id` of the profile (`profile`, else `ALIBABA_CLOUD_PROFILE`, else the config's
 * `current`) in `~/.aliyun/config.json`. `undefined` when none is set or the file cannot be
 * read. Reads one local file; no request is sent.
 */
export async function alibabaConfiguredRegion(
  options: { readonly profile?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const fromEnv = env.ALIBABA_CLOUD_REGION_ID;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  let config: AliyunConfig;
  try {
    config = JSON.parse(await readFile(aliyunConfigPath(), 'utf8')) as AliyunConfig;
  } catch {
    return undefined;
  }
  const name = options.profile ?? env.ALIBABA_CLOUD_PROFILE ?? config.current;
  const profile = config.profiles?.find((p) => p.name === name);
  return typeof profile?.region_id === 'string' && profile.region_id !== '' ? profile.region_id : undefined;
}
