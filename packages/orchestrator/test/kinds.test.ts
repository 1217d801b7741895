// Batches that mix snapshot and image requests, against the reference cloud: each request
// runs through its copier of that kind, one copy per token, with the kind's own ids in
// results, events and journal entries. Verdicts come from the cloud's own state.
import type { ImageCopyRequestInput } from '@snapcopy/core';
import {
  type BatchEvent,
  type BatchItem,
  CopyOrchestrator,
  MemoryCopyJournal,
  openSqliteJournal,
} from '@snapcopy/orchestrator';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copiesPerToken, DESTINATION, referenceWorld, SOURCE_REGION } from './support/reference-world.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A world with `snapshots` snapshot requests and `images` image requests, interleaved. */
function mixedWorld(snapshots: number, images: number) {
  const w = referenceWorld();
  const snapshotItems: BatchItem[] = w.requests(snapshots).map((request) => ({ copier: 'ref', request }));
  const imageItems: BatchItem[] = Array.from({ length: images }, () => ({
    copier: 'ref',
    request: {
      source: { region: SOURCE_REGION, imageId: w.imageSource(20) },
      destination: { region: DESTINATION },
    } satisfies ImageCopyRequestInput,
  }));
  const items: BatchItem[] = [];
  for (let i = 0; i < Math.max(snapshots, images); i++) {
    if (i < snapshots) items.push(snapshotItems[i]!);
    if (i < images) items.push(imageItems[i]!);
  }
  return { ...w, items };
}

/** The image copies the cloud holds, per client token (deleted ones excluded). */
function imageCopiesPerToken(w: ReturnType<typeof referenceWorld>): Map<string, string[]> {
  w.cloud.world.advance();
  const out = new Map<string, string[]>();
  for (const image of w.cloud.images.images.values()) {
    const token = image.copy?.clientToken;
    if (token === undefined) continue;
    out.set(token, [...(out.get(token) ?? []), image.id]);
  }
  return out;
}

