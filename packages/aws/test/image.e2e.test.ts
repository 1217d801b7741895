// AMI copies end to end against the EC2 simulator (testkit) over 127.0.0.1, through the real
// SDK: every plan is checked against what the simulated cloud then did and billed, read from
// its own state, never from the adapter's word.
import { type ImageCopyPlan, is, type RetryPolicy } from '@snapcopy/core';
import { Ec2Simulator, lookUpAwsKmsKey, type SimServer, VirtualClock } from '@snapcopy/testkit';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsEc2ImageCopier, createAwsEbsCopier, createAwsImageCopier } from '../src/index.js';

const CALLER = '111122223333';
const OWNER = '444455556666';
const EAST = 'us-east-1';
const WEST = 'us-west-2';
const FAST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

interface World {
  clock: VirtualClock;
  sim: Ec2Simulator;
  server: SimServer;
  copier: AwsEc2ImageCopier;
  make: (options?: { imageCopyLimit?: number }) => AwsEc2ImageCopier;
  copiers: AwsEc2ImageCopier[];
}

let w: World;

async function world(options: { imageCopyLimitPerRegion?: number } = {}): Promise<World> {
  const clock = new VirtualClock();
  const sim = new Ec2Simulator({ clock, throttling: false, ...options });
  sim.addRegions(EAST, WEST);
  sim.addAccount({
    id: CALLER,
    accessKeyId: 'AKIAIMAGECALLER00001',
    secretAccessKey: 'image-caller-secret-01',
  });
  sim.addAccount({
    id: OWNER,
    accessKeyId: 'AKIAIMAGEOWNER000002',
    secretAccessKey: 'image-owner-secret-002',
  });
  sim.addKey({ account: CALLER, region: WEST, aliases: ['alias/dr-backup'] });
  sim.addKey({ account: CALLER, region: EAST, aliases: ['alias/source'] });
  sim.addKey({ account: OWNER, region: EAST, aliases: ['alias/partner'], usableBy: [CALLER] });
  const server = await sim.listen();
  const copiers: AwsEc2ImageCopier[] = [];
  const make = () => {
    const c = createAwsImageCopier({
      credentials: sim.credentials(CALLER),
      endpoint: server.url,
      clock,
      retry: FAST_RETRY,
    });
    copiers.push(c);
    return c;
  };
  return { clock, sim, server, copier: make(), make, copiers };
}

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  w = await world();
});

afterEach(async () => {
  for (const c of w.copiers) c.destroy();
  await w.server.close();
  nock.enableNetConnect();
});

/** An AMI of `account` in us-east-1 over one unencrypted root and one encrypted data snapshot. */
function ami(account = CALLER, over: Partial<Parameters<Ec2Simulator['addImage']>[0]> = {}) {
  const root = w.sim.addSnapshot({ account, region: EAST, sizeGiB: 6, volumeSizeGiB: 8 });
  const data = w.sim.addSnapshot({
    account,
    region: EAST,
    sizeGiB: 30,
    volumeSizeGiB: 50,
    encrypted: true,
    kmsKeyId: account === CALLER ? 'alias/source' : 'alias/partner',
  });
  const image = w.sim.addImage({
    account,
    region: EAST,
    name: `web-${root.id}`,
    snapshotIds: [root.id, data.id],
    ...over,
  });
  return { image, root, data };
}

const request = (imageId: string, over: Record<string, unknown> = {}) => ({
  source: { region: EAST, imageId },
  destination: { region: WEST },
  ...over,
});

/** Requests the simulator received, by operation. */
const calls = (operation: string) => w.sim.world.requests.count(operation);

/** Advances the virtual clock until the AMI settles (bounded). */
async function settle(imageId: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const state = w.sim.image(imageId)?.state;
    if (state !== 'pending') return state ?? 'gone';
    await w.clock.advance(60_000);
  }
  throw new Error(`${imageId} still pending`);
}

