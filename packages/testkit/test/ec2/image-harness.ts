import {
  type EC2Client,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type Image,
} from '@aws-sdk/client-ec2';
import { A, B, type buildWorld, C } from './harness.js';

/** An Outpost of account A in us-east-1, for the "copy from an Outpost" refusal. */
export const OUTPOST_ARN = `arn:aws:outposts:us-east-1:${A}:outpost/op-0123456789abcdef0`;

/**
 * AMIs over the small world of `buildWorld`, all in us-east-1: A's own (unencrypted with
 * two snapshots, encrypted, mixed, instance-store-backed, on an Outpost, failed), AMIs B
 * shared with A (with shared storage, with a partner key A may use, with a private key A
 * may not use, with storage not shared), and a public Amazon AMI.
 */
export function addImageFixtures(w: ReturnType<typeof buildWorld>) {
  const { sim } = w;
  const east = 'us-east-1';
  const snap = (account: string, sizes: [number, number, number], extra: object = {}) =>
    sim.addSnapshot({
      account,
      region: east,
      volumeSizeGiB: sizes[0],
      sizeGiB: sizes[1],
      changedGiB: sizes[2],
      ...extra,
    });
  const plainRoot = snap(A, [8, 6, 1]);
  const plainData = snap(A, [20, 16, 2]);
  const encRoot = snap(A, [10, 8, 1], { kmsKeyId: 'alias/backup' });
  const mixedRoot = snap(A, [8, 6, 1]);
  const mixedData = snap(A, [30, 24, 3], { kmsKeyId: 'alias/backup' });
  const outpostRoot = snap(A, [8, 6, 1], { outpostArn: OUTPOST_ARN });
  const failedRoot = snap(A, [8, 6, 1]);
  const bPlain = snap(B, [8, 6, 1], { sharedWith: [A] });
  const bPartner = snap(B, [8, 6, 1], { kmsKeyId: 'alias/partner', sharedWith: [A] });
  const bPrivate = snap(B, [8, 6, 1], { kmsKeyId: 'alias/private', sharedWith: [A] });
  const bHidden = snap(B, [8, 6, 1]);
  const cPublic = snap(C, [8, 6, 1], { public: true, ownerAlias: 'amazon' });
  const images = {
    plain: sim.addImage({
      account: A,
      region: east,
      name: 'web-plain',
      description: 'web server',
      snapshotIds: [plainRoot.id, plainData.id],
      tags: { team: 'web', 'aws:created-by': 'system', 'ec2:SharedTag/env': 'prod' },
    }),
    encrypted: sim.addImage({ account: A, region: east, name: 'db-encrypted', snapshotIds: [encRoot.id] }),
    mixed: sim.addImage({
      account: A,
      region: east,
      name: 'mixed',
      snapshotIds: [mixedRoot.id, mixedData.id],
    }),
    instanceStore: sim.addImage({
      account: A,
      region: east,
      name: 'legacy',
      rootDeviceType: 'instance-store',
    }),
    outpost: sim.addImage({
      account: A,
      region: east,
      name: 'on-outpost',
      snapshotIds: [outpostRoot.id],
      outpostArn: OUTPOST_ARN,
    }),
    failed: sim.addImage({
      account: A,
      region: east,
      name: 'broken',
      snapshotIds: [failedRoot.id],
      state: 'failed',
    }),
    sharedPlain: sim.addImage({
      account: B,
      region: east,
      name: 'partner-plain',
      snapshotIds: [bPlain.id],
      launchPermissions: [A],
      tags: { owner: 'b', 'ec2:SharedTag/env': 'prod' },
    }),
    sharedPartnerKey: sim.addImage({
      account: B,
      region: east,
      name: 'partner-encrypted',
      snapshotIds: [bPartner.id],
      launchPermissions: [A],
    }),
    sharedPrivateKey: sim.addImage({
      account: B,
      region: east,
      name: 'partner-private-key',
      snapshotIds: [bPrivate.id],
      launchPermissions: [A],
    }),
    sharedNoStorage: sim.addImage({
      account: B,
      region: east,
      name: 'partner-no-storage',
      snapshotIds: [bHidden.id],
      launchPermissions: [A],
    }),
    publicAmazon: sim.addImage({
      account: C,
      region: east,
      name: 'amzn-linux',
      snapshotIds: [cPublic.id],
      public: true,
      ownerAlias: 'amazon',
    }),
  };
  const backing = {
    plainRoot,
    plainData,
    encRoot,
    mixedRoot,
    mixedData,
    bPlain,
    bPartner,
    bPrivate,
    bHidden,
  };
  return { images, backing };
}

/** One AMI as DescribeImages returns it. */
export async function describeImage(ec2: EC2Client, imageId: string): Promise<Image> {
  const out = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  const image = out.Images?.[0];
  if (!image) throw new Error(`${imageId} not in DescribeImages`);
  return image;
}

/** The backing snapshots of an AMI as DescribeSnapshots returns them, in mapping order. */
export async function backingSnapshots(ec2: EC2Client, image: Image) {
  const ids = (image.BlockDeviceMappings ?? []).flatMap((d) => (d.Ebs?.SnapshotId ? [d.Ebs.SnapshotId] : []));
  const out = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ids }));
  return ids.map((id) => out.Snapshots!.find((s) => s.SnapshotId === id)!);
}
