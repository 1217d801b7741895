import {
  type Clock,
  type CopyPlan,
  type CopyRequestInput,
  isSnapcopyError,
  type KeyAccess,
  type PriceTable,
  SnapcopyError,
  type SnapshotCopier,
  type SnapshotSummary,
  systemClock,
} from '@snapcopy/core';
import { LINEAGE_TAGS, STATE_TAGS } from '@snapcopy/core/driver';
import {
  type BatchEvent,
  type BatchResult,
  type CopyJournal,
  type CopyOutcome,
  CopyOrchestrator,
  MemoryCopyJournal,
  type OrchestratorOptions,
} from '@snapcopy/orchestrator';
import { assertPolicyRunnable, type CheckedDestination, checkPolicy, providerTagIssues } from './check.js';
import { CopiedIndex } from './copied-index.js';
import type { PolicyDestination, PolicyDocument, PolicySource } from './document.js';
import { copyableSourceTags, POLICY_TAGS } from './policy-tags.js';
import { retentionDays, retentionEnd, youngEnoughToCopy } from './retention.js';
import { DEFAULT_PASS_BUCKET_MS, passBatchId, policyBatchPrefix, policyClientToken } from './tokens.js';

/** Orchestrator settings a pass passes on (the copiers, journal and clock are the pass's). */
export type PassOrchestratorOptions = Omit<
  OrchestratorOptions,
  'copiers' | 'journal' | 'clock' | 'prices' | 'pricesByCopier'
>;

/**
 * What runs a pass's copies: the in-process `CopyOrchestrator` by default, or another
 * runner over the same journal (a durable workflow engine's workers) with the same
 * contract: run a batch to its end (or resume one), journaled, and report its results.
 */
export type PassRunner = Pick<CopyOrchestrator, 'run' | 'resume'>;

/** What one pass of a policy needs: everything is injected, so any runner can call it. */
export interface PolicyPassOptions {
  readonly policy: PolicyDocument;
  /** One copier per provider the policy names, by provider name (`aws`, `alibaba`). */
  readonly copiers: Readonly<Record<string, SnapshotCopier>>;
  /** `plan`: say what the pass would copy, skip, expire and cost, changing nothing. Default `run`. */
  readonly mode?: 'plan' | 'run';
  /** Where the pass's copies are journaled (run mode). Default: in memory. */
  readonly journal?: CopyJournal;
  /** The pass's notion of now (expiry, age, the batch's time bucket) and the orchestrator's time. */
  readonly clock?: Clock;
  /** Prices, to put money in plans and the totals. */
  readonly prices?: PriceTable;
  /**
   * Prices by provider (`aws`, `alibaba`), for a policy over several clouds; a provider not
   * named here uses `prices`.
   */
  readonly pricesByProvider?: Readonly<Record<string, PriceTable>>;
  /** Stops the pass: no new copy is sent, running ones are left to a later pass (the journal has them). */
  readonly signal?: AbortSignal;
  /** Width of the time bucket that names the pass's batch (default 15 minutes). */
  readonly bucketMs?: number;
  /** Plans made at once in plan mode. Default 8. */
  readonly planConcurrency?: number;
  readonly orchestrator?: PassOrchestratorOptions;
  /**
   * Runs the pass's copies instead of an in-process orchestrator (then `orchestrator` is
   * not used). It must journal to `journal`: the pass resumes unfinished batches from it.
   */
  readonly runner?: PassRunner;
  readonly onEvent?: (event: PolicyPassEvent) => void;
}

/** What a pass reports while it runs. */
export type PolicyPassEvent =
  | { readonly type: 'resuming'; readonly batchId: string }
  | { readonly type: 'destination-scanned'; readonly destination: DestinationReport }
  | { readonly type: 'source-listed'; readonly source: SourceReport }
  | { readonly type: 'batch'; readonly batchId: string; readonly event: BatchEvent }
  | { readonly type: 'expired-removed'; readonly copy: ExpiredCopy };