/** The backing snapshot copies of an AMI in the simulator, in device order. */
const backing = (imageId: string) =>
  (w.sim.image(imageId)?.blockDevices ?? []).flatMap((d) =>
    d.snapshotId ? [w.sim.snapshot(d.snapshotId)!] : [],
  );

/** Plan against the cloud: each backing snapshot copy has the planned encryption, key and bill. */
function expectPlanMatchesCloud(
  plan: ImageCopyPlan,
  imageId: string,
  keyArn: (ref: string) => string | undefined,
) {
  const copies = backing(imageId);
  expect(copies).toHaveLength(plan.snapshots.length);
  plan.snapshots.forEach((p, i) => {
    const copy = copies[i]!;
    expect(copy.copy?.sourceSnapshotId).toBe(p.source.snapshotId);
    expect(copy.encrypted).toBe(p.encryption.encrypted);
    if (p.encryption.encrypted) expect(copy.kmsKeyId).toBe(keyArn(p.encryption.kmsKeyId!));
    const bill = w.sim.world.ledger.forSnapshot(copy.id)!;
    expect(bill.transfer).toBe(p.transfer);
    if (p.transfer === 'incremental') {
      expect(bill.transferGiB).toBeLessThanOrEqual(p.billableGiB.transfer);
      expect(bill.storageGiB).toBeLessThanOrEqual(p.billableGiB.storage);
    } else {
      expect(bill.transferGiB).toBe(p.billableGiB.transfer);
      expect(bill.storageGiB).toBe(p.billableGiB.storage);
    }
  });
}

/** The ARN of the key a reference names for the caller in a region, as the simulated KMS resolves it. */
const keyArnOf = (ref: string, region = WEST): string | undefined => {
  const found = lookUpAwsKmsKey(w.sim.world, ref, CALLER, region);
  return found.kind === 'found' ? found.key.arn : undefined;
};

