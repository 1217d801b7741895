// Plans against what the simulated clouds do, one row per rule of "exact plans": each row
// builds its world (earlier copies made through the copier itself), plans, copies, waits,
// and judges the plan by the simulator's own outcome and billing ledger, never by the
// adapter's word. Refused rows must send no copy call and create nothing.
import type { CopyPlan, CopyRequestInput, SnapshotCopier } from '@snapcopy/core';
import { KEY_NOT_ACCESSIBLE, type SimWorld } from '@snapcopy/testkit';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALI, AWS, copyAndWait, type PlanWorld, planWorld } from './plan-worlds.js';

type Expected =
  | { readonly refused: 'ENCRYPTION_RULE'; readonly rule: string }
  | {
      readonly transfer: CopyPlan['transfer'];
      readonly sizeBasis: CopyPlan['sizeBasis'];
      readonly measured?: 'changed-blocks' | 'upper-bound';
      /** How the copy ends in the cloud. Default `completed`. */
      readonly ends?: 'completed' | 'failed';
      /** A phrase the plan's reasons must contain. */
      readonly says?: RegExp;
    };

interface Row {
  readonly cloud: 'aws' | 'alibaba';
  /** The rule, as the adapter's rules table names it. */
  readonly rule: string;
  /** The public document it comes from. */
  readonly doc: string;
  /** Builds the world; returns the request to plan and the copier to plan it with. */
  readonly setup: (w: PlanWorld) => Promise<{ request: CopyRequestInput; copier?: SnapshotCopier }>;
  readonly expect: Expected;
}

const EBS_COPY = 'EBS User Guide, Copy an Amazon EBS snapshot';
const KMS_IDS = 'KMS developer guide, Key identifiers';
const KMS_STATES = 'KMS developer guide, Key states of AWS KMS keys';
const COPY_API = 'EC2 API reference, CopySnapshot';
const ECS_COPY = 'ECS user guide, Copy a snapshot (billing)';
const ALI_KMS = 'KMS API reference, DescribeKey';

const toWest = (snapshotId: string, over: Partial<CopyRequestInput> = {}): CopyRequestInput => ({
  source: { region: AWS.east, snapshotId },
  destination: { region: AWS.west },
  ...over,
});
const toShanghai = (snapshotId: string, over: Partial<CopyRequestInput> = {}): CopyRequestInput => ({
  source: { region: ALI.hangzhou, snapshotId },
  destination: { region: ALI.shanghai },
  ...over,
});
const encryptedWith = (kmsKeyId: string) => ({ encryption: { encrypted: true, kmsKeyId } });

/** An AWS volume in us-east-1 with `n` snapshots: the first 20 GiB, each later one 3 GiB changed. */
function awsVolume(w: PlanWorld, n: number, over: { encrypted?: boolean; kmsKeyId?: string } = {}) {
  const first = w.ec2.addSnapshot({
    account: AWS.caller,
    region: AWS.east,
    volumeSizeGiB: 40,
    sizeGiB: 20,
    ...over,
  });
  const rest = Array.from({ length: n - 1 }, () =>
    w.ec2.addSnapshot({
      account: AWS.caller,
      region: AWS.east,
      volumeId: first.volumeId,
      sizeGiB: 20,
      changedGiB: 3,
    }),
  );
  return [first, ...rest].map((s) => s.id);
}

/** An Alibaba disk in cn-hangzhou with `n` snapshots: 12 GiB of data on 40 GiB, 2 GiB changed each. */
function aliDisk(w: PlanWorld, n: number) {
  const first = w.ecs.addSnapshot({ account: ALI.me, region: ALI.hangzhou, diskSizeGiB: 40, sizeGiB: 12 });
  const rest = Array.from({ length: n - 1 }, () =>
    w.ecs.addSnapshot({
      account: ALI.me,
      region: ALI.hangzhou,
      diskId: first.volumeId,
      sizeGiB: 12,
      changedGiB: 2,
    }),
  );
  return [first, ...rest].map((s) => s.id);
}

