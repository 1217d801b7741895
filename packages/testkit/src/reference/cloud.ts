import type { Clock } from '@snapcopy/core';
import { FaultInjector } from '../sim/faults.js';
import { hexId, type SimAccount, type SimKey, type SimSnapshot, SimWorld } from '../sim/world.js';
import { type ReferenceImageCopyParams, ReferenceImageStore, type ReferenceImageView } from './images.js';

/** The operations of the reference cloud's API. */
export type ReferenceOperation =
  | 'CopySnapshot'
  | 'DescribeSnapshots'
  | 'DeleteSnapshot'
  | 'ListSnapshots'
  | 'ShareSnapshot'
  | 'DescribeKey'
  | 'CopyImage'
  | 'DescribeImages'
  | 'DeleteImage';

/**
 * Finer names fault rules may target: a `DescribeSnapshots` by ids (plans, status) or by
 * tag (client-token lookups). A rule for `DescribeSnapshots` matches both.
 */
export const REFERENCE_DESCRIBE_BY_IDS = 'DescribeSnapshots.ByIds';
export const REFERENCE_DESCRIBE_BY_TAG = 'DescribeSnapshots.ByTag';

/** Access key pair for the reference cloud. */
export interface ReferenceCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** An error the reference cloud answers with, shaped like a cloud SDK's error. */
export class ReferenceCloudError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
    readonly requestId: string,
    /** The cloud applied the request, then the response was lost. */
    readonly applied = false,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ReferenceCloudError';
  }
}

/** Where a snapshot or image is and whose it is, as a caller sees it: its own, or shared with it. */
export interface ReferenceOwnedView {
  readonly region: string;
  readonly ownerAccount: string;
  readonly ownership: 'owned' | 'shared';
}

/** The {@link ReferenceOwnedView} of a resource `caller` asks about. */
export function ownedView(
  resource: { readonly region: string; readonly account: string },
  caller: string,
): ReferenceOwnedView {
  return {
    region: resource.region,
    ownerAccount: resource.account,
    ownership: resource.account === caller ? 'owned' : 'shared',
  };
}

/** What the request log keeps of a copy call (of either kind): the source, the token, any key named. */
function copyLogged(
  params: { readonly sourceRegion: string; readonly clientToken: string; readonly kmsKeyId?: string },
  sourceId: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    sourceRegion: params.sourceRegion,
    ...sourceId,
    clientToken: params.clientToken,
    ...(params.kmsKeyId === undefined ? {} : { kmsKeyId: params.kmsKeyId }),
  };
}

/** A snapshot as `DescribeSnapshots` shows it to a caller. */
export interface ReferenceSnapshotView extends ReferenceOwnedView {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly volumeSizeGiB: number;
  readonly sizeGiB: number;
  readonly state: 'pending' | 'completed' | 'error';
  readonly progress: number;
  readonly stateMessage?: string;
  readonly encrypted: boolean;
  /** Key id (not alias) when encrypted. */
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Epoch ms the snapshot (or copy) was started. */
  readonly startedAt: number;
  readonly description?: string;
  /** The multi-volume group the snapshot was taken in (`extra.groupId`), if any. */
  readonly groupId?: string;
}

/** What {@link ReferenceCloud.listSnapshots} selects. */
export interface ReferenceListFilter {
  /** `self`, or the owner accounts of snapshots shared with the caller. */
  readonly owners: 'self' | readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly groupId?: string;
}

/** `CopySnapshot` parameters; sent to the destination region. */
export interface ReferenceCopyParams {
  readonly region: string;
  readonly sourceRegion: string;
  readonly sourceSnapshotId: string;
  readonly encrypted?: boolean;
  readonly kmsKeyId?: string;
  readonly name?: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly retentionDays?: number;
  readonly completionDurationMinutes?: number;
  readonly clientToken: string;
}

/** How an encrypted copy's key is chosen: the reference cloud's rule, used by the cloud and by plans. */
export interface ReferenceEncryptionOutcome {
  readonly encrypted: boolean;
  /** Key reference as the caller can name it (alias or id), when encrypted. */
  readonly kmsKeyRef?: string;
  readonly keySource: 'none' | 'source-key' | 'default-key' | 'given-key';
}

/** Alias of the free default key in every region. */
export const REFERENCE_DEFAULT_KEY_ALIAS = 'alias/ref/default';

