// The rules of the AMI copy guide, one row each, through the pure decision of an AMI plan
// (docs/aws-ami-rules.md): "Copy an Amazon EC2 AMI", "How Amazon EC2 AMI copy works", "Use
// encryption with EBS-backed AMIs" (image-copying scenarios), the CopyImage API reference
// (CopyImageTags, TagSpecification, SnapshotCopyCompletionDurationMinutes) and the EBS
// guide's "Time-based copies".
import type { Image, Snapshot } from '@aws-sdk/client-ec2';
import {
  type ErrorCode,
  type ImageCopyPlan,
  type ImageCopyRequestInput,
  isSnapcopyError,
  parseImageCopyRequest,
} from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import type { AwsImagePlanFacts } from '../../src/image-plan-facts.js';
import type { AwsPlanFacts } from '../../src/plan-facts.js';
import type { AwsDeltaRead, AwsKeyRead } from '../../src/rules/index.js';
import { decideAwsImagePlan } from '../../src/image-plan.js';
import { AWS_EBS_MANAGED_KEY_ALIAS } from '../../src/rules/encryption.js';
import { awsImageCopyRefusal } from '../../src/rules/image-copy.js';
import { sourceFacts } from '../../src/snapshot-view.js';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const ME = '111122223333';
const PARTNER = '444455556666';
const SOURCE_KEY = 'arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111';
const WEST_DEFAULT = 'arn:aws:kms:us-west-2:111122223333:key/dddddddd-dddd-dddd-dddd-dddddddddddd';
const EAST_DEFAULT = 'arn:aws:kms:us-east-1:111122223333:key/eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee';
const GIVEN = 'alias/dr-backup';

interface SnapSpec {
  readonly id: string;
  readonly encrypted?: boolean;
  readonly sizeGiB?: number;
  readonly readable?: boolean;
  /** Earlier copies of its lineage in the destination, with their keys (`none` = unencrypted). */
  readonly earlierCopies?: readonly string[];
  /** What KMS DescribeKey said of the copy's key and of the snapshot's own key. */
  readonly keys?: AwsPlanFacts['keys'];
  /** What ListChangedBlocks said, for an incremental copy. */
  readonly delta?: AwsDeltaRead;
}

interface World {
  readonly ownership?: 'owned' | 'shared';
  readonly state?: Image['State'];
  readonly rootDeviceType?: 'ebs' | 'instance-store';
  readonly onOutpost?: boolean;
  readonly snapshots?: readonly SnapSpec[];
  readonly tags?: Record<string, string>;
  readonly encryptionByDefault?: boolean;
}

function snapshot(s: SnapSpec, owner: string): Snapshot {
  return {
    SnapshotId: s.id,
    OwnerId: owner,
    State: 'completed',
    VolumeId: `vol-${s.id.slice(5)}`,
    VolumeSize: 2 * (s.sizeGiB ?? 8),
    FullSnapshotSizeInBytes: (s.sizeGiB ?? 8) * 1024 ** 3,
    Encrypted: s.encrypted === true,
    ...(s.encrypted ? { KmsKeyId: SOURCE_KEY } : {}),
  };
}

