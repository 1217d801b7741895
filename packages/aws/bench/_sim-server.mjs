#!/usr/bin/env node
// Child process of status-cpu.mjs: serves an EC2 simulator on 127.0.0.1 with 200 copies
// in us-west-2, prints {url, credentials, ids} as one JSON line, and exits when stdin closes.
// A separate process so that the simulator's CPU is not counted against the client.
import { Ec2Simulator, VirtualClock } from '@snapcopy/testkit';

const ACCOUNT = '111122223333';
const sim = new Ec2Simulator({ clock: new VirtualClock(), throttling: false });
sim.addRegions('us-east-1', 'us-west-2');
sim.addAccount({
  id: ACCOUNT,
  accessKeyId: 'AKIABENCHSTATUS00001',
  secretAccessKey: 'bench-status-secret-000001',
});
const ids = [];
for (let i = 0; i < 200; i++) {
  ids.push(
    sim.addSnapshot({
      account: ACCOUNT,
      region: 'us-west-2',
      sizeGiB: 8,
      tags: { 'snapcopy:client-token': `bench-${i}`, team: 'bench' },
    }).id,
  );
}
const server = await sim.listen();
process.stdout.write(`${JSON.stringify({ url: server.url, credentials: sim.credentials(ACCOUNT), ids })}\n`);
process.stdin.resume();
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
