// The rules of ECS CopyImage, one row each, through the pure decision of an image plan
// (docs/alibaba-image-rules.md): the CopyImage API reference (usage notes, `Encrypted`,
// `KMSKeyId`, error codes) and, per disk, the snapshot copy rules of "Copy a snapshot".
import {
  type ErrorCode,
  IMAGE_CAPABILITY_KEYS,
  type ImageCapabilities,
  ImageCapabilitiesSchema,
  type ImageCopyPlan,
  type ImageCopyRequestInput,
  isSnapcopyError,
  parseImageCopyRequest,
} from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { ALIBABA_ECS_IMAGE_CAPABILITIES } from '../../src/image-capabilities.js';
import type { AlibabaImagePlanFacts } from '../../src/image-plan-facts.js';
import { decideAlibabaImagePlan } from '../../src/image-plan.js';
import type { EcsImage } from '../../src/image-view.js';
import { ALIBABA_DEFAULT_SERVICE_KEY } from '../../src/rules/encryption.js';
import type { EcsSnapshot } from '../../src/snapshot-view.js';

const HZ = 'cn-hangzhou';
const SH = 'cn-shanghai';
const SOURCE_KEY = 'key-source-0001';
const CMK = 'key-cmk-0002';

interface DiskSpec {
  readonly encrypted?: boolean;
  readonly sizeGiB?: number;
  readonly diskSizeGiB?: number;
  /** Earlier copies of its lineage in the destination: their keys (`none` = unencrypted). */
  readonly earlier?: readonly string[];
}

interface World {
  readonly ownership?: 'owned' | 'shared';
  readonly status?: string;
  readonly community?: boolean;
  readonly disks?: readonly DiskSpec[];
}

function facts(w: World): AlibabaImagePlanFacts {
  const ownership = w.ownership ?? 'owned';
  const disks = w.disks ?? [{}];
  const image = {
    imageId: 'm-source0001',
    status: w.status ?? 'Available',
    isPublic: w.community === true,
    imageOwnerId: ownership === 'owned' ? 1234567890123456 : 6543210987654321,
  } as EcsImage;
  return {
    image,
    ownership,
    disks: disks.map((d, i) => ({
      deviceName: i === 0 ? '/dev/xvda' : `/dev/xvd${'bcd'[i - 1]}`,
      snapshotId: `s-disk${i}`,
      source: {
        region: HZ,
        snapshotId: `s-disk${i}`,
        ownership,
        encrypted: d.encrypted === true,
        ...(d.encrypted ? { kmsKeyId: SOURCE_KEY } : {}),
        volumeId: `d-disk${i}`,
        sizeGiB: d.sizeGiB ?? 12,
        diskSizeGiB: d.diskSizeGiB ?? 40,
      },
      notes: [],
      earlierCopies: (d.earlier ?? []).map(
        (key, n) =>
          ({
            snapshotId: `s-earlier${i}${n}`,
            status: 'accomplished',
            encrypted: key !== 'none',
            creationTime: `2026-11-0${n + 1}T00:00:00Z`,
            tags: { tag: [{ tagKey: 'snapcopy:key', tagValue: key }] },
          }) as EcsSnapshot,
      ),
    })),
  };
}

function plan(w: World, extra: Partial<ImageCopyRequestInput> = {}, to = SH): ImageCopyPlan {
  const request = parseImageCopyRequest({
    source: { region: HZ, imageId: 'm-source0001' },
    destination: { region: to },
    ...extra,
  });
  return decideAlibabaImagePlan({ ...request, clientToken: 'tok' }, facts(w));
}