function facts(w: World, destination: string): AwsImagePlanFacts {
  const ownership = w.ownership ?? 'owned';
  const owner = ownership === 'owned' ? ME : PARTNER;
  const specs = w.snapshots ?? [{ id: 'snap-0000000000000000a' }];
  const devices = specs.map((s, i) => ({
    deviceName: i === 0 ? '/dev/xvda' : `/dev/sd${'bcdef'[i - 1]}`,
    snapshotId: s.id,
  }));
  const image: Image = {
    ImageId: 'ami-0123456789abcdef0',
    OwnerId: owner,
    State: w.state ?? 'available',
    Name: 'web',
    RootDeviceType: w.rootDeviceType ?? 'ebs',
    Tags: Object.entries(w.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    BlockDeviceMappings:
      w.rootDeviceType === 'instance-store'
        ? [{ DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' }]
        : devices.map((d, i) => ({
            DeviceName: d.deviceName,
            Ebs: {
              SnapshotId: d.snapshotId,
              Encrypted: specs[i]!.encrypted === true,
              ...(w.onOutpost ? { OutpostArn: 'arn:aws:outposts:us-east-1:111122223333:outpost/op-1' } : {}),
            },
          })),
  };
  return {
    image,
    ownership,
    defaults: {
      encryptionByDefault: w.encryptionByDefault === true,
      defaultKmsKeyId: destination === WEST ? WEST_DEFAULT : EAST_DEFAULT,
    },
    snapshots:
      w.rootDeviceType === 'instance-store'
        ? []
        : devices.map((d, i) => {
            const spec = specs[i]!;
            if (spec.readable === false) return d;
            const snap = snapshot(spec, owner);
            return {
              ...d,
              snapshot: snap,
              source: sourceFacts({ region: EAST, snapshotId: d.snapshotId }, snap, ownership),
              ...(spec.keys ? { keys: spec.keys } : {}),
              ...(spec.delta ? { delta: spec.delta } : {}),
              ...(spec.earlierCopies
                ? {
                    // The first is the most recent (completed last).
                    lineage: spec.earlierCopies.map((key, n) => ({
                      id: `snap-0e00000000000000${n + 1}`,
                      state: 'completed' as const,
                      deleting: false,
                      archived: false,
                      encrypted: key !== 'none',
                      completedAt: 10_000 - n,
                      ...(key === 'none' ? {} : { taggedKey: key }),
                    })),
                  }
                : {}),
            };
          }),
  };
}

function plan(w: World, extra: Partial<ImageCopyRequestInput> = {}, to = WEST): ImageCopyPlan {
  const request = parseImageCopyRequest({
    source: {
      region: EAST,
      imageId: 'ami-0123456789abcdef0',
      ...(w.ownership === 'shared' ? { account: PARTNER } : {}),
    },
    destination: { region: to },
    clientToken: 'tok-guide',
    ...extra,
  });
  return decideAwsImagePlan({ ...request, clientToken: 'tok-guide' }, facts(w, to));
}

function refusal(
  w: World,
  extra: Partial<ImageCopyRequestInput> = {},
  to = WEST,
): { code: ErrorCode; rule?: unknown } {
  try {
    plan(w, extra, to);
  } catch (err) {
    if (isSnapcopyError(err)) return { code: err.code, rule: err.details?.rule };
    throw err;
  }
  throw new Error('expected a refusal');
}

const UNENC = { id: 'snap-0000000000000000a' };
const ENC = { id: 'snap-0000000000000000b', encrypted: true };

describe('the AMI copy guide: encryption of each backing snapshot ("Use encryption with EBS-backed AMIs", image-copying scenarios)', () => {
  const rows: {
    rule: string;
    world: World;
    request: Partial<ImageCopyRequestInput>;
    to?: string;
    expect: { encrypted: boolean; key?: string; keySource: string };
  }[] = [
    {
      rule: 'no parameters: an unencrypted snapshot is copied unencrypted (scenario 1)',
      world: { snapshots: [UNENC] },
      request: {},
      expect: { encrypted: false, keySource: 'none' },
    },
    {
      rule: 'no parameters, encryption by default on: an unencrypted snapshot gets the default key',
      world: { snapshots: [UNENC], encryptionByDefault: true },
      request: {},
      expect: { encrypted: true, key: WEST_DEFAULT, keySource: 'default-key' },
    },
    {
      rule: 'no parameters: an encrypted snapshot you own keeps its key (scenario 2, same Region)',
      world: { snapshots: [ENC] },
      request: {},
      to: EAST,
      expect: { encrypted: true, key: SOURCE_KEY, keySource: 'source-key' },
    },
    {
      rule: 'no parameters: an encrypted snapshot you own, to another Region, takes the default key there (keys are regional)',
      world: { snapshots: [ENC] },
      request: {},
      expect: { encrypted: true, key: WEST_DEFAULT, keySource: 'default-key' },
    },
    {
      rule: 'no parameters: an encrypted snapshot you do not own (shared AMI) gets your default key',
      world: { snapshots: [ENC], ownership: 'shared' },
      request: {},
      to: EAST,
      expect: { encrypted: true, key: EAST_DEFAULT, keySource: 'default-key' },
    },
    {
      rule: 'Encrypted alone: an unencrypted snapshot gets the default key (scenario 3)',
      world: { snapshots: [UNENC] },
      request: { encryption: { encrypted: true } },
      expect: { encrypted: true, key: WEST_DEFAULT, keySource: 'default-key' },
    },
    {
      rule: 'Encrypted alone: an encrypted snapshot you own is unchanged (the flag has no effect)',
      world: { snapshots: [ENC] },
      request: { encryption: { encrypted: true } },
      to: EAST,
      expect: { encrypted: true, key: SOURCE_KEY, keySource: 'source-key' },
    },
    {
      rule: 'Encrypted alone: an encrypted snapshot of a shared AMI gets your default key',
      world: { snapshots: [ENC], ownership: 'shared' },
      request: { encryption: { encrypted: true } },
      to: EAST,
      expect: { encrypted: true, key: EAST_DEFAULT, keySource: 'default-key' },
    },
    {
      rule: 'Encrypted and KmsKeyId: an unencrypted snapshot is encrypted under the given key',
      world: { snapshots: [UNENC] },
      request: { encryption: { encrypted: true, kmsKeyId: GIVEN } },
      expect: { encrypted: true, key: GIVEN, keySource: 'given-key' },
    },
    {
      rule: 'Encrypted and KmsKeyId: an encrypted snapshot is re-encrypted under the given key',
      world: { snapshots: [ENC] },
      request: { encryption: { encrypted: true, kmsKeyId: GIVEN } },
      expect: { encrypted: true, key: GIVEN, keySource: 'given-key' },
    },
  ];
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const p = plan(row.world, row.request, row.to);
    expect(p.snapshots).toHaveLength(1);
    expect(p.snapshots[0]!.encryption).toEqual({
      encrypted: row.expect.encrypted,
      ...(row.expect.key === undefined ? {} : { kmsKeyId: row.expect.key }),
      keySource: row.expect.keySource,
    });
  });

  it('every snapshot of a multi-snapshot AMI keeps its own status by default (one plan entry each)', () => {
    const p = plan({ snapshots: [UNENC, ENC] }, {}, EAST);
    expect(p.snapshots.map((s) => [s.deviceName, s.encryption.encrypted])).toEqual([
      ['/dev/xvda', false],
      ['/dev/sdb', true],
    ]);
    expect(p.tags.image['snapcopy:key']).toBe(SOURCE_KEY);
  });

  it('the default key when the account names none is the AWS managed key', () => {
    const f = facts({ snapshots: [UNENC] }, WEST);
    const request = {
      ...parseImageCopyRequest({
        source: { region: EAST, imageId: 'ami-0123456789abcdef0' },
        destination: { region: WEST },
        encryption: { encrypted: true },
      }),
      clientToken: 't',
    };
    const p = decideAwsImagePlan(request, { ...f, defaults: { encryptionByDefault: false } });
    expect(p.snapshots[0]!.encryption.kmsKeyId).toBe(AWS_EBS_MANAGED_KEY_ALIAS);
    expect(p.kms).toEqual({ customerManagedKey: false, serviceKey: true });
  });
});

describe('the AMI copy guide: refusals ("Copy an Amazon EC2 AMI", CopyImage)', () => {
  const rows: {
    rule: string;
    world: World;
    request?: Partial<ImageCopyRequestInput>;
    code: ErrorCode;
    ruleName?: string;
  }[] = [
    {
      rule: 'encrypted to unencrypted is not supported (encryption and copying, scenario 4)',
      world: { snapshots: [UNENC, ENC] },
      request: { encryption: { encrypted: false } },
      code: 'ENCRYPTION_RULE',
      ruleName: 'encrypted-to-unencrypted',
    },
    {
      rule: 'an instance store-backed AMI cannot change its encryption by a copy (Encrypted)',
      world: { rootDeviceType: 'instance-store' },
      request: { encryption: { encrypted: true } },
      code: 'UNSUPPORTED',
      ruleName: 'instance-store-encryption',
    },
    {
      rule: 'an instance store-backed AMI cannot change its encryption by a copy (KmsKeyId)',
      world: { rootDeviceType: 'instance-store' },
      request: { encryption: { encrypted: true, kmsKeyId: GIVEN } },
      code: 'UNSUPPORTED',
      ruleName: 'instance-store-encryption',
    },
    {
      rule: 'an AMI cannot be copied from an Outpost to a Region (CopyImage)',
      world: { onOutpost: true },
      code: 'UNSUPPORTED',
      ruleName: 'outpost-source',
    },
    {
      rule: 'a cross-account copy needs read access to the backing snapshots (cross-account copying, resource permissions)',
      world: { ownership: 'shared', snapshots: [{ ...UNENC, readable: false }] },
      code: 'ACCESS_DENIED',
      ruleName: 'storage-not-readable',
    },
    {
      rule: 'only an available AMI can be copied',
      world: { state: 'pending' },
      code: 'INVALID_REQUEST',
    },
    {
      rule: 'KmsKeyId without Encrypted is an error (image-copying scenarios)',
      world: {},
      request: { encryption: { kmsKeyId: GIVEN } },
      code: 'INVALID_REQUEST',
    },
  ];
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const got = refusal(row.world, row.request ?? {});
    expect(got.code).toBe(row.code);
    if (row.ruleName) expect(got.rule).toBe(row.ruleName);
  });

  it('a cross-account copy needs the keys of its encrypted snapshots shared too (cross-account copying, resource permissions)', () => {
    const refused = awsImageCopyRefusal({
      imageId: 'ami-0123456789abcdef0',
      state: 'available',
      rootDeviceType: 'ebs',
      onOutpost: false,
      ownership: 'shared',
      backingSnapshots: [{ snapshotId: ENC.id, readable: true, encrypted: true, keyUsable: false }],
    });
    expect(refused?.code).toBe('ACCESS_DENIED');
    expect(refused?.details?.rule).toBe('key-not-shared');
  });

  it('an instance store-backed AMI copied without an encryption change plans no snapshot', () => {
    const p = plan({ rootDeviceType: 'instance-store' });
    expect(p.snapshots).toEqual([]);
    expect(p.billableGiB).toEqual({ transfer: 0, storage: 0, timeBased: 0 });
  });
});

