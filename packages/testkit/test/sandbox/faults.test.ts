import { CopySnapshotCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SANDBOX_SEED,
  parseFaultSpec,
  type Sandbox,
  type SandboxFault,
  type SandboxSeedInput,
  startSandbox,
} from '../../src/sandbox/index.js';
import { VirtualClock } from '../../src/sim/index.js';
import { controlRequest, ec2Client, ecsClient } from './support.js';

describe('parseFaultSpec (one row per form)', () => {
  const ok: [string, SandboxFault][] = [
    [
      'aws:CopySnapshot:throttle',
      { clouds: ['aws'], rule: { operation: 'CopySnapshot', kind: 'throttle', times: 1 } },
    ],
    ['alibaba:*:5xx:3', { clouds: ['alibaba'], rule: { operation: '*', kind: 'server-error', times: 3 } }],
    [
      'all:DescribeSnapshots:server-error:always',
      {
        clouds: ['aws', 'alibaba'],
        rule: { operation: 'DescribeSnapshots', kind: 'server-error', times: Number.POSITIVE_INFINITY },
      },
    ],
    ['aws:*:reset:p=0.25', { clouds: ['aws'], rule: { operation: '*', kind: 'reset', probability: 0.25 } }],
    [
      'aws:CopySnapshot:drop-after',
      { clouds: ['aws'], rule: { operation: 'CopySnapshot', kind: 'drop-after', times: 1 } },
    ],
    [
      'alibaba:CopySnapshot:hang',
      { clouds: ['alibaba'], rule: { operation: 'CopySnapshot', kind: 'hang', times: 1 } },
    ],
    [
      'aws:DescribeSnapshots:latency=1500:always',
      {
        clouds: ['aws'],
        rule: {
          operation: 'DescribeSnapshots',
          kind: 'latency',
          times: Number.POSITIVE_INFINITY,
          latencyMs: 1500,
        },
      },
    ],
  ];
  it.each(ok)('%s', (spec, fault) => {
    expect(parseFaultSpec(spec)).toEqual(fault);
  });
  it.each([
    ['too few fields', 'aws:CopySnapshot'],
    ['an unknown cloud', 'gcp:CopySnapshot:throttle'],
    ['an operation that is not an action name', 'aws:copy-snapshot:throttle'],
    ['an unknown kind', 'aws:CopySnapshot:explode'],
    ['latency without ms', 'aws:CopySnapshot:latency'],
    ['a value on a kind that takes none', 'aws:CopySnapshot:throttle=3'],
    ['a probability above 1', 'aws:*:reset:p=1.5'],
    ['a probability of 0', 'aws:*:reset:p=0'],
    ['a count of 0', 'aws:*:reset:0'],
    ['a word for a count', 'aws:*:reset:often'],
  ])('refuses %s (%s)', (_why, spec) => {
    expect(() => parseFaultSpec(spec)).toThrow(/--fault/);
  });
});

