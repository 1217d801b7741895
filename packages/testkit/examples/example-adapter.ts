/**
 * A worked example: a tiny SnapshotCopier over a toy in-memory cloud, with some
 * capabilities false. `example-adapter.test.ts`, next to it, runs the conformance suite
 * against it; `docs/writing-an-adapter.md` walks through both.
 */
import { randomBytes } from 'node:crypto';
import { type Clock, type CopyPlan, defineCapabilities, SnapcopyError } from '@snapcopy/core';
import {
  AbstractSnapshotCopier,
  type CopierRuntime,
  LINEAGE_TAGS,
  lineageTags,
  type NormalizedCopyRequest,
  type ObservedCopy,
  registerSecret,
} from '@snapcopy/core/driver';

// ---------------------------------------------------------------------------------------
// The toy cloud: what a real provider's API would be. The adapter only calls its methods.
// ---------------------------------------------------------------------------------------

/** A snapshot in the toy cloud. */
export interface ToySnapshot {
  readonly id: string;
  readonly region: string;
  readonly sizeGiB: number;
  readonly keyId?: string;
  readonly tags: Record<string, string>;
  readonly copyOf?: { region: string; id: string };
  readonly token?: string;
  /** Time the copy is done; undefined for snapshots that were never copies. */
  readonly readyAt?: number;
}

/** Operations of the toy API. */
export type ToyOperation = 'get' | 'copy' | 'remove';

/** Errors of the toy API. */
export class ToyError extends Error {
  constructor(readonly code: 'auth' | 'missing' | 'slow-down' | 'bad-key' | 'lost' | 'same-region-plain') {
    super(`toy cloud says: ${code}`);
  }
}

/** At most this many ids in one `get`. */
export const TOY_IDS_PER_GET = 3;

/** A toy cloud: one account, a few regions, keys `toy-default` and `toy-cmk` per region. */
export class ToyCloud {
  readonly snapshots = new Map<string, ToySnapshot>();
  readonly keys = new Set<string>();
  readonly log: { op: ToyOperation; region: string }[] = [];
  readonly throttle = new Map<ToyOperation, number>();
  readonly drop = new Map<ToyOperation, number>();

  constructor(
    readonly clock: Clock,
    private readonly apiKey: string,
    readonly regions: readonly string[],
  ) {
    for (const r of regions) for (const k of ['toy-default', 'toy-cmk']) this.keys.add(`${r}/${k}`);
  }

  #call<T>(apiKey: string, op: ToyOperation, region: string, apply: () => T): T {
    this.log.push({ op, region });
    if (apiKey !== this.apiKey) throw new ToyError('auth');
    const throttled = this.throttle.get(op) ?? 0;
    if (throttled > 0) {
      this.throttle.set(op, throttled - 1);
      throw new ToyError('slow-down');
    }
    const result = apply();
    const dropped = this.drop.get(op) ?? 0;
    if (dropped > 0) {
      this.drop.set(op, dropped - 1);
      throw new ToyError('lost');
    }
    return result;
  }

  /** Reads snapshots; unknown ids are left out. */
  get(apiKey: string, region: string, ids: readonly string[]): ToySnapshot[] {
    return this.#call(apiKey, 'get', region, () =>
      ids.slice(0, TOY_IDS_PER_GET).flatMap((id) => {
        const s = this.snapshots.get(id);
        return s && s.region === region ? [s] : [];
      }),
    );
  }

  /** Snapshots in `region` carrying tag `key` with `value`. */
  find(apiKey: string, region: string, key: string, value: string): ToySnapshot[] {
    return this.#call(apiKey, 'get', region, () =>
      [...this.snapshots.values()].filter((s) => s.region === region && s.tags[key] === value),
    );
  }

  /** Copies a snapshot; the same token returns the same copy. */
  copy(
    apiKey: string,
    input: {
      from: string;
      id: string;
      to: string;
      keyId?: string;
      tags: Record<string, string>;
      token: string;
    },
  ): { id: string; reused: boolean } {
    return this.#call(apiKey, 'copy', input.to, () => {
      for (const s of this.snapshots.values()) if (s.token === input.token) return { id: s.id, reused: true };
      const source = this.snapshots.get(input.id);
      if (!source || source.region !== input.from) throw new ToyError('missing');
      if (input.keyId !== undefined && !this.keys.has(`${input.to}/${input.keyId}`))
        throw new ToyError('bad-key');
      if (input.keyId === undefined && input.from === input.to) throw new ToyError('same-region-plain');
      const id = `toy-${randomBytes(6).toString('hex')}`;
      this.snapshots.set(id, {
        id,
        region: input.to,
        sizeGiB: source.sizeGiB,
        ...(input.keyId === undefined ? {} : { keyId: input.keyId }),
        tags: { ...input.tags },
        copyOf: { region: source.region, id: source.id },
        token: input.token,
        readyAt: this.clock.now() + 10_000 + source.sizeGiB * 1_000,
      });
      return { id, reused: false };
    });
  }

  /** Deletes a snapshot at once; false when there was none. */
  remove(apiKey: string, region: string, id: string): boolean {
    return this.#call(apiKey, 'remove', region, () => {
      const s = this.snapshots.get(id);
      return s !== undefined && s.region === region && this.snapshots.delete(id);
    });
  }
}

// ---------------------------------------------------------------------------------------
// The adapter: a manifest and six driver methods; core runs the copy protocol.
// ---------------------------------------------------------------------------------------

