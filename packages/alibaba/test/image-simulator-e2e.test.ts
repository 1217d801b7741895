// ECS custom image copies end to end against the ECS simulator, through the real SDK, on
// 127.0.0.1 and through nock: every plan is checked against what the simulated cloud then
// did and billed, read from its own state, never from the adapter's word.
import { type ImageCopyPlan, is } from '@snapcopy/core';
import { describe, expect, it } from 'vitest';
import { localNetworkOnly } from './support/nock-lifecycle.js';
import { HANGZHOU, makeSimHarness, SHANGHAI, type SimHarness } from './support/sim-harness.js';

const PARTNER = '6543210987654321';
let h: SimHarness;

localNetworkOnly(() => h?.close());

/** A custom image of `account` in Hangzhou: an unencrypted system disk and an encrypted data disk. */
function image(account = h.account, over: { encrypted?: boolean } = {}) {
  const system = h.sim.addSnapshot({ account, region: HANGZHOU, sizeGiB: 12, diskSizeGiB: 40 });
  const data = h.sim.addSnapshot({
    account,
    region: HANGZHOU,
    sizeGiB: 30,
    diskSizeGiB: 60,
    encrypted: over.encrypted ?? true,
  });
  return h.sim.addImage({
    account,
    region: HANGZHOU,
    name: `web-${system.id}`,
    snapshotIds: [system.id, data.id],
  });
}

const request = (imageId: string, over: Record<string, unknown> = {}) => ({
  source: { region: HANGZHOU, imageId },
  destination: { region: SHANGHAI },
  ...over,
});

const calls = (op: string) => h.sim.world.requests.count(op);

/** The disks' snapshot copies of an image, in disk order. */
const diskCopies = (imageId: string) =>
  (h.sim.image(imageId)?.disks ?? []).flatMap((d) =>
    d.snapshotId ? [h.sim.world.snapshots.get(d.snapshotId)!] : [],
  );

/** Plan against the cloud: each disk's copy has the planned encryption and bill. */
function expectPlanMatchesCloud(plan: ImageCopyPlan, imageId: string, keyIdOf: (ref: string) => string) {
  const copies = diskCopies(imageId);
  expect(copies).toHaveLength(plan.snapshots.length);
  plan.snapshots.forEach((p, i) => {
    const copy = copies[i]!;
    expect(copy.copy?.sourceSnapshotId).toBe(p.source.snapshotId);
    expect(copy.encrypted).toBe(p.encryption.encrypted);
    if (p.encryption.encrypted) expect(copy.kmsKeyId).toBe(keyIdOf(p.encryption.kmsKeyId!));
    const bill = h.sim.world.ledger.forSnapshot(copy.id)!;
    expect(bill.transfer).toBe(p.transfer);
    expect(bill.sizeBasis === 'delta' ? 'snapshot' : bill.sizeBasis).toBe(
      p.sizeBasis === 'delta' ? 'snapshot' : p.sizeBasis,
    );
    if (p.transfer === 'incremental') {
      expect(bill.storageGiB).toBeLessThanOrEqual(p.billableGiB.storage);
    } else {
      expect(bill.transferGiB).toBe(p.billableGiB.transfer);
      expect(bill.storageGiB).toBe(p.billableGiB.storage);
    }
  });
}

const serviceKeyId = () => h.sim.state.serviceKey(h.account, SHANGHAI).id;
const keyIdOf = (ref: string) =>
  ref === 'alias/acs/ecs' ? serviceKeyId() : h.sim.state.findKey(h.account, SHANGHAI, ref)!.id;