const westKey = (w: PlanWorld, aliases: string[], over: Record<string, unknown> = {}) =>
  w.ec2.addKey({ account: AWS.caller, region: AWS.west, aliases, ...over });
const shanghaiKey = (w: PlanWorld, alias: string, over: Record<string, unknown> = {}) =>
  w.ecs.addKey({ account: ALI.me, region: ALI.shanghai, alias, ...over });

const ROWS: Row[] = [
  // ---- AWS: the most recent copy decides (EBS User Guide, incremental snapshot copying) ----
  {
    cloud: 'aws',
    rule: 'the most recent copy still exists → incremental, the changed blocks counted exactly',
    doc: `${EBS_COPY}; EBS direct APIs reference, ListChangedBlocks`,
    setup: async (w) => {
      const [s1, s2] = awsVolume(w, 2);
      await copyAndWait(w.aws, toWest(s1!));
      return { request: toWest(s2!) };
    },
    expect: { transfer: 'incremental', sizeBasis: 'delta', measured: 'changed-blocks', says: /6144 blocks/ },
  },
  {
    cloud: 'aws',
    rule: 'the most recent copy was deleted, an older one still there → full',
    doc: EBS_COPY,
    setup: async (w) => {
      const [s1, s2, s3] = awsVolume(w, 3);
      await copyAndWait(w.aws, toWest(s1!));
      const recent = await copyAndWait(w.aws, toWest(s2!));
      await w.aws.cancel(recent, { force: true });
      return { request: toWest(s3!) };
    },
    expect: { transfer: 'full', sizeBasis: 'snapshot', says: /was deleted/ },
  },
  {
    cloud: 'aws',
    rule: 'the most recent copy still pending → incremental on it (the copy waits for it)',
    doc: EBS_COPY,
    setup: async (w) => {
      const [s1, s2, s3] = awsVolume(w, 3);
      await copyAndWait(w.aws, toWest(s1!));
      await w.aws.copy(toWest(s2!));
      return { request: toWest(s3!) };
    },
    expect: {
      transfer: 'incremental',
      sizeBasis: 'delta',
      measured: 'changed-blocks',
      says: /still pending/,
    },
  },
  {
    cloud: 'aws',
    rule: 'copies under mixed keys → full',
    doc: EBS_COPY,
    setup: async (w) => {
      westKey(w, ['key-a']);
      westKey(w, ['key-b']);
      const [s1, s2, s3] = awsVolume(w, 3);
      await copyAndWait(w.aws, toWest(s1!, encryptedWith('alias/key-a')));
      await copyAndWait(w.aws, toWest(s2!, encryptedWith('alias/key-b')));
      return { request: toWest(s3!, encryptedWith('alias/key-b')) };
    },
    expect: { transfer: 'full', sizeBasis: 'snapshot', says: /share one key/ },
  },
  {
    cloud: 'aws',
    rule: 'every earlier copy under the same key, named another way → incremental',
    doc: `${EBS_COPY}; ${KMS_IDS}`,
    setup: async (w) => {
      const key = westKey(w, ['key-a']);
      const [s1, s2] = awsVolume(w, 2);
      await copyAndWait(w.aws, toWest(s1!, encryptedWith('alias/key-a')));
      return { request: toWest(s2!, encryptedWith(key.arn)) };
    },
    expect: { transfer: 'incremental', sizeBasis: 'delta', measured: 'changed-blocks' },
  },
  {
    cloud: 'aws',
    rule: 'the most recent copy is archived → full',
    doc: EBS_COPY,
    setup: async (w) => {
      const [s1, s2] = awsVolume(w, 2);
      const first = await copyAndWait(w.aws, toWest(s1!));
      w.ec2.world.snapshots.get(first.snapshotId)!.category = 'archive';
      return { request: toWest(s2!) };
    },
    expect: { transfer: 'full', sizeBasis: 'snapshot', says: /archive tier/ },
  },
  // ---- AWS: one key, whatever you call it (KMS key identifiers) ----
  {
    cloud: 'aws',
    rule: "same region, the source's own key named by alias → no data copied, free",
    doc: `${EBS_COPY}; ${KMS_IDS}`,
    setup: async (w) => {
      const key = w.ec2.addKey({ account: AWS.caller, region: AWS.east, aliases: ['app'] });
      const [s1] = awsVolume(w, 1, { encrypted: true, kmsKeyId: key.arn });
      return {
        request: {
          source: { region: AWS.east, snapshotId: s1! },
          destination: { region: AWS.east },
          ...encryptedWith('alias/app'),
        },
      };
    },
    expect: { transfer: 'none', sizeBasis: 'none' },
  },
  {
    cloud: 'aws',
    rule: "same region, the source's own key named by alias ARN → no data copied",
    doc: `${EBS_COPY}; ${KMS_IDS}`,
    setup: async (w) => {
      const key = w.ec2.addKey({ account: AWS.caller, region: AWS.east, aliases: ['app'] });
      const [s1] = awsVolume(w, 1, { encrypted: true, kmsKeyId: key.arn });
      const aliasArn = `arn:aws:kms:${AWS.east}:${AWS.caller}:alias/app`;
      return {
        request: {
          source: { region: AWS.east, snapshotId: s1! },
          destination: { region: AWS.east },
          ...encryptedWith(aliasArn),
        },
      };
    },
    expect: { transfer: 'none', sizeBasis: 'none' },
  },
  // ---- AWS: what AWS only reports an hour later, caught in the plan ----
  {
    cloud: 'aws',
    rule: 'no such key → ENCRYPTION_RULE before anything is created',
    doc: `${COPY_API}; KMS API reference, DescribeKey`,
    setup: async (w) => ({ request: toWest(awsVolume(w, 1)[0]!, encryptedWith('alias/missing')) }),
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-exists' },
  },
  {
    cloud: 'aws',
    rule: 'a disabled key → ENCRYPTION_RULE',
    doc: KMS_STATES,
    setup: async (w) => {
      westKey(w, ['off'], { state: 'Disabled' });
      return { request: toWest(awsVolume(w, 1)[0]!, encryptedWith('alias/off')) };
    },
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-enabled' },
  },
  {
    cloud: 'aws',
    rule: 'a key pending deletion → ENCRYPTION_RULE',
    doc: KMS_STATES,
    setup: async (w) => {
      westKey(w, ['going'], { state: 'PendingDeletion' });
      return { request: toWest(awsVolume(w, 1)[0]!, encryptedWith('alias/going')) };
    },
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-enabled' },
  },
  {
    cloud: 'aws',
    rule: 'a key ARN whose region is not the destination → ENCRYPTION_RULE',
    doc: `${EBS_COPY}; ${KMS_IDS}`,
    setup: async (w) => {
      const east = w.ec2.addKey({ account: AWS.caller, region: AWS.east, aliases: ['east'] });
      return { request: toWest(awsVolume(w, 1)[0]!, encryptedWith(east.arn)) };
    },
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-in-region' },
  },
  {
    cloud: 'aws',
    rule: "another account's key not shared with this account → ENCRYPTION_RULE",
    doc: 'KMS developer guide, Allowing users in other accounts to use a KMS key',
    setup: async (w) => {
      const theirs = w.ec2.addKey({ account: AWS.owner, region: AWS.west, aliases: ['theirs'] });
      return { request: toWest(awsVolume(w, 1)[0]!, encryptedWith(theirs.arn)) };
    },
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-usable-by-account' },
  },
  {
    cloud: 'aws',
    rule: "another account's key shared with this account → the copy uses it, full",
    doc: 'KMS developer guide, Allowing users in other accounts to use a KMS key',
    setup: async (w) => {
      const theirs = w.ec2.addKey({
        account: AWS.owner,
        region: AWS.west,
        aliases: ['theirs'],
        usableBy: [AWS.caller],
      });
      return { request: toWest(awsVolume(w, 1)[0]!, encryptedWith(theirs.arn)) };
    },
    expect: { transfer: 'full', sizeBasis: 'snapshot' },
  },
  {
    cloud: 'aws',
    rule: 'KMS cannot be read (no permission) → the plan says so and falls back; the copy goes ahead',
    doc: 'IAM User Guide, Troubleshoot access denied error messages',
    setup: async (w) => {
      westKey(w, ['dr']);
      const denied = await w.kmsDenied();
      return { request: toWest(awsVolume(w, 1)[0]!, encryptedWith('alias/dr')), copier: denied.aws };
    },
    expect: { transfer: 'full', sizeBasis: 'snapshot', says: /KMS could not be read/ },
  },
  {
    cloud: 'aws',
    rule: 'a key whose policy keeps EBS out looks normal in KMS → planned, fails after it started',
    doc: `${COPY_API} (a bad key fails the copy asynchronously)`,
    setup: async (w) => {
      westKey(w, ['revoked'], { accessible: false });
      return { request: toWest(awsVolume(w, 1)[0]!, encryptedWith('alias/revoked')) };
    },
    expect: { transfer: 'full', sizeBasis: 'snapshot', ends: 'failed', says: /after it has started/ },
  },
  // ---- AWS: the remaining places a plan could disagree with the outcome ----
  {
    cloud: 'aws',
    rule: 'encryption by default on in the destination → encrypted under the default key, full',
    doc: 'EBS User Guide, Amazon EBS encryption (encryption by default)',
    setup: async (w) => {
      w.ec2.setEncryptionByDefault(AWS.caller, AWS.west, true);
      return { request: toWest(awsVolume(w, 1)[0]!) };
    },
    expect: { transfer: 'full', sizeBasis: 'snapshot', says: /encryption by default is on/ },
  },
  {
    cloud: 'aws',
    rule: 'a shared snapshot under a key shared with you → your default key, full',
    doc: `${COPY_API} (permissions for the KMS key of a shared snapshot)`,
    setup: async (w) => {
      const key = w.ec2.addKey({
        account: AWS.owner,
        region: AWS.east,
        aliases: ['owner'],
        usableBy: [AWS.caller],
      });
      const s = w.ec2.addSnapshot({
        account: AWS.owner,
        region: AWS.east,
        sizeGiB: 16,
        encrypted: true,
        kmsKeyId: key.arn,
      });
      w.ec2.shareSnapshot(s.id, AWS.caller);
      return { request: toWest(s.id) };
    },
    expect: { transfer: 'full', sizeBasis: 'snapshot', says: /shared with you/ },
  },
  {
    cloud: 'aws',
    rule: 'a shared snapshot under a key not shared with you → ENCRYPTION_RULE',
    doc: `${COPY_API} (permissions for the KMS key of a shared snapshot)`,
    setup: async (w) => {
      const key = w.ec2.addKey({ account: AWS.owner, region: AWS.east, aliases: ['owner'] });
      const s = w.ec2.addSnapshot({
        account: AWS.owner,
        region: AWS.east,
        sizeGiB: 16,
        encrypted: true,
        kmsKeyId: key.arn,
      });
      w.ec2.shareSnapshot(s.id, AWS.caller);
      return { request: toWest(s.id) };
    },
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-usable-by-account' },
  },
  // ---- Alibaba ----
  {
    cloud: 'alibaba',
    rule: 'one key whatever its name: an earlier copy by alias, this one by key ARN → incremental, upper bound',
    doc: `${ECS_COPY}; ${ALI_KMS}`,
    setup: async (w) => {
      const key = shanghaiKey(w, 'alias/backup');
      const [s1, s2] = aliDisk(w, 2);
      await copyAndWait(w.alibaba, toShanghai(s1!, encryptedWith('alias/backup')));
      return { request: toShanghai(s2!, encryptedWith(`acs:kms:${ALI.shanghai}:${ALI.me}:key/${key.id}`)) };
    },
    expect: { transfer: 'incremental', sizeBasis: 'delta', measured: 'upper-bound', says: /upper bound/ },
  },
  {
    cloud: 'alibaba',
    rule: 'first encrypted copy of an unencrypted snapshot → full, on the disk size',
    doc: ECS_COPY,
    setup: async (w) => ({ request: toShanghai(aliDisk(w, 1)[0]!, { encryption: { encrypted: true } }) }),
    expect: { transfer: 'full', sizeBasis: 'disk' },
  },
  {
    cloud: 'alibaba',
    rule: 'the service key, named or not, after an earlier copy under it → incremental',
    doc: ECS_COPY,
    setup: async (w) => {
      const [s1, s2] = aliDisk(w, 2);
      await copyAndWait(w.alibaba, toShanghai(s1!, { encryption: { encrypted: true } }));
      return { request: toShanghai(s2!, encryptedWith('alias/acs/ecs')) };
    },
    expect: { transfer: 'incremental', sizeBasis: 'delta', measured: 'upper-bound' },
  },
  {
    cloud: 'alibaba',
    rule: 'a key change after an encrypted copy → a new full copy',
    doc: ECS_COPY,
    setup: async (w) => {
      shanghaiKey(w, 'alias/a');
      shanghaiKey(w, 'alias/b');
      const [s1, s2] = aliDisk(w, 2);
      await copyAndWait(w.alibaba, toShanghai(s1!, encryptedWith('alias/a')));
      return { request: toShanghai(s2!, encryptedWith('alias/b')) };
    },
    expect: { transfer: 'full', sizeBasis: 'disk', says: /key change/ },
  },
  {
    cloud: 'alibaba',
    rule: 'a key change back to a key used before → full again',
    doc: ECS_COPY,
    setup: async (w) => {
      shanghaiKey(w, 'alias/a');
      shanghaiKey(w, 'alias/b');
      const [s1, s2, s3] = aliDisk(w, 3);
      await copyAndWait(w.alibaba, toShanghai(s1!, encryptedWith('alias/a')));
      await copyAndWait(w.alibaba, toShanghai(s2!, encryptedWith('alias/b')));
      return { request: toShanghai(s3!, encryptedWith('alias/a')) };
    },
    expect: { transfer: 'full', sizeBasis: 'disk' },
  },
  {
    cloud: 'alibaba',
    rule: 'a later standard copy to the same region → incremental, the snapshot size as upper bound',
    doc: ECS_COPY,
    setup: async (w) => {
      const [s1, s2] = aliDisk(w, 2);
      await copyAndWait(w.alibaba, toShanghai(s1!));
      return { request: toShanghai(s2!) };
    },
    expect: { transfer: 'incremental', sizeBasis: 'delta', measured: 'upper-bound' },
  },
  {
    cloud: 'alibaba',
    rule: 'no such key → ENCRYPTION_RULE before anything is sent',
    doc: `${ALI_KMS}; ECS CopySnapshot error codes`,
    setup: async (w) => ({ request: toShanghai(aliDisk(w, 1)[0]!, encryptedWith('alias/missing')) }),
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-exists' },
  },
  {
    cloud: 'alibaba',
    rule: 'a disabled key → ENCRYPTION_RULE',
    doc: 'KMS, Impact of CMK status on API operations',
    setup: async (w) => {
      shanghaiKey(w, 'alias/off', { state: 'Disabled' });
      return { request: toShanghai(aliDisk(w, 1)[0]!, encryptedWith('alias/off')) };
    },
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-enabled' },
  },
  {
    cloud: 'alibaba',
    rule: 'a key pending deletion → ENCRYPTION_RULE',
    doc: 'KMS, Impact of CMK status on API operations',
    setup: async (w) => {
      shanghaiKey(w, 'alias/going', { state: 'PendingDeletion' });
      return { request: toShanghai(aliDisk(w, 1)[0]!, encryptedWith('alias/going')) };
    },
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-enabled' },
  },
  {
    cloud: 'alibaba',
    rule: 'a key ARN of another region than the destination → ENCRYPTION_RULE',
    doc: ECS_COPY,
    setup: async (w) => {
      const hz = w.ecs.addKey({ account: ALI.me, region: ALI.hangzhou, alias: 'alias/hz' });
      return {
        request: toShanghai(
          aliDisk(w, 1)[0]!,
          encryptedWith(`acs:kms:${ALI.hangzhou}:${ALI.me}:key/${hz.id}`),
        ),
      };
    },
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-in-destination-region' },
  },
  {
    cloud: 'alibaba',
    rule: "another account's key that does not let this account in → ENCRYPTION_RULE",
    doc: ALI_KMS,
    setup: async (w) => {
      const theirs = w.ecs.addKey({ account: ALI.partner, region: ALI.shanghai, alias: 'alias/theirs' });
      return {
        request: toShanghai(
          aliDisk(w, 1)[0]!,
          encryptedWith(`acs:kms:${ALI.shanghai}:${ALI.partner}:key/${theirs.id}`),
        ),
      };
    },
    expect: { refused: 'ENCRYPTION_RULE', rule: 'key-usable-by-account' },
  },
  {
    cloud: 'alibaba',
    rule: "another account's key that lets this account in → the copy uses it",
    doc: ALI_KMS,
    setup: async (w) => {
      const theirs = w.ecs.addKey({
        account: ALI.partner,
        region: ALI.shanghai,
        alias: 'alias/theirs',
        usableBy: [ALI.me],
      });
      return {
        request: toShanghai(
          aliDisk(w, 1)[0]!,
          encryptedWith(`acs:kms:${ALI.shanghai}:${ALI.partner}:key/${theirs.id}`),
        ),
      };
    },
    expect: { transfer: 'full', sizeBasis: 'disk' },
  },
  {
    cloud: 'alibaba',
    rule: 'KMS cannot be read (no permission) → the plan says so and falls back; ECS checks the key',
    doc: 'KMS public error codes (Forbidden.NoPermission)',
    setup: async (w) => {
      shanghaiKey(w, 'alias/backup');
      const denied = await w.kmsDenied();
      return {
        request: toShanghai(aliDisk(w, 1)[0]!, encryptedWith('alias/backup')),
        copier: denied.alibaba,
      };
    },
    expect: { transfer: 'full', sizeBasis: 'disk', says: /KMS could not be read/ },
  },
];

