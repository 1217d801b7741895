import type { Command } from 'commander';
import {
  addConnectionOptions,
  addConsistencyWindowOption,
  addOutputOptions,
  addProfileOption,
  addProviderEndpointOptions,
  addRequestTimeoutOption,
} from './convention-options.js';
import { parseDurationFlag, parsePollMsFlag, parseWholeNumberFlag } from './flag-parsers.js';
import type { CommandFinisher } from './command-help.js';
import type { CommandRunner } from './program.js';

// The commands that find copies and work on a batch journal: `list`, `batch status`,
// `batch retry-failed`. Only commander is loaded here; each command's module is imported
// when it runs.

/** `batch status` and `batch retry-failed` under `batch`. */
export function addBatchSubcommands(batch: Command, runCommand: CommandRunner): void {
  // `batch`'s own options (`--journal`, `--json`, …) are read wherever they stand, so the
  // subcommands take their flags merged with the parent's (optsWithGlobals).
  const journal = (cmd: Command) =>
    cmd
      .option('--journal <file>', 'the SQLite journal the batch ran with (default snapcopy-journal.db)')
      .option('--batch-id <id>', 'the batch (default: the one FILE names, as `snapcopy batch FILE` does)');
  addOutputOptions(journal(batch.command('status')), { calls: false })
    .description(
      'List every copy a journal knows, batch by batch: its state, destination, client token and error. Reads only the journal: no provider call.',
    )
    .argument('[file]', 'the batch file, to name its batch (default: every batch of the journal)')
    .action((file: string | undefined, _flags, cmd: Command) =>
      runCommand(
        () => import('./commands/batch-status.js'),
        cmd.optsWithGlobals(),
        file === undefined ? [] : [file, ...cmd.args.slice(1)],
      ),
    );
  const retry = addConsistencyWindowOption(
    addRequestTimeoutOption(
      addProviderEndpointOptions(addOutputOptions(addProfileOption(journal(batch.command('retry-failed'))))),
    ),
  )
    .description(
      'Run again only the copies of a batch that failed, as a new batch with new client tokens (the batch id plus .retry-N). Rerun it after a crash to resume that retry.',
    )
    .argument('<file>', 'the batch file the batch ran from')
    .option(
      '--timeout <duration>',
      'stop after this long; copies keep running, rerun to resume',
      parseDurationFlag,
    )
    .option(
      '--poll-ms <ms>',
      "shortest delay between one region's status polls in ms (at least 100)",
      parsePollMsFlag,
    )
    .addHelpText('after', '\nExamples:\n  $ snapcopy batch retry-failed requests.ndjson --journal dr.db\n');
  retry.action((file: string, _flags, cmd: Command) =>
    runCommand(() => import('./commands/batch-retry.js'), cmd.optsWithGlobals(), [
      file,
      ...cmd.args.slice(1),
    ]),
  );
}

/** `snapcopy list`: copies snapcopy made, by lineage. */
export function addListCommand(program: Command, finish: CommandFinisher): void {
  finish(
    addConnectionOptions(program.command('list'))
      .description(
        'Find the copies snapcopy made in a region by lineage: all copies of a source, the copy of a client token, a batch, a policy; with their state. Snapshot copies, or image copies with --image.',
      )
      .option(
        '--to <region>',
        "region the copies are in (default $AWS_REGION / $ALIBABA_CLOUD_REGION_ID or the profile's region)",
      )
      .option('--source <id>', 'copies of this source snapshot (with --image: source image)')
      .option('--source-region <region>', 'copies of sources in this region')
      .option('--client-token <token>', 'the copy made with this client token')
      .option('--batch <id>', 'copies made by this batch (client tokens <batch id>.<n>)')
      .option('--policy <name>', 'copies made by this copy policy')
      .option('--max-pages <n>', 'read at most this many pages of the provider listing', parseWholeNumberFlag)
      .option('--image', 'image copies (AMIs, ECS custom images) instead of snapshot copies'),
    () => import('./commands/list.js'),
    'snapcopy list --provider aws --to us-west-2 --source snap-0a000000000000001',
    'snapcopy list --provider alibaba --to cn-shanghai --batch batch-1f2e3d4c5b6a7980 --json',
    'snapcopy list --provider aws --to us-west-2 --client-token nightly-web-1',
    'snapcopy list --provider alibaba --to cn-shanghai --image --source m-bp1abc',
  );
}
