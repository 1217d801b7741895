// The ECS simulator world both Alibaba conformance harnesses (snapshots, images) start from:
// the caller's account (and another that shares with it), a customer and a revoked key per
// region, a virtual clock, a captured log, mounted through nock or a local server.
import { randomBytes } from 'node:crypto';
import { captureLogger, EcsSimulator, mountSimulator, VirtualClock } from '@snapcopy/testkit';

export const CALLER = '1234567890123456';
export const OTHER = '6543210987654321';
export const REGIONS = ['cn-hangzhou', 'cn-shanghai'] as const;

/** A fresh ECS simulator with the conformance account and keys, mounted one way. */
export async function makeEcsConformanceWorld(mounting: 'nock' | 'server') {
  const clock = new VirtualClock();
  const sim = new EcsSimulator({ clock });
  sim.addRegions(...REGIONS);
  const sentinelSecret = `conformance${randomBytes(12).toString('hex')}`;
  sim.addAccount({ id: CALLER, accessKeyId: 'LTAI5tConformance000001', accessKeySecret: sentinelSecret });
  sim.addAccount({ id: OTHER });
  const customer = new Map<string, string>();
  const revoked = new Map<string, string>();
  for (const region of REGIONS) {
    customer.set(region, sim.addKey({ account: CALLER, region, alias: 'alias/conformance' }).id);
    revoked.set(
      region,
      sim.addKey({ account: CALLER, region, alias: 'alias/conformance-revoked', usable: false }).id,
    );
  }
  const mounted = await mountSimulator(sim, mounting);
  const { logger, lines } = captureLogger();
  const keys = (region: string) => ({ customer: customer.get(region)!, inaccessible: revoked.get(region)! });
  const resolveKey = (region: string, ref: string) => sim.state.findKey(CALLER, region, ref);
  return { clock, sim, mounted, sentinelSecret, logger, lines, customer, keys, resolveKey };
}
