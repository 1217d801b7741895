import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** The parts of a running sandbox the environment variables name. */
export interface SandboxEnvInfo {
  readonly aws: {
    readonly endpoint: string;
    readonly accounts: readonly { accessKeyId: string; secretAccessKey: string }[];
  };
  readonly alibaba: {
    readonly endpoint: string;
    readonly accounts: readonly { accessKeyId: string; secretAccessKey: string }[];
  };
  readonly control: { readonly url: string };
  readonly pid: number;
}

/**
 * The variables a shell needs to use the sandbox with `snapcopy` and the SDKs: each
 * cloud's endpoint and the first account's keys, the control endpoint and the pid to
 * stop it with. The keys are the sandbox's own, good for nothing else.
 */
export function sandboxEnvironment(info: SandboxEnvInfo): Record<string, string> {
  const aws = info.aws.accounts[0];
  const ali = info.alibaba.accounts[0];
  return {
    SNAPCOPY_AWS_ENDPOINT: info.aws.endpoint,
    ...(aws ? { AWS_ACCESS_KEY_ID: aws.accessKeyId, AWS_SECRET_ACCESS_KEY: aws.secretAccessKey } : {}),
    SNAPCOPY_ALIBABA_ENDPOINT: info.alibaba.endpoint,
    ...(ali
      ? { ALIBABA_CLOUD_ACCESS_KEY_ID: ali.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ali.secretAccessKey }
      : {}),
    SNAPCOPY_SANDBOX_CONTROL: info.control.url,
    SNAPCOPY_SANDBOX_PID: String(info.pid),
  };
}

/** `'…'` for a POSIX shell: single quotes, each `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `export NAME='value'` lines, one per variable, for `eval` or `.`. */
export function shellExports(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
    .join('');
}

/**
 * Writes `text` to `path` so that a reader never sees a partial file: a private
 * temporary file next to it (mode 0600: it holds keys), then a rename.
 */
export function writeFileAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
