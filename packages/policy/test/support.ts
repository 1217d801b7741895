import { type Capabilities, defineCapabilities, type SnapshotCopier } from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import {
  hexId,
  ReferenceCloud,
  type ReferenceCredentials,
  ReferenceSnapshotCopier,
  referenceCapabilities,
  type SimSnapshot,
  VirtualClock,
} from '@snapcopy/testkit';
import { type PolicyDocumentInput, parsePolicyDocument, POLICY_TAGS } from '../src/index.js';

export const VAULT = '222222222222';
export const SOURCE = '111111111111';
export const THIRD = '333333333333';
export const REGIONS = ['rf-east-1', 'rf-west-1', 'rf-south-1'] as const;
export const DAY = 86_400_000;

/** A reference cloud with a vault account, a source account that shares with it, and a third. */
export function makeWorld() {
  const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1) });
  const cloud = new ReferenceCloud({ clock, regions: REGIONS, maxIdsPerDescribe: 50 });
  const vault: ReferenceCredentials = { accessKeyId: 'AKVAULT0001', secretAccessKey: `vault-${hexId(20)}` };
  cloud.addAccount(VAULT, vault);
  cloud.addAccount(SOURCE, { accessKeyId: 'AKSOURCE0001', secretAccessKey: `source-${hexId(20)}` });
  cloud.addAccount(THIRD, { accessKeyId: 'AKTHIRD0001', secretAccessKey: `third-${hexId(20)}` });
  const world = cloud.world;

  /** A completed snapshot of `account` in `region`, shared with the vault unless it is the vault's. */
  const snapshot = (spec: {
    account?: string;
    region?: string;
    description?: string;
    tags?: Record<string, string>;
    encrypted?: boolean;
    /** The owner's customer key in the region; usable by the vault unless `keyUsable: false`. */
    keyUsable?: boolean;
    state?: SimSnapshot['state'];
    sizeGiB?: number;
  }): SimSnapshot => {
    const account = spec.account ?? SOURCE;
    const region = spec.region ?? REGIONS[0];
    const key = spec.encrypted ? cloud.resolveKey('alias/ref/customer', region, account) : undefined;
    if (key && spec.keyUsable !== false && account !== VAULT) key.usableBy.add(VAULT);
    const volumeId = `vol-${hexId(12)}`;
    const size = spec.sizeGiB ?? 4;
    world.addVolume({
      id: volumeId,
      region,
      account,
      sizeGiB: size * 2,
      encrypted: key !== undefined,
      ...(key ? { kmsKeyId: key.id } : {}),
    });
    return world.addSnapshot({
      region,
      account,
      volumeId,
      volumeSizeGiB: size * 2,
      sizeGiB: size,
      changedGiB: size,
      encrypted: key !== undefined,
      ...(key ? { kmsKeyId: key.id } : {}),
      ...(account === VAULT ? {} : { sharedWith: [VAULT] }),
      ...(spec.description === undefined ? {} : { description: spec.description }),
      ...(spec.tags === undefined ? {} : { tags: spec.tags }),
      ...(spec.state === undefined ? {} : { state: spec.state }),
    });
  };

  /** A copier of the vault account; `emulated` turns native retention off (as on EBS). */
  const copier = (options: { emulated?: boolean; caps?: Partial<Capabilities> } = {}): SnapshotCopier =>
    new ReferenceSnapshotCopier({
      cloud,
      credentials: vault,
      clock,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      capabilities: defineCapabilities({
        ...referenceCapabilities(cloud),
        ...(options.emulated ? { retentionPeriod: false, retentionDaysRange: null } : {}),
        ...(options.caps ?? {}),
      }),
    });

  /** The copies the cloud holds (its own record), with their tags, by source. */
  const copies = () => {
    world.advance();
    return [...world.snapshots.values()]
      .filter((s) => s.copy !== undefined)
      .map((s) => ({
        id: s.id,
        region: s.region,
        account: s.account,
        state: s.state,
        source: s.copy!.sourceSnapshotId,
        token: s.copy!.clientToken,
        encrypted: s.encrypted,
        kmsKeyId: s.kmsKeyId,
        retentionDays: s.retentionDays,
        tags: Object.fromEntries(s.tags),
      }));
  };

  /** Provider requests since `mark` (the cloud's own request log). */
  const requestsSince = (mark: number) =>
    world.requests
      .entries()
      .slice(mark)
      .map((e) => e.operation);

  return { clock, cloud, world, snapshot, copier, copies, requestsSince, vault };
}

export type World = ReturnType<typeof makeWorld>;

export const policyOf = (doc: Omit<PolicyDocumentInput, 'version'>) =>
  parsePolicyDocument({ version: 1, ...doc });

export { LINEAGE_TAGS, POLICY_TAGS };
