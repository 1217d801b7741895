// The batch process of the crash test: runs one batch against the simulator servers
// with a SQLite journal, printing one JSON line per event that matters. The test kills
// it with SIGKILL mid-run and starts it again with the same arguments.
// Runs the built packages (dist), as a user's process would.
import { createAlibabaEcsCopier, createAlibabaImageCopier } from '@snapcopy/alibaba';
import { createAwsEbsCopier, createAwsImageCopier } from '@snapcopy/aws';
import { CopyOrchestrator, openSqliteJournal } from '@snapcopy/orchestrator';

const config = JSON.parse(process.argv[2] ?? '{}');
const line = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

// The test's clock: real time sped up `scale` times from the same start as the simulators',
// so that every wait (polls, backoffs, the consistency window) passes as fast as the copies.
const { realStart, virtualStart, scale } = config.clock;
const clock = {
  now: () => virtualStart + (Date.now() - realStart) * scale,
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms / scale);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    }),
};

// Virtual ms: 4 s is 20 ms of real time at 200x.
const fast = { maxAttempts: 10, baseDelayMs: 4_000, maxDelayMs: 40_000 };
// The copiers' own retries: the same as the orchestrator's unless the test asks for one
// attempt per call (as `snapcopy batch` does).
const copierRetry = config.copierRetry ?? fast;
const journal = await openSqliteJournal(config.journal, { now: clock.now });
const awsOptions = {
  credentials: config.aws.credentials,
  endpoint: config.aws.endpoint,
  clock,
  retry: copierRetry,
};
const aliOptions = {
  credentials: config.alibaba.credentials,
  endpoint: config.alibaba.endpoint,
  protocol: 'http',
  clock,
  retry: copierRetry,
};
// With `images`, each cloud's entry has its image copier beside the snapshot one.
const orchestrator = new CopyOrchestrator({
  copiers: {
    aws: {
      copier: createAwsEbsCopier(awsOptions),
      ...(config.images ? { imageCopier: createAwsImageCopier(awsOptions) } : {}),
    },
    alibaba: {
      copier: createAlibabaEcsCopier(aliOptions),
      ...(config.images ? { imageCopier: createAlibabaImageCopier(aliOptions) } : {}),
    },
  },
  journal,
  clock,
  poll: { minIntervalMs: 4_000, maxIntervalMs: 100_000 },
  retry: fast,
  throttleBackoff: { baseDelayMs: 4_000, maxDelayMs: 100_000 },
  lease: { staleAfterMs: 600_000 },
});

const result = await orchestrator.run(config.items, {
  batchId: config.batchId,
  onEvent: (e) => {
    if (e.type === 'copy-started')
      line({ event: 'copy-started', index: e.index, kind: e.kind, reused: e.handle.reused });
  },
});
line({
  event: 'done',
  resumed: result.resumed,
  counts: result.counts,
  calls: result.calls,
  results: result.results.map((r) => ({
    index: r.index,
    kind: r.kind,
    outcome: r.outcome,
    clientToken: r.clientToken,
    destination: r.destination,
    resumed: r.resumed,
    attempts: r.attempts,
    error: r.error?.message,
    duplicatesRemoved: r.duplicatesRemoved?.length ?? 0,
  })),
});
await journal.close();
