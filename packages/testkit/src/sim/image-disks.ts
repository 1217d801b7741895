import type { SimSnapshot, SimWorld } from './world.js';

/**
 * The snapshots behind an image fixture, in disk order: each must be a completed snapshot
 * of the image's account in its region (both simulators register images only over those).
 */
export function fixtureDiskSnapshots(
  world: SimWorld,
  snapshotIds: readonly string[],
  owner: { readonly account: string; readonly region: string },
): SimSnapshot[] {
  return snapshotIds.map((snapshotId) => {
    const s = world.snapshots.get(snapshotId);
    if (!s) throw new Error(`unknown snapshot ${snapshotId}`);
    if (s.account !== owner.account || s.region !== owner.region || s.state !== 'completed') {
      throw new Error(`${snapshotId} must be a completed snapshot of ${owner.account} in ${owner.region}`);
    }
    return s;
  });
}

/** The device of disk `i`: the root at `/dev/xvda`, data disks lettered from b after `prefix`. */
export function fixtureDeviceName(i: number, prefix: string, letters: string): string {
  return i === 0 ? '/dev/xvda' : `${prefix}${letters[(i - 1) % letters.length]}`;
}

/** What both simulators' image fixtures name an image by. */
export interface ImageFixtureIdentity {
  readonly id?: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  readonly description?: string;
}

/**
 * The fields an image fixture's record starts with: its id (the fixture's, or `newId()`), which
 * must match `idPattern` and be free in `images`, then its region, account, name and description.
 */
export function fixtureImageIdentity(
  fixture: ImageFixtureIdentity,
  ids: {
    readonly noun: string;
    readonly idPattern: RegExp;
    newId(): string;
    readonly images: ReadonlyMap<string, unknown>;
  },
): { id: string; region: string; account: string; name: string; description?: string } {
  const id = fixture.id ?? ids.newId();
  if (!ids.idPattern.test(id)) throw new Error(`malformed ${ids.noun} id ${id}`);
  if (ids.images.has(id)) throw new Error(`duplicate ${ids.noun} id ${id}`);
  return {
    id,
    region: fixture.region,
    account: fixture.account,
    name: fixture.name,
    ...(fixture.description !== undefined ? { description: fixture.description } : {}),
  };
}