function refusal(w: World, extra: Partial<ImageCopyRequestInput> = {}, to = SH) {
  try {
    plan(w, extra, to);
  } catch (err) {
    if (isSnapcopyError(err))
      return { code: err.code, rule: err.details?.rule, mirrors: err.details?.mirrorsProviderCode };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('ECS CopyImage: refusals (API reference usage notes and error codes)', () => {
  const rows: {
    rule: string;
    world: World;
    request?: Partial<ImageCopyRequestInput>;
    to?: string;
    code: ErrorCode;
    mirrors: string;
  }[] = [
    {
      rule: 'only a custom image in the Available state can be copied',
      world: { status: 'Creating' },
      code: 'INVALID_REQUEST',
      mirrors: 'IncorrectImageStatus',
    },
    {
      rule: 'a community image cannot be copied',
      world: { ownership: 'shared', community: true },
      to: HZ,
      code: 'UNSUPPORTED',
      mirrors: 'OperationDenied.CommunityImage',
    },
    {
      rule: 'an image shared with you is copied within its region only',
      world: { ownership: 'shared' },
      code: 'UNSUPPORTED',
      mirrors: 'OperationDenied.SameRegionOnly',
    },
    {
      rule: 'an image with encrypted snapshots cannot be copied unencrypted',
      world: { disks: [{}, { encrypted: true }] },
      request: { encryption: { encrypted: false } },
      code: 'ENCRYPTION_RULE',
      mirrors: 'OperationDeined.EncryptedSnapshot',
    },
    {
      rule: 'a KMS key named by ARN must be in the destination region',
      world: {},
      request: { encryption: { encrypted: true, kmsKeyId: 'acs:kms:cn-hangzhou:1234567890123456:key/k1' } },
      code: 'ENCRYPTION_RULE',
      mirrors: 'InvalidParameter.KMSKeyId.NotFound',
    },
  ];
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const got = refusal(row.world, row.request ?? {}, row.to);
    expect(got.code).toBe(row.code);
    expect(got.mirrors).toBe(row.mirrors);
  });

  it('KMSKeyId without Encrypted is refused before any rule (the schema: InvalidEncrypted.NotMatchKmsKeyId)', () => {
    expect(() => plan({}, { encryption: { kmsKeyId: CMK } })).toThrow(/a key needs encryption/);
  });

  it('an image shared with you, within its region: a copy of your own', () => {
    const p = plan({ ownership: 'shared' }, {}, HZ);
    expect(p.source.ownership).toBe('shared');
    expect(p.snapshots).toHaveLength(1);
  });
});

describe('ECS CopyImage: the encryption of each disk (Encrypted, KMSKeyId)', () => {
  const rows: {
    rule: string;
    world: World;
    request?: Partial<ImageCopyRequestInput>;
    to?: string;
    expect: { encrypted: boolean; key?: string; keySource: string }[];
  }[] = [
    {
      rule: 'Encrypted absent: an unencrypted disk is copied unencrypted',
      world: { disks: [{}] },
      expect: [{ encrypted: false, keySource: 'none' }],
    },
    {
      rule: 'Encrypted absent: an encrypted disk stays encrypted, under the service key in another region (keys are regional)',
      world: { disks: [{ encrypted: true }] },
      expect: [{ encrypted: true, key: ALIBABA_DEFAULT_SERVICE_KEY, keySource: 'default-key' }],
    },
    {
      rule: 'Encrypted=true without a key, within the region: an encrypted disk is re-encrypted under the service key',
      world: { disks: [{ encrypted: true }] },
      request: { encryption: { encrypted: true } },
      to: HZ,
      expect: [{ encrypted: true, key: ALIBABA_DEFAULT_SERVICE_KEY, keySource: 'default-key' }],
    },
    {
      rule: 'Encrypted=true without a key: every disk under the service key',
      world: { disks: [{}, { encrypted: true }] },
      request: { encryption: { encrypted: true } },
      expect: [
        { encrypted: true, key: ALIBABA_DEFAULT_SERVICE_KEY, keySource: 'default-key' },
        { encrypted: true, key: ALIBABA_DEFAULT_SERVICE_KEY, keySource: 'default-key' },
      ],
    },
    {
      rule: 'Encrypted=true with KMSKeyId: every disk under the given key',
      world: { disks: [{}, { encrypted: true }] },
      request: { encryption: { encrypted: true, kmsKeyId: CMK } },
      expect: [
        { encrypted: true, key: CMK, keySource: 'given-key' },
        { encrypted: true, key: CMK, keySource: 'given-key' },
      ],
    },
  ];
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const p = plan(row.world, row.request ?? {}, row.to);
    expect(
      p.snapshots.map((s) => ({
        encrypted: s.encryption.encrypted,
        ...(s.encryption.kmsKeyId === undefined ? {} : { key: s.encryption.kmsKeyId }),
        keySource: s.encryption.keySource,
      })),
    ).toEqual(row.expect);
  });

  it('Encrypted absent, within the region: an encrypted disk of your own image keeps its key', () => {
    const p = plan({ disks: [{ encrypted: true }] }, {}, HZ);
    expect(p.snapshots[0]!.encryption).toEqual({
      encrypted: true,
      kmsKeyId: SOURCE_KEY,
      keySource: 'source-key',
    });
  });

  it('within its region an unencrypted image is copied unencrypted (not refused as a snapshot copy would be)', () => {
    const p = plan({ disks: [{}] }, {}, HZ);
    expect(p.snapshots[0]!.encryption.encrypted).toBe(false);
    expect(p.billableGiB.transfer).toBe(0);
  });
});

