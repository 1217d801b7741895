import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decideEcsImageCopy, type EcsImageCopyInput } from '../../src/ecs/index.js';
import {
  BEIJING,
  blockNetwork,
  type EcsHarness,
  HANGZHOU,
  MODES,
  makeHarness,
  SHANGHAI,
  sdkError,
} from './harness.js';
import { addEcsImageFixtures, PARTNER } from './image-harness.js';

beforeAll(blockNetwork);

const API = 'CopyImage API reference';

describe('decideEcsImageCopy: one row per rule of the CopyImage API reference', () => {
  const base: EcsImageCopyInput = {
    ownedByCaller: true,
    sameRegion: false,
    communityImage: false,
    encryptedParam: undefined,
    kmsKeyGiven: false,
    disks: [{ encrypted: false }],
  };
  it.each<[string, Partial<EcsImageCopyInput>, unknown]>([
    [`${API}: KMSKeyId needs Encrypted=true`, { kmsKeyGiven: true }, 'InvalidEncrypted.NotMatchKmsKeyId'],
    [`${API}: community images cannot be copied`, { communityImage: true }, 'OperationDenied.CommunityImage'],
    [
      `${API}: a shared image is copied only within its region`,
      { ownedByCaller: false },
      'OperationDenied.SameRegionOnly',
    ],
    [`${API}: … and may be copied in it`, { ownedByCaller: false, sameRegion: true }, [{ encrypted: false }]],
    [
      `${API}: encrypted snapshots cannot be copied to unencrypted ones`,
      { encryptedParam: false, disks: [{ encrypted: false }, { encrypted: true }] },
      'OperationDeined.EncryptedSnapshot',
    ],
    [`${API}: without Encrypted an unencrypted disk stays unencrypted`, {}, [{ encrypted: false }]],
    [
      `${API}: without Encrypted an encrypted disk stays encrypted, with the destination's service key across regions`,
      { disks: [{ encrypted: true }] },
      [{ encrypted: true, key: 'service' }],
    ],
    [
      `${API}: … and with its own key within the region`,
      { sameRegion: true, disks: [{ encrypted: true }] },
      [{ encrypted: true, key: 'source' }],
    ],
    [
      `${API}: Encrypted=true encrypts every disk with the service key`,
      { encryptedParam: true, disks: [{ encrypted: false }, { encrypted: true }] },
      [
        { encrypted: true, key: 'service' },
        { encrypted: true, key: 'service' },
      ],
    ],
    [
      `${API}: Encrypted=true with KMSKeyId uses that CMK`,
      { encryptedParam: true, kmsKeyGiven: true },
      [{ encrypted: true, key: 'given' }],
    ],
  ])('%s', (_rule, input, expected) => {
    const decision = decideEcsImageCopy({ ...base, ...input });
    expect(decision.kind === 'refused' ? decision.code : decision.disks).toEqual(expected);
  });
});

