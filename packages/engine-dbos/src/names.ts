/**
 * The names every worker and client of one database must agree on: the DBOS application,
 * the workflow version, the workflows and the queues.
 */
import type { CopyKind } from '@snapcopy/orchestrator';

/** The DBOS application name: it scopes snapcopy's workflows, queues and schedules. */
export const APPLICATION_NAME = 'snapcopy';

/**
 * The DBOS application version of every worker. DBOS recovers and dequeues a workflow only
 * on executors of the version it was started on, so this is a constant of the workflows'
 * step sequence, not a hash of the code: bump it only when the copy or policy workflow
 * records its steps differently, and keep workers of the old version running until their
 * workflows are done (see docs/deploy.md, "Upgrades").
 */
export const WORKFLOW_VERSION = 'snapcopy-copy-v1';

/** The workflow that runs one copy; its id is the copy's client token. */
export const COPY_WORKFLOW = 'snapcopy.copy';

/** The workflow that runs one pass of a policy (scheduled, or started once). */
export const POLICY_WORKFLOW = 'snapcopy.policy-pass';

/** The queue policy passes run on. */
export const POLICY_QUEUE = 'snapcopy.policies';

/** The schema of snapcopy's own tables (the journal, tracking, executors, policies). */
export const SCHEMA = 'snapcopy';

/**
 * The queue of one copier's copies of one kind; its partitions are destination accounts
 * and regions. Snapshot and image copies queue apart: the providers limit them apart.
 */
export function copyQueueName(copier: string, kind: CopyKind = 'snapshot'): string {
  return kind === 'image' ? `snapcopy.images.${copier}` : `snapcopy.copies.${copier}`;
}

/** The DBOS schedule of a policy. */
export function policyScheduleName(policyId: string): string {
  return `snapcopy.policy:${policyId}`;
}

/**
 * Where one copy runs, as the queue partitions and the tracker see it: its copier, what it
 * copies, the destination account, the destination region.
 */
export interface CopyPartition {
  readonly copier: string;
  /** Absent in the inputs of workflows enqueued before images were known: snapshots. */
  readonly kind?: CopyKind;
  readonly account: string;
  readonly region: string;
}

/** The DBOS partition key of a copy within its copier's queue: `account/region`. */
export function queuePartitionKey(p: CopyPartition): string {
  return `${p.account}/${p.region}`;
}

/**
 * The partition's id in snapcopy's tables (unique across copiers and kinds):
 * `copier/account/region` for snapshot copies, `copier/account/region#image` for image copies.
 */
export function partitionId(p: CopyPartition): string {
  const id = `${p.copier}/${p.account}/${p.region}`;
  return (p.kind ?? 'snapshot') === 'snapshot' ? id : `${id}#${p.kind}`;
}

/** The account part of a partition id of `copier` (region names hold no `/`). */
export function partitionAccount(id: string, copier: string): string {
  const rest = id.slice(copier.length + 1);
  return rest.slice(0, rest.lastIndexOf('/'));
}

/**
 * The partition of a request: its copier, its kind, the destination account (the request's, else the
 * copier's own, else one named after the copier: a copier is one set of credentials), and
 * the destination region. The orchestrator's queues are keyed the same way.
 */
export function partitionOf(
  copier: string,
  request: { readonly destination?: { readonly region?: string; readonly account?: string } },
  copierAccount?: string,
  kind: CopyKind = 'snapshot',
): CopyPartition {
  return {
    copier,
    ...(kind === 'snapshot' ? {} : { kind }),
    account: request.destination?.account ?? copierAccount ?? `copier:${copier}`,
    region: request.destination?.region ?? '',
  };
}

/**
 * The workflow id of run `run` of a copy: the client token itself for the first run, and
 * `<token>~<run>` for a continuation of a copy whose workflow ended open (see README).
 */
export function copyWorkflowId(clientToken: string, run: number): string {
  return run === 0 ? clientToken : `${clientToken}~${run}`;
}
