#!/usr/bin/env node
// An ECS simulator on 127.0.0.1 in its own process, so that the benchmark's CPU figures
// count the client only. Prints one JSON line {url, credentials, ids}; exits when stdin closes.
import { EcsSimulator, VirtualClock } from '@snapcopy/testkit';

const sim = new EcsSimulator({ clock: new VirtualClock({ autoAdvance: false }), rateLimit: false });
sim.addRegions('cn-hangzhou', 'cn-shanghai');
const account = sim.addAccount().id;
const ids = Array.from(
  { length: 200 },
  () => sim.addSnapshot({ account, region: 'cn-shanghai', sizeGiB: 20 }).id,
);
const server = await sim.listen();
const { accessKeyId, accessKeySecret } = sim.credentials(account);
process.stdout.write(
  `${JSON.stringify({ url: server.url, credentials: { accessKeyId, accessKeySecret }, ids })}\n`,
);
process.stdin.resume();
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