/** One source region as a pass listed it. */
export interface SourceReport {
  readonly provider: string;
  readonly region: string;
  /** `self`, or the accounts whose shared snapshots were listed. */
  readonly owner: 'self' | readonly string[];
  /** Snapshots the provider listed (its own filters: owner, tags) before the description regex. */
  readonly listed: number;
  /** Snapshots that matched every filter of the source (this policy's own copies left out). */
  readonly matched: number;
  /** Provider pages read. */
  readonly pages: number;
}

/** One destination as a pass found it and left it. */
export interface DestinationReport {
  readonly provider: string;
  readonly region: string;
  readonly retention: CheckedDestination['retention'];
  readonly retentionWords?: string;
  /** Copies this policy had made here (any state, before the pass). */
  readonly existingCopies: number;
  /** Matching snapshots already copied here. */
  readonly alreadyCopied: number;
  /** Matching snapshots older than this destination's retention (see `youngEnoughToCopy`). */
  readonly tooOld: number;
  /** New copies for this destination. */
  readonly toCopy: number;
  /** This policy's copies here whose expiry has passed. */
  readonly expired: number;
  /** This policy's failed copies here (removed in a run, so that the copy is tried again). */
  readonly failed: number;
  /** Provider pages read. */
  readonly pages: number;
  /** Memory the index of copied sources takes, bytes. */
  readonly indexBytes: number;
}