describe.each(MODES)('ECS images via $mounting ($signing)', ({ mounting, signing }) => {
  let h: EcsHarness;
  let fx: ReturnType<typeof addEcsImageFixtures>;
  beforeEach(async () => {
    h = await makeHarness(mounting, {}, signing);
    fx = addEcsImageFixtures(h);
  });
  afterEach(async () => {
    await h.close();
  });
  const copyImage = (fields: Record<string, unknown>, region = HANGZHOU) =>
    h
      .client(region)
      .copyImage(
        new h.mod.CopyImageRequest({ regionId: HANGZHOU, destinationRegionId: SHANGHAI, ...fields }),
      );
  const describeImages = (region: string, fields: Record<string, unknown> = {}) =>
    h
      .client(region)
      .describeImages(new h.mod.DescribeImagesRequest({ regionId: region, ...fields }))
      .then((r) => r.body!);
  const images = () => [...h.sim.state.images.images.values()];
  const copies = () => images().filter((i) => i.copy);

  it('CopyImage makes the image Creating in the destination with a snapshot copy per disk, Available when all complete', async () => {
    const r = await copyImage({
      imageId: fx.images.plain.id,
      destinationImageName: 'web-plain-dr',
      destinationDescription: 'DR copy of the web image',
      tag: [{ key: 'purpose', value: 'dr' }],
      resourceGroupId: 'rg-aek2backup',
    });
    const id = r.body!.imageId!;
    expect(id).toMatch(/^m-[a-z0-9]{20}$/);
    expect(r.body!.requestId).toMatch(/^[0-9A-F-]{36}$/);
    // The default Status filter shows Available images only.
    expect((await describeImages(SHANGHAI)).images!.image).toEqual([]);
    const creating = (await describeImages(SHANGHAI, { status: 'Creating,Waiting' })).images!.image![0]!;
    expect(creating).toMatchObject({
      imageId: id,
      imageName: 'web-plain-dr',
      description: 'DR copy of the web image',
      status: 'Creating',
      progress: '0%',
      isCopied: true,
      imageOwnerAlias: 'self',
      imageOwnerId: Number(h.account),
      resourceGroupId: 'rg-aek2backup',
      size: 40,
      tags: { tag: [{ tagKey: 'purpose', tagValue: 'dr' }] },
    });
    const disks = creating.diskDeviceMappings!.diskDeviceMapping!;
    expect(disks.map((d) => [d.type, d.size, d.encrypted])).toEqual([
      ['system', '40', false],
      ['data', '100', false],
    ]);
    const snapshots = await h.client(SHANGHAI).describeSnapshots(
      new h.mod.DescribeSnapshotsRequest({
        regionId: SHANGHAI,
        snapshotIds: JSON.stringify(disks.map((d) => d.snapshotId)),
      }),
    );
    expect(snapshots.body!.snapshots!.snapshot!.map((s) => [s.status, s.sourceSnapshotId]).sort()).toEqual(
      [
        ['progressing', fx.snapshots.plainSystem.id],
        ['progressing', fx.snapshots.plainData.id],
      ].sort(),
    );
    // 20 GiB and 50 GiB at 1024 MiB/s: 20 s and 50 s.
    h.clock.advance(25_000);
    expect(h.sim.image(id)?.status).toBe('Creating');
    expect((await describeImages(SHANGHAI, { status: 'ALL', imageId: id })).images!.image![0]!.progress).toBe(
      '75%',
    );
    h.clock.advance(25_000);
    const done = (await describeImages(SHANGHAI, { imageId: id })).images!.image![0]!;
    expect(done).toMatchObject({ status: 'Available', progress: '100%', usable: true });
    expect(h.sim.image(fx.images.plain.id)?.disks.map((d) => d.snapshotId)).toEqual([
      fx.snapshots.plainSystem.id,
      fx.snapshots.plainData.id,
    ]);
  });

  it('ClientToken: the same request returns the same image, other parameters IdempotentParameterMismatch', async () => {
    const fields = { imageId: fx.images.plain.id, destinationImageName: 'tok-copy', clientToken: 'c0ffee-1' };
    const first = await copyImage(fields);
    h.clock.advance(86_400_000);
    const again = await copyImage(fields);
    expect(again.body!.imageId).toBe(first.body!.imageId);
    expect(copies()).toHaveLength(1);
    expect(h.sim.world.ledger.entries()).toHaveLength(2);
    const err = await sdkError(copyImage({ ...fields, destinationImageName: 'other-name' }));
    expect(err).toMatchObject({ code: 'IdempotentParameterMismatch', statusCode: 400 });
  });

  it('a reply lost after the copy was made, retried with the same token, makes exactly one image', async () => {
    h.sim.faults.dropResponseNext('CopyImage');
    const fields = { imageId: fx.images.plain.id, destinationImageName: 'lost-reply', clientToken: 'lost-1' };
    await sdkError(copyImage(fields));
    const retry = await copyImage(fields);
    expect(copies().map((i) => i.id)).toEqual([retry.body!.imageId]);
    expect(
      h.sim.world.requests
        .entries()
        .filter((e) => e.operation === 'CopyImage')
        .map((e) => e.httpStatus),
    ).toEqual([200, 200]);
  });

  it('throttling and server errors create nothing; a wrong secret is refused', async () => {
    h.sim.faults.throttleNext('CopyImage').failNext('CopyImage');
    expect(await sdkError(copyImage({ imageId: fx.images.plain.id }))).toMatchObject({
      code: 'Throttling.User',
    });
    expect(await sdkError(copyImage({ imageId: fx.images.plain.id }))).toMatchObject({
      code: 'InternalError',
      statusCode: 500,
    });
    const wrong = await sdkError(
      h.client(HANGZHOU, { accessKeySecret: 'not-the-secret' }).copyImage(
        new h.mod.CopyImageRequest({
          regionId: HANGZHOU,
          imageId: fx.images.plain.id,
          destinationRegionId: SHANGHAI,
        }),
      ),
    );
    expect(wrong.code).toBe('SignatureDoesNotMatch');
    expect(copies()).toEqual([]);
  });

  it('encryption: each disk as the API reference says, with the key ECS picks', async () => {
    const service = (region: string) => h.sim.serviceKey(h.account, region).id;
    const outcome = async (fields: Record<string, unknown>, destination = SHANGHAI) => {
      const r = await copyImage({ destinationRegionId: destination, ...fields });
      const image = h.sim.image(r.body!.imageId!)!;
      // One copy of a source at a time: let this one finish before the next row.
      h.clock.advance(10 * 60_000);
      return image.disks.map((d) => {
        const s = h.sim.snapshot(d.snapshotId!)!;
        return s.encrypted ? s.kmsKeyId : false;
      });
    };
    expect(await outcome({ imageId: fx.images.plain.id })).toEqual([false, false]);
    expect(await outcome({ imageId: fx.images.cmk.id })).toEqual([service(SHANGHAI)]);
    expect(
      await outcome({ imageId: fx.images.serviceKey.id, destinationImageName: 'same-region' }, HANGZHOU),
    ).toEqual([service(HANGZHOU)]);
    const dest = h.sim.addKey({ account: h.account, region: BEIJING, alias: 'alias/dr' });
    expect(
      await outcome({ imageId: fx.images.plain.id, encrypted: true, KMSKeyId: dest.id }, BEIJING),
    ).toEqual([dest.id, dest.id]);
    expect(
      await outcome({ imageId: fx.images.sharedOpenKey.id, destinationImageName: 'from-partner' }, HANGZHOU),
    ).toEqual([service(HANGZHOU)]);
  });

  type Refusal = [
    rule: string,
    fields: () => Record<string, unknown>,
    status: number,
    code: string,
    setup?: () => void,
  ];
  const refusals: Refusal[] = [
    [
      `${API}: KMSKeyId without Encrypted`,
      () => ({ imageId: fx.images.plain.id, KMSKeyId: fx.keys.backup.id }),
      400,
      'InvalidEncrypted.NotMatchKmsKeyId',
    ],
    [
      `${API}: encrypted to unencrypted`,
      () => ({ imageId: fx.images.cmk.id, encrypted: false }),
      403,
      'OperationDeined.EncryptedSnapshot',
    ],
    [
      `${API}: a shared image to another region`,
      () => ({ imageId: fx.images.sharedPlain.id }),
      403,
      'OperationDenied.SameRegionOnly',
    ],
    [
      `${API}: a community image`,
      () => ({ imageId: fx.images.community.id, destinationRegionId: HANGZHOU }),
      400,
      'OperationDenied.CommunityImage',
    ],
    [
      `${API}: a source that is not Available`,
      () => ({ imageId: fx.images.unavailable.id }),
      400,
      'IncorrectImageStatus',
    ],
    [
      `${API}: an image that does not exist`,
      () => ({ imageId: 'm-doesnotexist0000000' }),
      404,
      'InvalidImageId.NotFound',
    ],
    [
      `${API}: an unknown source region`,
      () => ({ imageId: fx.images.plain.id, regionId: 'cn-nowhere' }),
      400,
      'SourceRegion.NotFound',
    ],
    [
      `${API}: an unknown destination region`,
      () => ({ imageId: fx.images.plain.id, destinationRegionId: 'cn-nowhere' }),
      400,
      'DestinationRegion.NotFound',
    ],
    [
      `${API}: a malformed name`,
      () => ({ imageId: fx.images.plain.id, destinationImageName: 'aliyun-copy' }),
      400,
      'InvalidImageName.Malformed',
    ],
    [
      `${API}: a malformed description`,
      () => ({ imageId: fx.images.plain.id, destinationDescription: 'http://x' }),
      400,
      'InvalidDescription.Malformed',
    ],
    [
      `${API}: a name in use in the destination`,
      () => ({ imageId: fx.images.plain.id, destinationImageName: 'db-cmk', destinationRegionId: HANGZHOU }),
      400,
      'InvalidImageName.Duplicated',
    ],
    [
      `${API}: an unknown CMK`,
      () => ({ imageId: fx.images.plain.id, encrypted: true, KMSKeyId: 'no-such-key' }),
      404,
      'InvalidParameter.KMSKeyId.NotFound',
    ],
    [
      `${API}: a disabled CMK`,
      () => ({ imageId: fx.images.plain.id, encrypted: true, KMSKeyId: 'alias/off' }),
      403,
      'InvalidParameter.KMSKeyId.CMKNotEnabled',
      () => {
        h.sim.addKey({ account: h.account, region: SHANGHAI, alias: 'alias/off', enabled: false });
      },
    ],
    [
      `${API}: a CMK ECS may not use`,
      () => ({ imageId: fx.images.plain.id, encrypted: true, KMSKeyId: 'alias/denied' }),
      403,
      'InvalidParameter.KMSKeyId.KMSUnauthorized',
      () => {
        h.sim.addKey({ account: h.account, region: SHANGHAI, alias: 'alias/denied', usable: false });
      },
    ],
    [
      `${API}: a shared image whose CMK the caller may not use`,
      () => ({ imageId: fx.images.sharedClosedKey.id, destinationRegionId: HANGZHOU }),
      403,
      'InvalidParameter.KMSKeyId.CMKUnauthorized',
    ],
    [
      `${API}: KMS not activated`,
      () => ({ imageId: fx.images.plain.id, encrypted: true }),
      400,
      'InvalidParameter.KmsNotEnabled',
      () => {
        h.sim.setKmsEnabled(h.account, false);
      },
    ],
    [
      `${API}: an unknown resource group`,
      () => ({ imageId: fx.images.plain.id, resourceGroupId: 'default' }),
      404,
      'InvalidResourceGroup.NotFound',
    ],
    [`${API}: DryRun`, () => ({ imageId: fx.images.plain.id, dryRun: true }), 400, 'DryRunOperation'],
  ];
  it.each(refusals)('refused: %s', async (_rule, fields, status, code, setup) => {
    setup?.();
    const err = await sdkError(copyImage(fields()));
    expect(err).toMatchObject({ code, statusCode: status });
    expect(copies()).toEqual([]);
    expect(h.sim.world.ledger.entries()).toEqual([]);
  });

  it('the same image cannot be copied twice at once (OperationDenied.ImageCopyConflict)', async () => {
    await copyImage({ imageId: fx.images.plain.id, destinationImageName: 'first' });
    const err = await sdkError(
      copyImage({
        imageId: fx.images.plain.id,
        destinationImageName: 'second',
        destinationRegionId: BEIJING,
      }),
    );
    expect(err).toMatchObject({ code: 'OperationDenied.ImageCopyConflict', statusCode: 400 });
    h.clock.advance(60_000);
    await copyImage({
      imageId: fx.images.plain.id,
      destinationImageName: 'second',
      destinationRegionId: BEIJING,
    });
  });

  it('CancelCopyImage removes a copy in progress and its partial snapshots; errors for finished and non-copies', async () => {
    const { body } = await copyImage({ imageId: fx.images.plain.id, destinationImageName: 'to-cancel' });
    const partial = h.sim.image(body!.imageId!)!.disks.map((d) => d.snapshotId!);
    h.clock.advance(10_000);
    const cancel = (imageId: string, regionId = SHANGHAI) =>
      h.client(regionId).cancelCopyImage(new h.mod.CancelCopyImageRequest({ regionId, imageId }));
    await cancel(body!.imageId!);
    expect(h.sim.image(body!.imageId!)).toBeUndefined();
    expect(partial.map((id) => h.sim.snapshot(id))).toEqual([undefined, undefined]);
    expect(h.sim.image(fx.images.plain.id)?.status).toBe('Available');
    expect(await sdkError(cancel(body!.imageId!))).toMatchObject({
      code: 'InvalidImageId.NotFound',
      statusCode: 404,
    });
    expect(await sdkError(cancel(fx.images.plain.id, HANGZHOU))).toMatchObject({
      code: 'ImageCreatedNotFromCopy',
      statusCode: 400,
    });
    expect(await sdkError(cancel(fx.images.plain.id, 'cn-nowhere'))).toMatchObject({
      code: 'InvalidRegionId.NotFound',
    });
    const done = await copyImage({ imageId: fx.images.plain.id, destinationImageName: 'finished' });
    h.clock.advance(60_000);
    expect(await sdkError(cancel(done.body!.imageId!))).toMatchObject({
      code: 'IncorrectImageStatus',
      statusCode: 400,
    });
  });

  it('DeleteImage is refused while the image is being copied, and for shared images; a missing image is ignored', async () => {
    const { body } = await copyImage({ imageId: fx.images.plain.id, destinationImageName: 'busy' });
    const del = (imageId: string, regionId = SHANGHAI) =>
      h.client(regionId).deleteImage(new h.mod.DeleteImageRequest({ regionId, imageId }));
    expect(await sdkError(del(body!.imageId!))).toMatchObject({
      code: 'OperationDenied.ImageCopying',
      statusCode: 403,
    });
    expect(h.sim.image(body!.imageId!)?.status).toBe('Creating');
    h.sim.shareImage(fx.images.cmk.id, PARTNER);
    expect(await sdkError(del(fx.images.cmk.id, HANGZHOU))).toMatchObject({
      code: 'ImageUseShared',
      statusCode: 403,
    });
    h.clock.advance(60_000);
    await del(body!.imageId!);
    expect(h.sim.image(body!.imageId!)).toBeUndefined();
    await del('m-neverexisted000000000');
    // The snapshots of an image cannot be deleted while the image exists.
    const snap = await sdkError(
      h
        .client(HANGZHOU)
        .deleteSnapshot(new h.mod.DeleteSnapshotRequest({ snapshotId: fx.snapshots.plainSystem.id })),
    );
    expect(snap).toMatchObject({ code: 'SnapshotCreatedImage', statusCode: 403 });
  });

  it('share permissions: add, list, see as the partner, remove; the documented refusals', async () => {
    const partner = h.sim.credentials(PARTNER);
    const asPartner = h.client(HANGZHOU, {
      accessKeyId: partner.accessKeyId,
      accessKeySecret: partner.accessKeySecret,
    });
    const modify = (fields: Record<string, unknown>) =>
      h.client(HANGZHOU).modifyImageSharePermission(
        new h.mod.ModifyImageSharePermissionRequest({
          regionId: HANGZHOU,
          imageId: fx.images.plain.id,
          ...fields,
        }),
      );
    await modify({ addAccount: [PARTNER] });
    const perms = await h
      .client(HANGZHOU)
      .describeImageSharePermission(
        new h.mod.DescribeImageSharePermissionRequest({ regionId: HANGZHOU, imageId: fx.images.plain.id }),
      );
    expect(perms.body).toMatchObject({
      imageId: fx.images.plain.id,
      totalCount: 1,
      accounts: { account: [{ aliyunId: PARTNER }] },
      shareGroups: { shareGroup: [] },
    });
    const seen = await asPartner.describeImages(
      new h.mod.DescribeImagesRequest({ regionId: HANGZHOU, imageOwnerAlias: 'others' }),
    );
    expect(seen.body!.images!.image!.map((i) => [i.imageId, i.imageOwnerAlias])).toEqual([
      [fx.images.plain.id, 'others'],
    ]);
    await modify({ removeAccount: [PARTNER] });
    expect(h.sim.image(fx.images.plain.id)?.sharedWith.size).toBe(0);
    for (const [fields, status, code] of [
      [{ addAccount: [h.account] }, 404, 'InvalidAccount.Forbbiden'],
      [{ addAccount: ['9999999999999999'] }, 404, 'InvalidAccount.NotFound'],
      [
        { imageId: fx.images.serviceKey.id, addAccount: [PARTNER] },
        403,
        'InvalidOperation.ServiceKeyEncryptedImageUnsupported',
      ],
      [{ imageId: fx.images.cmk.id, isPublic: true }, 403, 'OperationDeined.EncryptedSnapshot'],
      [{ imageId: fx.images.sharedPlain.id, addAccount: [PARTNER] }, 404, 'InvalidImageId.NotFound'],
    ] as const) {
      expect(await sdkError(modify(fields))).toMatchObject({ code, statusCode: status });
    }
    // A CMK-encrypted image can be shared.
    await modify({ imageId: fx.images.cmk.id, addAccount: [PARTNER] });
    // 50 accounts at most; one call takes the first 10.
    const many = Array.from(
      { length: 55 },
      (_, i) => h.sim.addAccount({ id: `30000000000000${String(i).padStart(2, '0')}` }).id,
    );
    await modify({ addAccount: many.slice(0, 12) });
    expect(h.sim.image(fx.images.plain.id)?.sharedWith.size).toBe(10);
    for (let i = 10; i < 50; i += 10) await modify({ addAccount: many.slice(i, i + 10) });
    expect(h.sim.image(fx.images.plain.id)?.sharedWith.size).toBe(50);
    expect(await sdkError(modify({ addAccount: [many[50]] }))).toMatchObject({
      code: 'QuotaExceed.ShareImageUser',
      statusCode: 403,
    });
  });

  it('DescribeImages: owner aliases, ids, names, tags, paging and the documented errors', async () => {
    const ids = async (fields: Record<string, unknown>) =>
      (await describeImages(HANGZHOU, fields)).images!.image!.map((i) => i.imageId);
    const { images: img } = fx;
    expect(new Set(await ids({}))).toEqual(
      new Set(
        [
          img.plain,
          img.cmk,
          img.serviceKey,
          img.sharedPlain,
          img.sharedOpenKey,
          img.sharedClosedKey,
          img.community,
        ].map((i) => i.id),
      ),
    );
    expect(await ids({ imageOwnerAlias: 'self' })).toEqual([img.serviceKey.id, img.cmk.id, img.plain.id]);
    expect(await ids({ imageOwnerAlias: 'others', isPublic: true })).toEqual([img.community.id]);
    expect(await ids({ imageOwnerAlias: 'others', imageOwnerId: Number(PARTNER) })).toEqual([
      img.sharedClosedKey.id,
      img.sharedOpenKey.id,
      img.sharedPlain.id,
    ]);
    expect(await ids({ imageOwnerAlias: 'system' })).toEqual([]);
    expect(await ids({ status: 'UnAvailable' })).toEqual([img.unavailable.id]);
    expect(await ids({ imageId: `${img.plain.id},${img.cmk.id}` })).toEqual([img.cmk.id, img.plain.id]);
    expect(await ids({ imageName: 'partner-', imageOwnerAlias: 'others' })).toHaveLength(3);
    expect(await ids({ tag: [{ key: 'team', value: 'web' }] })).toEqual([img.plain.id]);
    expect(await ids({ snapshotId: fx.snapshots.plainData.id })).toEqual([img.plain.id]);
    const page = await describeImages(HANGZHOU, { pageSize: 3, pageNumber: 3 });
    expect(page).toMatchObject({ totalCount: 7, pageNumber: 3, pageSize: 3, regionId: HANGZHOU });
    expect(page.images!.image).toHaveLength(1);
    for (const [fields, status, code] of [
      [{ imageOwnerAlias: 'mine' }, 400, 'InvalidImageOwnerAlias.ValueNotSupported'],
      [{ isPublic: true }, 400, 'InvalidImageOwnerAlias.PublicImageUnsupported'],
      [{ imageOwnerId: 1 }, 400, 'InvalidOperation.ImageOwnerIdUnsupported'],
      [{ status: 'ALL,Available' }, 400, 'InvalidParamter'],
      [{ OSType: 'beos' }, 404, 'InvalidOSType'],
      [{ filter: [{ key: 'Colour', value: 'x' }] }, 404, 'InvalidFilterKey.NotFound'],
      [{ pageSize: 101 }, 400, 'InvalidParameter'],
      [{ regionId: 'cn-nowhere' }, 404, 'InvalidRegionId.NotFound'],
    ] as const) {
      expect(await sdkError(describeImages(HANGZHOU, fields)), JSON.stringify(fields)).toMatchObject({
        code,
        statusCode: status,
      });
    }
  });
});