describe('ECS CopyImage: what each disk copy moves and is billed ("Copy a snapshot" billing, per disk)', () => {
  const rows: {
    rule: string;
    world: World;
    request?: Partial<ImageCopyRequestInput>;
    to?: string;
    transfer: string;
    basis: string;
    gib: { transfer: number; storage: number };
  }[] = [
    {
      rule: 'a first standard copy to another region: the full snapshot',
      world: { disks: [{ sizeGiB: 12 }] },
      transfer: 'full',
      basis: 'snapshot',
      gib: { transfer: 12, storage: 12 },
    },
    {
      rule: 'a first encrypted copy of an unencrypted snapshot: the source disk size',
      world: { disks: [{ sizeGiB: 12, diskSizeGiB: 40 }] },
      request: { encryption: { encrypted: true } },
      transfer: 'full',
      basis: 'disk',
      gib: { transfer: 40, storage: 40 },
    },
    {
      rule: 'an encrypted copy of an encrypted snapshot: the full snapshot',
      world: { disks: [{ encrypted: true, sizeGiB: 12 }] },
      transfer: 'full',
      basis: 'snapshot',
      gib: { transfer: 12, storage: 12 },
    },
    {
      rule: 'a later copy under the same key as the latest earlier copy: incremental, the delta billed on the full snapshot size as an upper bound',
      world: { disks: [{ sizeGiB: 12, earlier: ['none'] }] },
      transfer: 'incremental',
      basis: 'delta',
      gib: { transfer: 12, storage: 12 },
    },
    {
      rule: 'a key change starts a new full copy',
      world: { disks: [{ sizeGiB: 12, diskSizeGiB: 40, earlier: ['none'] }] },
      request: { encryption: { encrypted: true, kmsKeyId: CMK } },
      transfer: 'full',
      basis: 'disk',
      gib: { transfer: 40, storage: 40 },
    },
    {
      rule: 'a copy within the region is charged no transfer',
      world: { disks: [{ sizeGiB: 12, diskSizeGiB: 40 }] },
      request: { encryption: { encrypted: true } },
      to: HZ,
      transfer: 'full',
      basis: 'disk',
      gib: { transfer: 0, storage: 40 },
    },
  ];
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const p = plan(row.world, row.request ?? {}, row.to);
    expect(p.snapshots[0]!.transfer).toBe(row.transfer);
    expect(p.snapshots[0]!.sizeBasis).toBe(row.basis);
    expect({ transfer: p.billableGiB.transfer, storage: p.billableGiB.storage }).toEqual(row.gib);
  });

  it('billable GiB are the sum over the disks; the customer key charge is flagged', () => {
    const p = plan(
      {
        disks: [
          { sizeGiB: 12, diskSizeGiB: 40 },
          { encrypted: true, sizeGiB: 30 },
        ],
      },
      {
        encryption: { encrypted: true, kmsKeyId: CMK },
      },
    );
    expect(p.billableGiB).toEqual({ transfer: 70, storage: 70, timeBased: 0 });
    expect(p.kms.customerManagedKey).toBe(true);
  });

  it('the image is tagged with the caller tags and snapcopy lineage; its disks are not tagged (ECS has no such parameter)', () => {
    const p = plan({}, { tags: { team: 'dr' }, clientToken: 'tok' });
    expect(p.tags.image).toMatchObject({
      team: 'dr',
      'snapcopy:client-token': 'tok',
      'snapcopy:source-image': 'm-source0001',
    });
    expect(p.tags.snapshots).toEqual({});
  });
});