describe('the AMI copy guide: full or incremental ("How Amazon EC2 AMI copy works")', () => {
  const rows: {
    rule: string;
    world: World;
    request?: Partial<ImageCopyRequestInput>;
    to?: string;
    transfer: string;
    gib: { transfer: number; storage: number };
  }[] = [
    {
      rule: 'a copy to a new Region is a complete (non-incremental) copy of each snapshot',
      world: { snapshots: [{ ...UNENC, sizeGiB: 10 }] },
      transfer: 'full',
      gib: { transfer: 10, storage: 10 },
    },
    {
      rule: 'encrypting unencrypted backing snapshots makes complete copies, even with an earlier copy there',
      world: { snapshots: [{ ...UNENC, sizeGiB: 10, earlierCopies: ['none'] }] },
      request: { encryption: { encrypted: true, kmsKeyId: GIVEN } },
      transfer: 'full',
      gib: { transfer: 10, storage: 10 },
    },
    {
      rule: 'encrypting to a new KMS key makes complete copies',
      world: { snapshots: [{ ...ENC, sizeGiB: 10, earlierCopies: [WEST_DEFAULT] }] },
      request: { encryption: { encrypted: true, kmsKeyId: GIVEN } },
      transfer: 'full',
      gib: { transfer: 10, storage: 10 },
    },
    {
      rule: 'subsequent copies of an AMI are incremental copies of the backing snapshots (billed at most the snapshot)',
      world: { snapshots: [{ ...UNENC, sizeGiB: 10, earlierCopies: ['none'] }] },
      transfer: 'incremental',
      gib: { transfer: 10, storage: 10 },
    },
    {
      rule: 'a copy within the Region that keeps the encryption copies no data',
      world: { snapshots: [{ ...ENC, sizeGiB: 10 }] },
      to: EAST,
      transfer: 'none',
      gib: { transfer: 0, storage: 0 },
    },
    {
      rule: 'a copy within the Region that encrypts is full, with no transfer charge',
      world: { snapshots: [{ ...UNENC, sizeGiB: 10 }] },
      request: { encryption: { encrypted: true } },
      to: EAST,
      transfer: 'full',
      gib: { transfer: 0, storage: 10 },
    },
  ];
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const p = plan(row.world, row.request ?? {}, row.to);
    expect(p.snapshots[0]!.transfer).toBe(row.transfer);
    expect({ transfer: p.billableGiB.transfer, storage: p.billableGiB.storage }).toEqual(row.gib);
  });

  it('billable GiB are the sum over the backing snapshots', () => {
    const p = plan({
      snapshots: [
        { ...UNENC, sizeGiB: 6 },
        { ...ENC, sizeGiB: 30 },
      ],
    });
    expect(p.snapshots.map((s) => s.billableGiB.transfer)).toEqual([6, 30]);
    expect(p.billableGiB).toEqual({ transfer: 36, storage: 36, timeBased: 0 });
  });
});

