import {
  type CallOptions,
  type Capabilities,
  type CopyHandle,
  type CopyOptions,
  type CopyPlan,
  type CopyRequestInput,
  defineCapabilities,
  is,
  SnapcopyError,
  type SnapshotCopier,
} from '@snapcopy/core';
import type { NormalizedCopyRequest, NormalizedListQuery, ProviderListPage } from '@snapcopy/core/driver';
import { ReferenceCloudError } from '../reference/cloud.js';
import {
  type ReferenceCopierOptions,
  ReferenceSnapshotCopier,
  referenceCapabilities,
} from '../reference/copier.js';
import { type BrokenOf, brokenCopierMaker, skipsCapabilityCheck, withSharedFlaws } from './broken-flaws.js';
import { makeReferenceHarness } from '../reference/harness.js';
import type { ConformanceHarness } from './harness.js';

/** A copier with one deliberate flaw, and the suite cases that must catch it. */
export interface BrokenCopier extends BrokenOf<ConformanceHarness> {}

class DropsTags extends ReferenceSnapshotCopier {
  protected override copyTags(req: NormalizedCopyRequest, plan: CopyPlan): Record<string, string> {
    const all = super.copyTags(req, plan);
    return Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith('snapcopy:')));
  }
}

const IgnoresFalseCapability = skipsCapabilityCheck(
  class extends ReferenceSnapshotCopier {
    constructor(options: ReferenceCopierOptions) {
      super({
        ...options,
        capabilities: defineCapabilities({
          ...referenceCapabilities(options.cloud),
          retentionPeriod: false,
          retentionDaysRange: null,
          timeBasedCopy: false,
          completionDurationMinutes: null,
        }),
      });
    }
  },
);

class LeaksSecretInErrors extends ReferenceSnapshotCopier {
  protected override registerCredentials(): void {}
  protected override _mapError(err: unknown): SnapcopyError {
    const mapped = super._mapError(err);
    if (mapped.code !== 'ACCESS_DENIED') return mapped;
    return new SnapcopyError(
      'ACCESS_DENIED',
      `${mapped.message} (signed with ${this.credentials.secretAccessKey})`,
      {
        providerCode: mapped.providerCode ?? 'AuthFailure',
      },
    );
  }
}

class LogsSecret extends ReferenceSnapshotCopier {
  protected override registerCredentials(): void {}
  protected override async _startCopy(req: NormalizedCopyRequest, plan: CopyPlan) {
    this.logger.debug(`copying as ${this.credentials.accessKeyId}:${this.credentials.secretAccessKey}`);
    return super._startCopy(req, plan);
  }
}

class WrongKeyInPlan extends ReferenceSnapshotCopier {
  protected override async _plan(req: NormalizedCopyRequest, options: CallOptions): Promise<CopyPlan> {
    const plan = await super._plan(req, options);
    if (!plan.encryption.encrypted) return plan;
    return {
      ...plan,
      encryption: { encrypted: true, kmsKeyId: 'alias/ref/default', keySource: 'default-key' },
    };
  }
}

class DecryptsSilently extends ReferenceSnapshotCopier {
  protected override _startCopy(req: NormalizedCopyRequest, plan: CopyPlan) {
    const encryption = req.encryption?.encrypted === undefined ? { encrypted: false } : req.encryption;
    return super._startCopy({ ...req, encryption }, plan);
  }
}

class ThrottleNotRetryable extends ReferenceSnapshotCopier {
  protected override _mapError(err: unknown): SnapcopyError {
    const mapped = super._mapError(err);
    if (mapped.code !== 'THROTTLED') return mapped;
    return new SnapcopyError('PROVIDER_ERROR', mapped.message, {
      providerCode: mapped.providerCode ?? 'Throttling',
    });
  }
}

class NotFoundAsProviderError extends ReferenceSnapshotCopier {
  protected override async _plan(req: NormalizedCopyRequest, options: CallOptions): Promise<CopyPlan> {
    try {
      return await super._plan(req, options);
    } catch (err) {
      if (is(err, 'NOT_FOUND'))
        throw new SnapcopyError('PROVIDER_ERROR', err.message, { providerCode: 'InvalidSnapshot.NotFound' });
      throw err;
    }
  }
}

class AuthFailureAsProviderError extends ReferenceSnapshotCopier {
  protected override _mapError(err: unknown): SnapcopyError {
    if (err instanceof ReferenceCloudError && err.code === 'AuthFailure') {
      return new SnapcopyError('PROVIDER_ERROR', err.message, { providerCode: err.code });
    }
    return super._mapError(err);
  }
}

class MutableManifest extends ReferenceSnapshotCopier {
  constructor(options: ReferenceCopierOptions) {
    super({ ...options, capabilities: { ...referenceCapabilities(options.cloud) } as Capabilities });
  }
}

class IgnoresRetention extends ReferenceSnapshotCopier {
  protected override _startCopy(req: NormalizedCopyRequest, plan: CopyPlan) {
    const { retentionDays: _ignored, ...rest } = req;
    return super._startCopy(rest as NormalizedCopyRequest, plan);
  }
}

class NeverSaysReused extends ReferenceSnapshotCopier {
  override async copy(request: CopyRequestInput, options: CopyOptions = {}): Promise<CopyHandle> {
    return { ...(await super.copy(request, options)), reused: false };
  }
}

