import {
  type CallOptions,
  type Capabilities,
  type CopyPlan,
  type CopyStatus,
  type KeyAccess,
  type SnapshotSummary,
  defineCapabilities,
  SnapcopyError,
  type SourceSnapshotFacts,
} from '@snapcopy/core';
import {
  AbstractSnapshotCopier,
  type CopierRuntime,
  LINEAGE_TAGS,
  type NormalizedListQuery,
  type ProviderListPage,
  type ObservedCopy,
  LINEAGE_TAG_COUNT,
  lineageTags,
  type NormalizedCopyRequest,
  registerSecret,
} from '@snapcopy/core/driver';
import {
  REFERENCE_DEFAULT_KEY_ALIAS,
  type ReferenceCloud,
  ReferenceCloudError,
  type ReferenceCopyParams,
  type ReferenceCredentials,
  type ReferenceSnapshotView,
  referenceEncryptionOutcome,
} from './cloud.js';

/** Provider name of the reference copier. */
export const REFERENCE_PROVIDER = 'reference';

/**
 * Every flag true (the native token as the cloud is set up): the reference copier
 * exercises every true branch of the suite.
 */
export function referenceCapabilities(cloud: ReferenceCloud): Capabilities {
  return defineCapabilities({
    crossRegionCopy: true,
    sameRegionStandardCopy: true,
    sameRegionEncryptedCopy: true,
    encryptOnCopy: true,
    changeKeyOnCopy: true,
    decryptOnCopy: true,
    instantAccess: true,
    retentionPeriod: true,
    retentionDaysRange: [1, 36500],
    cancelByDelete: true,
    cancelTakesEffect: cloud.cancelTakesEffect,
    timeBasedCopy: true,
    completionDurationMinutes: { min: 15, max: 2880, step: 15 },
    tagsOnCopy: true,
    crossAccountCopy: true,
    nativeIdempotencyToken: cloud.nativeTokens,
    maxConcurrentCopiesPerRegion: cloud.maxPendingCopiesPerRegion,
    maxIdsPerStatusCall: cloud.maxIdsPerDescribe,
    maxUserTags: 50 - LINEAGE_TAG_COUNT,
    // The reference cloud reads its own writes at once.
    consistencyWindowMs: 0,
    listSnapshots: true,
    listSharedWithCaller: true,
    listByGroup: true,
    listDescriptionRegex: 'client',
    listMaxPageSize: REFERENCE_LIST_PAGE_SIZE,
    shareSnapshot: true,
    keyAccessCheck: true,
  });
}

/** Snapshots one reference listing call returns at most. */
export const REFERENCE_LIST_PAGE_SIZE = 50;

/** What {@link ReferenceSnapshotCopier} needs. */
export interface ReferenceCopierOptions extends CopierRuntime {
  readonly cloud: ReferenceCloud;
  readonly credentials: ReferenceCredentials;
  /** Overrides the manifest (broken copiers and tests only). */
  readonly capabilities?: Capabilities;
}

const STATE_OF: Record<ReferenceSnapshotView['state'], CopyStatus['state']> = {
  pending: 'pending',
  completed: 'completed',
  error: 'failed',
};

const ERROR_CODE_OF: Record<string, SnapcopyError['code']> = {
  AuthFailure: 'ACCESS_DENIED',
  UnauthorizedOperation: 'ACCESS_DENIED',
  'KmsKey.Inaccessible': 'ACCESS_DENIED',
  'InvalidSnapshot.NotFound': 'NOT_FOUND',
  'InvalidImage.NotFound': 'NOT_FOUND',
  InvalidRequest: 'ACCESS_DENIED',
  IncorrectState: 'INVALID_REQUEST',
  'KmsKey.NotFound': 'NOT_FOUND',
  Throttling: 'THROTTLED',
  ResourceLimitExceeded: 'QUOTA_EXCEEDED',
  InvalidParameterValue: 'INVALID_REQUEST',
  InvalidRegion: 'INVALID_REQUEST',
};

