import type { OutputFormat } from './output/formats.js';
import type { ProviderName } from './providers.js';

/** Output and credential flags every cloud command takes (aws-cli and aliyun conventions). */
export interface ConventionFlags {
  /** `--output json|table|text`; `--json` is its short form. */
  readonly output?: OutputFormat;
  readonly json?: boolean;
  /** Results only. */
  readonly quiet?: boolean;
  /** Every provider call on stderr. */
  readonly verbose?: boolean;
  /** A profile of the provider's own config files. */
  readonly profile?: string;
}
/** How long one provider call may take, shared by every cloud command. */
export interface RequestTimeoutFlags {
  /** Deadline of one provider call, ms (`--request-timeout`, `SNAPCOPY_REQUEST_TIMEOUT`). */
  readonly requestTimeout?: number;
}

/** Flags that pick the provider and how to reach it, shared by every cloud command. */
export interface ConnectionFlags extends RequestTimeoutFlags, ConventionFlags {
  readonly provider?: string;
  readonly endpoint?: string;
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
  /** `--prices FILE`: a price table, to show money. */
  readonly prices?: string;
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
  /** `cancel --force`: delete a copy even when it has completed. */
  readonly force?: boolean;
}

/** `batch`'s flags. */
export interface BatchFlags extends WaitFlags, ProviderEndpointFlags, RequestTimeoutFlags, ConventionFlags {
  readonly journal?: string;
  readonly batchId?: string;
  /** `--consistency-window`, ms. */
  readonly consistencyWindow?: number;
  /** `--prices FILE`: a price table, to show money. */
  readonly prices?: string;
}

/** `list`'s flags. */
export interface ListFlags extends ConnectionFlags {
  readonly to?: string;
  readonly source?: string;
  readonly sourceRegion?: string;
  readonly clientToken?: string;
  readonly batch?: string;
  readonly policy?: string;
  readonly maxPages?: number;
  /** `--image`: image copies instead of snapshot copies. */
  readonly image?: boolean;
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

/** Flags of the `policy` commands. */
export interface PolicyFlags extends ProviderEndpointFlags, RequestTimeoutFlags, ConventionFlags {
  /** A DLM document's region (it names none). */
  readonly region?: string;
  /** The policy id to give a DLM document. */
  readonly id?: string;
  readonly prices?: string;
  readonly journal?: string;
  readonly once?: boolean;
  readonly watch?: boolean;
  /** ms between the starts of two passes (`--every`). */
  readonly every?: number;
  /** Shortest delay between status polls, ms. */
  readonly pollMs?: number;
  /** `--consistency-window`, ms. */
  readonly consistencyWindow?: number;
}

/** `share`'s flags. */
export interface ShareFlags extends ConnectionFlags {
  readonly region?: string;
  readonly snapshot?: string;
  readonly with?: readonly string[];
}

/** `copy --group-tag` / `--group-id`: one multi-volume set. */
export interface GroupCopyFlags extends CopyFlags {
  readonly groupTag?: Readonly<Record<string, string>>;
  readonly groupId?: string;
  readonly journal?: string;
}