describe('AMI copies against the EC2 simulator: plan against outcome', () => {
  it('encrypts the unencrypted backing snapshot and re-encrypts the encrypted one under a customer key; the bill is the plan', async () => {
    const { image, root, data } = ami();
    const req = request(image.id, {
      encryption: { encrypted: true, kmsKeyId: 'alias/dr-backup' },
      tags: { team: 'dr' },
    });
    const plan = await w.copier.plan(req);
    expect(plan.snapshots.map((s) => [s.source.snapshotId, s.transfer, s.encryption.keySource])).toEqual([
      [root.id, 'full', 'given-key'],
      [data.id, 'full', 'given-key'],
    ]);
    expect(plan.billableGiB).toEqual({ transfer: 36, storage: 36, timeBased: 0 });
    const handle = await w.copier.copy(req, { plan });
    expect(calls('CopyImage')).toBe(1);
    expect(w.sim.image(handle.imageId)?.tags.get('snapcopy:client-token')).toBe(handle.clientToken);
    const final = await w.copier.wait(handle, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    expect(final.state).toBe('completed');
    expect(await settle(handle.imageId)).toBe('available');
    expectPlanMatchesCloud(plan, handle.imageId, (ref) => keyArnOf(ref));
    expect(w.sim.image(handle.imageId)?.tags.get('team')).toBe('dr');
  });

  it('a second copy of the same AMI is planned incremental per snapshot, as the cloud bills it', async () => {
    const { image } = ami();
    const first = await w.copier.copy(request(image.id, { clientToken: 'first-copy' }));
    await w.copier.wait(first, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    const req = request(image.id, { clientToken: 'second-copy' });
    const plan = await w.copier.plan(req);
    expect(plan.snapshots.map((s) => s.transfer)).toEqual(['incremental', 'incremental']);
    const second = await w.copier.copy(req, { plan });
    await w.copier.wait(second, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    expectPlanMatchesCloud(plan, second.imageId, (ref) => keyArnOf(ref));
  });

  it('encryption by default in the destination: the unencrypted snapshot gets the default key, as planned', async () => {
    w.sim.world.setEncryptionByDefault(CALLER, WEST, true);
    const { image } = ami();
    const plan = await w.copier.plan(request(image.id));
    expect(plan.snapshots[0]!.encryption).toMatchObject({ encrypted: true, keySource: 'default-key' });
    const handle = await w.copier.copy(request(image.id), { plan });
    await w.copier.wait(handle, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    const copies = backing(handle.imageId);
    expect(copies.every((c) => c.encrypted)).toBe(true);
    expect(copies[0]!.kmsKeyId).toBe(keyArnOf(plan.snapshots[0]!.encryption.kmsKeyId!));
  });

  it('copySourceTags carries the own tags but aws: ones; snapshot tags reach every backing snapshot', async () => {
    const { image } = ami(CALLER, { tags: { team: 'web', 'aws:cloudformation:stack-name': 's' } });
    const req = request(image.id, { copySourceTags: true, snapshotTags: { backup: 'nightly' } });
    const plan = await w.copier.plan(req);
    expect(plan.tags.carriedFromSource).toEqual(['team']);
    const handle = await w.copier.copy(req, { plan });
    const made = w.sim.image(handle.imageId)!;
    expect(Object.fromEntries(made.tags)).toEqual(plan.tags.image);
    for (const s of backing(handle.imageId)) expect(Object.fromEntries(s.tags)).toEqual(plan.tags.snapshots);
  });

  it('a time-based copy sends the duration; each backing snapshot is one time-based copy, billed as planned', async () => {
    const { image } = ami();
    const req = request(image.id, { completionDurationMinutes: 60 });
    const plan = await w.copier.plan(req);
    expect(plan.timeBased).toMatchObject({ completionDurationMinutes: 60, snapshotCopies: 2 });
    const handle = await w.copier.copy(req, { plan });
    await w.copier.wait(handle, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    for (const s of backing(handle.imageId)) {
      expect(s.copy?.completionDurationMinutes).toBe(60);
      expect(w.sim.world.ledger.forSnapshot(s.id)?.timeBasedGiB).toBe(s.sizeGiB);
    }
    expect(plan.billableGiB.timeBased).toBe(36);
  });
});

describe('AMI copies against the EC2 simulator: the exact CopyImage parameters', () => {
  const lastCopyImage = () =>
    w.sim.world.requests
      .entries()
      .filter((e) => e.operation === 'CopyImage')
      .at(-1)!.params;
  const tagsOf = (p: Readonly<Record<string, string>>, n: number) => {
    const out: Record<string, string> = {};
    for (let i = 1; p[`TagSpecification.${n}.Tag.${i}.Key`] !== undefined; i++) {
      out[p[`TagSpecification.${n}.Tag.${i}.Key`]!] = p[`TagSpecification.${n}.Tag.${i}.Value`] ?? '';
    }
    return out;
  };

  it('a customer key: Encrypted and KmsKeyId, the ClientToken, lineage tags on the AMI and the snapshots', async () => {
    const { image } = ami();
    await w.copier.copy(
      request(image.id, {
        encryption: { encrypted: true, kmsKeyId: 'alias/dr-backup' },
        clientToken: 'wire-1',
        name: 'web copy',
        snapshotTags: { backup: 'yes' },
        completionDurationMinutes: 60,
      }),
    );
    const p = lastCopyImage();
    expect(p).toMatchObject({
      SourceRegion: EAST,
      SourceImageId: image.id,
      Name: 'web copy',
      Encrypted: 'true',
      KmsKeyId: 'alias/dr-backup',
      ClientToken: 'wire-1',
      SnapshotCopyCompletionDurationMinutes: '60',
      'TagSpecification.1.ResourceType': 'image',
      'TagSpecification.2.ResourceType': 'snapshot',
    });
    expect(p.CopyImageTags).toBeUndefined();
    expect(tagsOf(p, 1)['snapcopy:client-token']).toBe('wire-1');
    expect(tagsOf(p, 2)).toEqual({
      backup: 'yes',
      'snapcopy:source-image': image.id,
      'snapcopy:source-region': EAST,
    });
  });

  it('no encryption asked: neither Encrypted nor KmsKeyId; a default name derived from the token', async () => {
    const { image } = ami();
    await w.copier.copy(request(image.id, { clientToken: 'wire-2' }));
    const p = lastCopyImage();
    expect(p.Encrypted).toBeUndefined();
    expect(p.KmsKeyId).toBeUndefined();
    expect(p.Name).toMatch(new RegExp(`^snapcopy ${image.id} [0-9a-f]{12}$`));
  });
});

describe("AMI copies against the EC2 simulator: the guide's refusals, before any copy", () => {
  it('a shared AMI whose snapshots are not shared: ACCESS_DENIED in plan, no CopyImage sent', async () => {
    const { image } = ami(OWNER);
    w.sim.shareImage(image.id, CALLER);
    const req = request(image.id, { source: { region: EAST, imageId: image.id, account: OWNER } });
    await expect(w.copier.plan(req)).rejects.toSatisfy((e) => is(e, 'ACCESS_DENIED'));
    await expect(w.copier.copy(req)).rejects.toSatisfy((e) => is(e, 'ACCESS_DENIED'));
    expect(calls('CopyImage')).toBe(0);
  });

  it('a shared AMI with its snapshots shared: a cross-account copy under your default key, as planned', async () => {
    const { image, root, data } = ami(OWNER);
    w.sim.shareImage(image.id, CALLER);
    w.sim.shareSnapshot(root.id, CALLER);
    w.sim.shareSnapshot(data.id, CALLER);
    const req = request(image.id, { source: { region: EAST, imageId: image.id, account: OWNER } });
    const plan = await w.copier.plan(req);
    expect(plan.source.ownership).toBe('shared');
    const handle = await w.copier.copy(req, { plan });
    await w.copier.wait(handle, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    expect(w.sim.image(handle.imageId)?.account).toBe(CALLER);
    expectPlanMatchesCloud(plan, handle.imageId, (ref) => keyArnOf(ref));
  });

  it.each([
    [
      'encrypted to unencrypted (scenario 4)',
      () => request(ami().image.id, { encryption: { encrypted: false } }),
      'ENCRYPTION_RULE',
    ],
    [
      'changing the encryption of an instance store-backed AMI',
      () =>
        request(
          w.sim.addImage({ account: CALLER, region: EAST, name: 'legacy', rootDeviceType: 'instance-store' })
            .id,
          {
            encryption: { encrypted: true },
          },
        ),
      'UNSUPPORTED',
    ],
    [
      'copying from an Outpost',
      () =>
        request(
          ami(CALLER, { outpostArn: 'arn:aws:outposts:us-east-1:111122223333:outpost/op-0123456789abcdef0' })
            .image.id,
        ),
      'UNSUPPORTED',
    ],
  ] as const)('%s is refused in plan, and no CopyImage is sent', async (_name, make, code) => {
    const req = make();
    await expect(w.copier.plan(req)).rejects.toSatisfy((e) => is(e, code));
    await expect(w.copier.copy(req)).rejects.toSatisfy((e) => is(e, code));
    expect(calls('CopyImage')).toBe(0);
  });
});

// Exact AMI plans: each backing snapshot's keys resolved and checked through KMS DescribeKey and
// its changed blocks counted through ListChangedBlocks, as snapshot plans are (AMI copy guide,
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/CopyingAMIs.html; encryption with
// EBS-backed AMIs, https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AMIEncryption.html; KMS
// key states).
describe('AMI copies against the EC2 simulator: exact plans (KMS keys, changed blocks)', () => {
  /** What the simulator holds in the destination: AMIs and snapshots of the caller there. */
  const destinationState = () => ({
    images: w.sim.images().filter((i) => i.region === WEST).length,
    snapshots: [...w.sim.world.snapshots.values()].filter((s) => s.region === WEST).length,
  });

  it('an alias and its key ARN are one key: the plans agree, and a copy by alias makes the next by ARN incremental', async () => {
    const { image } = ami();
    const arn = keyArnOf('alias/dr-backup')!;
    const byAlias = request(image.id, { encryption: { encrypted: true, kmsKeyId: 'alias/dr-backup' } });
    const byArn = request(image.id, { encryption: { encrypted: true, kmsKeyId: arn } });
    const [a, b] = [await w.copier.plan(byAlias), await w.copier.plan(byArn)];
    const view = (p: ImageCopyPlan) =>
      p.snapshots.map((s) => [s.encryption.kmsKeyId, s.encryption.key?.keyArn, s.transfer, s.billableGiB]);
    expect(view(a)).toEqual(view(b));
    expect(a.snapshots.every((s) => s.encryption.kmsKeyId === arn)).toBe(true);
    const first = await w.copier.copy({ ...byAlias, clientToken: 'by-alias' });
    await w.copier.wait(first, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    const next = { ...byArn, clientToken: 'by-arn' };
    const plan = await w.copier.plan(next);
    expect(plan.snapshots.map((s) => s.transfer)).toEqual(['incremental', 'incremental']);
    const second = await w.copier.copy(next, { plan });
    await w.copier.wait(second, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    expectPlanMatchesCloud(plan, second.imageId, (ref) => keyArnOf(ref));
  });

  it.each([
    ['Disabled', { enabled: false }],
    ['PendingDeletion', { state: 'PendingDeletion' as const }],
  ])(
    'a %s key is refused in plan and copy (key-enabled): no CopyImage, no AMI, no snapshot copy',
    async (_state, over) => {
      w.sim.addKey({ account: CALLER, region: WEST, aliases: ['alias/retired'], ...over });
      const { image } = ami();
      const before = destinationState();
      const req = request(image.id, { encryption: { encrypted: true, kmsKeyId: 'alias/retired' } });
      await expect(w.copier.plan(req)).rejects.toMatchObject({
        code: 'ENCRYPTION_RULE',
        details: { rule: 'key-enabled', role: 'copy' },
      });
      await expect(w.copier.copy(req)).rejects.toMatchObject({ code: 'ENCRYPTION_RULE' });
      expect(calls('CopyImage')).toBe(0);
      expect(destinationState()).toEqual(before);
    },
  );

  it('a shared AMI whose encrypted backing snapshot key is not shared with you: key-not-shared, nothing made', async () => {
    const key = w.sim.addKey({ account: OWNER, region: EAST, aliases: ['alias/private'] });
    const root = w.sim.addSnapshot({ account: OWNER, region: EAST, sizeGiB: 6 });
    const data = w.sim.addSnapshot({
      account: OWNER,
      region: EAST,
      sizeGiB: 30,
      encrypted: true,
      kmsKeyId: key.arn,
    });
    const image = w.sim.addImage({
      account: OWNER,
      region: EAST,
      name: 'partner',
      snapshotIds: [root.id, data.id],
    });
    w.sim.shareImage(image.id, CALLER);
    w.sim.shareSnapshot(root.id, CALLER);
    w.sim.shareSnapshot(data.id, CALLER);
    const before = destinationState();
    const req = request(image.id, { source: { region: EAST, imageId: image.id, account: OWNER } });
    await expect(w.copier.plan(req)).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
      details: { rule: 'key-not-shared' },
    });
    await expect(w.copier.copy(req)).rejects.toMatchObject({ details: { rule: 'key-not-shared' } });
    expect(calls('CopyImage')).toBe(0);
    expect(destinationState()).toEqual(before);
  });

  it('a backing snapshot whose volume was copied before is billed on its changed blocks, as the cloud bills it', async () => {
    const first = w.sim.addSnapshot({ account: CALLER, region: EAST, sizeGiB: 20, volumeSizeGiB: 40 });
    const later = w.sim.addSnapshot({
      account: CALLER,
      region: EAST,
      volumeId: first.volumeId,
      sizeGiB: 20,
      changedGiB: 3,
    });
    const snapshots = createAwsEbsCopier({
      credentials: w.sim.credentials(CALLER),
      endpoint: w.server.url,
      clock: w.clock,
      retry: FAST_RETRY,
    });
    try {
      const earlier = await snapshots.copy({
        source: { region: EAST, snapshotId: first.id },
        destination: { region: WEST },
      });
      await snapshots.wait(earlier, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    } finally {
      snapshots.destroy();
    }
    const image = w.sim.addImage({ account: CALLER, region: EAST, name: 'db', snapshotIds: [later.id] });
    const req = request(image.id);
    const blocks0 = calls('ListChangedBlocks');
    const plan = await w.copier.plan(req);
    expect(calls('ListChangedBlocks') - blocks0).toBeGreaterThan(0);
    const s = plan.snapshots[0]!;
    expect(s).toMatchObject({ transfer: 'incremental', sizeBasis: 'delta' });
    expect(s.delta).toMatchObject({ measured: 'changed-blocks', gib: 3, baseSnapshotId: first.id });
    const handle = await w.copier.copy(req, { plan });
    await w.copier.wait(handle, { minDelayMs: 30_000, maxDelayMs: 60_000 });
    const bill = w.sim.world.ledger.forSnapshot(backing(handle.imageId)[0]!.id)!;
    expect(bill).toMatchObject({ transfer: 'incremental', transferGiB: 3, storageGiB: 3 });
    expect(plan.billableGiB).toMatchObject({ transfer: 3, storage: 3 });
  });
});

describe('AMI copies against the EC2 simulator: tracking, cancel, retries, limits', () => {
  it('status of many AMI copies: one DescribeImages per Region, plus one DescribeSnapshots for the pending ones', async () => {
    const handles = [];
    for (let i = 0; i < 5; i++) handles.push(await w.copier.copy(request(ami().image.id)));
    const images0 = calls('DescribeImages');
    const snaps0 = calls('DescribeSnapshots');
    const statuses = await w.copier.status(handles);
    expect(calls('DescribeImages') - images0).toBe(1);
    expect(calls('DescribeSnapshots') - snaps0).toBe(1);
    expect(statuses.map((s) => s.state)).toEqual(Array(5).fill('pending'));
    expect(statuses[0]!.snapshots?.map((s) => s.deviceName)).toEqual(['/dev/xvda', '/dev/sdb']);
  });

  it("a pending AMI's progress is its least advanced backing snapshot copy's (the AMI is ready when the last one is)", async () => {
    const handle = await w.copier.copy(request(ami().image.id));
    await w.clock.advance(20_000);
    const [status] = await w.copier.status([handle]);
    const each = status!.snapshots!.map((s) => s.progress);
    expect(each[0]).toBeGreaterThan(each[1]!);
    expect(status!.progress).toBe(Math.min(...each));
  });

  it('cancel deregisters a pending copy at once; its snapshot copies go when they complete; it reads cancelled', async () => {
    const { image } = ami();
    const handle = await w.copier.copy(request(image.id));
    const result = await w.copier.cancel(handle);
    expect(result).toMatchObject({ takesEffect: 'immediate', snapshots: 'removed-on-completion' });
    expect(w.sim.image(handle.imageId)?.state).toBe('deregistered');
    expect(w.sim.image(handle.imageId)?.tags.get('snapcopy:cancelled')).toBe('true');
    const snapshotIds = backing(handle.imageId).map((s) => s.id);
    expect(snapshotIds.every((id) => w.sim.snapshot(id)?.copy?.deleteRequested)).toBe(true);
    const [status] = await w.make().status([handle]);
    expect(status?.state).toBe('cancelled');
    await w.clock.advance(24 * 3600_000);
    w.sim.image(handle.imageId);
    expect(snapshotIds.filter((id) => w.sim.snapshot(id) !== undefined)).toEqual([]);
    expect(await w.copier.cancel(handle)).toMatchObject({ takesEffect: 'already-gone' });
  });

  it('listCopies finds the AMI copies of a source and of a batch as the simulator holds them, each with its status', async () => {
    const { image } = ami();
    const { image: other } = ami();
    const a = await w.copier.copy(request(image.id, { clientToken: 'ami-list.0' }));
    const b = await w.copier.copy(request(other.id, { clientToken: 'ami-list.1' }));
    await w.clock.advance(20_000);
    const ofSource = [];
    for await (const c of w.copier.listCopies({ region: WEST, sourceId: image.id })) ofSource.push(c);
    expect(ofSource.map((c) => c.ref.imageId)).toEqual([a.imageId]);
    const [status] = await w.copier.status([a]);
    expect(ofSource[0]).toMatchObject({
      ref: { region: WEST, imageId: a.imageId },
      state: status!.state,
      progress: status!.progress,
      clientToken: 'ami-list.0',
      batchId: 'ami-list',
      source: { region: EAST, id: image.id },
    });
    const byBatch: string[] = [];
    for await (const page of w.copier.paginateListCopies({ region: WEST, batchId: 'ami-list' }))
      byBatch.push(...page.copies.map((c) => c.ref.imageId));
    const inSim = w.sim
      .images()
      .filter((i) => i.region === WEST && i.tags.get('snapcopy:client-token')?.startsWith('ami-list.'))
      .map((i) => i.id);
    expect(byBatch.sort()).toEqual(inSim.sort());
    expect(byBatch.sort()).toEqual([a.imageId, b.imageId].sort());
  });

  it('a completed AMI copy is deregistered only with force: without it INVALID_REQUEST, the AMI kept', async () => {
    const handle = await w.copier.copy(request(ami().image.id));
    expect(await settle(handle.imageId)).toBe('available');
    const refused = await w.copier.cancel(handle).catch((e: unknown) => e);
    expect(is(refused, 'INVALID_REQUEST')).toBe(true);
    expect((refused as Error).message).toMatch(/has completed: .*force/);
    expect(w.sim.image(handle.imageId)?.state).toBe('available');
    expect(calls('DeregisterImage')).toBe(0);
    const result = await w.copier.cancel(handle, { force: true });
    expect(result.takesEffect).toBe('immediate');
    expect(w.sim.image(handle.imageId)?.state ?? 'gone').not.toBe('available');
  });

  it('cancel refuses an AMI snapcopy did not make, and deregisters nothing', async () => {
    const { image } = ami();
    await expect(w.copier.cancel({ region: EAST, imageId: image.id })).rejects.toSatisfy((e) =>
      is(e, 'INVALID_REQUEST'),
    );
    expect(calls('DeregisterImage')).toBe(0);
    expect(w.sim.image(image.id)?.state).toBe('available');
  });

  it('a CopyImage reply lost after the copy was made, retried with the same token, makes exactly one AMI', async () => {
    const { image } = ami();
    w.sim.faults.dropResponseNext('CopyImage');
    const handle = await w.copier.copy(request(image.id, { clientToken: 'lost-reply' }));
    expect(calls('CopyImage')).toBe(1);
    const amis = listCopies();
    expect(amis.map((i) => i.id)).toEqual([handle.imageId]);
    expect(handle.reused).toBe(true);
  });

  it('beyond the concurrent AMI copy limit: QUOTA_EXCEEDED (retryable), nothing made', async () => {
    for (const c of w.copiers) c.destroy();
    await w.server.close();
    w = await world({ imageCopyLimitPerRegion: 1 });
    await w.copier.copy(request(ami().image.id));
    const err = await w.copier.copy(request(ami().image.id)).catch((e: unknown) => e);
    expect(is(err, 'QUOTA_EXCEEDED')).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(true);
    expect(listCopies()).toHaveLength(1);
  });
});

/** Every AMI the simulator holds that is a copy. */
const listCopies = () => w.sim.images().filter((i) => i.copy !== undefined);
