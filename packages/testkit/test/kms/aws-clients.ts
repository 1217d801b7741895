import { EBSClient } from '@aws-sdk/client-ebs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterEach, beforeEach } from 'vitest';
import { mountSimulator } from '../../src/conformance/simulator-harness.js';
import type { Ec2Simulator, Ec2SimulatorOptions } from '../../src/ec2/index.js';
import { buildWorld, type Mounting } from '../ec2/harness.js';

type Credentials = { accessKeyId: string; secretAccessKey: string };

/** Real SDK clients of the three AWS services one simulator serves, on one mounting. */
export interface AwsClients {
  ec2(account: string, region: string, credentials?: Credentials): EC2Client;
  kms(account: string, region: string, credentials?: Credentials): KMSClient;
  ebs(account: string, region: string, credentials?: Credentials): EBSClient;
  close(): Promise<void>;
}

/** Mounts the simulator one way; every client reaches it through the same handler. */
export async function mountAwsClients(sim: Ec2Simulator, mounting: Mounting): Promise<AwsClients> {
  const mounted = await mountSimulator(sim, mounting);
  const clients: { destroy(): void }[] = [];
  const config = (account: string, region: string, credentials?: Credentials) => ({
    region,
    credentials: credentials ?? sim.credentials(account),
    maxAttempts: 1,
    ...(mounted.endpoint ? { endpoint: mounted.endpoint } : {}),
  });
  const keep = <T extends { destroy(): void }>(c: T) => {
    clients.push(c);
    return c;
  };
  return {
    ec2: (a, r, c) => keep(new EC2Client(config(a, r, c))),
    kms: (a, r, c) => keep(new KMSClient(config(a, r, c))),
    ebs: (a, r, c) => keep(new EBSClient(config(a, r, c))),
    close: async () => {
      for (const c of clients) c.destroy();
      await mounted.close();
    },
  };
}

/** A fresh world (the EC2 tests' world) and its clients per test. */
export function freshAwsFixture(mounting: Mounting, options: Ec2SimulatorOptions = {}) {
  const f = {} as { w: ReturnType<typeof buildWorld>; c: AwsClients };
  beforeEach(async () => {
    f.w = buildWorld(options);
    f.c = await mountAwsClients(f.w.sim, mounting);
  });
  afterEach(async () => {
    await f.c.close();
  });
  return f;
}
