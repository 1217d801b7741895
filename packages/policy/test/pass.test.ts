import { MemoryCopyJournal } from '@snapcopy/orchestrator';
import { describe, expect, it } from 'vitest';
import { policyClientToken, runPolicyPass, watchPolicy } from '../src/index.js';
import {
  DAY,
  LINEAGE_TAGS,
  makeWorld,
  POLICY_TAGS,
  policyOf,
  REGIONS,
  SOURCE,
  THIRD,
  VAULT,
} from './support.js';

const [EAST, WEST, SOUTH] = REGIONS;

/** The DLM example's shape on the reference cloud: shared by one account, two regions, two keys, two retentions. */
const dlmLike = (descriptionRegex?: string) =>
  policyOf({
    id: 'vault',
    sources: [
      {
        provider: 'reference',
        regions: [EAST],
        owner: { sharedBy: [SOURCE] },
        ...(descriptionRegex === undefined ? {} : { descriptionRegex }),
      },
    ],
    destinations: [
      {
        provider: 'reference',
        region: WEST,
        encryption: { encrypted: false },
        retention: { interval: 3, unit: 'days' },
      },
      {
        provider: 'reference',
        region: SOUTH,
        encryption: { encrypted: true, kmsKeyId: 'alias/ref/customer' },
        retention: { interval: 1, unit: 'months' },
      },
    ],
  });

