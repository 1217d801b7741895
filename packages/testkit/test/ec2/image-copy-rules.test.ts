import { CopyImageCommand, type CopyImageCommandInput } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type ImageCopyRefusalInput,
  imageCopyRefusal,
  planTimeBasedCopy,
  type TimeBasedCopyInput,
} from '../../src/ec2/index.js';
import { A, failure, freshFixture, MOUNTINGS } from './harness.js';
import { addImageFixtures, backingSnapshots, describeImage } from './image-harness.js';

const GUIDE = 'Copy an AMI (EC2 user guide)';
const ENCRYPTION = 'Use encryption with EBS-backed AMIs, image-copying scenarios';
const TIME_BASED = 'Time-based copies (EBS user guide), quotas';

describe('imageCopyRefusal: one row per refusal the AMI copy guide names', () => {
  const base: ImageCopyRefusalInput = {
    rootDeviceType: 'ebs',
    onOutpost: false,
    ownedByCaller: true,
    kmsKeyGiven: false,
    backingSnapshots: [{ encrypted: false, readableByCaller: true }],
  };
  it.each<[string, Partial<ImageCopyRefusalInput>, string | undefined]>([
    [`${GUIDE}: an AMI cannot be copied from an Outpost to a Region`, { onOutpost: true }, 'outpost-source'],
    [
      `${GUIDE}: instance-store AMIs have no snapshots, Encrypted=true cannot change their encryption`,
      { rootDeviceType: 'instance-store', backingSnapshots: [], encryptedFlag: true },
      'instance-store-encryption',
    ],
    [
      `${GUIDE}: … nor can a KmsKeyId`,
      { rootDeviceType: 'instance-store', backingSnapshots: [], kmsKeyGiven: true, encryptedFlag: true },
      'instance-store-encryption',
    ],
    [
      `${GUIDE}: an instance-store AMI copies as it is`,
      { rootDeviceType: 'instance-store', backingSnapshots: [] },
      undefined,
    ],
    [
      `${GUIDE}, scenario 4: encrypted-to-unencrypted is not supported`,
      { encryptedFlag: false, backingSnapshots: [{ encrypted: true, readableByCaller: true }] },
      'decrypt',
    ],
    [`${GUIDE}: Encrypted=false on unencrypted snapshots is scenario 1`, { encryptedFlag: false }, undefined],
    [
      `${GUIDE}, cross-account: every backing snapshot must be readable by the caller`,
      {
        ownedByCaller: false,
        backingSnapshots: [
          { encrypted: false, readableByCaller: true },
          { encrypted: false, readableByCaller: false },
        ],
      },
      'storage-not-readable',
    ],
    [
      `${GUIDE}, cross-account: shared storage is enough (a key not granted fails later)`,
      { ownedByCaller: false, backingSnapshots: [{ encrypted: true, readableByCaller: true }] },
      undefined,
    ],
  ])('%s', (_rule, input, expected) => {
    expect(imageCopyRefusal({ ...base, ...input })?.rule).toBe(expected);
  });
});

describe('planTimeBasedCopy: the three cases of the time-based copy quota', () => {
  const base: TimeBasedCopyInput = {
    movedGiB: 225_000 / 1024,
    completionDurationMinutes: 15,
    usedMiBps: 0,
    cumulativeQuotaMiBps: 2000,
  };
  it.each<[string, Partial<TimeBasedCopyInput>, ReturnType<typeof planTimeBasedCopy>]>([
    [
      `${TIME_BASED}: quota left ≥ required rate (225,000 MiB in 15 min = 250 MiB/s) → on time`,
      {},
      {
        kind: 'accepted',
        mibps: 250,
      },
    ],
    [
      `${TIME_BASED}: one copy is capped at 500 MiB/s, so 900,000 MiB in 15 min takes 30 min`,
      { movedGiB: 900_000 / 1024 },
      { kind: 'accepted', mibps: 500, durationMs: 1_800_000 },
    ],
    [
      `${TIME_BASED}: less left than required but above zero → accepted, completes later`,
      { usedMiBps: 1900 },
      { kind: 'accepted', mibps: 100, durationMs: 2_250_000 },
    ],
    [`${TIME_BASED}: no quota left → refused`, { usedMiBps: 2000 }, { kind: 'refused' }],
    [
      `${TIME_BASED}: nothing to move needs no throughput`,
      { movedGiB: 0, usedMiBps: 2000 },
      {
        kind: 'accepted',
        mibps: 0,
      },
    ],
  ])('%s', (_rule, input, expected) => {
    expect(planTimeBasedCopy({ ...base, ...input })).toEqual(expected);
  });
});