describe.each(['nock', 'server'] as const)('ECS image copy queue, billing and limits (%s)', (mounting) => {
  let h: EcsHarness;
  let fx: ReturnType<typeof addEcsImageFixtures>;
  beforeEach(async () => {
    h = await makeHarness(mounting, { imageCopyConcurrency: 1 });
    fx = addEcsImageFixtures(h);
  });
  afterEach(async () => {
    await h.close();
  });
  const copyImage = (fields: Record<string, unknown>) =>
    h
      .client(HANGZHOU)
      .copyImage(new h.mod.CopyImageRequest({ regionId: HANGZHOU, destinationRegionId: SHANGHAI, ...fields }))
      .then((r) => r.body!.imageId!);

  it('beyond the concurrent tasks of a region a copy waits, then starts when the running one ends, in virtual time', async () => {
    const first = await copyImage({ imageId: fx.images.plain.id, destinationImageName: 'first' });
    const second = await copyImage({ imageId: fx.images.cmk.id, destinationImageName: 'second' });
    expect(h.sim.image(first)?.status).toBe('Creating');
    expect(h.sim.image(second)).toMatchObject({ status: 'Waiting' });
    expect(h.sim.image(second)?.disks.map((d) => d.snapshotId)).toEqual([undefined]);
    const startedAt = h.clock.now();
    // One jump past both: the second starts when the first ends (50 s) and takes 40 s (disk size basis).
    h.clock.advance(10 * 60_000);
    expect(h.sim.image(first)?.status).toBe('Available');
    const secondImage = h.sim.image(second)!;
    expect(secondImage.status).toBe('Available');
    const copy = h.sim.snapshot(secondImage.disks[0]!.snapshotId!)!.copy!;
    expect(copy.startedAt).toBe(startedAt + 50_000);
    expect(h.sim.world.ledger.forSnapshot(secondImage.disks[0]!.snapshotId!)?.at).toBe(startedAt + 50_000);
  });

  it('cancelling a waiting copy removes it; cancelling the running one starts the next at once', async () => {
    const first = await copyImage({ imageId: fx.images.plain.id, destinationImageName: 'first' });
    const second = await copyImage({ imageId: fx.images.cmk.id, destinationImageName: 'second' });
    const third = await copyImage({ imageId: fx.images.serviceKey.id, destinationImageName: 'third' });
    const cancel = (imageId: string) =>
      h.client(SHANGHAI).cancelCopyImage(new h.mod.CancelCopyImageRequest({ regionId: SHANGHAI, imageId }));
    await cancel(second);
    expect(h.sim.image(second)).toBeUndefined();
    h.clock.advance(5_000);
    await cancel(first);
    expect(h.sim.image(third)?.status).toBe('Creating');
    expect(h.sim.snapshot(h.sim.image(third)!.disks[0]!.snapshotId!)?.copy?.startedAt).toBe(h.clock.now());
  });

  it('billing per disk: full the first time (disk size when encrypting an unencrypted disk), the delta later, no transfer in-region', async () => {
    const entries = (imageId: string) =>
      h.sim.image(imageId)!.disks.map((d) => {
        const e = h.sim.world.ledger.forSnapshot(d.snapshotId!)!;
        return [e.sourceSnapshotId, e.sizeBasis, e.transfer, e.transferGiB, e.storageGiB];
      });
    const { plainSystem, plainData } = fx.snapshots;
    const first = await copyImage({ imageId: fx.images.plain.id, destinationImageName: 'first' });
    expect(entries(first)).toEqual([
      [plainSystem.id, 'snapshot', 'full', 20, 20],
      [plainData.id, 'snapshot', 'full', 50, 50],
    ]);
    h.clock.advance(60_000);
    const second = await copyImage({ imageId: fx.images.plain.id, destinationImageName: 'second' });
    expect(entries(second)).toEqual([
      // The same disks' same snapshots again: nothing changed since the most recent copy's source.
      [plainSystem.id, 'delta', 'incremental', 0, 0],
      [plainData.id, 'delta', 'incremental', 0, 0],
    ]);
    h.clock.advance(60_000);
    const encrypted = await copyImage({
      imageId: fx.images.plain.id,
      destinationImageName: 'encrypted',
      encrypted: true,
    });
    expect(entries(encrypted)).toEqual([
      [plainSystem.id, 'disk', 'full', 40, 40],
      [plainData.id, 'disk', 'full', 100, 100],
    ]);
    h.clock.advance(10 * 60_000);
    const local = await h
      .client(HANGZHOU)
      .copyImage(
        new h.mod.CopyImageRequest({
          regionId: HANGZHOU,
          imageId: fx.images.cmk.id,
          destinationImageName: 'local',
        }),
      )
      .then((r) => r.body!.imageId!);
    expect(entries(local).map((e) => e[3])).toEqual([0]);
  });

  it('a copy whose snapshot copy fails later ends CreateFailed', async () => {
    h.sim.failNextCopies(1);
    const id = await copyImage({ imageId: fx.images.plain.id, destinationImageName: 'doomed' });
    h.clock.advance(60_000);
    expect(h.sim.image(id)?.status).toBe('CreateFailed');
    const cancel = await sdkError(
      h
        .client(SHANGHAI)
        .cancelCopyImage(new h.mod.CancelCopyImageRequest({ regionId: SHANGHAI, imageId: id })),
    );
    expect(cancel).toMatchObject({ code: 'IncorrectImageStatus' });
  });
});