describe('a policy pass (reference cloud, emulated retention as on EBS)', () => {
  it('copies what is shared and matches, to two regions under their keys; a second pass copies nothing with list calls only; expired copies go, never copied again', async () => {
    const w = makeWorld();
    const db = w.snapshot({ description: 'nightly db' });
    const web = w.snapshot({ description: 'nightly web', encrypted: true });
    w.snapshot({ description: 'scratch test' });
    w.snapshot({ account: VAULT, description: 'nightly own' });
    w.snapshot({ account: THIRD, description: 'nightly from a third account' });
    const copier = w.copier({ emulated: true });
    const policy = dlmLike('nightly.*');
    const journal = new MemoryCopyJournal();
    const start = w.clock.now();

    const first = await runPolicyPass({ policy, copiers: { reference: copier }, journal, clock: w.clock });
    expect(first.totals).toMatchObject({ copies: 4, completed: 4, failed: 0, blocked: 0 });
    const copies = w.copies();
    expect(copies).toHaveLength(4);
    for (const src of [db, web]) {
      for (const region of [WEST, SOUTH]) {
        const c = copies.filter((x) => x.source === src.id && x.region === region);
        expect(c, `${src.id} → ${region}`).toHaveLength(1);
        expect(c[0]!.state).toBe('completed');
        expect(c[0]!.account).toBe(VAULT);
        expect(c[0]!.token).toBe(
          policyClientToken({
            policyId: 'vault',
            provider: 'reference',
            sourceRegion: EAST,
            sourceSnapshotId: src.id,
            destinationRegion: region,
          }),
        );
        expect(c[0]!.tags[POLICY_TAGS.policy]).toBe('vault');
      }
    }
    // Keys: the vault's customer key in the south; in the west, encrypted only when the source is.
    const southKey = w.cloud.resolveKey('alias/ref/customer', SOUTH, VAULT)!.id;
    for (const c of copies.filter((x) => x.region === SOUTH)) expect(c.kmsKeyId).toBe(southKey);
    expect(copies.find((x) => x.region === WEST && x.source === db.id)!.encrypted).toBe(false);
    expect(copies.find((x) => x.region === WEST && x.source === web.id)!.encrypted).toBe(true);
    // Emulated retention: an expiry tag, 3 days and 1 calendar month from the pass.
    for (const c of copies.filter((x) => x.region === WEST))
      expect(c.tags[POLICY_TAGS.expiresAt]).toBe(new Date(start + 3 * DAY).toISOString());
    for (const c of copies.filter((x) => x.region === SOUTH))
      expect(c.tags[POLICY_TAGS.expiresAt]).toBe(new Date(Date.UTC(2026, 1, 1)).toISOString());

    const mark = w.world.requests.entries().length;
    const second = await runPolicyPass({ policy, copiers: { reference: copier }, journal, clock: w.clock });
    expect(second.totals).toMatchObject({ copies: 0, alreadyCopied: 4, expired: 0 });
    expect(new Set(w.requestsSince(mark))).toEqual(new Set(['ListSnapshots']));
    expect(w.copies()).toHaveLength(4);

    w.clock.advance(3 * DAY + 60_000);
    const third = await runPolicyPass({ policy, copiers: { reference: copier }, journal, clock: w.clock });
    expect(third.expired.map((e) => [e.region, e.removed])).toEqual([
      [WEST, 'immediate'],
      [WEST, 'immediate'],
    ]);
    expect(third.totals.copies).toBe(0);
    // Swept in this pass, they were still counted as copied when the pass looked.
    expect(third.destinations.find((d) => d.region === WEST)!.alreadyCopied).toBe(2);
    expect(
      w
        .copies()
        .map((c) => c.region)
        .sort(),
    ).toEqual([SOUTH, SOUTH]);

    w.clock.advance(29 * DAY);
    const fourth = await runPolicyPass({ policy, copiers: { reference: copier }, journal, clock: w.clock });
    expect(fourth.expired).toHaveLength(2);
    expect(fourth.totals.copies).toBe(0);
    // Gone from the west, and older than its 3 days: never copied there again.
    expect(fourth.destinations.find((d) => d.region === WEST)!.tooOld).toBe(2);
    expect(w.copies()).toEqual([]);
  });

  it('keeps retention natively where the provider can (RetentionDays), with no expiry tag', async () => {
    const w = makeWorld();
    w.snapshot({ description: 'nightly db' });
    const report = await runPolicyPass({
      policy: dlmLike(),
      copiers: { reference: w.copier() },
      clock: w.clock,
    });
    expect(report.destinations.map((d) => d.retention)).toEqual(['native', 'native']);
    const copies = w.copies();
    expect(copies.find((c) => c.region === WEST)!.retentionDays).toBe(3);
    expect(copies.find((c) => c.region === SOUTH)!.retentionDays).toBe(31);
    for (const c of copies) expect(c.tags[POLICY_TAGS.expiresAt]).toBeUndefined();
  });

  it('plan changes nothing and says what it would copy and cost', async () => {
    const w = makeWorld();
    w.snapshot({ description: 'nightly db', sizeGiB: 10 });
    w.snapshot({ description: 'scratch' });
    const mark = w.world.requests.entries().length;
    const prices = {
      currency: 'USD',
      source: 'test prices',
      asOf: '2026-01-01',
      transferPerGiB: { '*': 0.02 },
      storagePerGiBMonth: 0.05,
    };
    const report = await runPolicyPass({
      policy: dlmLike('nightly.*'),
      copiers: { reference: w.copier({ emulated: true }) },
      clock: w.clock,
      mode: 'plan',
      prices,
    });
    expect(report.copies.map((c) => [c.destinationRegion, c.outcome])).toEqual([
      [WEST, 'planned'],
      [SOUTH, 'planned'],
    ]);
    expect(report.totals.transferGiB).toBe(20);
    expect(report.totals.cost?.currency).toBe('USD');
    expect(report.totals.cost!.oneOff).toBeGreaterThan(0);
    expect(
      w.requestsSince(mark).filter((op) => op !== 'ListSnapshots' && op !== 'DescribeSnapshots'),
    ).toEqual([]);
    expect(w.copies()).toEqual([]);
  });

  it('copies a multi-volume set whole and tags each copy with it; a set with a member still being taken waits', async () => {
    const w = makeWorld();
    const a1 = w.snapshot({ account: VAULT, tags: { set: 'a' } });
    w.snapshot({ account: VAULT, tags: { set: 'a' } });
    const pending = w.snapshot({ account: VAULT, tags: { set: 'a' }, state: 'pending' });
    w.snapshot({ account: VAULT, tags: { set: 'b' } });
    w.snapshot({ account: VAULT, tags: { set: 'b' } });
    w.snapshot({ account: VAULT });
    const policy = policyOf({
      id: 'sets',
      sources: [{ provider: 'reference', regions: [EAST], groupTag: 'set' }],
      destinations: [{ provider: 'reference', region: WEST }],
    });
    const copier = w.copier();
    const first = await runPolicyPass({ policy, copiers: { reference: copier }, clock: w.clock });
    expect(first.groups.map((g) => [g.group, g.state, g.members.length, g.complete])).toEqual([
      ['a', 'deferred', 3, undefined],
      ['b', 'copy', 2, true],
    ]);
    expect(first.deferred).toBe(3);
    expect(
      w
        .copies()
        .map((c) => c.tags[POLICY_TAGS.group] ?? '-')
        .sort(),
    ).toEqual(['-', 'b', 'b']);
    expect(w.copies().some((c) => c.source === a1.id)).toBe(false);

    pending.state = 'completed';
    pending.progress = 100;
    const second = await runPolicyPass({ policy, copiers: { reference: copier }, clock: w.clock });
    expect(second.groups.map((g) => [g.group, g.state, g.complete])).toEqual([['a', 'copy', true]]);
    expect(w.copies().filter((c) => c.tags[POLICY_TAGS.group] === 'a')).toHaveLength(3);
  });

  it('does not copy a shared encrypted snapshot whose key this account cannot use, and says which DLM steps are missing', async () => {
    const w = makeWorld();
    const locked = w.snapshot({ description: 'nightly db', encrypted: true, keyUsable: false });
    const copier = w.copier();
    const mark = w.world.requests.entries().length;
    const report = await runPolicyPass({ policy: dlmLike(), copiers: { reference: copier }, clock: w.clock });
    expect(report.totals.copies).toBe(0);
    expect(report.blocked).toHaveLength(2);
    expect(report.blocked[0]!.reason).toMatch(/step 2 .*shares its customer managed key.* or step 4 /);
    expect(report.blocked[0]!.sourceSnapshotId).toBe(locked.id);
    expect(w.requestsSince(mark)).not.toContain('CopySnapshot');
    expect(w.requestsSince(mark).filter((op) => op === 'DescribeKey')).toHaveLength(1);

    w.cloud.resolveKey('alias/ref/customer', EAST, SOURCE)!.usableBy.add(VAULT);
    const after = await runPolicyPass({ policy: dlmLike(), copiers: { reference: copier }, clock: w.clock });
    expect(after.totals).toMatchObject({ copies: 2, completed: 2, blocked: 0 });
  });

  it('never lists its own copies as sources when a destination is also a source region', async () => {
    const w = makeWorld();
    w.snapshot({ account: VAULT });
    const policy = policyOf({
      id: 'rekey',
      sources: [{ provider: 'reference', regions: [EAST] }],
      destinations: [
        {
          provider: 'reference',
          region: EAST,
          encryption: { encrypted: true, kmsKeyId: 'alias/ref/customer' },
        },
      ],
    });
    const copier = w.copier();
    expect(
      (await runPolicyPass({ policy, copiers: { reference: copier }, clock: w.clock })).totals.copies,
    ).toBe(1);
    expect(
      (await runPolicyPass({ policy, copiers: { reference: copier }, clock: w.clock })).totals.copies,
    ).toBe(0);
    expect(w.copies()).toHaveLength(1);
  });

  it('the sweep deletes only expired copies of this policy: not another policy’s, not a snapshot snapcopy did not make', async () => {
    const w = makeWorld();
    const past = new Date(w.clock.now() - DAY).toISOString();
    const other = w.snapshot({
      account: VAULT,
      region: WEST,
      tags: {
        [POLICY_TAGS.policy]: 'another',
        [POLICY_TAGS.expiresAt]: past,
        [LINEAGE_TAGS.clientToken]: 't',
        [LINEAGE_TAGS.sourceSnapshot]: 'snap-x',
        [LINEAGE_TAGS.sourceRegion]: EAST,
      },
    });
    const handMade = w.snapshot({
      account: VAULT,
      region: WEST,
      tags: {
        [POLICY_TAGS.policy]: 'vault',
        [POLICY_TAGS.expiresAt]: past,
        [LINEAGE_TAGS.sourceSnapshot]: 'snap-y',
        [LINEAGE_TAGS.sourceRegion]: EAST,
      },
    });
    const report = await runPolicyPass({
      policy: dlmLike(),
      copiers: { reference: w.copier({ emulated: true }) },
      clock: w.clock,
    });
    expect(w.world.snapshots.has(other.id)).toBe(true);
    expect(w.world.snapshots.has(handMade.id)).toBe(true);
    expect(report.expired.map((e) => [e.snapshotId, e.removed])).toEqual([[handMade.id, 'error']]);
    expect(report.expired[0]!.error).toMatch(/not a copy made by snapcopy/);
  });
});