describe('the AMI copy guide: tags (CopyImage: CopyImageTags, TagSpecification)', () => {
  const TAGS = { team: 'web', 'aws:cloudformation:stack-name': 'web', 'ec2:SharedTag/env': 'prod' };
  const rows: {
    rule: string;
    world: World;
    request: Partial<ImageCopyRequestInput>;
    carried: string[];
  }[] = [
    {
      rule: 'without CopyImageTags no user-defined tag of the source is copied',
      world: { tags: TAGS },
      request: {},
      carried: [],
    },
    {
      rule: 'CopyImageTags carries your user-defined tags, never aws: system tags',
      world: { tags: TAGS },
      request: { copySourceTags: true },
      carried: ['team', 'ec2:SharedTag/env'],
    },
    {
      rule: 'CopyImageTags never carries the tags another account attached to a shared AMI, except ec2:SharedTag/',
      world: { tags: TAGS, ownership: 'shared' },
      request: { copySourceTags: true },
      carried: ['ec2:SharedTag/env'],
    },
  ];
  it.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const p = plan(row.world, row.request);
    expect(p.tags.carriedFromSource).toEqual(row.carried);
    for (const k of row.carried) expect(p.tags.image[k]).toBe(TAGS[k as keyof typeof TAGS]);
  });

  it('the AMI and its snapshots are tagged separately; snapcopy lineage on both, the client token only on the AMI', () => {
    const p = plan({}, { tags: { team: 'dr' }, snapshotTags: { backup: 'yes' } });
    expect(p.tags.image).toMatchObject({
      team: 'dr',
      'snapcopy:client-token': 'tok-guide',
      'snapcopy:source-image': 'ami-0123456789abcdef0',
      'snapcopy:source-region': EAST,
      'snapcopy:key': 'none',
    });
    expect(p.tags.snapshots).toEqual({
      backup: 'yes',
      'snapcopy:source-image': 'ami-0123456789abcdef0',
      'snapcopy:source-region': EAST,
    });
  });

  it("a caller's tag overrides the carried tag of the same key", () => {
    const p = plan({ tags: { team: 'web' } }, { copySourceTags: true, tags: { team: 'dr' } });
    expect(p.tags.image.team).toBe('dr');
  });

  it("a source that carries snapcopy's own tags is refused with copySourceTags (it would mislabel the copy)", () => {
    expect(refusal({ tags: { 'snapcopy:cancelled': 'true' } }, { copySourceTags: true }).code).toBe(
      'INVALID_REQUEST',
    );
  });

  it('more than 50 tags on the AMI once the source tags are carried is refused', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`src-${i}`, 'x']));
    const mine = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`mine-${i}`, 'y']));
    expect(refusal({ tags: many }, { copySourceTags: true, tags: mine }).code).toBe('INVALID_REQUEST');
  });
});

