import { type EcsHarness, HANGZHOU } from './harness.js';

/** Another account of the harness's simulator, for shared images. */
export const PARTNER = '2234567890123456';

/**
 * Images in cn-hangzhou: the harness account's own (unencrypted with a data disk, encrypted
 * with its CMK `alias/backup`, encrypted with the service key, unavailable), and the
 * partner's (shared plain, shared encrypted with a CMK the caller may use, shared with a
 * CMK it may not use, a community image).
 */
export function addEcsImageFixtures(h: EcsHarness) {
  const { sim, account } = h;
  sim.addAccount({ id: PARTNER });
  const backup = sim.addKey({ account, region: HANGZHOU, alias: 'alias/backup' });
  const partnerOpen = sim.addKey({
    account: PARTNER,
    region: HANGZHOU,
    alias: 'alias/open',
    usableBy: [account],
  });
  const partnerClosed = sim.addKey({ account: PARTNER, region: HANGZHOU, alias: 'alias/closed' });
  const snap = (owner: string, sizeGiB: number, diskSizeGiB: number, extra: object = {}) =>
    sim.addSnapshot({ account: owner, region: HANGZHOU, sizeGiB, diskSizeGiB, changedGiB: 2, ...extra });
  const plainSystem = snap(account, 20, 40, { diskType: 'system' });
  const plainData = snap(account, 50, 100);
  const cmkSystem = snap(account, 10, 40, { encrypted: true, kmsKeyId: backup.id, diskType: 'system' });
  const serviceSystem = snap(account, 10, 40, { encrypted: true, diskType: 'system' });
  const brokenSystem = snap(account, 10, 40, { diskType: 'system' });
  const partnerPlain = snap(PARTNER, 10, 40, { diskType: 'system' });
  const partnerOpenSnap = snap(PARTNER, 10, 40, {
    encrypted: true,
    kmsKeyId: partnerOpen.id,
    diskType: 'system',
  });
  const partnerClosedSnap = snap(PARTNER, 10, 40, {
    encrypted: true,
    kmsKeyId: partnerClosed.id,
    diskType: 'system',
  });
  const communitySnap = snap(PARTNER, 10, 40, { diskType: 'system' });
  const images = {
    plain: sim.addImage({
      account,
      region: HANGZHOU,
      name: 'web-plain',
      description: 'web server image',
      snapshotIds: [plainSystem.id, plainData.id],
      tags: { team: 'web' },
    }),
    cmk: sim.addImage({ account, region: HANGZHOU, name: 'db-cmk', snapshotIds: [cmkSystem.id] }),
    serviceKey: sim.addImage({ account, region: HANGZHOU, name: 'svc-key', snapshotIds: [serviceSystem.id] }),
    unavailable: sim.addImage({
      account,
      region: HANGZHOU,
      name: 'broken',
      snapshotIds: [brokenSystem.id],
      status: 'UnAvailable',
    }),
    sharedPlain: sim.addImage({
      account: PARTNER,
      region: HANGZHOU,
      name: 'partner-plain',
      snapshotIds: [partnerPlain.id],
      sharedWith: [account],
    }),
    sharedOpenKey: sim.addImage({
      account: PARTNER,
      region: HANGZHOU,
      name: 'partner-open-key',
      snapshotIds: [partnerOpenSnap.id],
      sharedWith: [account],
    }),
    sharedClosedKey: sim.addImage({
      account: PARTNER,
      region: HANGZHOU,
      name: 'partner-closed-key',
      snapshotIds: [partnerClosedSnap.id],
      sharedWith: [account],
    }),
    community: sim.addImage({
      account: PARTNER,
      region: HANGZHOU,
      name: 'community',
      snapshotIds: [communitySnap.id],
      isPublic: true,
    }),
  };
  const snapshots = { plainSystem, plainData, cmkSystem, serviceSystem, partnerPlain };
  return { images, snapshots, keys: { backup, partnerOpen, partnerClosed } };
}
