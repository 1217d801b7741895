import type {
  BatchResult as CallResults,
  CallOptions,
  CancelResult,
  CopyHandle,
  CopyPlan,
  CopyRequestInput,
  CopyStatus,
  ImageCancelResult,
  ImageCopier,
  ImageCopyHandle,
  ImageCopyPlan,
  ImageCopyRequestInput,
  ImageCopyStatus,
  ImageRef,
  KindCopier,
  PlanOptions,
  SnapshotCopier,
  SnapshotRef,
} from '@snapcopy/core';
import type { CopyKindTypes } from '@snapcopy/core/driver';

/**
 * What a request copies: a block-storage snapshot, or a machine image (an AMI, an ECS
 * custom image). One batch may hold both; each runs through its copier of that kind.
 */
export type CopyKind = 'snapshot' | 'image';

/** Every kind, in the order the orchestrator names them. */
export const COPY_KINDS: readonly CopyKind[] = Object.freeze(['snapshot', 'image']);

/** A request of either kind (`source.snapshotId` or `source.imageId`). */
export type AnyCopyRequestInput = CopyRequestInput | ImageCopyRequestInput;
/** A copy of either kind, by its region and its kind's own id field. */
export type CopyRef = SnapshotRef | ImageRef;
export type AnyCopyPlan = CopyPlan | ImageCopyPlan;
export type AnyCopyHandle = CopyHandle | ImageCopyHandle;
export type AnyCopyStatus = CopyStatus | ImageCopyStatus;
export type AnyCancelResult = CancelResult | ImageCancelResult;

/**
 * The kind of a request: an image when its source names an `imageId`, else a snapshot.
 * (A request naming both is refused by the image schema, which knows no `snapshotId`.)
 */
export function requestKind(request: unknown): CopyKind {
  const source = (request as { source?: unknown } | null | undefined)?.source;
  return typeof source === 'object' && source !== null && 'imageId' in source ? 'image' : 'snapshot';
}

/** The noun users read for a kind. */
export function kindNoun(kind: CopyKind): string {
  return kind === 'image' ? 'image' : 'snapshot';
}

/** The id of a copy, handle, status or cancel result of either kind. */
export function copyIdOf(ref: SnapshotRef | ImageRef): string {
  return 'imageId' in ref ? ref.imageId : ref.snapshotId;
}

/** The ref of copy `id` in `region`, in its kind's own field. */
export function copyRef(kind: CopyKind, region: string, id: string): CopyRef {
  return kind === 'image' ? { region, imageId: id } : { region, snapshotId: id };
}

/** The id of the source a handle of either kind was copied from. */
export function handleSourceId(handle: AnyCopyHandle): string {
  return 'sourceImageId' in handle ? handle.sourceImageId : handle.sourceSnapshotId;
}

/** The id of a request's source (its snapshot or image), if it names one. */
export function sourceIdOf(request: unknown): string | undefined {
  const source = (request as { source?: { snapshotId?: unknown; imageId?: unknown } } | undefined)?.source;
  const id = source?.imageId ?? source?.snapshotId;
  return typeof id === 'string' ? id : undefined;
}

/** The manifest entries the scheduler reads; both kinds' manifests have them, with one meaning. */
export interface KindLimits {
  readonly nativeIdempotencyToken: boolean;
  readonly maxIdsPerStatusCall: number;
  readonly maxConcurrentCopiesPerRegion: number;
  readonly consistencyWindowMs: number;
}

/**
 * A copier of one kind as the orchestrator drives it: the methods of `SnapshotCopier` and
 * `ImageCopier` (which share names, guarantees and errors), over requests, plans, handles
 * and statuses of that kind. Made by {@link batchCopier};
 * the lifecycle steps, queues and the workflow engine call only this.
 */
export interface BatchCopier {
  readonly kind: CopyKind;
  readonly provider: string;
  readonly capabilities: KindLimits;
  /** The copier itself (a `SnapshotCopier` or an `ImageCopier`). */
  readonly native: SnapshotCopier | ImageCopier;
  validate(request: AnyCopyRequestInput): void;
  plan(request: AnyCopyRequestInput, options?: PlanOptions): Promise<AnyCopyPlan>;
  planMany?(
    requests: readonly AnyCopyRequestInput[],
    options?: PlanOptions,
  ): Promise<CallResults<AnyCopyPlan>[]>;
  copy(
    request: AnyCopyRequestInput,
    options?: { readonly plan?: AnyCopyPlan; readonly tokenChecked?: boolean },
  ): Promise<AnyCopyHandle>;
  find(request: AnyCopyRequestInput, options?: CallOptions): Promise<AnyCopyHandle | undefined>;
  findMany?(
    requests: readonly AnyCopyRequestInput[],
    options?: CallOptions,
  ): Promise<CallResults<AnyCopyHandle | undefined>[]>;
  status(refs: readonly CopyRef[], options?: CallOptions): Promise<AnyCopyStatus[]>;
  cancel(ref: CopyRef): Promise<AnyCancelResult>;
}

/**
 * A snapshot or an image copier as the orchestrator drives it. Both are core
 * `KindCopier`s over their own kind's types; the orchestrator hands each only the requests
 * and refs of the kind it routed to it.
 */
export function batchCopier(kind: 'snapshot', copier: SnapshotCopier): BatchCopier;
export function batchCopier(kind: 'image', copier: ImageCopier): BatchCopier;
export function batchCopier(kind: CopyKind, copier: SnapshotCopier | ImageCopier): BatchCopier {
  const c = copier as unknown as KindCopier<CopyKindTypes>;
  const planMany = c.planMany?.bind(c);
  const findMany = c.findMany?.bind(c);
  return {
    kind,
    provider: copier.provider,
    capabilities: copier.capabilities,
    native: copier,
    validate: (r) => void c.validate(r),
    plan: (r, o) => c.plan(r, o) as Promise<AnyCopyPlan>,
    ...(planMany ? { planMany: (rs, o) => planMany(rs, o) as Promise<CallResults<AnyCopyPlan>[]> } : {}),
    copy: (r, o) => c.copy(r, o as { plan?: CopyKindTypes['plan'] }) as Promise<AnyCopyHandle>,
    find: (r, o) => c.find(r, o) as Promise<AnyCopyHandle | undefined>,
    ...(findMany
      ? { findMany: (rs, o) => findMany(rs, o) as Promise<CallResults<AnyCopyHandle | undefined>[]> }
      : {}),
    status: (refs, o) => c.status(refs, o) as Promise<AnyCopyStatus[]>,
    cancel: (ref) => c.cancel(ref) as Promise<AnyCancelResult>,
  };
}