/**
 * The reference cloud's encryption rule: an explicit `encrypted: false` decrypts (the
 * reference cloud can); a named key wins; an encrypted source keeps its key when the
 * caller owns it and it stays in its region; otherwise the default key.
 */
export function referenceEncryptionOutcome(
  source: { encrypted: boolean; kmsKeyId?: string; region: string; ownership: 'owned' | 'shared' },
  request: { region: string; encrypted?: boolean; kmsKeyId?: string },
): ReferenceEncryptionOutcome {
  if (request.encrypted === false) return { encrypted: false, keySource: 'none' };
  if (request.kmsKeyId !== undefined)
    return { encrypted: true, kmsKeyRef: request.kmsKeyId, keySource: 'given-key' };
  if (source.encrypted) {
    if (source.ownership === 'owned' && source.region === request.region && source.kmsKeyId !== undefined) {
      return { encrypted: true, kmsKeyRef: source.kmsKeyId, keySource: 'source-key' };
    }
    return { encrypted: true, kmsKeyRef: REFERENCE_DEFAULT_KEY_ALIAS, keySource: 'default-key' };
  }
  if (request.encrypted === true)
    return { encrypted: true, kmsKeyRef: REFERENCE_DEFAULT_KEY_ALIAS, keySource: 'default-key' };
  return { encrypted: false, keySource: 'none' };
}

/** Settings of a {@link ReferenceCloud}. */
export interface ReferenceCloudOptions {
  readonly clock: Clock;
  /** Regions that exist (at least two). */
  readonly regions?: readonly string[];
  /** `async`: a copy under an inaccessible key starts, then fails; `sync`: the copy call is refused. */
  readonly keyFailure?: 'async' | 'sync';
  /** What deleting a running copy does. */
  readonly cancelTakesEffect?: 'immediate' | 'on-completion';
  /** Pending copies one account may have per region. */
  readonly maxPendingCopiesPerRegion?: number;
  /** Ids one `DescribeSnapshots` call accepts. */
  readonly maxIdsPerDescribe?: number;
  /**
   * Whether `CopySnapshot` dedupes by client token (default true). False makes it behave
   * like EC2, which has no token: every call makes a copy, and only a lookup of the token
   * tag can tell that one exists.
   */
  readonly nativeTokens?: boolean;
}

/**
 * A small, fully capable in-memory cloud on the shared simulator engine ({@link SimWorld}),
 * spoken to through plain method calls instead of a wire protocol. It follows EC2's
 * model (snapshot ids, one request log) and enforces what a real cloud would:
 * authentication, visibility, key access, the id-per-call limit, the pending-copy limit,
 * idempotency tokens and injected faults.
 */
export class ReferenceCloud {
  readonly world: SimWorld;
  readonly faults = new FaultInjector();
  readonly keyFailure: 'async' | 'sync';
  readonly cancelTakesEffect: 'immediate' | 'on-completion';
  readonly maxPendingCopiesPerRegion: number;
  readonly maxIdsPerDescribe: number;
  readonly nativeTokens: boolean;
  /**
   * Called at the start of every request, before anything else happens to it (tests use
   * it to look at the caller's state at the moment a call arrives).
   */
  onRequest: ((operation: ReferenceOperation, params: Readonly<Record<string, string>>) => void) | undefined;
  /** The cloud's images (fixtures and copies). */
  readonly images: ReferenceImageStore = new ReferenceImageStore(this);

  constructor(options: ReferenceCloudOptions) {
    this.world = new SimWorld({
      clock: options.clock,
      cloud: 'ec2',
      newSnapshotId: () => `snap-ref${hexId(12)}`,
    });
    for (const r of options.regions ?? ['rf-east-1', 'rf-west-1']) this.world.addRegion(r);
    this.keyFailure = options.keyFailure ?? 'async';
    this.cancelTakesEffect = options.cancelTakesEffect ?? 'immediate';
    this.maxPendingCopiesPerRegion = options.maxPendingCopiesPerRegion ?? 20;
    this.maxIdsPerDescribe = options.maxIdsPerDescribe ?? 5;
    this.nativeTokens = options.nativeTokens ?? true;
  }

