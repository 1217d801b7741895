// The EC2 simulator world both AWS conformance harnesses (snapshots, AMIs) start from: two
// accounts, keys per region, a virtual clock, a captured log, mounted through nock or a
// local server. Nothing here goes through the adapter.
import { randomBytes } from 'node:crypto';
import {
  captureLogger,
  Ec2Simulator,
  type MountedSimulator,
  mountSimulator,
  type SimKey,
  VirtualClock,
} from '@snapcopy/testkit';

export const CALLER = '111122223333';
export const OWNER = '444455556666';
export const REGIONS = ['us-east-1', 'us-west-2'] as const;
export const CUSTOMER_ALIAS = 'alias/conformance';
export const PARTNER_ALIAS = 'alias/conformance-partner';
export const REVOKED_ALIAS = 'alias/conformance-revoked';

/** A fresh EC2 simulator with the conformance accounts and keys, mounted one way. */
export async function makeEc2ConformanceWorld(mounting: 'nock' | 'server') {
  const clock = new VirtualClock();
  // Throttling buckets off: the suite injects throttles itself, per operation.
  const sim = new Ec2Simulator({ clock, throttling: false });
  sim.addRegions(...REGIONS);
  const sentinelSecret = `conformance-${randomBytes(16).toString('hex')}`;
  sim.addAccount({ id: CALLER, accessKeyId: 'AKIACONFORMANCE00001', secretAccessKey: sentinelSecret });
  sim.addAccount({
    id: OWNER,
    accessKeyId: 'AKIACONFORMANCE00002',
    secretAccessKey: `owner-${randomBytes(16).toString('hex')}`,
  });
  for (const region of REGIONS) {
    sim.addKey({ account: CALLER, region, aliases: [CUSTOMER_ALIAS] });
    sim.addKey({ account: CALLER, region, aliases: [REVOKED_ALIAS], accessible: false });
    sim.addKey({ account: OWNER, region, aliases: [PARTNER_ALIAS], usableBy: [CALLER] });
  }
  const mounted: MountedSimulator = await mountSimulator(sim, mounting);
  const { logger, lines } = captureLogger();
  const world = sim.world;

  // Keys as the caller can name them: id, ARN, or an alias of its own (or of a key it may use).
  const keyOf = (ref: string, region: string): SimKey | undefined => {
    // An alias ARN names the alias of the account in the ARN.
    const aliasArn = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/.exec(ref);
    if (aliasArn) {
      for (const k of world.keys.values()) {
        if (k.region === aliasArn[1] && k.account === aliasArn[2] && k.aliases.includes(aliasArn[3]!))
          return k;
      }
      return undefined;
    }
    for (const k of world.keys.values()) {
      if (k.region !== region) continue;
      if (k.account !== CALLER && !k.usableBy.has(CALLER)) continue;
      if (k.id === ref || k.arn === ref) return k;
      if (k.account === CALLER && k.aliases.includes(ref)) return k;
    }
    return undefined;
  };

  /** Encryption of a fixture snapshot with key kind `key`, owned by the caller or shared by the owner. */
  const encryptionFor = (key: 'none' | 'default' | 'customer', shared: boolean) => {
    if (shared && key === 'default') {
      throw new Error('EC2 cannot share a snapshot encrypted with the AWS-managed key');
    }
    return key === 'none'
      ? { encrypted: false }
      : key === 'default'
        ? { encrypted: true }
        : { encrypted: true, kmsKeyId: shared ? PARTNER_ALIAS : CUSTOMER_ALIAS };
  };

  return { clock, sim, mounted, sentinelSecret, logger, lines, keyOf, encryptionFor };
}