describe('a batch that mixes snapshots and images', () => {
  it('runs each request on its kind of copier: one copy per token, the kind and its own ids everywhere', async () => {
    const w = mixedWorld(4, 3);
    const journal = new MemoryCopyJournal({ now: () => w.clock.now() });
    const orchestrator = new CopyOrchestrator({
      copiers: { ref: { copier: w.copier, imageCopier: w.imageCopier } },
      journal,
      clock: w.clock,
      random: () => 0.5,
    });
    const events: BatchEvent[] = [];
    const result = await orchestrator.run(w.items, { batchId: 'mixed', onEvent: (e) => events.push(e) });

    expect(result.counts).toMatchObject({ total: 7, completed: 7 });
    const snapshotResults = result.results.filter((r) => r.kind === 'snapshot');
    const imageResults = result.results.filter((r) => r.kind === 'image');
    expect([snapshotResults.length, imageResults.length]).toEqual([4, 3]);

    // The cloud: one image copy per image token, one snapshot copy per snapshot token.
    const images = imageCopiesPerToken(w);
    expect(images.size).toBe(3);
    for (const r of imageResults) {
      expect(images.get(r.clientToken)).toEqual([r.destination?.imageId]);
      expect(r.destination).toEqual({ region: DESTINATION, imageId: expect.stringMatching(/^ami-/) });
      expect(r.destination).not.toHaveProperty('snapshotId');
      expect(r.status).toMatchObject({ imageId: r.destination?.imageId, state: 'completed' });
      expect(r.plan?.snapshots).toHaveLength(1);
    }
    const snapshotCopies = copiesPerToken(w.cloud);
    for (const r of snapshotResults) {
      expect(snapshotCopies.get(r.clientToken)?.map((s) => s.id)).toEqual([r.destination?.snapshotId]);
      expect(r.destination).not.toHaveProperty('imageId');
    }
    expect(w.cloud.world.requests.count('CopyImage')).toBe(3);
    expect(w.cloud.world.requests.count('CopySnapshot')).toBe(4);

    // Events say their kind and carry its ids; each kind has its own queue.
    for (const e of events) {
      if (e.type === 'copy-started') {
        const kind = w.items[e.index]!.request.source;
        expect(e.kind).toBe('imageId' in kind ? 'image' : 'snapshot');
        expect(e.kind === 'image' ? 'imageId' in e.handle : 'snapshotId' in e.handle).toBe(true);
      }
    }
    const queues = new Set(events.flatMap((e) => (e.type === 'poll-round' ? [e.queue.kind] : [])));
    expect([...queues].sort()).toEqual(['image', 'snapshot']);

    // The journal: each entry's kind, and the destination by that kind's id.
    const entries = await journal.listEntries('mixed');
    for (const [i, e] of entries.entries()) {
      const r = result.results[i]!;
      expect(e.kind).toBe(r.kind);
      expect(e.destination).toEqual(r.destination);
    }
  });

  it('an image request on a copier with no image copier fails alone, before any call for it', async () => {
    const w = mixedWorld(2, 1);
    const orchestrator = new CopyOrchestrator({ copiers: { ref: w.copier }, clock: w.clock });
    const result = await orchestrator.run(w.items, { batchId: 'refused' });
    const image = result.results.find((r) => r.kind === 'image')!;
    expect(image).toMatchObject({ outcome: 'failed', attempts: 0 });
    expect(image.error?.code).toBe('INVALID_REQUEST');
    expect(image.error?.issues[0]).toMatchObject({
      path: 'copier',
      message: 'copier "ref" copies no images: give its entry an imageCopier',
    });
    expect(result.results.filter((r) => r.outcome === 'completed')).toHaveLength(2);
    // Not one image call reached the cloud.
    for (const op of ['CopyImage', 'DescribeImages', 'DeleteImage'] as const) {
      expect(w.cloud.world.requests.count(op), op).toBe(0);
    }
  });

  it('a rerun of a journaled mixed batch finds every copy of both kinds: no new copy', async () => {
    const w = mixedWorld(2, 2);
    const dir = mkdtempSync(join(tmpdir(), 'snapcopy-kinds-'));
    dirs.push(dir);
    const file = join(dir, 'journal.db');
    const copiers = { ref: { copier: w.copier, imageCopier: w.imageCopier } };
    const first = await openSqliteJournal(file, { now: () => w.clock.now() });
    // Stop once every copy has started: the journal holds them all `pending`.
    const stop = new AbortController();
    let started = 0;
    await new CopyOrchestrator({ copiers, journal: first, clock: w.clock }).run(w.items, {
      batchId: 'again',
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'copy-started' && ++started === w.items.length) stop.abort();
      },
    });
    const open = await first.listUnfinished('again');
    expect(open.map((e) => [e.kind, e.state])).toEqual([
      ['snapshot', 'pending'],
      ['image', 'pending'],
      ['snapshot', 'pending'],
      ['image', 'pending'],
    ]);
    await first.close();

    const again = await openSqliteJournal(file, { now: () => w.clock.now() });
    const result = await new CopyOrchestrator({ copiers, journal: again, clock: w.clock }).resume('again');
    await again.close();
    expect(result.results.map((r) => [r.kind, r.outcome, r.resumed, r.attempts])).toEqual([
      ['snapshot', 'completed', true, 0],
      ['image', 'completed', true, 0],
      ['snapshot', 'completed', true, 0],
      ['image', 'completed', true, 0],
    ]);
    expect(w.cloud.world.requests.count('CopyImage')).toBe(2);
    expect([...imageCopiesPerToken(w).values()].map((ids) => ids.length)).toEqual([1, 1]);
  });

  it('a journal that needs an image copier is refused by an orchestrator without one, naming it', async () => {
    const w = mixedWorld(1, 1);
    const journal = new MemoryCopyJournal({ now: () => w.clock.now() });
    const stop = new AbortController();
    stop.abort();
    await new CopyOrchestrator({
      copiers: { ref: { copier: w.copier, imageCopier: w.imageCopier } },
      journal,
      clock: w.clock,
    }).run(w.items, { batchId: 'needs', signal: stop.signal });
    await expect(
      new CopyOrchestrator({ copiers: { ref: w.copier }, journal, clock: w.clock }).resume('needs'),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      issues: [
        {
          path: 'copier',
          message: 'batch "needs" has image copies for copier "ref", which has no image copier',
        },
      ],
    });
  });

  it('copier entries are checked: one of the two copiers at least, of one provider', () => {
    const w = referenceWorld();
    expect(() => new CopyOrchestrator({ copiers: { ref: {} } })).toThrow(
      /copier "ref": a copier entry needs a copier \(snapshots\), an imageCopier \(images\), or both/,
    );
    const other = { ...w.imageCopier, provider: 'elsewhere' } as typeof w.imageCopier;
    expect(
      () => new CopyOrchestrator({ copiers: { ref: { copier: w.copier, imageCopier: other } } }),
    ).toThrow(/one provider: its copier is reference, its imageCopier elsewhere/);
    const o = new CopyOrchestrator({
      copiers: {
        ref: { copier: w.copier, imageCopier: w.imageCopier, maxConcurrentImageCopiesPerRegion: 7 },
      },
    });
    expect([o.concurrencyLimit('ref'), o.concurrencyLimit('ref', 'image')]).toEqual([
      w.copier.capabilities.maxConcurrentCopiesPerRegion,
      7,
    ]);
    expect(o.kindsOf('ref')).toEqual(['snapshot', 'image']);
  });
});