  /** Adds an account, with its default key and a customer key in every region. */
  addAccount(id: string, credentials: ReferenceCredentials): SimAccount {
    const account = this.world.addAccount({ id, ...credentials });
    for (const region of this.world.regions) {
      for (const [kind, alias] of [
        ['default', REFERENCE_DEFAULT_KEY_ALIAS],
        ['customer', 'alias/ref/customer'],
      ] as const) {
        const keyId = `key-${hexId(12)}`;
        this.world.addKey({
          id: keyId,
          arn: `arn:ref:kms:${region}:${id}:key/${keyId}`,
          region,
          account: id,
          aliases: [`${alias}@${id}`],
          serviceKey: kind === 'default',
        });
        if (kind === 'default') this.world.setDefaultKey(id, region, keyId);
      }
    }
    return account;
  }

  /** Adds a key that exists but that the storage service cannot use. */
  addInaccessibleKey(region: string, account: string): SimKey {
    const keyId = `key-${hexId(12)}`;
    return this.world.addKey({
      id: keyId,
      arn: `arn:ref:kms:${region}:${account}:key/${keyId}`,
      region,
      account,
      aliases: [],
      serviceKey: false,
      accessible: false,
    });
  }

  /** Finds a key as `account` names it (id, ARN, or one of its own aliases). */
  resolveKey(ref: string, region: string, account: string): SimKey | undefined {
    return this.world.findKey(ref, region) ?? this.world.findKey(`${ref}@${account}`, region);
  }

  /** Every request counted so far, by operation. */
  requestCount(operation?: ReferenceOperation): number {
    return this.world.requests.count(operation);
  }