// The image manifest, one row per flag.
const MANIFEST: { rule: string; key: keyof ImageCapabilities; value: unknown }[] = [
  { rule: 'copies to another region (DestinationRegionId)', key: 'crossRegionCopy', value: true },
  { rule: 'copies within the region (to encrypt)', key: 'sameRegionCopy', value: true },
  { rule: 'copies an image shared with you', key: 'crossAccountCopy', value: true },
  {
    rule: '...within its region only (OperationDenied.SameRegionOnly)',
    key: 'crossAccountCopyAcrossRegions',
    value: false,
  },
  { rule: 'Encrypted=true encrypts unencrypted disks', key: 'encryptOnCopy', value: true },
  { rule: 'KMSKeyId re-encrypts under a given key', key: 'changeKeyOnCopy', value: true },
  { rule: 'never to unencrypted (OperationDeined.EncryptedSnapshot)', key: 'decryptOnCopy', value: false },
  { rule: "no parameter carries the source's tags", key: 'copySourceTags', value: false },
  { rule: 'Tag.N tags the new image', key: 'tagsOnCopy', value: true },
  { rule: 'no tags for the disk snapshots', key: 'snapshotTagsOnCopy', value: false },
  { rule: 'no time-based copy', key: 'timeBasedCopy', value: false },
  { rule: 'no completion duration', key: 'completionDurationMinutes', value: null },
  { rule: 'a copy can be stopped', key: 'cancelByDelete', value: true },
  { rule: 'CancelCopyImage stops a running copy', key: 'cancelMethod', value: 'cancel-copy' },
  { rule: 'the copy is removed at once', key: 'cancelTakesEffect', value: 'immediate' },
  { rule: 'with the snapshots it made', key: 'snapshotsOnCancel', value: 'removed' },
  { rule: 'DeleteImage is refused while copying', key: 'deleteWhileCopying', value: false },
  { rule: 'CopyImage has a ClientToken', key: 'nativeIdempotencyToken', value: true },
  { rule: 'five concurrent image copy tasks per region', key: 'maxConcurrentCopiesPerRegion', value: 5 },
  { rule: 'the rest are queued', key: 'queuesBeyondConcurrency', value: true },
  { rule: '100 images per DescribeImages page', key: 'maxIdsPerStatusCall', value: 100 },
  { rule: 'Tag.N up to 20, less snapcopy lineage and one spare', key: 'maxUserTags', value: 15 },
  { rule: 'no snapshot tags', key: 'maxSnapshotTags', value: 0 },
  {
    rule: 'ECS OpenAPI is eventually consistent: five minutes, as for snapshots',
    key: 'consistencyWindowMs',
    value: 300_000,
  },
];

describe('ALIBABA_ECS_IMAGE_CAPABILITIES', () => {
  it.each(MANIFEST.map((row) => [`${row.rule}: ${row.key} = ${JSON.stringify(row.value)}`, row] as const))(
    '%s',
    (_rule, { key, value }) => {
      expect(ALIBABA_ECS_IMAGE_CAPABILITIES[key]).toEqual(value);
    },
  );

  it("has exactly core's image keys, the table checks each, and it passes the schema frozen", () => {
    expect(Object.keys(ALIBABA_ECS_IMAGE_CAPABILITIES).sort()).toEqual([...IMAGE_CAPABILITY_KEYS].sort());
    expect(MANIFEST.map((row) => row.key).sort()).toEqual([...IMAGE_CAPABILITY_KEYS].sort());
    expect(Object.isFrozen(ALIBABA_ECS_IMAGE_CAPABILITIES)).toBe(true);
    expect(ImageCapabilitiesSchema.parse(JSON.parse(JSON.stringify(ALIBABA_ECS_IMAGE_CAPABILITIES)))).toEqual(
      ALIBABA_ECS_IMAGE_CAPABILITIES,
    );
  });
});