describe('the AMI copy guide: time-based copies (SnapshotCopyCompletionDurationMinutes, "Time-based copies")', () => {
  it('the duration applies to each snapshot; each is one time-based snapshot copy drawing on the throughput quota', () => {
    const p = plan(
      {
        snapshots: [
          { ...UNENC, sizeGiB: 8 },
          { ...ENC, sizeGiB: 600 },
        ],
      },
      { completionDurationMinutes: 60 },
    );
    expect(p.timeBased).toEqual({ completionDurationMinutes: 60, minimumMinutes: 30, snapshotCopies: 2 });
    expect(p.billableGiB.timeBased).toBe(608);
    expect(p.reasons.join(' ')).toMatch(/cumulative time-based copy throughput/);
  });

  it('a duration too short for the largest snapshot at 500 MiB/s per copy is refused', () => {
    expect(
      refusal(
        {
          snapshots: [
            { ...UNENC, sizeGiB: 8 },
            { ...ENC, sizeGiB: 600 },
          ],
        },
        { completionDurationMinutes: 15 },
      ).code,
    ).toBe('INVALID_REQUEST');
  });
});

// The keys of an AMI copy, through KMS DescribeKey, and the size of its incremental snapshots,
// through ListChangedBlocks: the snapshot rules ("Keys", "Size of an incremental copy" in
// docs/aws-ebs-rules.md) applied to each backing snapshot.
const AMI_GUIDE =
  'EC2 User Guide, Copy an Amazon EC2 AMI (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html)';
