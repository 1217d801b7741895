// One engine-dbos worker process of the multi-worker tests and the benchmark: the built
// packages (dist), both adapters pointed at the simulator servers, the test's sped-up
// clock. Prints one JSON line when ready and one per takeover; SIGTERM stops it cleanly.
import { createAlibabaEcsCopier } from '@snapcopy/alibaba';
import { createAwsEbsCopier } from '@snapcopy/aws';
import { startWorker } from '@snapcopy/engine-dbos';
import { ScaledClock } from '@snapcopy/testkit';

const config = JSON.parse(process.argv[2] ?? '{}');
const line = (o) => process.stdout.write(`${JSON.stringify({ worker: config.executorId, ...o })}\n`);

const clock = new ScaledClock(config.clock);
// One attempt per copier call: the workflows own the retries, as `snapcopy worker` runs.
const once = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };
const copiers = {
  aws: {
    copier: createAwsEbsCopier({
      credentials: config.aws.credentials,
      endpoint: config.aws.endpoint,
      clock,
      retry: once,
    }),
    ...(config.limits?.aws ? { maxConcurrentCopiesPerRegion: config.limits.aws } : {}),
  },
  alibaba: {
    copier: createAlibabaEcsCopier({
      credentials: config.alibaba.credentials,
      endpoint: config.alibaba.endpoint,
      protocol: 'http',
      clock,
      retry: once,
    }),
    ...(config.limits?.alibaba ? { maxConcurrentCopiesPerRegion: config.limits.alibaba } : {}),
  },
};

const worker = await startWorker({
  databaseUrl: config.databaseUrl,
  executorId: config.executorId,
  copiers,
  clock,
  timeScale: config.clock.scale,
  migrate: false,
  logger: {
    debug() {},
    info() {},
    warn: (message, fields) =>
      process.stderr.write(`${config.executorId}: ${message} ${JSON.stringify(fields ?? {})}\n`),
  },
  ...config.tuning,
});
line({ event: 'ready', pid: process.pid });

let reported = 0;
const timer = setInterval(() => {
  while (reported < worker.takeovers.length) line({ event: 'takeover', ...worker.takeovers[reported++] });
}, 50);

process.once('SIGTERM', async () => {
  clearInterval(timer);
  await worker.stop();
  line({ event: 'stopped', tracker: worker.tracker });
  process.exit(0);
});