let w: PlanWorld;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => {
  nock.enableNetConnect();
});
beforeEach(async () => {
  w = await planWorld();
});
afterEach(async () => {
  await w.close();
});

const worldOf = (row: Row): SimWorld => (row.cloud === 'aws' ? w.ec2.world : w.ecs.world);

describe('plans against the cloud’s own outcome and ledger', () => {
  it.each(ROWS.map((r) => [`${r.cloud}: ${r.rule} [${r.doc}]`, r] as const))('%s', async (_name, row) => {
    const { request, copier: given } = await row.setup(w);
    const copier = given ?? (row.cloud === 'aws' ? w.aws : w.alibaba);
    const world = worldOf(row);
    const requestsBefore = world.requests.size;
    const snapshotsBefore = world.snapshots.size;
    const ledgerBefore = world.ledger.entries().length;

    if ('refused' in row.expect) {
      const planned = await copier.plan(request).catch((e: unknown) => e);
      expect(planned).toMatchObject({
        code: row.expect.refused,
        details: { scope: 'request', rule: row.expect.rule },
      });
      await expect(copier.copy(request)).rejects.toMatchObject({ code: row.expect.refused });
      // Caught before the cloud was asked to copy: nothing sent, nothing made, nothing billed.
      expect(world.requests.count('CopySnapshot', requestsBefore)).toBe(0);
      expect(world.snapshots.size).toBe(snapshotsBefore);
      expect(world.ledger.entries()).toHaveLength(ledgerBefore);
      return;
    }

    const plan = await copier.plan(request);
    expect({ transfer: plan.transfer, sizeBasis: plan.sizeBasis, measured: plan.delta?.measured }).toEqual({
      transfer: row.expect.transfer,
      sizeBasis: row.expect.sizeBasis,
      measured: row.expect.measured,
    });
    if (row.expect.says) expect(plan.reasons.join('\n')).toMatch(row.expect.says);
    const handle = await copier.copy(request, { plan });
    const final = await copier.wait(handle, {
      minDelayMs: 30_000,
      maxDelayMs: 120_000,
      timeoutMs: 7 * 86_400_000,
    });
    const copy = world.snapshots.get(handle.snapshotId);

    // The cloud's own outcome.
    const ends = row.expect.ends ?? 'completed';
    expect(final.state).toBe(ends);
    if (ends === 'failed') {
      expect(copy?.stateMessage).toBe(KEY_NOT_ACCESSIBLE);
      expect(world.ledger.forSnapshot(handle.snapshotId)?.settled).toBe('failed');
      return;
    }
    expect(copy?.encrypted).toBe(plan.encryption.encrypted);
    if (plan.encryption.key?.checkedBy === 'kms' && plan.encryption.key.keyArn !== undefined) {
      // One key, whatever it was called: the copy carries the key KMS resolved for the plan.
      expect(copy?.kmsKeyId).toBe(row.cloud === 'aws' ? plan.encryption.kmsKeyId : plan.encryption.key.keyId);
    }

    // The cloud's own bill.
    const billed = world.ledger.forSnapshot(handle.snapshotId);
    expect(billed).toBeDefined();
    expect({ transfer: billed!.transfer, sizeBasis: billed!.sizeBasis }).toEqual({
      transfer: plan.transfer,
      sizeBasis: plan.sizeBasis,
    });
    if (plan.delta?.measured === 'upper-bound') {
      // Billed on the delta, which the plan states as a ceiling it will not exceed.
      expect(billed!.transferGiB).toBeLessThanOrEqual(plan.billableGiB.transfer);
      expect(billed!.storageGiB).toBeLessThanOrEqual(plan.billableGiB.storage);
      expect(billed!.storageGiB).toBeGreaterThan(0);
    } else {
      expect({ transfer: billed!.transferGiB, storage: billed!.storageGiB }).toEqual({
        transfer: plan.billableGiB.transfer,
        storage: plan.billableGiB.storage,
      });
    }
  });

  it('every rule table row of the issue has a row here, on both clouds', () => {
    const names = ROWS.map((r) => `${r.cloud}: ${r.rule}`).join('\n');
    for (const phrase of [
      /aws: the most recent copy was deleted, an older one still there/,
      /aws: the most recent copy still pending/,
      /aws: copies under mixed keys/,
      /aws: same region, the source's own key named by alias/,
      /aws: a disabled key/,
      /aws: a key pending deletion/,
      /aws: a key ARN whose region is not the destination/,
      /aws: another account's key not shared/,
      /aws: KMS cannot be read/,
      /aws: encryption by default on in the destination/,
      /aws: a shared snapshot under a key shared with you/,
      /alibaba: one key whatever its name/,
      /alibaba: a key change after an encrypted copy/,
      /alibaba: KMS cannot be read/,
    ]) {
      expect(names).toMatch(phrase);
    }
  });
});
