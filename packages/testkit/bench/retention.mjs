#!/usr/bin/env node
/**
 * How long the ECS simulator takes to catch up after the virtual clock jumps: N retained
 * snapshots (retention 1–365 days), then one 400-day jump, or 400 one-day steps, each
 * followed by `advance()` (what every request does first). No HTTP: the engine alone.
 *
 * Run after `npx tsc -b` (it imports ../dist): `node packages/testkit/bench/retention.mjs`.
 * Env: RETENTION_BENCH_SNAPSHOTS (100000).
 */
import { EcsSimulator, VirtualClock } from '../dist/index.js';

const N = Number(process.env.RETENTION_BENCH_SNAPSHOTS ?? 100_000);
const DAY = 86_400_000;

function world() {
  const clock = new VirtualClock({ autoAdvance: false });
  const sim = new EcsSimulator({ clock, rateLimit: false });
  sim.addRegions('cn-hangzhou');
  const account = sim.addAccount().id;
  const disk = sim.addDisk({ account, region: 'cn-hangzhou', sizeGiB: 40 });
  for (let i = 0; i < N; i++) {
    sim.addSnapshot({
      account,
      region: 'cn-hangzhou',
      diskId: disk.id,
      sizeGiB: 1,
      retentionDays: 1 + (i % 365),
    });
  }
  sim.advance();
  return { clock, sim };
}

const ms = (t0) => Math.round(Number(process.hrtime.bigint() - t0) / 1e5) / 10;

const a = world();
let t0 = process.hrtime.bigint();
a.clock.advance(400 * DAY);
a.sim.advance();
const jump = ms(t0);
const left = a.sim.world.snapshots.size;

const b = world();
t0 = process.hrtime.bigint();
for (let d = 0; d < 400; d++) {
  b.clock.advance(DAY);
  b.sim.advance();
}
const steps = ms(t0);

t0 = process.hrtime.bigint();
for (let i = 0; i < 1000; i++) b.sim.advance();
const idle = ms(t0);

console.log(`retained snapshots: ${N}`);
console.log(`one 400-day jump + advance(): ${jump} ms (left: ${left})`);
console.log(`400 one-day steps + advance(): ${steps} ms`);
console.log(`1000 advance() with nothing due: ${idle} ms`);