const AMI_ENCRYPTION =
  'EC2 User Guide, Use encryption with EBS-backed AMIs (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AMIEncryption.html)';
const KEY_STATES = 'KMS developer guide, Key states of AWS KMS keys';
const GIVEN_ARN = 'arn:aws:kms:us-west-2:111122223333:key/22222222-2222-2222-2222-222222222222';
const PARTNER_KEY = 'arn:aws:kms:us-east-1:444455556666:key/33333333-3333-3333-3333-333333333333';

const found = (
  arn: string,
  state = 'Enabled',
  over: Partial<AwsKeyRead & { kind: 'found' }> = {},
): AwsKeyRead => ({
  kind: 'found',
  keyId: arn.split('/').at(-1)!,
  arn,
  account: arn.split(':')[4]!,
  state,
  manager: 'CUSTOMER',
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  ...over,
});
const copyKey = (read: AwsKeyRead, reference = GIVEN) => ({ copy: { reference, region: WEST, read } });
const sourceKey = (read: AwsKeyRead, reference = SOURCE_KEY) => ({
  source: { reference, region: EAST, read },
});
const BY_KEY_POLICY: AwsKeyRead = {
  kind: 'denied',
  byKeyPolicy: true,
  message: 'AccessDeniedException: because no resource-based policy allows the kms:DescribeKey action',
};
const NO_PERMISSION: AwsKeyRead = {
  kind: 'denied',
  byKeyPolicy: false,
  message: 'AccessDeniedException: because no identity-based policy allows the kms:DescribeKey action',
};
const WITH_GIVEN = { encryption: { encrypted: true, kmsKeyId: GIVEN } };