/**
 * A fully capable SnapshotCopier over the in-memory {@link ReferenceCloud}: every
 * capability flag is true, so it runs every true branch of the conformance suite. It is
 * also the smallest complete example of extending `AbstractSnapshotCopier`.
 */
export class ReferenceSnapshotCopier extends AbstractSnapshotCopier {
  protected readonly cloud: ReferenceCloud;
  protected readonly credentials: ReferenceCredentials;

  constructor(options: ReferenceCopierOptions) {
    super(REFERENCE_PROVIDER, options.capabilities ?? referenceCapabilities(options.cloud), options);
    this.cloud = options.cloud;
    this.credentials = options.credentials;
    this.registerCredentials();
  }

  /** Makes the secret known to core's redaction, as every adapter does with its credentials. */
  protected registerCredentials(): void {
    registerSecret(this.credentials.secretAccessKey);
  }

  protected describeSource(req: NormalizedCopyRequest): ReferenceSnapshotView {
    const [found] = this.cloud.describeSnapshots(this.credentials, req.source.region, [
      req.source.snapshotId,
    ]);
    return requestedSource(this.provider, 'snapshot', found, req.source, req.source.snapshotId);
  }

  protected override async _plan(req: NormalizedCopyRequest, _options: CallOptions): Promise<CopyPlan> {
    const src = this.describeSource(req);
    const part = planReferenceSnapshotCopy(src, req.destination.region, req);
    return {
      provider: this.provider,
      request: req,
      destination: { region: req.destination.region },
      ...part,
      ...(req.completionDurationMinutes === undefined
        ? {}
        : { timeBased: { completionDurationMinutes: req.completionDurationMinutes, minimumMinutes: 15 } }),
    };
  }

  protected override async _findByToken(region: string, token: string): Promise<ObservedCopy[]> {
    return this.cloud
      .describeSnapshotsByTag(this.credentials, region, LINEAGE_TAGS.clientToken, token)
      .map((v) => this.observed(v));
  }

  protected override async _startCopy(req: NormalizedCopyRequest, plan: CopyPlan): Promise<string> {
    return this.cloud.copySnapshot(this.credentials, {
      ...commonCopyParams(req),
      sourceSnapshotId: req.source.snapshotId,
      ...(req.description === undefined ? {} : { description: req.description }),
      tags: this.copyTags(req, plan),
      ...(req.retentionDays === undefined ? {} : { retentionDays: req.retentionDays }),
    }).snapshotId;
  }

  /** The caller's tags, snapcopy's own and its lineage tags. */
  protected copyTags(req: NormalizedCopyRequest, plan: CopyPlan): Record<string, string> {
    return {
      ...(req.tags ?? {}),
      ...(req.snapcopyTags ?? {}),
      ...lineageTags({
        clientToken: req.clientToken,
        sourceSnapshotId: req.source.snapshotId,
        sourceRegion: req.source.region,
        ...(plan.source.volumeId === undefined ? {} : { sourceVolumeId: plan.source.volumeId }),
        ...(plan.encryption.kmsKeyId === undefined ? {} : { kmsKeyId: plan.encryption.kmsKeyId }),
      }),
    };
  }

  /** A snapshot as the reference cloud shows it, in the copy protocol's words. */
  protected observed(v: ReferenceSnapshotView): ObservedCopy {
    return {
      region: v.region,
      id: v.snapshotId,
      state: STATE_OF[v.state],
      progress: v.progress,
      rawState: v.state,
      ...(v.stateMessage === undefined ? {} : { message: v.stateMessage }),
      tags: v.tags,
      createdAt: v.startedAt,
      encrypted: v.encrypted,
      ...(v.kmsKeyId === undefined ? {} : { kmsKeyId: v.kmsKeyId }),
    };
  }

  protected override async _listPage(
    query: NormalizedListQuery,
    cursor: string | undefined,
  ): Promise<ProviderListPage> {
    const page = this.cloud.listSnapshots(
      this.credentials,
      query.region,
      {
        owners: query.owner === 'self' ? 'self' : query.owner.sharedBy,
        tags: query.tags,
        ...(query.groupId === undefined ? {} : { groupId: query.groupId }),
      },
      cursor,
      query.pageSize,
    );
    return {
      snapshots: page.snapshots.map((v) => this.summary(v)),
      ...(page.next === undefined ? {} : { next: page.next }),
    };
  }