describe('passes that overlap, lose their journal or stop mid-way make no duplicate', () => {
  it('two runners at once, each with its own journal: one copy per snapshot and region', async () => {
    const w = makeWorld();
    for (let i = 0; i < 6; i++) w.snapshot({ description: `nightly ${i}` });
    const policy = dlmLike();
    const [a, b] = await Promise.all([
      runPolicyPass({
        policy,
        copiers: { reference: w.copier() },
        journal: new MemoryCopyJournal(),
        clock: w.clock,
      }),
      runPolicyPass({
        policy,
        copiers: { reference: w.copier() },
        journal: new MemoryCopyJournal(),
        clock: w.clock,
      }),
    ]);
    expect(a.totals.failed + b.totals.failed).toBe(0);
    const copies = w.copies();
    expect(copies).toHaveLength(12);
    expect(new Set(copies.map((c) => `${c.source}/${c.region}`)).size).toBe(12);
    // A third pass with a journal that knows nothing: still no new copy.
    const c = await runPolicyPass({
      policy,
      copiers: { reference: w.copier() },
      journal: new MemoryCopyJournal(),
      clock: w.clock,
    });
    expect(c.totals.copies).toBe(0);
    expect(w.copies()).toHaveLength(12);
  });

  it('a pass stopped after its first copy started leaves the rest in the journal; the next pass resumes it first', async () => {
    const w = makeWorld();
    for (let i = 0; i < 5; i++) w.snapshot({ description: `nightly ${i}`, sizeGiB: 50 });
    const policy = dlmLike();
    const journal = new MemoryCopyJournal();
    const stop = new AbortController();
    const first = await runPolicyPass({
      policy,
      copiers: { reference: w.copier() },
      journal,
      clock: w.clock,
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'batch' && e.event.type === 'copy-started') stop.abort();
      },
    });
    expect(first.aborted).toBe(true);
    const unfinished = await journal.listUnfinished();
    expect(unfinished.length).toBeGreaterThan(0);
    const second = await runPolicyPass({
      policy,
      copiers: { reference: w.copier() },
      journal,
      clock: w.clock,
    });
    expect(second.resumedBatches).toEqual([first.batchId]);
    expect(await journal.listUnfinished()).toEqual([]);
    const copies = w.copies();
    expect(copies).toHaveLength(10);
    expect(new Set(copies.map((c) => `${c.source}/${c.region}`)).size).toBe(10);
    expect(copies.every((c) => c.state === 'completed')).toBe(true);
  });
});

describe('watchPolicy', () => {
  it('runs a pass every period on the injected clock, picking up what was shared meanwhile', async () => {
    const w = makeWorld();
    w.snapshot({ description: 'nightly 1' });
    const reports: number[] = [];
    let shared = false;
    await watchPolicy({
      policy: dlmLike(),
      copiers: { reference: w.copier() },
      clock: w.clock,
      everyMs: 15 * 60_000,
      maxPasses: 3,
      onPass: (report) => {
        reports.push(report!.totals.copies);
        if (!shared) {
          shared = true;
          w.snapshot({ description: 'nightly 2' });
        }
      },
    });
    expect(reports).toEqual([2, 2, 0]);
  });
});