describe('sandbox faults', () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });
  const start = async (options: { seed?: SandboxSeedInput; faults?: string[]; faultSeed?: number } = {}) => {
    sandbox = await startSandbox({
      clock: new VirtualClock({ autoAdvance: false }),
      ...(options.seed ? { seed: options.seed } : {}),
      ...(options.faultSeed === undefined ? {} : { faultSeed: options.faultSeed }),
      faults: (options.faults ?? []).map(parseFaultSpec),
    });
    return sandbox;
  };
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: { name?: string; code?: string }) => e.code ?? e.name ?? 'error',
    );

  it('counted faults from the seed (AWS) and from flags (Alibaba) hit the next requests only', async () => {
    const seed = structuredClone(DEFAULT_SANDBOX_SEED) as SandboxSeedInput;
    (seed.aws as { faults?: unknown[] }).faults = [
      { operation: 'DescribeSnapshots', kind: 'throttle', times: 1 },
    ];
    const s = await start({ seed, faults: ['alibaba:DescribeSnapshots:5xx:2'] });
    const ec2 = ec2Client(s.aws, 'us-east-1');
    const describeAws = () => outcome(ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] })));
    expect([await describeAws(), await describeAws()]).toEqual(['RequestLimitExceeded', 'ok']);
    ec2.destroy();
    const { client, mod } = await ecsClient(s.alibaba, 'cn-hangzhou');
    const describeAli = () =>
      outcome(client.describeSnapshots(new mod.DescribeSnapshotsRequest({ regionId: 'cn-hangzhou' })));
    expect([await describeAli(), await describeAli(), await describeAli()]).toEqual([
      'InternalError',
      'InternalError',
      'ok',
    ]);
    const faults = (await controlRequest(s.control.url, '/faults')).json() as Record<
      string,
      { injected: Record<string, number> }
    >;
    expect(faults.aws?.injected.throttle).toBe(1);
    expect(faults.alibaba?.injected['server-error']).toBe(2);
    const log = (await controlRequest(s.control.url, '/requests?cloud=alibaba')).json() as {
      alibaba: { entries: { fault?: string; httpStatus: number }[] };
    };
    expect(log.alibaba.entries.map((e) => [e.httpStatus, e.fault])).toEqual([
      [500, 'server-error'],
      [500, 'server-error'],
      [200, undefined],
    ]);
  });

  it('random faults are reproducible with the same --fault-seed, and differ with another', async () => {
    const pattern = async (faultSeed: number) => {
      const s = await start({ faults: ['aws:DescribeSnapshots:5xx:p=0.5'], faultSeed });
      const ec2 = ec2Client(s.aws, 'us-east-1');
      const out: string[] = [];
      for (let i = 0; i < 24; i++)
        out.push(await outcome(ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))));
      ec2.destroy();
      await s.close();
      sandbox = undefined;
      return out.join(',');
    };
    const first = await pattern(7);
    expect(first).toMatch(/InternalError/);
    expect(first).toMatch(/ok/);
    expect(await pattern(7)).toBe(first);
    expect(await pattern(8)).not.toBe(first);
  });

  it('drop-after applies the request and cuts the connection: the caller fails, the copy exists', async () => {
    const s = await start({ faults: ['aws:CopySnapshot:drop-after'] });
    const ec2 = ec2Client(s.aws, 'us-west-2');
    const result = await outcome(
      ec2.send(
        new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: 'snap-0a000000000000001' }),
      ),
    );
    ec2.destroy();
    expect(result).not.toBe('ok');
    const copies = (await controlRequest(s.control.url, '/copies?cloud=aws')).json() as { aws: unknown[] };
    expect(copies.aws).toHaveLength(1);
  });

  it('a hung request gets no answer until the sandbox stops; stopping releases it within a bound', async () => {
    const s = await start({ faults: ['aws:DescribeSnapshots:hang'] });
    const ec2 = ec2Client(s.aws, 'us-east-1');
    let settled = false;
    const hung = outcome(ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).finally(() => {
      settled = true;
    });
    // Wait (bounded) until the simulator holds the request.
    for (let i = 0; i < 200 && s.ec2.faults.hanging === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.ec2.faults.hanging).toBe(1);
    const faults = (await controlRequest(s.control.url, '/faults?cloud=aws')).json() as {
      aws: { hanging: number };
    };
    expect(faults.aws.hanging).toBe(1);
    expect(settled).toBe(false);
    // The rule hangs one request: the next is served meanwhile.
    const other = ec2Client(s.aws, 'us-east-1');
    expect(await outcome(other.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] })))).toBe('ok');
    other.destroy();
    const started = Date.now();
    await s.close();
    sandbox = undefined;
    const result = await Promise.race([hung, new Promise((r) => setTimeout(() => r('still hanging'), 5000))]);
    expect(result).not.toBe('still hanging');
    expect(result).not.toBe('ok');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(s.ec2.faults.hanging).toBe(0);
    ec2.destroy();
  });

  it('latency delays the answer and still serves it', async () => {
    const s = await start({ faults: ['aws:DescribeSnapshots:latency=50'] });
    const ec2 = ec2Client(s.aws, 'us-east-1');
    expect(await outcome(ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] })))).toBe('ok');
    ec2.destroy();
    expect(s.ec2.world.requests.entries()[0]?.fault).toBe('latency');
  });
});