class ListsOwnAsShared extends ReferenceSnapshotCopier {
  // Ignores the owner filter: every snapshot the caller can see, its own included.
  protected override async _listPage(
    query: NormalizedListQuery,
    cursor: string | undefined,
  ): Promise<ProviderListPage> {
    const own = await super._listPage({ ...query, owner: 'self' }, cursor);
    if (query.owner === 'self') return own;
    const shared = await super._listPage(query, undefined);
    return { snapshots: [...own.snapshots, ...shared.snapshots] };
  }
}

class ListingLosesPages extends ReferenceSnapshotCopier {
  // Stops after the first page.
  protected override async _listPage(
    query: NormalizedListQuery,
    cursor: string | undefined,
  ): Promise<ProviderListPage> {
    return { snapshots: (await super._listPage(query, cursor)).snapshots };
  }
}

class ListingFindsSubstrings extends ReferenceSnapshotCopier {
  // Applies the regex as a search, not as a whole-description match.
  override list(query: Parameters<ReferenceSnapshotCopier['list']>[0], options?: CallOptions) {
    const pattern = query.descriptionRegex;
    if (pattern === undefined) return super.list(query, options);
    return super.list({ ...query, descriptionRegex: `.*(?:${pattern}).*` }, options);
  }
}

const flawed = withSharedFlaws(ReferenceSnapshotCopier);

const broken = brokenCopierMaker<SnapshotCopier, ReferenceCopierOptions, ConformanceHarness>(
  makeReferenceHarness,
);

/** Copiers with one deliberate flaw each; every one must fail the suite. */
export const BROKEN_COPIERS: readonly BrokenCopier[] = Object.freeze([
  broken('drops-tags', "drops the caller's tags from the copy", ['capability.tagsOnCopy'], DropsTags),
  broken(
    'ignores-false-capability',
    'says retentionPeriod/timeBasedCopy are false but skips the pre-check and calls the cloud',
    ['capability.retentionPeriod', 'capability.timeBasedCopy'],
    IgnoresFalseCapability,
  ),
  broken(
    'leaks-secret-in-errors',
    'puts the secret key in ACCESS_DENIED messages',
    ['errors.no-secret', 'errors.bad-credentials'],
    LeaksSecretInErrors,
  ),
  broken(
    'logs-secret',
    'logs the secret key on every copy',
    ['capability.crossRegionCopy', 'errors.no-secret'],
    LogsSecret,
  ),
  broken(
    'duplicates-on-retry',
    'sends a new idempotency token on every attempt',
    ['idempotency.dropped-response', 'idempotency.same-token-twice'],
    flawed.DuplicatesOnRetry,
  ),
  broken(
    'wrong-key-in-plan',
    'plans the default key whatever key the copy will get',
    ['encryption.plan-key-is-copy-key'],
    WrongKeyInPlan,
  ),
  broken(
    'false-cancel',
    'says a copy was cancelled but leaves it in the cloud',
    ['cancel.running-copy', 'cancel.completed-copy'],
    flawed.FalseCancel,
  ),
  broken(
    'unbatched-status',
    'reads status with one request per id',
    ['status.batching', 'status.batching-across-regions'],
    flawed.UnbatchedStatus,
  ),
  broken(
    'decrypts-silently',
    'makes an unencrypted copy of an encrypted source when the caller said nothing',
    ['encryption.never-decrypts'],
    DecryptsSilently,
  ),
  broken(
    'deletes-on-timeout',
    'deletes the copy when a wait times out',
    ['wait.timeout'],
    flawed.DeletesOnTimeout,
  ),
  broken(
    'throttle-not-retryable',
    'reports throttling as a non-retryable PROVIDER_ERROR',
    ['errors.throttled-copy', 'errors.throttled-reads'],
    ThrottleNotRetryable,
  ),
  broken(
    'not-found-as-provider-error',
    'reports a missing source as PROVIDER_ERROR',
    ['errors.not-found'],
    NotFoundAsProviderError,
  ),
  broken(
    'auth-as-provider-error',
    'reports bad credentials as PROVIDER_ERROR',
    ['errors.bad-credentials'],
    AuthFailureAsProviderError,
  ),
  broken('mutable-manifest', 'exposes an unfrozen manifest', ['manifest.frozen'], MutableManifest),
  broken(
    'ignores-retention',
    'accepts retentionDays but never sends it',
    ['capability.retentionPeriod'],
    IgnoresRetention,
  ),
  broken(
    'status-says-completed',
    'reports running copies as completed',
    ['status.reflects-truth', 'status.batching-across-regions'],
    flawed.StatusSaysCompleted,
  ),
  broken(
    'never-says-reused',
    'reports reused: false when the token returned an earlier copy',
    ['idempotency.reused-flag'],
    NeverSaysReused,
  ),
  broken('plan-mutates', 'starts the copy while planning', ['plan.no-mutation'], flawed.PlanMutates),
  broken(
    'lists-own-as-shared',
    "lists the caller's own snapshots in a shared-by listing",
    ['listing.shared-by-account'],
    ListsOwnAsShared,
  ),
  broken('listing-loses-pages', 'stops a listing after its first page', ['listing.pages'], ListingLosesPages),
  broken(
    'listing-finds-substrings',
    'matches a description regex anywhere instead of against the whole description',
    ['listing.description-regex'],
    ListingFindsSubstrings,
  ),
]);