  /** A snapshot as a listing shows it. */
  protected summary(v: ReferenceSnapshotView): SnapshotSummary {
    return {
      region: v.region,
      snapshotId: v.snapshotId,
      ownership: v.ownership,
      ownerAccount: v.ownerAccount,
      state: STATE_OF[v.state] as SnapshotSummary['state'],
      tags: v.tags,
      encrypted: v.encrypted,
      ...(v.kmsKeyId === undefined ? {} : { kmsKeyId: v.kmsKeyId }),
      ...(v.description === undefined ? {} : { description: v.description }),
      ...(v.groupId === undefined ? {} : { groupId: v.groupId }),
      volumeId: v.volumeId,
      volumeSizeGiB: v.volumeSizeGiB,
      createdAt: v.startedAt,
    };
  }

  protected override async _share(
    region: string,
    snapshotId: string,
    accounts: readonly string[],
  ): Promise<void> {
    this.cloud.shareSnapshot(this.credentials, region, snapshotId, accounts);
  }

  protected override async _keyAccess(region: string, keyId: string): Promise<KeyAccess> {
    const found = this.cloud.describeKey(this.credentials, region, keyId);
    return {
      region,
      keyId,
      usable: found.usable,
      keyState: found.enabled ? 'Enabled' : 'Disabled',
      ...(found.reason === undefined ? {} : { reason: found.reason }),
    };
  }

  protected override async _describe(
    region: string,
    snapshotIds: readonly string[],
  ): Promise<ObservedCopy[]> {
    return this.cloud.describeSnapshots(this.credentials, region, snapshotIds).map((v) => this.observed(v));
  }

  protected override async _delete(copy: ObservedCopy): Promise<void> {
    if (this.cloud.deleteSnapshot(this.credentials, copy.region, copy.id) === 'absent') {
      throw referenceNotFound(this.provider, 'snapshot', copy.id, 'does not exist in', copy.region);
    }
  }

  protected override _mapError(err: unknown): SnapcopyError {
    return mapReferenceError(this.provider, err);
  }
}

/** What one snapshot copy does and costs on the reference cloud (a CopySnapshot, or one disk of a CopyImage). */
export function planReferenceSnapshotCopy(
  src: ReferenceSnapshotView,
  destinationRegion: string,
  request: {
    readonly encryption?: { readonly encrypted?: boolean; readonly kmsKeyId?: string } | undefined;
    readonly completionDurationMinutes?: number | undefined;
  },
): Pick<CopyPlan, 'source' | 'encryption' | 'transfer' | 'sizeBasis' | 'billableGiB' | 'kms' | 'reasons'> {
  const outcome = referenceEncryptionOutcome(src, {
    region: destinationRegion,
    ...(request.encryption?.encrypted === undefined ? {} : { encrypted: request.encryption.encrypted }),
    ...(request.encryption?.kmsKeyId === undefined ? {} : { kmsKeyId: request.encryption.kmsKeyId }),
  });
  const sameRegion = src.region === destinationRegion;
  const unchanged = sameRegion && src.encrypted === outcome.encrypted && src.kmsKeyId === outcome.kmsKeyRef;
  const moved = unchanged ? 0 : src.sizeGiB;
  const source: SourceSnapshotFacts = {
    region: src.region,
    snapshotId: src.snapshotId,
    ownerAccount: src.ownerAccount,
    ownership: src.ownership,
    encrypted: src.encrypted,
    ...(src.kmsKeyId === undefined ? {} : { kmsKeyId: src.kmsKeyId }),
    volumeId: src.volumeId,
    sizeGiB: src.sizeGiB,
    diskSizeGiB: src.volumeSizeGiB,
  };
  const serviceKey = outcome.kmsKeyRef === REFERENCE_DEFAULT_KEY_ALIAS;
  return {
    source,
    encryption: {
      encrypted: outcome.encrypted,
      ...(outcome.kmsKeyRef === undefined ? {} : { kmsKeyId: outcome.kmsKeyRef }),
      keySource: outcome.keySource,
    },
    transfer: unchanged ? 'none' : 'full',
    sizeBasis: unchanged ? 'none' : 'snapshot',
    billableGiB: {
      transfer: sameRegion ? 0 : moved,
      storage: moved,
      timeBased: request.completionDurationMinutes === undefined ? 0 : moved,
    },
    kms: {
      customerManagedKey: outcome.encrypted && !serviceKey,
      serviceKey: outcome.encrypted && serviceKey,
    },
    reasons: [
      unchanged ? 'same region, same encryption and key: no data moves' : `${moved} GiB move in full`,
      outcome.encrypted ? `the copy is encrypted (${outcome.keySource})` : 'the copy is not encrypted',
    ],
  };
}