describe('the AMI copy guide with KMS: keys refused before any CopyImage (AMIEncryption; key states)', () => {
  const rows: {
    rule: string;
    doc: string;
    world: World;
    request?: Partial<ImageCopyRequestInput>;
    code: ErrorCode;
    ruleName: string;
  }[] = [
    {
      rule: "the copy's key is disabled → key-enabled",
      doc: `${AMI_ENCRYPTION}; ${KEY_STATES}`,
      world: { snapshots: [{ ...UNENC, keys: copyKey(found(GIVEN_ARN, 'Disabled')) }] },
      request: WITH_GIVEN,
      code: 'ENCRYPTION_RULE',
      ruleName: 'key-enabled',
    },
    {
      rule: "the copy's key is pending deletion → key-enabled",
      doc: `${AMI_ENCRYPTION}; ${KEY_STATES}`,
      world: { snapshots: [{ ...UNENC, keys: copyKey(found(GIVEN_ARN, 'PendingDeletion')) }] },
      request: WITH_GIVEN,
      code: 'ENCRYPTION_RULE',
      ruleName: 'key-enabled',
    },
    {
      rule: "the copy's key does not exist in the destination → key-exists",
      doc: `${AMI_ENCRYPTION}; KMS API reference, DescribeKey`,
      world: {
        snapshots: [{ ...UNENC, keys: copyKey({ kind: 'not-found', message: 'NotFoundException' }) }],
      },
      request: WITH_GIVEN,
      code: 'ENCRYPTION_RULE',
      ruleName: 'key-exists',
    },
    {
      rule: "the copy's key ARN names another Region → key-in-region",
      doc: `${AMI_GUIDE} (the key must be in the destination Region); KMS developer guide, Key identifiers`,
      world: { snapshots: [{ ...UNENC, keys: copyKey(found(EAST_DEFAULT), EAST_DEFAULT) }] },
      request: { encryption: { encrypted: true, kmsKeyId: EAST_DEFAULT } },
      code: 'ENCRYPTION_RULE',
      ruleName: 'key-in-region',
    },
    {
      rule: "the copy's key is asymmetric → key-symmetric",
      doc: `${AMI_ENCRYPTION}; EBS User Guide, Amazon EBS encryption (symmetric keys only)`,
      world: {
        snapshots: [{ ...UNENC, keys: copyKey(found(GIVEN_ARN, 'Enabled', { keySpec: 'RSA_2048' })) }],
      },
      request: WITH_GIVEN,
      code: 'ENCRYPTION_RULE',
      ruleName: 'key-symmetric',
    },
    {
      rule: "another account's key that refuses this account as the copy's key → key-usable-by-account",
      doc: `${AMI_ENCRYPTION}; KMS developer guide, Allowing users in other accounts to use a KMS key`,
      world: { snapshots: [{ ...UNENC, keys: copyKey(BY_KEY_POLICY) }] },
      request: WITH_GIVEN,
      code: 'ENCRYPTION_RULE',
      ruleName: 'key-usable-by-account',
    },
    {
      rule: "your own AMI whose snapshot's key is disabled → key-enabled (the source cannot be read)",
      doc: `${AMI_ENCRYPTION}; ${KEY_STATES}`,
      world: {
        snapshots: [
          {
            ...ENC,
            keys: {
              ...sourceKey(found(SOURCE_KEY, 'Disabled')),
              ...copyKey(found(WEST_DEFAULT), WEST_DEFAULT),
            },
          },
        ],
      },
      code: 'ENCRYPTION_RULE',
      ruleName: 'key-enabled',
    },
    {
      rule: "a shared AMI whose encrypted snapshot's key is not shared with you → key-not-shared",
      doc: `${AMI_GUIDE} (cross-account copying: access to the keys of the encrypted snapshots)`,
      world: {
        ownership: 'shared',
        snapshots: [
          {
            ...ENC,
            keys: { ...sourceKey(BY_KEY_POLICY, PARTNER_KEY), ...copyKey(found(WEST_DEFAULT), WEST_DEFAULT) },
          },
        ],
      },
      code: 'ACCESS_DENIED',
      ruleName: 'key-not-shared',
    },
  ];
  it.each(rows.map((r) => [`${r.rule} (${r.doc})`, r] as const))('%s', (_rule, row) => {
    const got = refusal(row.world, row.request ?? {});
    expect(got).toEqual({ code: row.code, rule: row.ruleName });
  });
});

