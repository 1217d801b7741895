import { type Command, Option } from 'commander';
import type { CommandFinisher } from './command-help.js';
import {
  collectFlag,
  parseDurationFlag,
  parsePollMsFlag,
  parseZeroOrMoreDurationFlag,
} from './flag-parsers.js';
import { CONSISTENCY_WINDOW_HELP } from './orchestrator-options.js';
import { PROVIDER_NAMES, PROVIDERS } from './providers.js';

/** The flags that choose and reach the engine (`batch`, `policy run`, `worker`, `recover`). */
export interface EngineFlags {
  /** `in-process` (default) or `dbos`. */
  readonly engine?: 'in-process' | 'dbos';
  /** The deployment's PostgreSQL (`--database-url`, `SNAPCOPY_DATABASE_URL`). */
  readonly databaseUrl?: string;
  /** `batch --engine dbos --detach`: submit and return. */
  readonly detach?: boolean;
}

const DATABASE_URL_HELP =
  'the PostgreSQL every worker shares, postgresql://user:password@host:5432/snapcopy (default: $SNAPCOPY_DATABASE_URL)';

function databaseUrlOption(): Option {
  return new Option('--database-url <url>', DATABASE_URL_HELP).env('SNAPCOPY_DATABASE_URL');
}

/** `--engine` and `--database-url` on `batch` (with `--detach`) and `policy run`. */
export function addEngineOptions(cmd: Command, kind: 'batch' | 'policy'): Command {
  cmd
    .addOption(
      new Option(
        '--engine <name>',
        kind === 'batch'
          ? 'in-process (this process, the SQLite journal) or dbos (submit to the workers on --database-url and follow)'
          : 'in-process (this process, the SQLite journal) or dbos (scheduled on the workers every --every; --once: one pass there now)',
      )
        .choices(['in-process', 'dbos'])
        .default('in-process'),
    )
    .addOption(databaseUrlOption());
  if (kind === 'batch') {
    cmd.option(
      '--detach',
      'with --engine dbos: submit the batch and return at once (follow it later with the same command)',
    );
  }
  return cmd;
}

/** Registers `worker` and `recover`. Their modules (and DBOS) load only when they run. */
export function addEngineCommands(program: Command, finish: CommandFinisher): void {
  const worker = program
    .command('worker')
    .description(
      'Run copies and policies from the shared PostgreSQL until SIGTERM: one of N workers that take over from each other (DBOS Transact).',
    )
    .addOption(databaseUrlOption())
    .option(
      '--executor-id <id>',
      "this worker's id: stable across its restarts, unique among live workers (default: the host name)",
    )
    .option(
      '--provider <name>',
      `run copies of this provider: ${PROVIDER_NAMES.join(' or ')} (repeatable; default: all)`,
      collectFlag,
    );
  for (const name of PROVIDER_NAMES) {
    worker.option(
      `--${name}-endpoint <url>`,
      `${PROVIDERS[name].title} endpoint (default: $${PROVIDERS[name].endpointEnv})`,
    );
  }
  worker
    .addOption(
      new Option(
        '--request-timeout <duration>',
        'give up on one provider call after this long, e.g. 10s (default 30s)',
      )
        .argParser(parseDurationFlag)
        .env('SNAPCOPY_REQUEST_TIMEOUT'),
    )
    .addOption(
      new Option(
        '--poll-ms <ms>',
        "shortest delay between one region's status polls in ms, at least 100 (default 5000)",
      )
        .argParser(parsePollMsFlag)
        .env('SNAPCOPY_POLL_MS'),
    )
    .addOption(
      new Option('--consistency-window <duration>', CONSISTENCY_WINDOW_HELP)
        .argParser(parseZeroOrMoreDurationFlag)
        .env('SNAPCOPY_CONSISTENCY_WINDOW'),
    )
    .option(
      '--profile <name>',
      "profile of the provider's own config for this worker's copies: AWS: ~/.aws/config and ~/.aws/credentials; Alibaba: ~/.aliyun/config.json (default: $AWS_PROFILE / $ALIBABA_CLOUD_PROFILE, then the SDK's default chain)",
    )
    .option(
      '-v, --verbose',
      'print each provider call on stderr: operation, region, HTTP status, request id, duration (never a secret)',
    )
    .option('--heartbeat <duration>', 'how often this worker beats (default 5s)', parseDurationFlag)
    .option(
      '--dead-after <duration>',
      'a worker silent this long is dead and a live one takes its copies over (default and at most 60s)',
      parseDurationFlag,
    )
    .option('--migrate-only', "create or upgrade the database's tables, then exit (a role that may run DDL)")
    .option('--json', 'print one JSON line when started and one when stopped');
  finish(
    worker,
    () => import('./commands/worker.js'),
    'snapcopy worker --database-url postgresql://snapcopy:…@db:5432/snapcopy --executor-id backup-1',
    'SNAPCOPY_DATABASE_URL=postgresql://… snapcopy worker --executor-id backup-2 --provider aws',
    'snapcopy worker --database-url postgresql://… --executor-id backup-3 --profile dr-copies',
    'snapcopy worker --database-url postgresql://… --migrate-only',
  );

  finish(
    program
      .command('recover')
      .description(
        "Have a live worker take over a dead worker's copies now, instead of after --dead-after (workers do it by themselves).",
      )
      .addOption(databaseUrlOption())
      .requiredOption('--executor <id>', 'the executor id of the worker that is gone')
      .option(
        '--force',
        'even if it beat recently (make sure it is really stopped: its copies would run twice)',
      )
      .option(
        '--wait <duration>',
        'how long to wait for a live worker to take it over (default 60s)',
        parseDurationFlag,
      )
      .option('--json', 'print exactly one JSON document on stdout'),
    () => import('./commands/recover.js'),
    'snapcopy recover --database-url postgresql://… --executor backup-1',
  );
}
