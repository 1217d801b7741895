import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  addConnectionOptions,
  addConsistencyWindowOption,
  addOutputOptions,
  addPricesOption,
  addProfileOption,
  addProviderEndpointOptions,
  addRequestTimeoutOption,
} from './convention-options.js';
import { addEngineOptions } from './engine-program.js';
import { collectFlag, parseWholeNumberFlag } from './flag-parsers.js';
import type { CommandFinisher } from './command-help.js';

const EVERY_UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--every 15m`: a period of at least a minute, in s, m, h or d. */
export function parseEveryFlag(value: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(value.trim());
  const ms = m ? Number(m[1]) * EVERY_UNITS[m[2]!]! : Number.NaN;
  if (!(ms >= 60_000)) {
    throw new InvalidArgumentError(
      `expected a period of at least a minute such as 15m, 1h or 1d, got "${value}"`,
    );
  }
  return ms;
}

/**
 * The options every policy command takes: each provider's endpoint, `--profile` (the
 * credentials, and a DLM document's region as the AWS CLI reads it), how a DLM document
 * gets its region and id, and the output options (`--verbose` where provider calls are made).
 */
function policyOptions(cmd: Command, calls: boolean): Command {
  addOutputOptions(addProfileOption(addProviderEndpointOptions(cmd)), { calls });
  if (calls) addRequestTimeoutOption(cmd);
  return cmd
    .argument(
      '<file>',
      'a snapcopy policy (JSON) or an AWS DLM event-based policy (policyDetails.json), unchanged',
    )
    .option(
      '--region <region>',
      "the region a DLM policy runs in (default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile's region)",
    )
    .option(
      '--id <id>',
      'the id to give a DLM policy (default: its PolicyId, else derived from the document)',
    );
}

/**
 * Registers `policy validate|plan|run|convert` and `share`. Each module is imported when
 * its command runs, as for the other commands.
 */
export function addPolicyCommands(program: Command, finish: CommandFinisher): void {
  const policy = program
    .command('policy')
    .description(
      'Copy policies: what to copy (own or shared snapshots, description, tags, sets), where, how long; DLM documents read unchanged.',
    );

  finish(
    policyOptions(policy.command('validate'), false).description(
      "Check a policy against each provider's capabilities and rules. No provider call.",
    ),
    () => import('./commands/policy-validate.js'),
    'snapcopy policy validate vault.json',
    'AWS_REGION=us-east-1 snapcopy policy validate policyDetails.json',
  );

  finish(
    addPricesOption(policyOptions(policy.command('plan'), true)).description(
      'What one pass would copy, skip and expire, and what it would cost. Changes nothing.',
    ),
    () => import('./commands/policy-plan.js'),
    'snapcopy policy plan vault.json --prices packages/cli/prices/aws-alibaba-list-prices.json',
    'snapcopy policy plan policyDetails.json --region us-east-1 --json',
  );

  finish(
    addEngineOptions(
      addConsistencyWindowOption(addPricesOption(policyOptions(policy.command('run'), true))),
      'policy',
    )
      .description(
        'Run a pass (--once), or a pass every period until SIGTERM (--watch --every 15m); journaled, so a stopped pass resumes.',
      )
      .option('--once', 'run one pass')
      .option('--watch', 'run a pass every --every, until SIGINT/SIGTERM')
      .addOption(
        new Option(
          '--every <period>',
          'time between passes with --watch: 15m, 1h, 1d (default 15m)',
        ).argParser(parseEveryFlag),
      )
      .option(
        '--journal <file>',
        'SQLite journal of the passes (a stopped pass resumes from it)',
        'snapcopy-journal.db',
      )
      .addOption(
        new Option('--poll-ms <ms>', "shortest delay between one region's status polls in ms (default 5000)")
          .argParser(parseWholeNumberFlag)
          .env('SNAPCOPY_POLL_MS'),
      ),
    () => import('./commands/policy-run.js'),
    'snapcopy policy run policyDetails.json --region us-east-1 --once',
    'snapcopy policy run vault.json --watch --every 15m --journal vault.db',
    'snapcopy policy run vault.json --engine dbos --every 1h --database-url postgresql://…   # scheduled on the workers',
  );

  finish(
    policyOptions(policy.command('convert'), false).description(
      "Print a policy's snapcopy form (what a DLM document means to snapcopy).",
    ),
    () => import('./commands/policy-convert.js'),
    'snapcopy policy convert policyDetails.json --region us-east-1 > vault.json',
  );

  finish(
    addConnectionOptions(program.command('share'))
      .description(
        "Share one of your snapshots with other accounts (the source side of a cross-account copy; EC2's ModifySnapshotAttribute).",
      )
      .option(
        '--region <region>',
        "region of the snapshot (default $AWS_REGION / $ALIBABA_CLOUD_REGION_ID or the profile's region)",
      )
      .option('--snapshot <id>', 'id of the snapshot to share')
      .option('--with <account>', 'account to share it with (repeatable)', collectFlag),
    () => import('./commands/share.js'),
    'snapcopy share -p aws --region us-east-1 --snapshot snap-0123456789abcdef0 --with 222222222222',
  );
}