describe.each(MOUNTINGS)('CopyImage encryption outcome per backing snapshot (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);
  const fx = {} as ReturnType<typeof addImageFixtures>;
  beforeEach(() => {
    Object.assign(fx, addImageFixtures(f.w));
  });
  type Row = [
    rule: string,
    image: keyof ReturnType<typeof addImageFixtures>['images'],
    destination: string,
    params: Partial<CopyImageCommandInput>,
    expected: (w: typeof f.w) => ({ encrypted: false } | { encrypted: true; key: string })[],
    setup?: (w: typeof f.w) => void,
  ];
  const key = (w: typeof f.w, name: keyof (typeof f.w)['keys']) => w.keys[name].arn;
  const defaultKey = (w: typeof f.w, region: string) => w.sim.defaultKmsKey(A, region).arn;
  const rows: Row[] = [
    [
      `${ENCRYPTION}: no parameters, unencrypted → unencrypted`,
      'plain',
      'us-west-2',
      {},
      () => [{ encrypted: false }, { encrypted: false }],
    ],
    [
      `${ENCRYPTION}: no parameters, unencrypted → encrypted with the default key under encryption by default`,
      'plain',
      'us-west-2',
      {},
      (w) => [
        { encrypted: true, key: defaultKey(w, 'us-west-2') },
        { encrypted: true, key: defaultKey(w, 'us-west-2') },
      ],
      (w) => w.sim.setEncryptionByDefault(A, 'us-west-2', true),
    ],
    [
      `${ENCRYPTION}: no parameters, an encrypted snapshot you own → the same KMS key`,
      'encrypted',
      'us-east-1',
      {},
      (w) => [{ encrypted: true, key: key(w, 'backupEast') }],
    ],
    [
      `${ENCRYPTION}: an encrypted snapshot you own copied to another Region → that Region's default key (keys are regional)`,
      'encrypted',
      'us-west-2',
      {},
      (w) => [{ encrypted: true, key: defaultKey(w, 'us-west-2') }],
    ],
    [
      `${ENCRYPTION}: no parameters, an encrypted snapshot you do not own → your default key`,
      'sharedPartnerKey',
      'us-east-1',
      {},
      (w) => [{ encrypted: true, key: defaultKey(w, 'us-east-1') }],
    ],
    [
      `${ENCRYPTION}: the default key is the one you set`,
      'sharedPartnerKey',
      'us-east-1',
      {},
      (w) => [{ encrypted: true, key: key(w, 'backupEast') }],
      (w) => w.sim.setDefaultKmsKey(A, 'us-east-1', 'alias/backup'),
    ],
    [
      `${ENCRYPTION}: Encrypted set, no KmsKeyId: unencrypted → the default key`,
      'plain',
      'us-west-2',
      { Encrypted: true },
      (w) => [
        { encrypted: true, key: defaultKey(w, 'us-west-2') },
        { encrypted: true, key: defaultKey(w, 'us-west-2') },
      ],
    ],
    [
      `${ENCRYPTION}: Encrypted set, no KmsKeyId: an encrypted snapshot you own keeps its key`,
      'encrypted',
      'us-east-1',
      { Encrypted: true },
      (w) => [{ encrypted: true, key: key(w, 'backupEast') }],
    ],
    [
      `${ENCRYPTION}: Encrypted and KmsKeyId: unencrypted → the given key`,
      'plain',
      'us-west-2',
      { Encrypted: true, KmsKeyId: 'alias/backup' },
      (w) => [
        { encrypted: true, key: key(w, 'backupWest') },
        { encrypted: true, key: key(w, 'backupWest') },
      ],
    ],
    [
      `${ENCRYPTION}: Encrypted and KmsKeyId: encrypted → the given key, not the original`,
      'sharedPartnerKey',
      'us-east-1',
      { Encrypted: true, KmsKeyId: 'alias/backup' },
      (w) => [{ encrypted: true, key: key(w, 'backupEast') }],
    ],
    [
      `${GUIDE}: copying an AMI with several snapshots keeps each snapshot's encryption`,
      'mixed',
      'us-east-1',
      {},
      (w) => [{ encrypted: false }, { encrypted: true, key: key(w, 'backupEast') }],
    ],
    [
      `${GUIDE}: … and Encrypted encrypts every one of them`,
      'mixed',
      'us-west-2',
      { Encrypted: true, KmsKeyId: 'alias/backup' },
      (w) => [
        { encrypted: true, key: key(w, 'backupWest') },
        { encrypted: true, key: key(w, 'backupWest') },
      ],
    ],
  ];
  it.each(rows)('%s', async (_rule, image, destination, params, expected, setup) => {
    setup?.(f.w);
    const ec2 = f.m.client(A, destination);
    const { ImageId } = await ec2.send(
      new CopyImageCommand({
        SourceRegion: 'us-east-1',
        SourceImageId: fx.images[image].id,
        Name: 'copy',
        ...params,
      }),
    );
    const snapshots = await backingSnapshots(ec2, await describeImage(ec2, ImageId!));
    expect(
      snapshots.map((s) => (s.Encrypted ? { encrypted: true, key: s.KmsKeyId } : { encrypted: false })),
    ).toEqual(expected(f.w));
    f.w.clock.advance(3_600_000);
    expect((await describeImage(ec2, ImageId!)).State).toBe('available');
  });

  type Refusal = [
    rule: string,
    params: (fx: ReturnType<typeof addImageFixtures>) => Partial<CopyImageCommandInput>,
    code: string,
  ];
  const refusals: Refusal[] = [
    [
      `${GUIDE}: KmsKeyId without Encrypted`,
      (x) => ({ SourceImageId: x.images.plain.id, KmsKeyId: 'alias/backup' }),
      'InvalidParameterDependency',
    ],
    [
      `${GUIDE}, scenario 4: encrypted to unencrypted`,
      (x) => ({ SourceImageId: x.images.encrypted.id, Encrypted: false }),
      'InvalidParameterCombination',
    ],
    [
      `${GUIDE}: the encryption of an instance-store AMI`,
      (x) => ({ SourceImageId: x.images.instanceStore.id, Encrypted: true }),
      'InvalidParameterCombination',
    ],
    [
      `${GUIDE}: from an Outpost to a Region`,
      (x) => ({ SourceImageId: x.images.outpost.id }),
      'UnsupportedOperation',
    ],
    [
      `${GUIDE}: cross-account without access to the storage`,
      (x) => ({ SourceImageId: x.images.sharedNoStorage.id }),
      'InvalidRequest',
    ],
    [
      'CopyImage: a source AMI that is not available',
      (x) => ({ SourceImageId: x.images.failed.id }),
      'InvalidAMIID.Unavailable',
    ],
    [
      'CopyImage: an AMI that does not exist',
      () => ({ SourceImageId: 'ami-0123456789abcdef0' }),
      'InvalidAMIID.NotFound',
    ],
    ['CopyImage: a malformed AMI id', () => ({ SourceImageId: 'ami-nope' }), 'InvalidAMIID.Malformed'],
    [
      'CopyImage: an unknown source Region',
      (x) => ({ SourceImageId: x.images.plain.id, SourceRegion: 'xx-nowhere-1' }),
      'InvalidRegion',
    ],
    [
      'CopyImage: a name of 2 characters',
      (x) => ({ SourceImageId: x.images.plain.id, Name: 'ab' }),
      'InvalidAMIName.Malformed',
    ],
    [
      'CopyImage: a name with a character AMI names forbid',
      (x) => ({ SourceImageId: x.images.plain.id, Name: 'a*b*c' }),
      'InvalidAMIName.Malformed',
    ],
    [
      'CopyImage: a name already used in the destination',
      (x) => ({ SourceImageId: x.images.plain.id, Name: 'db-encrypted', SourceRegion: 'us-east-1' }),
      'InvalidAMIName.Duplicate',
    ],
    [
      'CopyImage: a description over 255 characters',
      (x) => ({ SourceImageId: x.images.plain.id, Description: 'd'.repeat(256) }),
      'InvalidParameterValue',
    ],
    [
      'CopyImage: a completion duration not in steps of 15 minutes',
      (x) => ({ SourceImageId: x.images.plain.id, SnapshotCopyCompletionDurationMinutes: 20 }),
      'InvalidParameterValue',
    ],
    [
      'CopyImage: a tag specification for another resource type',
      (x) => ({
        SourceImageId: x.images.plain.id,
        TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'a', Value: 'b' }] }],
      }),
      'InvalidParameterValue',
    ],
    [
      'CopyImage: a reserved aws: tag key',
      (x) => ({
        SourceImageId: x.images.plain.id,
        TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'aws:x', Value: 'b' }] }],
      }),
      'InvalidParameterValue',
    ],
    [
      'CopyImage: copying to an Outpost is not simulated',
      (x) => ({
        SourceImageId: x.images.plain.id,
        DestinationOutpostArn: 'arn:aws:outposts:us-east-1:111111111111:outpost/op-1',
      }),
      'UnsupportedOperation',
    ],
  ];
  it.each(refusals)('refused: %s', async (_rule, params, code) => {
    const destination = params(fx).Name === 'db-encrypted' ? 'us-east-1' : 'us-west-2';
    const ec2 = f.m.client(A, destination);
    const before = f.w.sim.world.snapshots.size;
    const err = await failure(
      ec2.send(
        new CopyImageCommand({
          SourceRegion: 'us-east-1',
          Name: 'copy',
          ...params(fx),
        } as CopyImageCommandInput),
      ),
    );
    expect(err).toMatchObject({ name: code, $metadata: { httpStatusCode: 400 } });
    expect(f.w.sim.world.snapshots.size).toBe(before);
    expect(f.w.sim.world.ledger.entries()).toEqual([]);
  });
});