  #call<T>(
    credentials: ReferenceCredentials,
    operation: ReferenceOperation,
    region: string,
    params: Record<string, string>,
    apply: (account: SimAccount) => T,
    faultKind?: string,
  ): T {
    this.onRequest?.(operation, params);
    const requestId = `req-${hexId(16)}`;
    const entry = (httpStatus: number, account?: string, errorCode?: string, fault?: string) =>
      this.world.requests.record({
        at: this.world.clock.now(),
        cloud: 'ec2',
        operation,
        region,
        account,
        params,
        httpStatus,
        requestId,
        ...(errorCode === undefined ? {} : { errorCode }),
        ...(fault === undefined ? {} : { fault }),
      });
    const account = this.world.accountByAccessKey(credentials.accessKeyId);
    if (!account || account.secretAccessKey !== credentials.secretAccessKey) {
      entry(401, undefined, 'AuthFailure');
      throw new ReferenceCloudError(
        'AuthFailure',
        'the access key or its signature is not valid',
        401,
        requestId,
      );
    }
    this.world.advance();
    this.images.refresh();
    const fault =
      faultKind === undefined ? this.faults.pick(operation) : this.faults.pick(operation, faultKind);
    if (fault?.kind === 'throttle') {
      entry(429, account.id, 'Throttling', 'throttle');
      throw new ReferenceCloudError('Throttling', 'rate exceeded', 429, requestId);
    }
    if (fault?.kind === 'server-error' || fault?.kind === 'reset') {
      entry(503, account.id, 'InternalError', fault.kind);
      throw new ReferenceCloudError('InternalError', 'the service is unavailable', 503, requestId);
    }
    if (!this.world.regions.has(region)) {
      entry(400, account.id, 'InvalidRegion');
      throw new ReferenceCloudError('InvalidRegion', `no region ${region}`, 400, requestId);
    }
    try {
      const result = apply(account);
      entry(200, account.id, undefined, fault?.kind);
      if (fault?.kind === 'drop-after') {
        throw new ReferenceCloudError(
          'ConnectionDropped',
          'the connection closed before a response',
          0,
          requestId,
          true,
        );
      }
      if (fault?.kind === 'garbage') {
        throw new ReferenceCloudError(
          'MalformedReply',
          "the endpoint answered 200 with something that is not the cloud's reply",
          200,
          requestId,
          true,
        );
      }
      return result;
    } catch (err) {
      if (err instanceof ReferenceCloudError) {
        if (!err.applied) entry(err.httpStatus, account.id, err.code);
        throw err;
      }
      if (err instanceof RefusalSignal) {
        entry(err.httpStatus, account.id, err.code);
        throw new ReferenceCloudError(err.code, err.message, err.httpStatus, requestId);
      }
      throw err;
    }
  }

  #view(s: SimSnapshot, account: string): ReferenceSnapshotView {
    return {
      snapshotId: s.id,
      ...ownedView(s, account),
      volumeId: s.volumeId,
      volumeSizeGiB: s.volumeSizeGiB,
      sizeGiB: s.sizeGiB,
      state: s.state,
      progress: s.progress,
      ...(s.stateMessage === undefined ? {} : { stateMessage: s.stateMessage }),
      encrypted: s.encrypted,
      ...(s.kmsKeyId === undefined ? {} : { kmsKeyId: s.kmsKeyId }),
      tags: Object.fromEntries(s.tags),
      startedAt: s.startedAt,
      ...(s.description === undefined ? {} : { description: s.description }),
      ...(typeof s.extra.groupId === 'string' ? { groupId: s.extra.groupId } : {}),
    };
  }

  /**
   * One page of the snapshots in `region` the caller owns (or, with owner accounts, that
   * those accounts shared with it), in creation order; `cursor` is the offset of the page.
   */
  listSnapshots(
    credentials: ReferenceCredentials,
    region: string,
    filter: ReferenceListFilter,
    cursor: string | undefined,
    pageSize: number,
  ): { snapshots: ReferenceSnapshotView[]; next?: string } {
    const params = { owners: String(filter.owners), cursor: cursor ?? '', pageSize: String(pageSize) };
    return this.#call(credentials, 'ListSnapshots', region, params, (account) => {
      const offset = cursor === undefined ? 0 : Number(cursor);
      if (!Number.isInteger(offset) || offset < 0)
        throw new RefusalSignal('InvalidParameterValue', 'not a page token of this listing', 400);
      const matches = (s: SimSnapshot): boolean => {
        if (s.region !== region) return false;
        if (
          filter.owners === 'self'
            ? s.account !== account.id
            : !filter.owners.includes(s.account) || !s.sharedWith.has(account.id)
        )
          return false;
        if (filter.groupId !== undefined && s.extra.groupId !== filter.groupId) return false;
        for (const [k, v] of Object.entries(filter.tags ?? {})) if (s.tags.get(k) !== v) return false;
        return true;
      };
      const out: ReferenceSnapshotView[] = [];
      let index = 0;
      let more = false;
      for (const s of this.world.snapshots.values()) {
        if (!matches(s)) continue;
        if (index++ < offset) continue;
        if (out.length === pageSize) {
          more = true;
          break;
        }
        out.push(this.#view(s, account.id));
      }
      return more ? { snapshots: out, next: String(offset + pageSize) } : { snapshots: out };
    });
  }

  /** Shares one of the caller's snapshots with other accounts. */
  shareSnapshot(
    credentials: ReferenceCredentials,
    region: string,
    snapshotId: string,
    accounts: readonly string[],
  ): void {
    this.#call(
      credentials,
      'ShareSnapshot',
      region,
      { snapshotId, accounts: accounts.join(',') },
      (account) => {
        const s = this.world.snapshots.get(snapshotId);
        if (!s || s.region !== region || !this.world.visibleSnapshot(snapshotId, region, account.id))
          throw new RefusalSignal('InvalidSnapshot.NotFound', `snapshot ${snapshotId} does not exist`, 404);
        if (s.account !== account.id)
          throw new RefusalSignal('UnauthorizedOperation', 'not your snapshot', 403);
        for (const a of accounts) if (a !== account.id) s.sharedWith.add(a);
      },
    );
  }

  /** Whether the caller may use a key (its own, or one whose owner lets it in). */
  describeKey(
    credentials: ReferenceCredentials,
    region: string,
    keyRef: string,
  ): { usable: boolean; enabled: boolean; reason?: string } {
    return this.#call(credentials, 'DescribeKey', region, { keyRef }, (account) => {
      const key = this.resolveKey(keyRef, region, account.id);
      if (!key) return { usable: false, enabled: false, reason: `key ${keyRef} does not exist in ${region}` };
      if (key.account !== account.id && !key.usableBy.has(account.id))
        return {
          usable: false,
          enabled: key.enabled,
          reason: `account ${account.id} may not use key ${key.id}`,
        };
      if (!key.enabled || !key.accessible)
        return { usable: false, enabled: key.enabled, reason: `key ${key.id} is not usable` };
      return { usable: true, enabled: true };
    });
  }

  /** Snapshots visible to the caller among `ids`; unknown ids are left out. */
  describeSnapshots(
    credentials: ReferenceCredentials,
    region: string,
    ids: readonly string[],
  ): ReferenceSnapshotView[] {
    return this.#call(
      credentials,
      'DescribeSnapshots',
      region,
      { ids: ids.join(',') },
      (account) => {
        if (ids.length > this.maxIdsPerDescribe) {
          throw new RefusalSignal(
            'InvalidParameterValue',
            `at most ${this.maxIdsPerDescribe} ids per call`,
            400,
          );
        }
        const out: ReferenceSnapshotView[] = [];
        for (const id of ids) {
          const s = this.world.visibleSnapshot(id, region, account.id);
          if (s) out.push(this.#view(s, account.id));
        }
        return out;
      },
      REFERENCE_DESCRIBE_BY_IDS,
    );
  }

  /** The caller's own snapshots in `region` carrying tag `key` with `value` (a tag-filtered DescribeSnapshots). */
  describeSnapshotsByTag(
    credentials: ReferenceCredentials,
    region: string,
    key: string,
    value: string,
  ): ReferenceSnapshotView[] {
    return this.#call(
      credentials,
      'DescribeSnapshots',
      region,
      { [`tag:${key}`]: value },
      (account) => {
        const out: ReferenceSnapshotView[] = [];
        for (const s of this.world.snapshots.values()) {
          if (s.region === region && s.account === account.id && s.tags.get(key) === value) {
            out.push(this.#view(s, account.id));
          }
        }
        return out;
      },
      REFERENCE_DESCRIBE_BY_TAG,
    );
  }

  /** Starts a copy into `params.region`, or returns the copy already made for the token. */
  copySnapshot(
    credentials: ReferenceCredentials,
    params: ReferenceCopyParams,
  ): { snapshotId: string; reused: boolean } {
    const logged = copyLogged(params, { sourceSnapshotId: params.sourceSnapshotId });
    return this.#call(credentials, 'CopySnapshot', params.region, logged, (account) => {
      for (const s of this.nativeTokens ? this.world.snapshots.values() : []) {
        if (s.copy?.clientToken === params.clientToken && s.account === account.id)
          return { snapshotId: s.id, reused: true };
      }
      const source = this.world.visibleSnapshot(params.sourceSnapshotId, params.sourceRegion, account.id);
      if (!source)
        throw new RefusalSignal(
          'InvalidSnapshot.NotFound',
          `snapshot ${params.sourceSnapshotId} does not exist`,
          404,
        );
      if (this.world.pendingCopies(account.id, params.region) >= this.maxPendingCopiesPerRegion) {
        throw new RefusalSignal('ResourceLimitExceeded', 'too many copies in progress', 400);
      }
      return { snapshotId: this.startSnapshotCopy(account.id, source, params).id, reused: false };
    });
  }

  /**
   * Starts one snapshot copy of `source` for `account` into `params.region` with the
   * reference rules (encryption outcome, key checks, billing): a CopySnapshot, or one backing
   * snapshot of a CopyImage. Throws a refusal the caller's operation reports.
   */
  startSnapshotCopy(account: string, source: SimSnapshot, params: ReferenceCopyParams): SimSnapshot {
    if (source.state !== 'completed')
      throw new RefusalSignal('IncorrectState', 'the source snapshot is not completed', 400);
    const outcome = referenceEncryptionOutcome(
      { ...source, ownership: ownedView(source, account).ownership },
      params,
    );
    let key: SimKey | undefined;
    let failMessage: string | undefined;
    if (outcome.encrypted) {
      key = this.resolveKey(outcome.kmsKeyRef ?? REFERENCE_DEFAULT_KEY_ALIAS, params.region, account);
      if (!key)
        throw new RefusalSignal(
          'KmsKey.NotFound',
          `key ${outcome.kmsKeyRef} does not exist in ${params.region}`,
          400,
        );
      if (!key.accessible || !key.enabled) {
        if (this.keyFailure === 'sync') {
          throw new RefusalSignal('KmsKey.Inaccessible', `key ${outcome.kmsKeyRef} is not accessible`, 400);
        }
        failMessage = `The key ${key.id} is not accessible.`;
      }
    }
    const sameKey = source.encrypted === outcome.encrypted && source.kmsKeyId === key?.id;
    const sameRegion = source.region === params.region;
    const moved = sameRegion && sameKey ? 0 : source.sizeGiB;
    return this.world.startCopy({
      source,
      account,
      region: params.region,
      encrypted: outcome.encrypted,
      ...(key ? { kmsKeyId: key.id } : {}),
      ...(params.name === undefined ? {} : { name: params.name }),
      ...(params.description === undefined ? {} : { description: params.description }),
      tags: new Map(Object.entries(params.tags ?? {})),
      ...(params.retentionDays === undefined ? {} : { retentionDays: params.retentionDays }),
      clientToken: params.clientToken,
      movedGiB: moved,
      ...(params.completionDurationMinutes === undefined
        ? {}
        : { completionDurationMinutes: params.completionDurationMinutes }),
      ...(failMessage === undefined ? {} : { failMessage }),
      billing: {
        cloud: 'ec2',
        account,
        sourceSnapshotId: source.id,
        sourceRegion: source.region,
        destinationRegion: params.region,
        sizeBasis: moved === 0 ? 'none' : 'snapshot',
        transfer: moved === 0 ? 'none' : 'full',
        transferGiB: sameRegion ? 0 : moved,
        storageGiB: moved,
        timeBasedGiB: params.completionDurationMinutes === undefined ? 0 : moved,
      },
    });
  }

  /** Images visible to the caller among `ids`; unknown ids are left out. */
  describeImages(
    credentials: ReferenceCredentials,
    region: string,
    ids: readonly string[],
  ): ReferenceImageView[] {
    return this.#call(credentials, 'DescribeImages', region, { ids: ids.join(',') }, (account) => {
      if (ids.length > this.maxIdsPerDescribe) {
        throw new RefusalSignal(
          'InvalidParameterValue',
          `at most ${this.maxIdsPerDescribe} ids per call`,
          400,
        );
      }
      return ids.flatMap((id) => {
        const image = this.images.visible(id, region, account.id);
        return image ? [this.images.view(image, account.id)] : [];
      });
    });
  }

  /** The caller's own images in `region` carrying tag `key` with `value`. */
  describeImagesByTag(
    credentials: ReferenceCredentials,
    region: string,
    key: string,
    value: string,
  ): ReferenceImageView[] {
    return this.#call(credentials, 'DescribeImages', region, { [`tag:${key}`]: value }, (account) =>
      [...this.images.images.values()]
        .filter((i) => i.region === region && i.account === account.id && i.tags.get(key) === value)
        .map((i) => this.images.view(i, account.id)),
    );
  }

  /** Starts an image copy into `params.region`, or returns the copy already made for the token. */
  copyImage(
    credentials: ReferenceCredentials,
    params: ReferenceImageCopyParams,
  ): { imageId: string; reused: boolean } {
    const logged = copyLogged(params, { sourceImageId: params.sourceImageId });
    return this.#call(credentials, 'CopyImage', params.region, logged, (account) =>
      this.images.copy(account.id, params),
    );
  }

  /** Deletes an image copy with its snapshots: at once, or (a running copy, `on-completion`) when it ends. */
  deleteImage(
    credentials: ReferenceCredentials,
    region: string,
    imageId: string,
  ): 'deleted' | 'deferred' | 'absent' {
    return this.#call(credentials, 'DeleteImage', region, { imageId }, (account) =>
      this.images.delete(account.id, region, imageId),
    );
  }

  /** Deletes a snapshot: at once, or (a running copy, `on-completion`) when it completes. */
  deleteSnapshot(
    credentials: ReferenceCredentials,
    region: string,
    snapshotId: string,
  ): 'deleted' | 'deferred' | 'absent' {
    return this.#call(credentials, 'DeleteSnapshot', region, { snapshotId }, (account) => {
      const s = this.world.snapshots.get(snapshotId);
      if (!s || s.region !== region) return 'absent';
      if (s.account !== account.id)
        throw new RefusalSignal('UnauthorizedOperation', 'not your snapshot', 403);
      if (s.copy && s.state === 'pending' && this.cancelTakesEffect === 'on-completion') {
        s.copy.deleteRequested = true;
        return 'deferred';
      }
      this.world.remove(snapshotId);
      return 'deleted';
    });
  }
}

/** Thrown inside an operation to refuse it; turned into a logged {@link ReferenceCloudError}. */
export class RefusalSignal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}
