import type { Capabilities } from './capabilities.js';
import { checkRequestAgainstCapabilities } from './capability-check.js';
import {
  type CopierRuntime,
  CopyFacade,
  type CopyKindTypes,
  type MadeCopy,
  type NeutralCancel,
  type NeutralStatus,
} from './copy-facade.js';
import { estimateCopyCost, type PriceTable } from './cost.js';
import { invalidRequest, type SnapcopyError } from './errors.js';
import { LINEAGE_TAGS, type TokenLineage } from './lineage.js';
import type { CopyPlan } from './plan.js';
import { type CopyRequest, type CopyRequestInput, parseCopyRequest, type SnapshotRef } from './request.js';
import type { CancelResult, CopyHandle, CopyStatus } from './status.js';

/** A request after parsing, with its client token always set. */
export type NormalizedCopyRequest = CopyRequest & { readonly clientToken: string };

/** The snapshot kind of the copy protocol: the types {@link AbstractSnapshotCopier} works on. */
export interface SnapshotKind extends CopyKindTypes {
  readonly capabilities: Capabilities;
  readonly input: CopyRequestInput;
  readonly request: NormalizedCopyRequest;
  readonly plan: CopyPlan;
  readonly ref: SnapshotRef;
  readonly handle: CopyHandle;
  readonly status: CopyStatus;
  readonly cancel: CancelResult;
}

/** Where a snapshot copy carries its client token and source (the token-reuse check reads them). */
export function snapshotLineage(request: NormalizedCopyRequest): TokenLineage {
  return {
    tokenTag: LINEAGE_TAGS.clientToken,
    sourceTag: LINEAGE_TAGS.sourceSnapshot,
    sourceId: request.source.snapshotId,
    sourceRegionTag: LINEAGE_TAGS.sourceRegion,
  };
}

/** Checks one snapshot ref: a region and a snapshot id, both non-empty strings. */
export function checkSnapshotRef(ref: unknown, index: number): { region: string; id: string } {
  const r = ref as Partial<SnapshotRef> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.region !== 'string' ||
    r.region === '' ||
    typeof r.snapshotId !== 'string' ||
    r.snapshotId === ''
  ) {
    throw invalidRequest([{ path: `refs.${index}`, message: 'needs a region and a snapshotId' }]);
  }
  return { region: r.region, id: r.snapshotId };
}

/**
 * The facade every snapshot adapter extends: the copy protocol of {@link CopyFacade}
 * (parsing, the capability pre-check, token lookups, duplicate convergence, batched status,
 * `wait`, a guarded cancel) for block-storage snapshots. An adapter implements the driver
 * methods (`_plan`, `_findByToken`, `_startCopy`, `_describe`, `_delete`, `_mapError`, and
 * optionally `_validate` and `_tagCopy`).
 */
export abstract class AbstractSnapshotCopier extends CopyFacade<SnapshotKind> {
  protected readonly kindNoun = 'snapshot';

  protected constructor(provider: string, capabilities: Capabilities, runtime: CopierRuntime = {}) {
    super(provider, capabilities, runtime);
  }

  protected kindParse(input: unknown): CopyRequest {
    return parseCopyRequest(input);
  }

  protected kindCheckCapabilities(request: NormalizedCopyRequest): SnapcopyError | undefined {
    return checkRequestAgainstCapabilities(this.provider, this.capabilities, request);
  }

  protected kindLineage(request: NormalizedCopyRequest): TokenLineage {
    return snapshotLineage(request);
  }

  protected kindRefId(ref: unknown, index: number): { region: string; id: string } {
    return checkSnapshotRef(ref, index);
  }

  protected kindRef(region: string, id: string): SnapshotRef {
    return { region, snapshotId: id };
  }

  protected kindHandle(request: NormalizedCopyRequest, made: MadeCopy): CopyHandle {
    return {
      provider: this.provider,
      region: request.destination.region,
      snapshotId: made.id,
      sourceRegion: request.source.region,
      sourceSnapshotId: request.source.snapshotId,
      clientToken: request.clientToken,
      startedAt: new Date(made.startedAt).toISOString(),
      reused: made.reused,
      ...(made.duplicatesRemoved && made.duplicatesRemoved.length > 0
        ? { duplicatesRemoved: made.duplicatesRemoved }
        : {}),
    };
  }

  protected kindStatus(s: NeutralStatus): CopyStatus {
    // Assigned, not spread: this runs for every id of every poll round.
    const status: { -readonly [P in keyof CopyStatus]: CopyStatus[P] } = {
      region: s.region,
      snapshotId: s.id,
      state: s.state,
      progress: s.progress,
      rawState: s.rawState,
    };
    if (s.message !== undefined) status.message = s.message;
    if (s.encrypted !== undefined) status.encrypted = s.encrypted;
    if (s.kmsKeyId !== undefined) status.kmsKeyId = s.kmsKeyId;
    if (s.replacedBy !== undefined) status.replacedBy = s.replacedBy;
    return status;
  }

  protected kindCancel(r: NeutralCancel): CancelResult {
    return { region: r.region, snapshotId: r.id, takesEffect: r.takesEffect, message: r.message };
  }

  protected kindWithCost(plan: CopyPlan, prices: unknown): CopyPlan {
    const cost = estimateCopyCost(
      {
        billableGiB: plan.billableGiB,
        kms: plan.kms,
        sourceRegion: plan.source.region,
        destinationRegion: plan.destination.region,
      },
      prices as PriceTable,
    );
    return { ...plan, cost };
  }
}
