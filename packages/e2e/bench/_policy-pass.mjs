#!/usr/bin/env node
// Child process of policy-pass.mjs: one policy pass through the AWS adapter against the
// simulator at argv[2], then its wall time, CPU and memory as one JSON line. The pass
// holds at most one listing page and 8 bytes per existing copy.
import { createAwsEbsCopier } from '@snapcopy/aws';
import { parsePolicyDocument, runPolicyPass } from '@snapcopy/policy';

const [url, credentialsJson] = process.argv.slice(2);
const policy = parsePolicyDocument({
  version: 1,
  id: 'bench',
  sources: [
    {
      provider: 'aws',
      regions: ['us-east-1'],
      owner: { sharedBy: ['111111111111'] },
      descriptionRegex: 'nightly .*',
    },
  ],
  destinations: [
    { provider: 'aws', region: 'us-west-2', retention: { interval: 30, unit: 'days' } },
    {
      provider: 'aws',
      region: 'eu-west-1',
      encryption: { encrypted: true },
      retention: { interval: 1, unit: 'years' },
    },
  ],
});
const copier = createAwsEbsCopier({
  endpoint: url,
  credentials: JSON.parse(credentialsJson),
  retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  requestTimeoutMs: 120_000,
});
// Load the SDK before measuring: its one-off cost is not the pass's.
await copier.nativeClient('us-east-1');
global.gc?.();
const before = process.memoryUsage();
let heapPeak = before.heapUsed;
const sampler = setInterval(() => {
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}, 20);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const report = await runPolicyPass({ policy, copiers: { aws: copier } });
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
clearInterval(sampler);
heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
// What the pass still holds once its garbage is collected: the report (indexes are gone with it).
global.gc?.();
const retained = process.memoryUsage().heapUsed - before.heapUsed;
copier.destroy();
process.stdout.write(
  `${JSON.stringify({
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    heapBeforeMB: +(before.heapUsed / 1e6).toFixed(1),
    heapPeakMB: +(heapPeak / 1e6).toFixed(1),
    heapGrowthMB: +((heapPeak - before.heapUsed) / 1e6).toFixed(1),
    retainedAfterGcMB: +(retained / 1e6).toFixed(1),
    totals: report.totals,
    sources: report.sources,
    destinations: report.destinations,
  })}\n`,
);
