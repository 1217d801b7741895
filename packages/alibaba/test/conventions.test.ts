import { is, type Logger } from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { describe, expect, it } from 'vitest';
import { createAlibabaEcsCopier } from '../src/index.js';
import { localNetworkOnly } from './support/nock-lifecycle.js';
import { HANGZHOU, makeSimHarness, SHANGHAI, type SimHarness } from './support/sim-harness.js';

// SDK conventions on the ECS adapter, judged against the simulator: the listing by lineage,
// $metadata from ECS's own request ids, one debug line per call, the sandbox keys kept on
// loopback.

let h: SimHarness | undefined;

localNetworkOnly(() => h?.close());

describe('ECS adapter: SDK conventions', () => {
  it('listCopies finds the copies of a source and of a token, page by page, as the simulator holds them', async () => {
    h = await makeSimHarness('server');
    const harness = h;
    const src = harness.sim.addSnapshot({
      account: harness.account,
      region: HANGZHOU,
      sizeGiB: 4,
      diskSizeGiB: 8,
    });
    const other = harness.sim.addSnapshot({
      account: harness.account,
      region: HANGZHOU,
      sizeGiB: 4,
      diskSizeGiB: 8,
    });
    const copier = harness.copier();
    const handles = [];
    // ECS copies one disk to one region at a time: each copy ends before the next.
    for (const [i, s] of [src, src, other].entries()) {
      const handle = await copier.copy({
        source: { region: HANGZHOU, snapshotId: s.id },
        destination: { region: SHANGHAI },
        clientToken: `batch-a.${i}`,
      });
      await copier.wait(handle, { minDelayMs: 60_000 });
      handles.push(handle);
    }
    const ofSource = [];
    for await (const c of copier.listCopies({ region: SHANGHAI, sourceId: src.id }))
      ofSource.push(c.ref.snapshotId);
    const inSim = [...harness.sim.world.snapshots.values()]
      .filter((s) => s.region === SHANGHAI && s.tags.get(LINEAGE_TAGS.sourceSnapshot) === src.id)
      .map((s) => s.id);
    expect(ofSource.sort()).toEqual(inSim.sort());
    expect(ofSource).toHaveLength(2);
    const pages = [];
    for await (const page of copier.paginateListCopies({ region: SHANGHAI, batchId: 'batch-a' }))
      pages.push(page);
    expect(pages.flatMap((p) => p.copies.map((c) => c.clientToken)).sort()).toEqual([
      'batch-a.0',
      'batch-a.1',
      'batch-a.2',
    ]);
    const served = new Set(harness.sim.world.requests.entries().map((e) => e.requestId));
    for (const p of pages) for (const id of p.$metadata.requestIds) expect(served.has(id)).toBe(true);
  });

  it('plans and handles carry $metadata with ECS request ids; each call is logged at debug', async () => {
    h = await makeSimHarness('server');
    const harness = h;
    const src = harness.sim.addSnapshot({
      account: harness.account,
      region: HANGZHOU,
      sizeGiB: 4,
      diskSizeGiB: 8,
    });
    const lines: unknown[][] = [];
    const logger: Logger = {
      debug: (...a: unknown[]) => lines.push(a),
      info: () => {},
      warn: () => {},
      error: () => {},
    };
    const copier = harness.copier({ logger });
    const request = { source: { region: HANGZHOU, snapshotId: src.id }, destination: { region: SHANGHAI } };
    const plan = await copier.plan(request);
    const handle = await copier.copy(request, { plan });
    const served = new Map(harness.sim.world.requests.entries().map((e) => [e.requestId, e]));
    expect(plan.$metadata?.httpStatusCode).toBe(200);
    expect(plan.$metadata?.requestIds.every((id) => served.has(id))).toBe(true);
    expect(served.get(handle.$metadata?.requestId ?? '')?.operation).toBe('CopySnapshot');
    const calls = lines.map(
      ([fields]) => fields as { operation?: string; requestId?: string; region?: string },
    );
    expect(
      calls.some(
        (c) => c.operation === 'CopySnapshot' && c.region === HANGZHOU && served.has(c.requestId ?? ''),
      ),
    ).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(harness.credentials.accessKeySecret);
  });

  it('the sandbox key is refused without an endpoint on loopback, before any request', async () => {
    const copier = createAlibabaEcsCopier({
      credentials: { accessKeyId: 'LTAI5tSANDBOX0000001', accessKeySecret: 'sandbox-secret' },
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    const err = await copier
      .plan({ source: { region: HANGZHOU, snapshotId: 's-abc123' }, destination: { region: SHANGHAI } })
      .catch((e: unknown) => e);
    expect(is(err, 'INVALID_REQUEST')).toBe(true);
    expect((err as Error).message).toMatch(/refusing to send the sandbox's access key/);
  });
});
