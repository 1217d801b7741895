import type { ProviderName } from './providers.js';
/** Flags that pick the provider and how to reach it, shared by every cloud command. */
export interface ConnectionFlags {
  readonly provider?: string;
  readonly endpoint?: string;
  readonly json?: boolean;
}

/** Flags of commands that wait for copies. */
export interface WaitFlags {
  /** Give up after this many ms. */
  readonly timeout?: number;
  /** First delay between status polls, ms. */
  readonly pollMs?: number;
}

/** Flags that describe one copy request. */
export interface RequestFlags extends ConnectionFlags {
  readonly from?: string;
  readonly to?: string;
  readonly snapshot?: string;
  /** The source image (`--image`), instead of `--snapshot`. */
  readonly image?: string;
  readonly sourceAccount?: string;
  /** `--encrypt` → true, `--no-encrypt` → false, neither → undefined (provider default). */
  readonly encrypt?: boolean;
  readonly kmsKey?: string;
  readonly retentionDays?: number;
  readonly completionMinutes?: number;
  readonly tag?: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly description?: string;
  readonly clientToken?: string;
}

/** `copy`'s flags. */
export interface CopyFlags extends RequestFlags, WaitFlags {
  readonly wait?: boolean;
}

/** Flags naming existing copies: `status`, `wait`, `cancel`. */
export interface CopyRefFlags extends ConnectionFlags, WaitFlags {
  /** Region the copy lives in (the destination region). */
  readonly to?: string;
  readonly snapshot?: readonly string[];
  /** Image copies (`--image`), instead of `--snapshot`. */
  readonly image?: readonly string[];
  /** A file holding `copy --json` output. */
  readonly handle?: string;
}

/** `batch`'s flags. */
export interface BatchFlags extends WaitFlags, ProviderEndpointFlags {
  readonly json?: boolean;
  readonly journal?: string;
  readonly batchId?: string;
}

/** `--<provider>-endpoint` of every provider in the table (`awsEndpoint`, …). */
export type ProviderEndpointFlags = { readonly [P in ProviderName as `${P}Endpoint`]?: string };

/** `sandbox`'s and `demo`'s flags. */
export interface SandboxFlags {
  readonly json?: boolean;
  readonly timeScale?: number;
  readonly port?: number;
  readonly seed?: string;
  readonly fault?: readonly string[];
  readonly faultSeed?: number;
  readonly env?: boolean;
  readonly writeEnv?: string;
  readonly advance?: string;
  readonly control?: string;
  readonly awsPort?: number;
  readonly alibabaPort?: number;
  readonly controlPort?: number;
}
