#!/usr/bin/env node
// Child process of policy-pass.mjs: an EC2 simulator on 127.0.0.1 holding N snapshots an
// account shares with the vault account in us-east-1, each already copied by the bench's
// policy to two regions (copies tagged as a pass tags them). Prints {url, credentials,
// buildMs} as one JSON line; on the stdin line "counts" prints the request log's counts;
// exits when stdin closes. A separate process, so the client's memory and CPU are its own.
import { createInterface } from 'node:readline';
import { Ec2Simulator, VirtualClock } from '@snapcopy/testkit';

const N = Number(process.argv[2] ?? 10_000);
const SOURCE = '111111111111';
const VAULT = '222222222222';
const DESTINATIONS = ['us-west-2', 'eu-west-1'];
const t0 = performance.now();
const sim = new Ec2Simulator({ clock: new VirtualClock({ start: Date.now() }), throttling: false });
sim.addRegions('us-east-1', ...DESTINATIONS);
sim.addAccount({ id: SOURCE });
sim.addAccount({
  id: VAULT,
  accessKeyId: 'AKIABENCHPOLICY00001',
  secretAccessKey: 'bench-policy-secret-000001',
});
const expires = new Date(Date.now() + 365 * 86_400_000).toISOString();
// The simulator's own fixture call (about 30 µs a snapshot): 300,000 take about 10 s.
const sources = Array.from({ length: N }, (_, i) =>
  sim.addSnapshot({
    account: SOURCE,
    region: 'us-east-1',
    sizeGiB: 8,
    volumeSizeGiB: 8,
    description: `nightly ${i}`,
    sharedWith: [VAULT],
  }),
);
for (const region of DESTINATIONS) {
  for (const [i, s] of sources.entries()) {
    sim.addSnapshot({
      account: VAULT,
      region,
      sizeGiB: 8,
      volumeSizeGiB: 8,
      tags: {
        'snapcopy:policy': 'bench',
        'snapcopy:expires-at': expires,
        'snapcopy:client-token': `bench-${region}-${i}`,
        'snapcopy:source-snapshot': s.id,
        'snapcopy:source-region': 'us-east-1',
      },
    });
  }
}
const server = await sim.listen();
const mark = sim.world.requests.entries().length;
process.stdout.write(
  `${JSON.stringify({ url: server.url, credentials: sim.credentials(VAULT), buildMs: Math.round(performance.now() - t0), snapshots: sim.world.snapshots.size })}\n`,
);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'counts') return;
  const counts = {};
  for (const e of sim.world.requests.entries().slice(mark)) {
    const key = `${e.operation} ${e.region ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  process.stdout.write(`${JSON.stringify({ counts })}\n`);
});
lines.on('close', () => server.close().then(() => process.exit(0)));