describe.each(['server', 'nock'] as const)('ECS image copies against the simulator (%s)', (mounting) => {
  it('encrypted under a customer key: each disk re-encrypted as planned, billed as planned', async () => {
    h = await makeSimHarness(mounting);
    const cmk = h.sim.addKey({ account: h.account, region: SHANGHAI, alias: 'alias/dr' });
    const img = image();
    const copier = h.imageCopier();
    const req = request(img.id, { encryption: { encrypted: true, kmsKeyId: cmk.id }, tags: { team: 'dr' } });
    const plan = await copier.plan(req);
    expect(plan.snapshots.map((s) => [s.transfer, s.sizeBasis, s.encryption.keySource])).toEqual([
      ['full', 'disk', 'given-key'],
      ['full', 'snapshot', 'given-key'],
    ]);
    expect(plan.billableGiB).toEqual({ transfer: 70, storage: 70, timeBased: 0 });
    const handle = await copier.copy(req, { plan });
    const copyImage = h.sim.world.requests.entries().find((e) => e.operation === 'CopyImage')!;
    expect(copyImage.region).toBe(HANGZHOU);
    expect(copyImage.params).toMatchObject({
      DestinationRegionId: SHANGHAI,
      Encrypted: 'true',
      KMSKeyId: cmk.id,
      ClientToken: handle.clientToken,
    });
    expect(Object.fromEntries(h.sim.image(handle.imageId)!.tags)).toEqual(plan.tags.image);
    const final = await copier.wait(handle, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    expect(final.state).toBe('completed');
    expect(final.snapshots?.map((s) => s.progress)).toEqual([100, 100]);
    expectPlanMatchesCloud(plan, handle.imageId, keyIdOf);
  });

  it('a second copy of the same image is planned incremental per disk, as ECS bills it', async () => {
    h = await makeSimHarness(mounting);
    const img = image();
    const copier = h.imageCopier();
    const first = await copier.copy(request(img.id, { clientToken: 'first' }));
    await copier.wait(first, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    const req = request(img.id, { clientToken: 'second' });
    const plan = await copier.plan(req);
    expect(plan.snapshots.map((s) => s.transfer)).toEqual(['incremental', 'incremental']);
    const second = await copier.copy(req, { plan });
    await copier.wait(second, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    expectPlanMatchesCloud(plan, second.imageId, keyIdOf);
  });

  it('a key alias and its key id are one key: the plans agree (KMS DescribeKey), and the copy uses that key', async () => {
    h = await makeSimHarness(mounting);
    const cmk = h.sim.addKey({ account: h.account, region: SHANGHAI, alias: 'alias/dr' });
    const img = image();
    const copier = h.imageCopier();
    const byAlias = request(img.id, { encryption: { encrypted: true, kmsKeyId: 'alias/dr' } });
    const byId = request(img.id, { encryption: { encrypted: true, kmsKeyId: cmk.id } });
    const view = (p: ImageCopyPlan) =>
      p.snapshots.map((s) => [s.encryption.kmsKeyId, s.encryption.key?.checkedBy, s.transfer, s.billableGiB]);
    const a = await copier.plan(byAlias);
    expect(view(a)).toEqual(view(await copier.plan(byId)));
    expect(a.snapshots.every((s) => s.encryption.kmsKeyId === cmk.id)).toBe(true);
    const handle = await copier.copy(byAlias, { plan: a });
    await copier.wait(handle, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    expectPlanMatchesCloud(a, handle.imageId, keyIdOf);
  });

  it.each([
    ['Disabled', 'alias/off'],
    ['PendingDeletion', 'alias/going'],
  ] as const)(
    'a %s key is refused in plan and copy (key-enabled): no CopyImage, no image, no snapshot copy',
    async (state, alias) => {
      h = await makeSimHarness(mounting);
      h.sim.addKey({ account: h.account, region: SHANGHAI, alias, state });
      const img = image();
      const copier = h.imageCopier();
      const inShanghai = () =>
        [...h.sim.world.snapshots.values()].filter((s) => s.region === SHANGHAI).length;
      const before = inShanghai();
      const req = request(img.id, { encryption: { encrypted: true, kmsKeyId: alias } });
      await expect(copier.plan(req)).rejects.toMatchObject({
        code: 'ENCRYPTION_RULE',
        details: { rule: 'key-enabled' },
      });
      await expect(copier.copy(req)).rejects.toMatchObject({ code: 'ENCRYPTION_RULE' });
      expect(calls('CopyImage')).toBe(0);
      expect(inShanghai()).toBe(before);
      expect([...h.sim.state.images.images.values()].filter((i) => i.region === SHANGHAI)).toEqual([]);
    },
  );

  it('the service key alias/acs/ecs is resolved through KMS too: the plan names its key id', async () => {
    h = await makeSimHarness(mounting);
    const plan = await h.imageCopier().plan(request(image().id, { encryption: { encrypted: true } }));
    expect(plan.snapshots.map((s) => [s.encryption.kmsKeyId, s.encryption.key?.checkedBy])).toEqual([
      [serviceKeyId(), 'kms'],
      [serviceKeyId(), 'kms'],
    ]);
  });

  it('a shared image: copied within its region as planned; to another region refused before any CopyImage', async () => {
    h = await makeSimHarness(mounting);
    h.sim.addAccount({ id: PARTNER });
    const img = image(PARTNER, { encrypted: false });
    h.sim.shareImage(img.id, h.account);
    const copier = h.imageCopier();
    const shared = { region: HANGZHOU, imageId: img.id, account: PARTNER };
    await expect(copier.plan(request(img.id, { source: shared }))).rejects.toSatisfy((e) =>
      is(e, 'UNSUPPORTED'),
    );
    const req = request(img.id, { source: shared, destination: { region: HANGZHOU } });
    const plan = await copier.plan(req);
    expect(plan.source.ownership).toBe('shared');
    expect(calls('CopyImage')).toBe(0);
    const handle = await copier.copy(req, { plan });
    await copier.wait(handle, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    expect(h.sim.image(handle.imageId)?.account).toBe(h.account);
    expect(diskCopies(handle.imageId).map((s) => s.encrypted)).toEqual(
      plan.snapshots.map((s) => s.encryption.encrypted),
    );
  });

  it('an image with encrypted snapshots asked unencrypted: ENCRYPTION_RULE in plan, no CopyImage sent', async () => {
    h = await makeSimHarness(mounting);
    const copier = h.imageCopier();
    const req = request(image().id, { encryption: { encrypted: false } });
    await expect(copier.plan(req)).rejects.toSatisfy((e) => is(e, 'ENCRYPTION_RULE'));
    await expect(copier.copy(req)).rejects.toSatisfy((e) => is(e, 'ENCRYPTION_RULE'));
    expect(calls('CopyImage')).toBe(0);
  });

  it("a copying image's progress is its least advanced disk's (the image is ready when the last disk is)", async () => {
    h = await makeSimHarness(mounting);
    const copier = h.imageCopier();
    const disks = [20, 200].map((sizeGiB) =>
      h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB, diskSizeGiB: 200 }),
    );
    const img = h.sim.addImage({
      account: h.account,
      region: HANGZHOU,
      name: 'big-data',
      snapshotIds: disks.map((d) => d.id),
    });
    const handle = await copier.copy(request(img.id));
    await h.clock.advance(60_000);
    const [status] = await copier.status([handle]);
    const each = status!.snapshots!.map((s) => s.progress);
    expect(each[0]).toBeGreaterThan(each[1]!);
    expect(status!.progress).toBe(Math.min(...each));
  });

  it('cancel while copying: CancelCopyImage, the image and its partial snapshots gone at once; reads cancelled', async () => {
    h = await makeSimHarness(mounting);
    const copier = h.imageCopier();
    const handle = await copier.copy(request(image().id));
    await h.clock.advance(30_000);
    const partial = diskCopies(handle.imageId).map((s) => s.id);
    expect(partial.length).toBeGreaterThan(0);
    const result = await copier.cancel(handle);
    expect(result).toMatchObject({ takesEffect: 'immediate', snapshots: 'removed' });
    expect(calls('CancelCopyImage')).toBe(1);
    expect(calls('DeleteImage')).toBe(0);
    expect(h.sim.image(handle.imageId)).toBeUndefined();
    expect(partial.filter((id) => h.sim.world.snapshots.has(id))).toEqual([]);
    const [status] = await copier.status([handle]);
    expect(status?.state).toBe('cancelled');
  });

  it('cancel after completion: refused without force (the image kept); with it DeleteImage, then the snapshots the copy made', async () => {
    h = await makeSimHarness(mounting);
    const copier = h.imageCopier();
    const handle = await copier.copy(request(image().id));
    await copier.wait(handle, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    const made = diskCopies(handle.imageId).map((s) => s.id);
    // A completed copy is a finished backup: removing it takes force.
    const refused = await copier.cancel(handle).catch((e: unknown) => e);
    expect(is(refused, 'INVALID_REQUEST')).toBe(true);
    expect(h.sim.image(handle.imageId)).toBeDefined();
    expect(calls('DeleteImage')).toBe(0);
    const result = await copier.cancel(handle, { force: true });
    expect(result).toMatchObject({ takesEffect: 'immediate', snapshots: 'removed' });
    expect(calls('CancelCopyImage')).toBe(0);
    expect(h.sim.image(handle.imageId)).toBeUndefined();
    expect(made.filter((id) => h.sim.world.snapshots.has(id))).toEqual([]);
  });

  it('listCopies finds the image copies of a source and of a batch, as the simulator holds them', async () => {
    h = await makeSimHarness(mounting);
    const img = image();
    const other = image();
    const copier = h.imageCopier();
    const a = await copier.copy(request(img.id, { clientToken: 'img-list.0' }));
    await copier.wait(a, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    const b = await copier.copy(request(other.id, { clientToken: 'img-list.1' }));
    const ofSource = [];
    for await (const c of copier.listCopies({ region: SHANGHAI, sourceId: img.id })) ofSource.push(c);
    const inSim = [...h.sim.state.images.images.values()]
      .filter((i) => i.region === SHANGHAI && i.copy?.sourceImageId === img.id)
      .map((i) => i.id);
    expect(ofSource.map((c) => c.ref.imageId)).toEqual(inSim);
    expect(ofSource[0]).toMatchObject({
      ref: { region: SHANGHAI, imageId: a.imageId },
      state: 'completed',
      clientToken: 'img-list.0',
      batchId: 'img-list',
      source: { region: HANGZHOU, id: img.id },
    });
    const byBatch: string[] = [];
    for await (const page of copier.paginateListCopies({ region: SHANGHAI, batchId: 'img-list' }))
      byBatch.push(...page.copies.map((c) => c.ref.imageId));
    expect(byBatch.sort()).toEqual([a.imageId, b.imageId].sort());
  });

  it('a CopyImage reply lost after the copy was made, retried with the same token, makes exactly one image', async () => {
    h = await makeSimHarness(mounting);
    const img = image();
    h.sim.faults.dropResponseNext('CopyImage');
    const handle = await h.imageCopier().copy(request(img.id, { clientToken: 'lost-reply' }));
    const copies = [...h.sim.state.images.images.values()].filter((i) => i.copy?.sourceImageId === img.id);
    expect(copies.map((i) => i.id)).toEqual([handle.imageId]);
    expect(handle.reused).toBe(true);
  });

  it("a 200 page that is not ECS's JSON: after CopyImage ambiguous (retried with the token: one image); after DescribeImages a retryable MalformedReply", async () => {
    h = await makeSimHarness(mounting);
    const img = image();
    h.sim.faults.garbageNext('CopyImage');
    const handle = await h.imageCopier().copy(request(img.id, { clientToken: 'garbage-reply' }));
    const copies = [...h.sim.state.images.images.values()].filter((i) => i.copy?.sourceImageId === img.id);
    expect(copies.map((i) => i.id)).toEqual([handle.imageId]);
    expect(handle.reused).toBe(true);
    h.sim.faults.garbageNext('DescribeImages');
    const err = await h
      .imageCopier({ retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } })
      .status([handle])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROVIDER_ERROR', providerCode: 'MalformedReply', retryable: true });
  });

  it('status of many image copies in one region: one DescribeImages; the queue beyond five reads pending (Waiting)', async () => {
    h = await makeSimHarness(mounting);
    const copier = h.imageCopier();
    const handles = [];
    for (let i = 0; i < 7; i++) handles.push(await copier.copy(request(image().id)));
    const before = calls('DescribeImages');
    const statuses = await copier.status(handles);
    expect(calls('DescribeImages') - before).toBe(1);
    expect(statuses.map((s) => s.state)).toEqual(Array(7).fill('pending'));
    expect(statuses.filter((s) => s.rawState === 'Waiting')).toHaveLength(2);
  });
});