describe('the AMI copy guide with KMS: keys resolved, or said to be unread (AMIEncryption; KMS Key identifiers)', () => {
  it(`an alias resolved by KMS names its key ARN, so an earlier copy under that ARN makes the copy incremental (${AMI_ENCRYPTION})`, () => {
    const p = plan(
      { snapshots: [{ ...UNENC, sizeGiB: 10, earlierCopies: [GIVEN_ARN], keys: copyKey(found(GIVEN_ARN)) }] },
      WITH_GIVEN,
    );
    const s = p.snapshots[0]!;
    expect(s.encryption.kmsKeyId).toBe(GIVEN_ARN);
    expect(s.encryption.key).toMatchObject({ checkedBy: 'kms', reference: GIVEN, keyArn: GIVEN_ARN });
    expect(s.transfer).toBe('incremental');
  });

  it("KMS cannot be read (the caller's own permissions): the key is unread, the reasons say so, nothing refused (IAM User Guide, access denied messages)", () => {
    const p = plan({ snapshots: [{ ...UNENC, keys: copyKey(NO_PERMISSION) }] }, WITH_GIVEN);
    const s = p.snapshots[0]!;
    expect(s.encryption.key?.checkedBy).toBe('unread');
    expect(s.encryption.kmsKeyId).toBe(GIVEN);
    expect(s.reasons.join(' ')).toMatch(/KMS could not be read/);
  });

  it(`a shared AMI whose snapshot key KMS cannot read is not refused: unknown, not guessed (${AMI_GUIDE})`, () => {
    const p = plan({
      ownership: 'shared',
      snapshots: [
        {
          ...ENC,
          keys: { ...sourceKey(NO_PERMISSION, PARTNER_KEY), ...copyKey(found(WEST_DEFAULT), WEST_DEFAULT) },
        },
      ],
    });
    expect(p.snapshots[0]!.reasons.join(' ')).toMatch(/KMS could not be read/);
  });
});

describe('the AMI copy guide: an incremental backing snapshot is billed on its changed blocks (How Amazon EC2 AMI copy works; EBS direct APIs)', () => {
  it('changed blocks counted: size basis delta, measured changed-blocks, billed blocks × block size', () => {
    const p = plan({
      snapshots: [
        {
          ...UNENC,
          sizeGiB: 10,
          earlierCopies: ['none'],
          delta: {
            kind: 'counted',
            blocks: 4096,
            blockSizeBytes: 512 * 1024,
            baseSnapshotId: 'snap-0000000000000000c',
          },
        },
      ],
    });
    const s = p.snapshots[0]!;
    expect(s).toMatchObject({ transfer: 'incremental', sizeBasis: 'delta' });
    expect(s.delta).toMatchObject({ measured: 'changed-blocks', gib: 2, changedBlocks: 4096 });
    expect(p.billableGiB).toEqual({ transfer: 2, storage: 2, timeBased: 0 });
  });

  it('changed blocks not countable: billed on the full snapshot as an upper bound, and said why', () => {
    const p = plan({
      snapshots: [
        { ...UNENC, sizeGiB: 10, earlierCopies: ['none'], delta: { kind: 'unmeasured', why: 'gone' } },
      ],
    });
    expect(p.snapshots[0]!.delta).toMatchObject({ measured: 'upper-bound', gib: 10, why: 'gone' });
  });
});