/** One copy a pass makes (or, in plan mode, would make). */
export interface PassCopy {
  readonly provider: string;
  readonly sourceRegion: string;
  readonly sourceSnapshotId: string;
  readonly sourceAccount?: string;
  readonly destinationRegion: string;
  readonly clientToken: string;
  readonly group?: string;
  /** When the copy expires: an expiry tag (swept) or the provider's retention (native). */
  readonly expiresAt?: string;
  readonly retention?: CheckedDestination['retention'];
  /** Source tags left off (a reserved prefix, a provider limit). */
  readonly droppedSourceTags?: readonly string[];
  readonly request: CopyRequestInput;
  readonly plan?: CopyPlan;
  /** Run mode: how the copy ended in this pass. Plan mode: `planned` or `refused`. */
  readonly outcome: CopyOutcome | 'planned' | 'refused';
  readonly destinationSnapshotId?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

/** A copy the pass did not attempt because it would fail, and why. */
export interface BlockedCopy {
  readonly provider: string;
  readonly sourceRegion: string;
  readonly sourceSnapshotId: string;
  readonly destinationRegion: string;
  readonly group?: string;
  readonly reason: string;
}

/** A multi-volume set as the pass saw it. */
export interface GroupReport {
  readonly provider: string;
  readonly region: string;
  readonly group: string;
  /** Members not yet copied to every destination. */
  readonly members: readonly string[];
  /** `copy`: all completed, copied together; `deferred`: a member is not completed yet; `blocked`: see `blocked`. */
  readonly state: 'copy' | 'deferred' | 'blocked';
  /** Run mode: every copy of every member completed. */
  readonly complete?: boolean;
}

/** A copy of this policy whose expiry passed. */
export interface ExpiredCopy {
  readonly provider: string;
  readonly region: string;
  readonly snapshotId: string;
  readonly expiresAt: string;
  readonly sourceSnapshotId?: string;
  /** Run mode: what deleting it did. */
  readonly removed?: 'immediate' | 'on-completion' | 'already-gone' | 'error';
  readonly error?: string;
}

/** What a pass did (or, in plan mode, would do). */
export interface PolicyPassReport {
  readonly policyId: string;
  readonly mode: 'plan' | 'run';
  /** The pass's now, epoch ms. */
  readonly now: number;
  /** The batch this pass ran its new copies in, if any. */
  readonly batchId?: string;
  /** Batches of earlier passes that were unfinished and resumed first. */
  readonly resumedBatches: readonly string[];
  readonly sources: readonly SourceReport[];
  readonly destinations: readonly DestinationReport[];
  readonly copies: readonly PassCopy[];
  readonly blocked: readonly BlockedCopy[];
  readonly groups: readonly GroupReport[];
  /** Matching snapshots not completed yet (and members of sets that are not), left for a later pass. */
  readonly deferred: number;
  /** Matching snapshots the provider reports failed: never copied. */
  readonly failedSources: number;
  readonly expired: readonly ExpiredCopy[];
  /** Failed copies of this policy removed so that they are tried again. */
  readonly failedCopiesRemoved: number;
  readonly warnings: readonly string[];
  readonly totals: PassTotals;
  readonly aborted: boolean;
}

/** Sums over a pass's copies. */
export interface PassTotals {
  readonly copies: number;
  readonly completed: number;
  readonly failed: number;
  readonly notFinished: number;
  readonly blocked: number;
  readonly alreadyCopied: number;
  readonly tooOld: number;
  readonly expired: number;
  readonly transferGiB: number;
  readonly storageGiB: number;
  /** Money from the plans, when prices were given (one-off and per month, in the price table's currency). */
  readonly cost?: { readonly currency: string; readonly oneOff: number; readonly monthly: number };
  /** Provider listing pages read (sources and destinations). */
  readonly listPages: number;
}

interface Destination {
  readonly d: PolicyDestination;
  readonly checked: CheckedDestination;
  readonly copier: SnapshotCopier;
  readonly index: CopiedIndex;
  existing: number;
  alreadyCopied: number;
  tooOld: number;
  toCopy: number;
  pages: number;
  readonly expired: ExpiredCopy[];
  readonly failed: { region: string; snapshotId: string }[];
}

interface Candidate {
  readonly source: PolicySource;
  readonly snap: SnapshotSummary;
  readonly needs: readonly Destination[];
  readonly group?: string;
}

const DEFAULT_PLAN_CONCURRENCY = 8;

function errorWords(err: unknown): { code: string; message: string } {
  if (isSnapcopyError(err)) return { code: err.code, message: err.message };
  return { code: 'PROVIDER_ERROR', message: err instanceof Error ? err.message : String(err) };
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/**
 * Why a shared encrypted snapshot cannot be copied, in the words of the four steps AWS
 * documents for cross-account copies with Data Lifecycle Manager ("Automate
 * cross-account snapshot copies", EBS User Guide): the snapshot is visible, so step 1
 * (the source account shares it) and step 3 (this policy) are in place; what is missing
 * is the source account sharing its key (step 2) or this account letting the copying
 * identity use that key (step 4).
 */
export function keyStepsMissing(snap: SnapshotSummary, access: KeyAccess): string {
  const owner = snap.ownerAccount ?? 'the source account';
  return (
    `this account cannot use the key of ${snap.snapshotId} (${access.keyId}): ${access.reason ?? 'not usable'}. ` +
    `Of the four steps of a cross-account copy, 1 (${owner} shares the snapshot) and 3 (this policy) are done; ` +
    `missing is step 2 (${owner} shares its customer managed key with this account in the key policy) ` +
    `or step 4 (this account allows the identity that copies to use that key, in IAM)`
  );
}

/** Copier by provider, or an error naming the ones there are. */
function copierFor(copiers: Readonly<Record<string, SnapshotCopier>>, provider: string): SnapshotCopier {
  const c = copiers[provider];
  if (c === undefined) throw new SnapcopyError('INVALID_REQUEST', `no copier for provider ${provider}`);
  return c;
}

/**
 * Reads one destination's copies made by this policy, page by page, into the index of
 * copied sources; notes expired and failed ones. Only list calls.
 */
async function scanDestination(
  dest: Destination,
  policy: PolicyDocument,
  now: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const list = dest.copier.list!.bind(dest.copier);
  const pages = list(
    { region: dest.d.region, tags: { [POLICY_TAGS.policy]: policy.id } },
    signal ? { signal } : {},
  );
  for await (const page of pages) {
    dest.pages += 1;
    for (const s of page.snapshots) {
      const sourceRegion = s.tags[LINEAGE_TAGS.sourceRegion];
      const sourceId = s.tags[LINEAGE_TAGS.sourceSnapshot];
      if (sourceRegion === undefined || sourceId === undefined) continue;
      // Being deleted by a cancel or as a duplicate: not a copy to count on.
      if (s.tags[STATE_TAGS.cancelled] === 'true' || s.tags[STATE_TAGS.supersededBy] !== undefined) continue;
      dest.existing += 1;
      if (s.state === 'failed') {
        dest.failed.push({ region: s.region, snapshotId: s.snapshotId });
        continue;
      }
      dest.index.add(sourceRegion, sourceId);
      const expiresAt = s.tags[POLICY_TAGS.expiresAt];
      if (expiresAt !== undefined && Date.parse(expiresAt) <= now) {
        dest.expired.push({
          provider: dest.d.provider,
          region: s.region,
          snapshotId: s.snapshotId,
          expiresAt,
          sourceSnapshotId: sourceId,
        });
      }
    }
  }
}

/** The tags of one copy: the destination's, then the source's when asked for (what fits). */
function composeTags(
  source: SnapshotSummary,
  dest: Destination,
  ownTags: Readonly<Record<string, string>>,
): { tags: Record<string, string>; dropped: string[] } {
  const tags: Record<string, string> = { ...(dest.d.tags ?? {}) };
  const dropped: string[] = [];
  if (!dest.d.copySourceTags) return { tags, dropped };
  const room = dest.copier.capabilities.maxUserTags - Object.keys(ownTags).length - Object.keys(tags).length;
  const copied: string[] = [];
  for (const [k, v] of copyableSourceTags(source.tags)) {
    if (k in tags) continue;
    if (copied.length >= room) {
      dropped.push(k);
      continue;
    }
    tags[k] = v;
    copied.push(k);
  }
  // The provider's own rules (reserved prefixes, lengths) on the copied ones.
  for (let round = 0; round < 3 && copied.length > 0; round++) {
    const bad = providerTagIssues(dest.copier, dest.d.region, tags, ownTags)
      .map((i) => i.path.slice('tags.'.length))
      .filter((k) => copied.includes(k));
    if (bad.length === 0) break;
    for (const k of bad) {
      delete tags[k];
      copied.splice(copied.indexOf(k), 1);
      dropped.push(k);
    }
  }
  return { tags, dropped };
}

/** The copy request for one source snapshot into one destination. */
function copyRequest(
  policy: PolicyDocument,
  cand: Candidate,
  dest: Destination,
  now: number,
): Omit<PassCopy, 'outcome'> {
  const { snap } = cand;
  const rule = dest.d.retention;
  const expiresAtMs = rule === undefined ? undefined : retentionEnd(now, rule);
  const ownTags: Record<string, string> = {
    [POLICY_TAGS.policy]: policy.id,
    ...(cand.group === undefined ? {} : { [POLICY_TAGS.group]: cand.group }),
    ...(dest.checked.retention === 'swept' && expiresAtMs !== undefined
      ? { [POLICY_TAGS.expiresAt]: new Date(expiresAtMs).toISOString() }
      : {}),
  };
  const { tags, dropped } = composeTags(snap, dest, ownTags);
  const clientToken = policyClientToken({
    policyId: policy.id,
    provider: dest.d.provider,
    sourceRegion: snap.region,
    sourceSnapshotId: snap.snapshotId,
    destinationRegion: dest.d.region,
  });
  const request: CopyRequestInput = {
    source: {
      region: snap.region,
      snapshotId: snap.snapshotId,
      ...(snap.ownership === 'shared' && snap.ownerAccount !== undefined
        ? { account: snap.ownerAccount }
        : {}),
    },
    destination: { region: dest.d.region },
    ...(dest.d.encryption.encrypted
      ? {
          encryption: {
            encrypted: true,
            ...(dest.d.encryption.kmsKeyId === undefined ? {} : { kmsKeyId: dest.d.encryption.kmsKeyId }),
          },
        }
      : {}),
    description: `Copy of ${snap.snapshotId} from ${snap.region} by snapcopy policy ${policy.id}`,
    ...(Object.keys(tags).length === 0 ? {} : { tags }),
    snapcopyTags: ownTags,
    ...(dest.checked.retention === 'native' && rule !== undefined
      ? { retentionDays: retentionDays(now, rule) }
      : {}),
    clientToken,
  };
  return {
    provider: dest.d.provider,
    sourceRegion: snap.region,
    sourceSnapshotId: snap.snapshotId,
    ...(snap.ownership === 'shared' && snap.ownerAccount !== undefined
      ? { sourceAccount: snap.ownerAccount }
      : {}),
    destinationRegion: dest.d.region,
    clientToken,
    ...(cand.group === undefined ? {} : { group: cand.group }),
    ...(expiresAtMs === undefined ? {} : { expiresAt: new Date(expiresAtMs).toISOString() }),
    retention: dest.checked.retention,
    ...(dropped.length === 0 ? {} : { droppedSourceTags: dropped }),
    request,
  };
}

/** Runs `work` over `items` with at most `limit` at once; results in order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i]!);
  });
  await Promise.all(lanes);
  return out;
}

/** Batches of this policy the journal holds unfinished (an earlier pass stopped mid-way). */
async function unfinishedBatches(journal: CopyJournal, policyId: string): Promise<string[]> {
  const prefix = policyBatchPrefix(policyId);
  const ids = new Set<string>();
  for (const e of await journal.listUnfinished()) if (e.batchId.startsWith(prefix)) ids.add(e.batchId);
  return [...ids];
}

/** The pass's batch id, or the next free one when a batch of the same bucket is already in the journal. */
async function freeBatchId(journal: CopyJournal, base: string): Promise<string> {
  if ((await journal.getBatch(base)) === undefined) return base;
  for (let n = 2; n < 1000; n++) {
    const id = `${base}.${n}`;
    if ((await journal.getBatch(id)) === undefined) return id;
  }
  throw new SnapcopyError(
    'PROVIDER_ERROR',
    `the journal holds 1000 batches for ${base}; use another journal`,
  );
}

/**
 * One pass of a policy: resume what an earlier pass left unfinished, read each
 * destination's copies of this policy (one list call per page), list each source region
 * (one list call per page), skip what is already copied or too old for the retention,
 * defer what is not completed (a multi-volume set waits for all its members), check that
 * shared encrypted sources' keys are usable, copy the rest through the orchestrator at the
 * providers' limits with deterministic client tokens, and delete this policy's copies
 * whose expiry passed. With `mode: 'plan'` nothing is changed: the report says what would
 * be copied, skipped, expired, and what it would cost.
 *
 * A plain function over injected copiers, journal and clock: any runner (the CLI, a
 * workflow engine) can call it, and two runners at once make no duplicate (the tokens
 * are the same, and the facade converges copies made for one token).
 */
export async function runPolicyPass(options: PolicyPassOptions): Promise<PolicyPassReport> {
  const { policy, copiers, signal } = options;
  const mode = options.mode ?? 'run';
  const clock = options.clock ?? systemClock;
  const now = clock.now();
  const emit = (event: PolicyPassEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's failure must not stop the pass.
    }
  };
  const check = checkPolicy(policy, copiers);
  assertPolicyRunnable(check);

  const journal = options.journal ?? new MemoryCopyJournal();
  const orchestrator: PassRunner | undefined =
    mode !== 'run'
      ? undefined
      : (options.runner ??
        new CopyOrchestrator({
          ...(options.orchestrator ?? {}),
          copiers,
          journal,
          clock,
          ...(options.prices === undefined ? {} : { prices: options.prices }),
          ...(options.pricesByProvider === undefined ? {} : { pricesByCopier: options.pricesByProvider }),
        }));

  // 1. Whatever an earlier pass left unfinished (a crash, a stop) runs to its end first.
  const resumedBatches: string[] = [];
  if (orchestrator !== undefined) {
    for (const batchId of await unfinishedBatches(journal, policy.id)) {
      if (aborted(signal)) break;
      emit({ type: 'resuming', batchId });
      await orchestrator.resume(batchId, {
        ...(signal ? { signal } : {}),
        onEvent: (event) => emit({ type: 'batch', batchId, event }),
      });
      resumedBatches.push(batchId);
    }
  }

  // 2. What each destination already holds from this policy.
  const destinations: Destination[] = policy.destinations.map((d, i) => ({
    d,
    checked: check.destinations[i]!,
    copier: copierFor(copiers, d.provider),
    index: new CopiedIndex(),
    existing: 0,
    alreadyCopied: 0,
    tooOld: 0,
    toCopy: 0,
    pages: 0,
    expired: [],
    failed: [],
  }));
  await Promise.all(destinations.map((dest) => scanDestination(dest, policy, now, signal)));

  // 3. What each source offers, streamed page by page; only new snapshots are kept.
  const candidates: Candidate[] = [];
  const groups = new Map<string, { provider: string; region: string; group: string; members: Candidate[] }>();
  const sources: SourceReport[] = [];
  let deferred = 0;
  let failedSources = 0;
  for (const source of policy.sources) {
    const copier = copierFor(copiers, source.provider);
    const targets = destinations.filter((x) => x.d.provider === source.provider);
    for (const region of source.regions) {
      let matched = 0;
      let listed = 0;
      let pages = 0;
      const listing = copier.list!(
        {
          region,
          ...(source.owner === 'self' ? {} : { owner: { sharedBy: source.owner.sharedBy } }),
          ...(source.descriptionRegex === undefined ? {} : { descriptionRegex: source.descriptionRegex }),
          ...(source.tags === undefined ? {} : { tags: source.tags }),
        },
        signal ? { signal } : {},
      );
      for await (const page of listing) {
        pages += 1;
        listed += page.scanned;
        for (const snap of page.snapshots) {
          // This policy's own copies are never sources (a destination may be a source region).
          if (snap.tags[POLICY_TAGS.policy] === policy.id) continue;
          matched += 1;
          const needs: Destination[] = [];
          for (const dest of targets) {
            if (dest.index.has(snap.region, snap.snapshotId)) dest.alreadyCopied += 1;
            else if (!youngEnoughToCopy(snap.createdAt, dest.d.retention, now)) dest.tooOld += 1;
            else needs.push(dest);
          }
          if (needs.length === 0) continue;
          const groupValue = source.groupTag === undefined ? undefined : snap.tags[source.groupTag];
          const cand: Candidate = {
            source,
            snap,
            needs,
            ...(groupValue === undefined ? {} : { group: groupValue }),
          };
          if (groupValue !== undefined) {
            const key = `${source.provider}\u0000${region}\u0000${groupValue}`;
            const g = groups.get(key) ?? {
              provider: source.provider,
              region,
              group: groupValue,
              members: [],
            };
            g.members.push(cand);
            groups.set(key, g);
          } else if (snap.state === 'completed') candidates.push(cand);
          else if (snap.state === 'pending') deferred += 1;
          else failedSources += 1;
        }
      }
      const report: SourceReport = {
        provider: source.provider,
        region,
        owner: source.owner === 'self' ? 'self' : source.owner.sharedBy,
        listed,
        matched,
        pages,
      };
      sources.push(report);
      emit({ type: 'source-listed', source: report });
    }
  }

  // 4. Multi-volume sets: all members completed, or the whole set waits.
  const groupState = new Map<string, GroupReport['state']>();
  for (const g of groups.values()) {
    const ready = g.members.every((m) => m.snap.state === 'completed');
    if (ready) candidates.push(...g.members);
    else deferred += g.members.length;
    groupState.set(`${g.provider}\u0000${g.region}\u0000${g.group}`, ready ? 'copy' : 'deferred');
  }

  // 5. Shared encrypted sources: can this account use their key? (DLM's steps 2 and 4.)
  const blocked: BlockedCopy[] = [];
  const blockedGroups = new Set<string>();
  const keyChecks = new Map<string, Promise<KeyAccess>>();
  const blockedCandidates = new Set<Candidate>();
  for (const cand of candidates) {
    const { snap } = cand;
    const copier = copierFor(copiers, cand.source.provider);
    if (snap.ownership !== 'shared' || !snap.encrypted || snap.kmsKeyId === undefined) continue;
    if (!copier.capabilities.keyAccessCheck || copier.keyAccess === undefined) continue;
    const key = `${snap.region}\u0000${snap.kmsKeyId}`;
    let check = keyChecks.get(key);
    if (check === undefined) {
      check = copier.keyAccess(snap.region, snap.kmsKeyId, signal ? { signal } : {});
      keyChecks.set(key, check);
    }
    const access = await check;
    if (access.usable) continue;
    blockedCandidates.add(cand);
    if (cand.group !== undefined)
      blockedGroups.add(`${cand.source.provider}\u0000${snap.region}\u0000${cand.group}`);
    for (const dest of cand.needs) {
      blocked.push({
        provider: cand.source.provider,
        sourceRegion: snap.region,
        sourceSnapshotId: snap.snapshotId,
        destinationRegion: dest.d.region,
        ...(cand.group === undefined ? {} : { group: cand.group }),
        reason: keyStepsMissing(snap, access),
      });
    }
  }
  // A set is copied whole or not at all.
  for (const cand of candidates) {
    if (cand.group === undefined || blockedCandidates.has(cand)) continue;
    const key = `${cand.source.provider}\u0000${cand.snap.region}\u0000${cand.group}`;
    if (!blockedGroups.has(key)) continue;
    blockedCandidates.add(cand);
    for (const dest of cand.needs) {
      blocked.push({
        provider: cand.source.provider,
        sourceRegion: cand.snap.region,
        sourceSnapshotId: cand.snap.snapshotId,
        destinationRegion: dest.d.region,
        group: cand.group,
        reason: `another member of set ${cand.group} cannot be copied; a set is copied whole`,
      });
    }
  }
  for (const key of blockedGroups) groupState.set(key, 'blocked');

  // 6. The new copies, one request each, with deterministic client tokens.
  const planned: Omit<PassCopy, 'outcome'>[] = [];
  for (const cand of candidates) {
    if (blockedCandidates.has(cand)) continue;
    for (const dest of cand.needs) {
      dest.toCopy += 1;
      planned.push(copyRequest(policy, cand, dest, now));
    }
  }

  let copies: PassCopy[];
  let batchId: string | undefined;
  let batch: BatchResult | undefined;
  let failedCopiesRemoved = 0;
  const expired = destinations.flatMap((d) => d.expired);
  const removedExpired: ExpiredCopy[] = [];
  if (mode === 'plan') {
    const concurrency = Math.max(1, options.planConcurrency ?? DEFAULT_PLAN_CONCURRENCY);
    copies = await mapLimited(planned, concurrency, async (p): Promise<PassCopy> => {
      const copier = copierFor(copiers, p.provider);
      try {
        const prices = options.pricesByProvider?.[p.provider] ?? options.prices;
        const plan = await copier.plan(p.request, {
          ...(prices === undefined ? {} : { prices }),
          ...(signal ? { signal } : {}),
        });
        return { ...p, plan, outcome: 'planned' };
      } catch (err) {
        return { ...p, outcome: 'refused', error: errorWords(err) };
      }
    });
  } else {
    // Failed copies of earlier passes go first, so that their sources are copied again.
    for (const dest of destinations) {
      for (const ref of dest.failed) {
        if (aborted(signal)) break;
        try {
          await dest.copier.cancel(ref, signal ? { signal } : {});
          failedCopiesRemoved += 1;
        } catch {
          // Left for the next pass; its copy is not retried in this one.
        }
      }
    }
    if (planned.length > 0 && !aborted(signal)) {
      batchId = await freeBatchId(
        journal,
        passBatchId(policy.id, now, options.bucketMs ?? DEFAULT_PASS_BUCKET_MS),
      );
      const id = batchId;
      batch = await orchestrator!.run(
        planned.map((p) => ({ copier: p.provider, request: p.request })),
        {
          batchId: id,
          ...(signal ? { signal } : {}),
          onEvent: (event) => emit({ type: 'batch', batchId: id, event }),
        },
      );
    }
    copies = planned.map((p, i) => {
      const r = batch?.results[i];
      // A pass sends snapshot requests only: every result is a snapshot's.
      if (r === undefined || r.kind !== 'snapshot') return { ...p, outcome: 'not-started' };
      return {
        ...p,
        outcome: r.outcome,
        ...(r.plan === undefined ? {} : { plan: r.plan }),
        ...(r.destination === undefined ? {} : { destinationSnapshotId: r.destination.snapshotId }),
        ...(r.error === undefined ? {} : { error: { code: r.error.code, message: r.error.message } }),
      };
    });
    // 7. The sweep: this policy's expired copies, through the copier's guarded cancel.
    for (const e of expired) {
      if (aborted(signal)) break;
      const copier = copierFor(copiers, e.provider);
      let done: ExpiredCopy;
      try {
        // An expired copy has completed: deleting a finished copy takes `force`.
        const result = await copier.cancel(
          { region: e.region, snapshotId: e.snapshotId },
          { force: true, ...(signal ? { signal } : {}) },
        );
        done = { ...e, removed: result.takesEffect };
      } catch (err) {
        done = { ...e, removed: 'error', error: errorWords(err).message };
      }
      removedExpired.push(done);
      emit({ type: 'expired-removed', copy: done });
    }
  }

  // 8. The report.
  const groupReports = [...groups.values()].map((g): GroupReport => {
    const state = groupState.get(`${g.provider}\u0000${g.region}\u0000${g.group}`) ?? 'deferred';
    const members = g.members.map((m) => m.snap.snapshotId);
    if (mode === 'plan' || state !== 'copy')
      return { provider: g.provider, region: g.region, group: g.group, members, state };
    const mine = copies.filter(
      (c) => c.group === g.group && c.provider === g.provider && c.sourceRegion === g.region,
    );
    return {
      provider: g.provider,
      region: g.region,
      group: g.group,
      members,
      state,
      complete: mine.length > 0 && mine.every((c) => c.outcome === 'completed'),
    };
  });
  const destinationReports: DestinationReport[] = destinations.map((x) => ({
    provider: x.d.provider,
    region: x.d.region,
    retention: x.checked.retention,
    ...(x.checked.retentionWords === undefined ? {} : { retentionWords: x.checked.retentionWords }),
    existingCopies: x.existing,
    alreadyCopied: x.alreadyCopied,
    tooOld: x.tooOld,
    toCopy: x.toCopy,
    expired: x.expired.length,
    failed: x.failed.length,
    pages: x.pages,
    indexBytes: x.index.bytes,
  }));
  for (const d of destinationReports) emit({ type: 'destination-scanned', destination: d });

  let transferGiB = 0;
  let storageGiB = 0;
  let cost: { currency: string; oneOff: number; monthly: number } | undefined;
  for (const c of copies) {
    if (c.plan === undefined) continue;
    transferGiB += c.plan.billableGiB.transfer;
    storageGiB += c.plan.billableGiB.storage;
    const money = c.plan.cost;
    if (money !== undefined) {
      cost ??= { currency: money.currency, oneOff: 0, monthly: 0 };
      cost.oneOff += money.oneOff;
      cost.monthly += money.monthly;
    }
  }
  const count = (o: PassCopy['outcome']) => copies.filter((c) => c.outcome === o).length;
  return {
    policyId: policy.id,
    mode,
    now,
    ...(batchId === undefined ? {} : { batchId }),
    resumedBatches,
    sources,
    destinations: destinationReports,
    copies,
    blocked,
    groups: groupReports,
    deferred,
    failedSources,
    expired: mode === 'run' ? removedExpired : expired,
    failedCopiesRemoved,
    warnings: check.warnings,
    totals: {
      copies: copies.length,
      completed: count('completed'),
      failed: count('failed') + count('refused'),
      notFinished: count('pending') + count('not-started'),
      blocked: blocked.length,
      alreadyCopied: destinationReports.reduce((n, d) => n + d.alreadyCopied, 0),
      tooOld: destinationReports.reduce((n, d) => n + d.tooOld, 0),
      expired: expired.length,
      transferGiB: Math.round(transferGiB * 1000) / 1000,
      storageGiB: Math.round(storageGiB * 1000) / 1000,
      ...(cost === undefined ? {} : { cost }),
      listPages:
        sources.reduce((n, s) => n + s.pages, 0) + destinationReports.reduce((n, d) => n + d.pages, 0),
    },
    aborted: aborted(signal) || batch?.aborted === true,
  };
}
