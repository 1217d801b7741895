// Two runners passing the same policy at the same moment, each with its own copier and
// journal, against the EC2 simulator (no native idempotency token on CopySnapshot): they
// send the same client tokens, and whatever duplicates the race makes are converged, so
// the cloud ends with exactly one copy per snapshot and region.
import { createAwsEbsCopier } from '@snapcopy/aws';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import { MemoryCopyJournal } from '@snapcopy/orchestrator';
import { parsePolicyDocument, runPolicyPass } from '@snapcopy/policy';
import { Ec2Simulator, VirtualClock } from '@snapcopy/testkit';
import { describe, expect, it } from 'vitest';

const VAULT = '222222222222';
const SOURCE = '111111111111';

describe('overlapping passes on AWS', () => {
  it('make one copy per snapshot and region, whatever the race; a third pass with no journal copies nothing', async () => {
    const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1) });
    const sim = new Ec2Simulator({ clock, throttling: false });
    sim.addRegions('us-east-1', 'us-west-2', 'eu-west-1');
    sim.addAccount({ id: SOURCE });
    sim.addAccount({ id: VAULT });
    for (let i = 0; i < 8; i++) {
      sim.addSnapshot({
        account: SOURCE,
        region: 'us-east-1',
        sizeGiB: 4,
        volumeSizeGiB: 8,
        sharedWith: [VAULT],
      });
    }
    const server = await sim.listen();
    const copier = () =>
      createAwsEbsCopier({
        endpoint: server.url,
        credentials: sim.credentials(VAULT),
        clock,
        retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      });
    const policy = parsePolicyDocument({
      version: 1,
      id: 'overlap',
      sources: [{ provider: 'aws', regions: ['us-east-1'], owner: { sharedBy: [SOURCE] } }],
      destinations: [
        { provider: 'aws', region: 'us-west-2', retention: { interval: 7, unit: 'days' } },
        { provider: 'aws', region: 'eu-west-1' },
      ],
    });
    const runners = [copier(), copier(), copier()];
    try {
      const [a, b] = await Promise.all(
        runners
          .slice(0, 2)
          .map((c) =>
            runPolicyPass({ policy, copiers: { aws: c }, journal: new MemoryCopyJournal(), clock }),
          ),
      );
      expect(a!.totals.failed + b!.totals.failed).toBe(0);
      // Both runners found nothing and copied (the race usually makes 32 copy calls); the
      // facade kept the oldest copy of each token and deleted the other.
      expect(sim.world.requests.count('CopySnapshot')).toBeGreaterThanOrEqual(16);
      // Duplicates being deleted go when their copy completes: let every copy finish.
      clock.advance(3600_000);
      sim.world.advance();
      const copies = [...sim.world.snapshots.values()].filter((s) => s.copy);
      const tokens = copies.map((s) => s.tags.get(LINEAGE_TAGS.clientToken));
      expect(copies).toHaveLength(16);
      expect(new Set(tokens).size).toBe(16);
      expect(new Set(copies.map((s) => `${s.copy!.sourceSnapshotId}>${s.region}`)).size).toBe(16);
      const third = await runPolicyPass({
        policy,
        copiers: { aws: runners[2]! },
        journal: new MemoryCopyJournal(),
        clock,
      });
      expect(third.totals).toMatchObject({ copies: 0, alreadyCopied: 16 });
    } finally {
      for (const c of runners) c.destroy();
      await server.close();
    }
  });
});
