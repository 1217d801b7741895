import {
  type Clock,
  defineImageCapabilities,
  type ImageCapabilities,
  type ImageCopyPlan,
  SnapcopyError,
} from '../../src/index.js';
import {
  AbstractImageCopier,
  imageLineageTags,
  type NormalizedImageCopyRequest,
  invalidRequest,
  type ObservedCopy,
} from '../../src/driver.js';
import type { FakeCloud, FakeCopy } from './fake-driver.js';

export const FAKE_IMAGE_CAPS = defineImageCapabilities({
  crossRegionCopy: true,
  sameRegionCopy: true,
  encryptOnCopy: true,
  tagsOnCopy: true,
  maxUserTags: 10,
  cancelByDelete: true,
  cancelMethod: 'deregister',
  cancelTakesEffect: 'immediate',
  snapshotsOnCancel: 'removed-on-completion',
  deleteWhileCopying: true,
  nativeIdempotencyToken: true,
  maxIdsPerStatusCall: 2,
});

/**
 * The smallest complete image driver over the facade's {@link FakeCloud}: each image has
 * two backing snapshots whose progress the status reports.
 */
export class FakeImageCopier extends AbstractImageCopier {
  constructor(
    readonly cloud: FakeCloud,
    clock: Clock,
    capabilities: ImageCapabilities = FAKE_IMAGE_CAPS,
  ) {
    super('fake', capabilities, { clock, retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 } });
  }

  /** The fake's own image id rule: `ami-` and digits, as its copies are named. */
  protected override _validateCopyId(id: string, path: string): void {
    if (!/^ami-\d+$/.test(id)) throw invalidRequest([{ path, message: 'must be ami- and digits' }], 'fake');
  }

  protected override async _plan(request: NormalizedImageCopyRequest): Promise<ImageCopyPlan> {
    return this.cloud.run('plan', () => ({
      provider: 'fake',
      request,
      source: {
        region: request.source.region,
        imageId: request.source.imageId,
        ownership: 'owned',
        rootDeviceType: 'ebs',
        tags: {},
      },
      destination: { region: request.destination.region },
      snapshots: [],
      billableGiB: { transfer: 4, storage: 4, timeBased: 0 },
      kms: { customerManagedKey: false, serviceKey: false },
      tags: { image: {}, snapshots: {}, carriedFromSource: [] },
      reasons: ['test'],
    }));
  }

  #observed(c: FakeCopy): ObservedCopy {
    return {
      region: c.region,
      id: c.id,
      state: c.state,
      rawState: c.state,
      progress: c.progress,
      tags: { ...c.tags },
      createdAt: c.createdAt,
      extra: {
        snapshots: [
          { deviceName: '/dev/xvda', snapshotId: `${c.id}-root`, progress: c.progress },
          { deviceName: '/dev/sdb', snapshotId: `${c.id}-data`, progress: Math.min(100, c.progress * 2) },
        ],
      },
    };
  }

  protected override async _findByToken(region: string, token: string): Promise<ObservedCopy[]> {
    return this.cloud.run('find', () =>
      this.cloud
        .withToken(token)
        .filter((c) => c.region === region && !this.cloud.lagging.has(c.id))
        .map((c) => this.#observed(c)),
    );
  }

  protected override async _startCopy(request: NormalizedImageCopyRequest): Promise<string> {
    return this.cloud.run('start', () => {
      const earlier = this.cloud.withToken(request.clientToken)[0];
      if (earlier) return earlier.id;
      return this.cloud.add({
        id: `ami-${this.cloud.copies.size + 1}`,
        region: request.destination.region,
        state: 'pending',
        progress: 0,
        createdAt: this.cloud.clock.now(),
        tags: imageLineageTags(request, []),
      }).id;
    });
  }

  protected override async _describe(region: string, ids: readonly string[]): Promise<ObservedCopy[]> {
    return this.cloud.run(
      'describe',
      () =>
        ids.flatMap((id) => {
          const c = this.cloud.copies.get(id);
          if (!c || c.region !== region) return [];
          if (c.state === 'pending') {
            c.progress = Math.min(100, c.progress + this.cloud.step);
            if (c.progress >= 100) c.state = 'completed';
          }
          return [this.#observed(c)];
        }),
      ids.join(','),
    );
  }

  protected override async _delete(copy: ObservedCopy): Promise<void> {
    this.cloud.run('delete', () => {
      if (!this.cloud.copies.delete(copy.id)) throw new SnapcopyError('NOT_FOUND', `no ${copy.id}`);
    });
  }

  protected override _mapError(err: unknown): SnapcopyError {
    return new SnapcopyError('PROVIDER_ERROR', `mapped: ${(err as Error).message}`, { cause: err });
  }
}
