import {
  CopyImageCommand,
  type CopyImageCommandInput,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  ModifyImageAttributeCommand,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEREGISTERED_VISIBLE_MS } from '../../src/ec2/index.js';
import { A, B, C, failure, freshFixture, MOUNTINGS } from './harness.js';
import { addImageFixtures, backingSnapshots, describeImage } from './image-harness.js';

const copyInput = (
  fields: Partial<CopyImageCommandInput> & { SourceImageId: string },
): CopyImageCommandInput => ({
  SourceRegion: 'us-east-1',
  Name: `copy-${fields.SourceImageId}`,
  ...fields,
});

describe.each(MOUNTINGS)('EC2 images through the real SDK (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);
  const fx = {} as ReturnType<typeof addImageFixtures>;
  beforeEach(() => {
    Object.assign(fx, addImageFixtures(f.w));
  });
  const destinationImages = () => [...f.w.sim.world.snapshots.values()].filter((s) => s.copy);

  it('CopyImage makes a pending AMI with one tagged snapshot copy per EBS mapping, available when all complete', async () => {
    const { sim, clock } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    const out = await ec2.send(
      new CopyImageCommand(
        copyInput({
          SourceImageId: fx.images.plain.id,
          Name: 'web-plain-dr',
          Description: 'DR copy',
          TagSpecifications: [
            { ResourceType: 'image', Tags: [{ Key: 'purpose', Value: 'dr' }] },
            { ResourceType: 'snapshot', Tags: [{ Key: 'backup', Value: 'nightly' }] },
          ],
        }),
      ),
    );
    expect(out.ImageId).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const pending = await describeImage(ec2, out.ImageId!);
    expect(pending).toMatchObject({
      State: 'pending',
      Name: 'web-plain-dr',
      Description: 'DR copy',
      OwnerId: A,
      RootDeviceType: 'ebs',
      SourceImageId: fx.images.plain.id,
      SourceImageRegion: 'us-east-1',
      Tags: [{ Key: 'purpose', Value: 'dr' }],
    });
    const snapshots = await backingSnapshots(ec2, pending);
    expect(snapshots).toHaveLength(2);
    for (const s of snapshots) {
      expect(s).toMatchObject({ State: 'pending', OwnerId: A, Tags: [{ Key: 'backup', Value: 'nightly' }] });
      expect(s.Description).toContain(`DestinationAmi ${out.ImageId}`);
    }
    expect(snapshots.map((s) => s.VolumeSize)).toEqual([8, 20]);
    // The 16 GiB data snapshot takes 16 s at 1024 MiB/s; the 6 GiB root the 10 s minimum.
    clock.advance(12_000);
    expect((await describeImage(ec2, out.ImageId!)).State).toBe('pending');
    expect((await backingSnapshots(ec2, pending)).map((s) => s.State)).toEqual(['completed', 'pending']);
    clock.advance(4_000);
    expect((await describeImage(ec2, out.ImageId!)).State).toBe('available');
    expect(sim.image(out.ImageId!)?.state).toBe('available');
    // The source is untouched.
    expect(sim.image(fx.images.plain.id)?.blockDevices.map((d) => d.snapshotId)).toEqual([
      fx.backing.plainRoot.id,
      fx.backing.plainData.id,
    ]);
  });

  it('an instance-store-backed AMI copies without snapshots and becomes available', async () => {
    const { sim, clock } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    const before = destinationImages().length;
    const { ImageId } = await ec2.send(
      new CopyImageCommand(copyInput({ SourceImageId: fx.images.instanceStore.id })),
    );
    expect(destinationImages()).toHaveLength(before);
    expect(await describeImage(ec2, ImageId!)).toMatchObject({
      State: 'pending',
      RootDeviceType: 'instance-store',
    });
    clock.advance(10_000);
    expect((await describeImage(ec2, ImageId!)).State).toBe('available');
    expect(sim.world.ledger.entries()).toHaveLength(0);
  });

  it('CopyImageTags copies the owner user tags, never aws: tags; from a shared AMI only ec2:SharedTag/ tags', async () => {
    const ec2 = f.m.client(A, 'us-west-2');
    const own = await ec2.send(
      new CopyImageCommand(copyInput({ SourceImageId: fx.images.plain.id, CopyImageTags: true })),
    );
    expect((await describeImage(ec2, own.ImageId!)).Tags).toEqual([
      { Key: 'team', Value: 'web' },
      { Key: 'ec2:SharedTag/env', Value: 'prod' },
    ]);
    const shared = await ec2.send(
      new CopyImageCommand(
        copyInput({
          SourceImageId: fx.images.sharedPlain.id,
          CopyImageTags: true,
          TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'owner', Value: 'me' }] }],
        }),
      ),
    );
    expect((await describeImage(ec2, shared.ImageId!)).Tags).toEqual([
      { Key: 'ec2:SharedTag/env', Value: 'prod' },
      { Key: 'owner', Value: 'me' },
    ]);
    const untagged = await ec2.send(
      new CopyImageCommand(copyInput({ SourceImageId: fx.images.plain.id, Name: 'x-y-z' })),
    );
    expect((await describeImage(ec2, untagged.ImageId!)).Tags).toBeUndefined();
  });

  it('ClientToken: the same request returns the same AMI, a different one IdempotentParameterMismatch', async () => {
    const { sim, clock } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    const input = copyInput({ SourceImageId: fx.images.plain.id, ClientToken: 'token-1' });
    const first = await ec2.send(new CopyImageCommand(input));
    clock.advance(3_600_000);
    const again = await ec2.send(new CopyImageCommand(input));
    expect(again.ImageId).toBe(first.ImageId);
    expect(destinationImages()).toHaveLength(2);
    expect(sim.world.ledger.entries()).toHaveLength(2);
    const err = await failure(ec2.send(new CopyImageCommand({ ...input, Description: 'something else' })));
    expect(err).toMatchObject({ name: 'IdempotentParameterMismatch', $metadata: { httpStatusCode: 400 } });
    // Tokens are per Region: the same token in another destination is another copy.
    const elsewhere = await f.m.client(A, 'eu-west-1').send(new CopyImageCommand(input));
    expect(elsewhere.ImageId).not.toBe(first.ImageId);
  });

  it('a reply lost after the copy was made, retried with the same token, makes exactly one AMI', async () => {
    const { sim } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    sim.faults.dropResponseNext('CopyImage');
    const input = copyInput({ SourceImageId: fx.images.plain.id, ClientToken: 'lost-reply' });
    await failure(ec2.send(new CopyImageCommand(input)));
    const retry = await ec2.send(new CopyImageCommand(input));
    const copies = [...sim.world.requests.entries()].filter((r) => r.operation === 'CopyImage');
    expect(copies.map((r) => r.httpStatus)).toEqual([200, 200]);
    const images = (await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images!;
    expect(images.map((i) => i.ImageId)).toEqual([retry.ImageId]);
    expect(destinationImages()).toHaveLength(2);
  });

  it('faults: throttling (503), server errors (500) and resets leave nothing behind; DryRun creates nothing', async () => {
    const { sim } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    sim.faults.throttleNext('CopyImage').failNext('CopyImage').resetNext('CopyImage');
    const input = copyInput({ SourceImageId: fx.images.plain.id });
    expect(await failure(ec2.send(new CopyImageCommand(input)))).toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    expect(await failure(ec2.send(new CopyImageCommand(input)))).toMatchObject({
      name: 'InternalError',
      $metadata: { httpStatusCode: 500 },
    });
    await failure(ec2.send(new CopyImageCommand(input)));
    expect(await failure(ec2.send(new CopyImageCommand({ ...input, DryRun: true })))).toMatchObject({
      name: 'DryRunOperation',
    });
    expect(destinationImages()).toHaveLength(0);
    expect((await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images).toEqual([]);
  });

  it('a wrong secret is refused before anything is applied', async () => {
    const ec2 = f.m.client(A, 'us-west-2', {
      accessKeyId: 'AKIATEST000000000010',
      secretAccessKey: 'wrong-secret',
    });
    const err = await failure(
      ec2.send(new CopyImageCommand(copyInput({ SourceImageId: fx.images.plain.id }))),
    );
    expect(err.name).toBe('SignatureDoesNotMatch');
    expect(destinationImages()).toHaveLength(0);
  });

  it('a shared source whose key the caller was not granted starts, then the AMI fails with a state reason', async () => {
    const { clock } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    const { ImageId } = await ec2.send(
      new CopyImageCommand(copyInput({ SourceImageId: fx.images.sharedPrivateKey.id })),
    );
    expect((await describeImage(ec2, ImageId!)).State).toBe('pending');
    clock.advance(60_000);
    expect(await describeImage(ec2, ImageId!)).toMatchObject({
      State: 'failed',
      StateReason: {
        Code: 'Client.CopyFailed',
        Message: 'The KMS key of the source snapshot is not accessible',
      },
    });
  });

  it('DeregisterImage stops a pending copy: the AMI is deregistered, its snapshot copies go when they end', async () => {
    const { sim, clock } = f.w;
    const ec2 = f.m.client(A, 'us-west-2');
    const { ImageId } = await ec2.send(
      new CopyImageCommand(copyInput({ SourceImageId: fx.images.plain.id })),
    );
    const copies = sim.image(ImageId!)!.blockDevices.map((d) => d.snapshotId!);
    clock.advance(2_000);
    const out = await ec2.send(new DeregisterImageCommand({ ImageId }));
    expect(out.Return).toBe(true);
    expect((await describeImage(ec2, ImageId!)).State).toBe('deregistered');
    expect(copies.map((id) => sim.world.snapshots.get(id)?.copy?.deleteRequested)).toEqual([true, true]);
    clock.advance(20_000);
    await describeImage(ec2, ImageId!);
    expect(copies.map((id) => sim.world.snapshots.has(id))).toEqual([false, false]);
    expect(await failure(ec2.send(new DeregisterImageCommand({ ImageId })))).toMatchObject({
      name: 'InvalidAMIID.Unavailable',
    });
    clock.advance(DEREGISTERED_VISIBLE_MS);
    expect(await failure(ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })))).toMatchObject({
      name: 'InvalidAMIID.NotFound',
    });
    // The slot is free again: the name can be reused.
    await ec2.send(new CopyImageCommand(copyInput({ SourceImageId: fx.images.plain.id })));
  });

  it('DeregisterImage with DeleteAssociatedSnapshots deletes the snapshots no other AMI uses', async () => {
    const { sim } = f.w;
    const ec2 = f.m.client(A, 'us-east-1');
    const twin = sim.addImage({
      account: A,
      region: 'us-east-1',
      name: 'twin',
      snapshotIds: [fx.backing.plainRoot.id],
    });
    const out = await ec2.send(
      new DeregisterImageCommand({ ImageId: fx.images.plain.id, DeleteAssociatedSnapshots: true }),
    );
    expect(out.DeleteSnapshotResults).toEqual([
      { SnapshotId: fx.backing.plainRoot.id, ReturnCode: 'skipped' },
      { SnapshotId: fx.backing.plainData.id, ReturnCode: 'success' },
    ]);
    expect(sim.world.snapshots.has(fx.backing.plainRoot.id)).toBe(true);
    expect(sim.world.snapshots.has(fx.backing.plainData.id)).toBe(false);
    expect(twin.state).toBe('available');
  });

  it('DeleteSnapshot of a snapshot a registered AMI uses is InvalidSnapshot.InUse', async () => {
    const ec2 = f.m.client(A, 'us-east-1');
    const err = await failure(ec2.send(new DeleteSnapshotCommand({ SnapshotId: fx.backing.plainRoot.id })));
    expect(err).toMatchObject({ name: 'InvalidSnapshot.InUse' });
    expect(err.message).toContain(fx.images.plain.id);
    await ec2.send(new DeregisterImageCommand({ ImageId: fx.images.plain.id }));
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: fx.backing.plainRoot.id }));
  });

  it('DescribeImages: owned, shared and public by default; Owner.N, ExecutableBy.N, ids and errors', async () => {
    const ec2 = f.m.client(A, 'us-east-1');
    const ids = async (input: DescribeImagesCommandInput) =>
      new Set((await ec2.send(new DescribeImagesCommand(input))).Images!.map((i) => i.ImageId));
    const { images } = fx;
    const mine = [
      images.plain,
      images.encrypted,
      images.mixed,
      images.instanceStore,
      images.outpost,
      images.failed,
    ];
    const shared = [
      images.sharedPlain,
      images.sharedPartnerKey,
      images.sharedPrivateKey,
      images.sharedNoStorage,
    ];
    expect(await ids({})).toEqual(new Set([...mine, ...shared, images.publicAmazon].map((i) => i.id)));
    expect(await ids({ Owners: ['self'] })).toEqual(new Set(mine.map((i) => i.id)));
    expect(await ids({ Owners: [B] })).toEqual(new Set(shared.map((i) => i.id)));
    expect(await ids({ Owners: ['amazon'] })).toEqual(new Set([images.publicAmazon.id]));
    expect(await ids({ ExecutableUsers: ['self'] })).toEqual(new Set(shared.map((i) => i.id)));
    expect(await ids({ ExecutableUsers: ['all'] })).toEqual(new Set([images.publicAmazon.id]));
    expect(await ids({ ImageIds: [images.plain.id, images.sharedPlain.id] })).toEqual(
      new Set([images.plain.id, images.sharedPlain.id]),
    );
    // An AMI of another account that is not shared with the caller is left out.
    const hidden = f.w.sim.addImage({
      account: C,
      region: 'us-east-1',
      name: 'c-private',
      snapshotIds: [f.w.sim.addSnapshot({ account: C, region: 'us-east-1', sizeGiB: 1 }).id],
    });
    expect(await ids({ ImageIds: [hidden.id] })).toEqual(new Set());
    for (const [input, code] of [
      [{ ImageIds: ['ami-00000000000000000'] }, 'InvalidAMIID.NotFound'],
      [{ ImageIds: ['ami-xyz'] }, 'InvalidAMIID.Malformed'],
      [{ ImageIds: [images.plain.id], MaxResults: 5 }, 'InvalidParameterCombination'],
      [{ MaxResults: 4 }, 'InvalidParameterValue'],
      [{ Owners: ['nobody'] }, 'InvalidUserID.Malformed'],
      [{ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] }, 'InvalidParameterValue'],
    ] as [DescribeImagesCommandInput, string][]) {
      expect(await failure(ec2.send(new DescribeImagesCommand(input))), JSON.stringify(input)).toMatchObject({
        name: code,
      });
    }
    // The same AMI is in its Region only.
    expect(
      await failure(
        f.m.client(A, 'us-west-2').send(new DescribeImagesCommand({ ImageIds: [images.plain.id] })),
      ),
    ).toMatchObject({
      name: 'InvalidAMIID.NotFound',
    });
  });

  it('DescribeImages filters: tag:, tag-key, image-id, state, name wildcards, block-device-mapping.*', async () => {
    const ec2 = f.m.client(A, 'us-east-1');
    const { images, backing } = fx;
    const ids = async (...filters: { Name: string; Values: string[] }[]) =>
      (await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: filters }))).Images!.map(
        (i) => i.ImageId,
      );
    expect(await ids({ Name: 'tag:team', Values: ['web'] })).toEqual([images.plain.id]);
    expect(await ids({ Name: 'tag-key', Values: ['ec2:Shared*'] })).toEqual([images.plain.id]);
    expect(await ids({ Name: 'image-id', Values: [images.mixed.id, images.encrypted.id] })).toEqual([
      images.encrypted.id,
      images.mixed.id,
    ]);
    expect(await ids({ Name: 'state', Values: ['failed'] })).toEqual([images.failed.id]);
    expect(await ids({ Name: 'name', Values: ['web-*', 'legac?'] })).toEqual([
      images.plain.id,
      images.instanceStore.id,
    ]);
    expect(await ids({ Name: 'root-device-type', Values: ['instance-store'] })).toEqual([
      images.instanceStore.id,
    ]);
    expect(await ids({ Name: 'block-device-mapping.snapshot-id', Values: [backing.mixedData.id] })).toEqual([
      images.mixed.id,
    ]);
    expect(
      await ids(
        { Name: 'block-device-mapping.encrypted', Values: ['true'] },
        { Name: 'state', Values: ['available'] },
      ),
    ).toEqual([images.encrypted.id, images.mixed.id]);
  });

  it('DescribeImages pages with MaxResults/NextToken over every visible AMI', async () => {
    const ec2 = f.m.client(A, 'us-east-1');
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await ec2.send(
        new DescribeImagesCommand({ MaxResults: 5, ...(token ? { NextToken: token } : {}) }),
      );
      expect(out.Images!.length).toBeLessThanOrEqual(5);
      seen.push(...out.Images!.map((i) => i.ImageId!));
      token = out.NextToken;
      pages++;
    } while (token && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(11);
    expect(
      await failure(ec2.send(new DescribeImagesCommand({ MaxResults: 5, NextToken: 'bogus' }))),
    ).toMatchObject({ name: 'InvalidNextToken' });
  });

  it('launch permissions: share with an account, make public, describe, remove; errors', async () => {
    const { sim } = f.w;
    const ec2 = f.m.client(A, 'us-east-1');
    const asB = f.m.client(B, 'us-east-1');
    const imageId = fx.images.plain.id;
    expect((await asB.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images).toEqual([]);
    await ec2.send(
      new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: B }] } }),
    );
    expect(sim.image(imageId)?.launchPermissions).toEqual(new Set([B]));
    expect((await asB.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images).toHaveLength(1);
    await ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: imageId,
        Attribute: 'launchPermission',
        OperationType: 'add',
        UserIds: [C],
        UserGroups: ['all'],
      }),
    );
    const attr = await ec2.send(
      new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }),
    );
    expect(attr.LaunchPermissions).toEqual([{ UserId: B }, { UserId: C }, { Group: 'all' }]);
    expect((await describeImage(ec2, imageId)).Public).toBe(true);
    await ec2.send(
      new ModifyImageAttributeCommand({
        ImageId: imageId,
        LaunchPermission: { Remove: [{ UserId: B }, { UserId: C }, { Group: 'all' }] },
      }),
    );
    const after = await ec2.send(
      new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }),
    );
    expect(after.LaunchPermissions).toEqual([]);
    await ec2.send(
      new ModifyImageAttributeCommand({ ImageId: imageId, Description: { Value: 'new words' } }),
    );
    const description = await ec2.send(
      new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'description' }),
    );
    expect(description.Description?.Value).toBe('new words');
    const mappings = await ec2.send(
      new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'blockDeviceMapping' }),
    );
    expect(mappings.BlockDeviceMappings?.map((m) => m.Ebs?.SnapshotId)).toEqual([
      fx.backing.plainRoot.id,
      fx.backing.plainData.id,
    ]);
    for (const [command, code] of [
      [
        new ModifyImageAttributeCommand({
          ImageId: imageId,
          LaunchPermission: { Add: [{ UserId: 'not-an-account' }] },
        }),
        'InvalidAMIAttributeItemValue',
      ],
      [new ModifyImageAttributeCommand({ ImageId: imageId }), 'MissingParameter'],
      [
        new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'colour' as never }),
        'InvalidParameterValue',
      ],
      [
        new ModifyImageAttributeCommand({
          ImageId: fx.images.sharedPlain.id,
          LaunchPermission: { Add: [{ UserId: C }] },
        }),
        'AuthFailure',
      ],
    ] as const) {
      expect(await failure(ec2.send(command as never))).toMatchObject({ name: code });
    }
  });
});
