// The batch process of the crash test: runs one batch against the simulator servers
// with a SQLite journal, printing one JSON line per event that matters. The test kills
// it with SIGKILL mid-run and starts it again with the same arguments.
// Runs the built packages (dist), as a user's process would.
import { createAlibabaEcsCopier } from '@snapcopy/alibaba';
import { createAwsEbsCopier } from '@snapcopy/aws';
import { CopyOrchestrator, openSqliteJournal } from '@snapcopy/orchestrator';

const config = JSON.parse(process.argv[2] ?? '{}');
const line = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

const fast = { maxAttempts: 10, baseDelayMs: 20, maxDelayMs: 200 };
const journal = await openSqliteJournal(config.journal);
const orchestrator = new CopyOrchestrator({
  copiers: {
    aws: createAwsEbsCopier({
      credentials: config.aws.credentials,
      endpoint: config.aws.endpoint,
      retry: fast,
    }),
    alibaba: createAlibabaEcsCopier({
      credentials: config.alibaba.credentials,
      endpoint: config.alibaba.endpoint,
      protocol: 'http',
      retry: fast,
    }),
  },
  journal,
  poll: { minIntervalMs: 20, maxIntervalMs: 500 },
  retry: fast,
  throttleBackoff: { baseDelayMs: 20, maxDelayMs: 500 },
});

const result = await orchestrator.run(config.items, {
  batchId: config.batchId,
  onEvent: (e) => {
    if (e.type === 'copy-started') line({ event: 'copy-started', index: e.index, reused: e.handle.reused });
  },
});
line({
  event: 'done',
  resumed: result.resumed,
  counts: result.counts,
  calls: result.calls,
  results: result.results.map((r) => ({
    index: r.index,
    outcome: r.outcome,
    clientToken: r.clientToken,
    destination: r.destination,
    resumed: r.resumed,
    error: r.error?.message,
  })),
});
await journal.close();