/**
 * The source a copy request names, as the reference cloud showed it (`found`): NOT_FOUND
 * unless the caller can see it and it belongs to the account the request names, if any.
 */
export function requestedSource<V extends { readonly ownerAccount: string }>(
  provider: string,
  noun: 'snapshot' | 'image',
  found: V | undefined,
  source: { readonly region: string; readonly account?: string | undefined },
  id: string,
): V {
  if (!found || (source.account !== undefined && found.ownerAccount !== source.account)) {
    throw referenceNotFound(provider, noun, id, 'not found in', source.region);
  }
  return found;
}

/** The parameters of a reference copy call that a snapshot or an image copy request gives alike. */
export function commonCopyParams(req: {
  readonly destination: { readonly region: string };
  readonly source: { readonly region: string };
  readonly encryption?: { readonly encrypted?: boolean; readonly kmsKeyId?: string } | undefined;
  readonly name?: string | undefined;
  readonly completionDurationMinutes?: number | undefined;
  readonly clientToken: string;
}): Pick<
  ReferenceCopyParams,
  'region' | 'sourceRegion' | 'encrypted' | 'kmsKeyId' | 'name' | 'completionDurationMinutes' | 'clientToken'
> {
  return {
    region: req.destination.region,
    sourceRegion: req.source.region,
    ...(req.encryption?.encrypted === undefined ? {} : { encrypted: req.encryption.encrypted }),
    ...(req.encryption?.kmsKeyId === undefined ? {} : { kmsKeyId: req.encryption.kmsKeyId }),
    ...(req.name === undefined ? {} : { name: req.name }),
    ...(req.completionDurationMinutes === undefined
      ? {}
      : { completionDurationMinutes: req.completionDurationMinutes }),
    clientToken: req.clientToken,
  };
}

/** NOT_FOUND for a snapshot or image the reference cloud lacks, with EC2's code for it. */
export function referenceNotFound(
  provider: string,
  noun: 'snapshot' | 'image',
  id: string,
  how: 'not found in' | 'does not exist in',
  region: string,
): SnapcopyError {
  return new SnapcopyError('NOT_FOUND', `${noun} ${id} ${how} ${region}`, {
    provider,
    providerCode: noun === 'snapshot' ? 'InvalidSnapshot.NotFound' : 'InvalidImage.NotFound',
  });
}

/** A reference cloud error (or anything else) in snapcopy's closed set. */
export function mapReferenceError(provider: string, err: unknown): SnapcopyError {
  if (err instanceof ReferenceCloudError) {
    const code = ERROR_CODE_OF[err.code] ?? 'PROVIDER_ERROR';
    const transient = err.applied || err.code === 'InternalError' || err.code === 'MalformedReply';
    return new SnapcopyError(code, `${provider}: ${err.message}`, {
      provider,
      providerCode: err.code,
      requestId: err.requestId,
      httpStatus: err.httpStatus,
      cause: err,
      ...(transient ? { retryable: true } : {}),
      ...(code === 'QUOTA_EXCEEDED' ? { retryable: true } : {}),
      ...(err.applied ? { ambiguous: true } : {}),
    });
  }
  return new SnapcopyError(
    'PROVIDER_ERROR',
    `${provider}: ${err instanceof Error ? err.message : String(err)}`,
    {
      provider,
      cause: err,
    },
  );
}