/** What the toy cloud can do. The false flags are refused by core before any call. */
export const TOY_CAPABILITIES = defineCapabilities({
  crossRegionCopy: true,
  sameRegionStandardCopy: false,
  sameRegionEncryptedCopy: true,
  encryptOnCopy: true,
  changeKeyOnCopy: true,
  decryptOnCopy: false,
  instantAccess: false,
  retentionPeriod: false,
  cancelByDelete: true,
  cancelTakesEffect: 'immediate',
  timeBasedCopy: false,
  tagsOnCopy: true,
  crossAccountCopy: false,
  nativeIdempotencyToken: true,
  maxConcurrentCopiesPerRegion: 0,
  maxIdsPerStatusCall: TOY_IDS_PER_GET,
  maxUserTags: 10,
});

const ERROR_CODES: Record<ToyError['code'], SnapcopyError['code']> = {
  auth: 'ACCESS_DENIED',
  missing: 'NOT_FOUND',
  'slow-down': 'THROTTLED',
  'bad-key': 'NOT_FOUND',
  lost: 'PROVIDER_ERROR',
  'same-region-plain': 'UNSUPPORTED',
};

/** The toy adapter. */
export class ToySnapshotCopier extends AbstractSnapshotCopier {
  constructor(
    private readonly cloud: ToyCloud,
    private readonly apiKey: string,
    runtime: CopierRuntime = {},
  ) {
    super('toy', TOY_CAPABILITIES, runtime);
    registerSecret(apiKey);
  }

  protected override async _plan(req: NormalizedCopyRequest): Promise<CopyPlan> {
    const [src] = this.cloud.get(this.apiKey, req.source.region, [req.source.snapshotId]);
    if (!src) throw new ToyError('missing');
    const to = req.destination.region;
    // The encryption rule is the provider's: core cannot know it.
    if (src.keyId !== undefined && req.encryption?.encrypted === false) {
      throw new SnapcopyError('ENCRYPTION_RULE', 'toy: a copy of an encrypted snapshot is encrypted', {
        provider: 'toy',
      });
    }
    if (src.keyId === undefined && req.encryption?.encrypted !== true && req.source.region === to) {
      throw new SnapcopyError('UNSUPPORTED', 'toy: an unencrypted copy must change region', {
        provider: 'toy',
      });
    }
    const keyId =
      req.encryption?.kmsKeyId ??
      (src.keyId !== undefined && src.region === to ? src.keyId : undefined) ??
      (src.keyId !== undefined || req.encryption?.encrypted === true ? 'toy-default' : undefined);
    const moved = src.sizeGiB;
    return {
      provider: this.provider,
      request: req,
      source: {
        region: src.region,
        snapshotId: src.id,
        ownership: 'owned',
        encrypted: src.keyId !== undefined,
        ...(src.keyId === undefined ? {} : { kmsKeyId: src.keyId }),
        sizeGiB: src.sizeGiB,
      },
      destination: { region: to },
      encryption: {
        encrypted: keyId !== undefined,
        ...(keyId === undefined ? {} : { kmsKeyId: keyId }),
        keySource:
          keyId === undefined
            ? 'none'
            : req.encryption?.kmsKeyId
              ? 'given-key'
              : keyId === src.keyId
                ? 'source-key'
                : 'default-key',
      },
      transfer: 'full',
      sizeBasis: 'snapshot',
      billableGiB: { transfer: src.region === to ? 0 : moved, storage: moved, timeBased: 0 },
      kms: { customerManagedKey: keyId === 'toy-cmk', serviceKey: keyId === 'toy-default' },
      reasons: ['the toy cloud always copies in full'],
    };
  }

  protected override async _findByToken(region: string, token: string): Promise<ObservedCopy[]> {
    return this.cloud
      .find(this.apiKey, region, LINEAGE_TAGS.clientToken, token)
      .map((s) => this.#observed(s));
  }

  protected override async _startCopy(req: NormalizedCopyRequest, plan: CopyPlan): Promise<string> {
    return this.cloud.copy(this.apiKey, {
      from: req.source.region,
      id: req.source.snapshotId,
      to: req.destination.region,
      ...(plan.encryption.kmsKeyId === undefined ? {} : { keyId: plan.encryption.kmsKeyId }),
      tags: {
        ...(req.tags ?? {}),
        ...lineageTags({
          clientToken: req.clientToken,
          sourceSnapshotId: req.source.snapshotId,
          sourceRegion: req.source.region,
          ...(plan.encryption.kmsKeyId === undefined ? {} : { kmsKeyId: plan.encryption.kmsKeyId }),
        }),
      },
      token: req.clientToken,
    }).id;
  }

  /** A toy snapshot in the copy protocol's words. */
  #observed(s: ToySnapshot): ObservedCopy {
    const done = s.readyAt === undefined || this.clock.now() >= s.readyAt;
    return {
      region: s.region,
      id: s.id,
      state: done ? 'completed' : 'pending',
      progress: done ? 100 : 50,
      rawState: done ? 'ready' : 'copying',
      tags: s.tags,
      encrypted: s.keyId !== undefined,
      ...(s.keyId === undefined ? {} : { kmsKeyId: s.keyId }),
    };
  }

  protected override async _describe(region: string, ids: readonly string[]): Promise<ObservedCopy[]> {
    return this.cloud.get(this.apiKey, region, ids).map((s) => this.#observed(s));
  }

  protected override async _delete(copy: ObservedCopy): Promise<void> {
    if (!this.cloud.remove(this.apiKey, copy.region, copy.id)) throw new ToyError('missing');
  }

  protected override _mapError(err: unknown): SnapcopyError {
    if (err instanceof ToyError) {
      return new SnapcopyError(ERROR_CODES[err.code], err.message, {
        provider: 'toy',
        providerCode: err.code,
        cause: err,
        // A lost response may hide a copy that was made: retry it with the same token.
        ...(err.code === 'lost' ? { retryable: true, ambiguous: true } : {}),
      });
    }
    return new SnapcopyError('PROVIDER_ERROR', String(err), { provider: 'toy', cause: err });
  }
}
