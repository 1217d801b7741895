import { Command, Option } from 'commander';
import {
  addConnectionOptions,
  addConsistencyWindowOption,
  addOutputOptions,
  addPricesOption,
  addProfileOption,
  addProviderEndpointOptions,
  addRequestTimeoutOption,
} from './convention-options.js';
import { addEngineCommands, addEngineOptions } from './engine-program.js';
import { commandFinisher, examples } from './command-help.js';
import { addPolicyCommands } from './policy-program.js';
import {
  collectFlag,
  parseDurationFlag,
  parsePollMsFlag,
  parsePositiveNumberFlag,
  parseTagFlag,
  parseWholeNumberFlag,
} from './flag-parsers.js';
import { escapeControlCharacters } from './output/format.js';
import { addBatchSubcommands, addListCommand } from './program-conventions.js';
import { PROVIDER_NAMES } from './providers.js';

/** What a command module exports: run with the parsed flags, resolve to an exit code. */
export interface CommandModule<Flags> {
  run(flags: Flags, args: readonly string[]): Promise<number>;
}

/** Runs a command: the caller decides how to load its module and how to report errors. */
export type CommandRunner = <Flags>(
  load: () => Promise<CommandModule<Flags>>,
  flags: Flags,
  args: readonly string[],
) => Promise<void>;

/**
 * Refuses two flags of one command given together (commander lets the last one win,
 * silently): `--encrypt --no-encrypt` is a contradiction, not a choice.
 */
function refuseTogether(cmd: Command, a: string, b: string): Command {
  let seen: string | undefined;
  const note = (flag: string) => () => {
    if (seen !== undefined && seen !== flag) {
      cmd.error(`error: --${a} and --${b} contradict each other: give one of them`, {
        exitCode: 2,
        code: 'snapcopy.contradictoryFlags',
      });
    }
    seen = flag;
  };
  cmd.on(`option:${a}`, note(a));
  cmd.on(`option:${b}`, note(b));
  return cmd;
}

function addRequestOptions(cmd: Command): Command {
  return addConnectionOptions(refuseTogether(cmd, 'encrypt', 'no-encrypt'))
    .option(
      '--from <region>',
      "region of the source snapshot or image (alibaba: default the profile's region_id or $ALIBABA_CLOUD_REGION_ID, as aliyun ecs CopySnapshot/CopyImage --RegionId)",
    )
    .option(
      '--to <region>',
      "region to copy into, may equal --from (aws: default $AWS_REGION, $AWS_DEFAULT_REGION or the profile's region, as aws ec2 copy-snapshot/copy-image)",
    )
    .option('--snapshot <id>', 'id of the source snapshot')
    .option(
      '--image <id>',
      'id of the source machine image (an AMI or ECS custom image), instead of --snapshot',
    )
    .option('--source-account <id>', 'owner of a snapshot or image shared with you')
    .option('--encrypt', 'make the copy encrypted (implied by --kms-key)')
    .option('--no-encrypt', 'ask for an unencrypted copy (refused for an encrypted source)')
    .option('--kms-key <id>', 'KMS key for the copy, in the destination region (id, ARN or alias)')
    .option('--retention-days <n>', 'release the copy after n days (Alibaba)', parseWholeNumberFlag)
    .option(
      '--completion-minutes <n>',
      'time-based copy: finish within n minutes, 15-2880 in steps of 15 (AWS)',
      parseWholeNumberFlag,
    )
    .option('--tag <key=value>', 'tag the copy (repeatable)', parseTagFlag)
    .option('--name <name>', 'name of the copy')
    .option('--description <text>', 'description of the copy')
    .option('--client-token <token>', 'idempotency token: re-running with it never makes a second copy');
}

// The words match follow-copies.ts (wait) and commands/batch.ts (batch), which differ.
const WAIT_HELP = {
  wait: {
    timeout: 'give up waiting after this long, e.g. 30s, 10m, 6h (default 6h)',
    pollMs:
      'first delay between status polls in ms, at least 100 (grows 1.5x up to 10x it, at most 60 s; default 5000, growing up to 60 s)',
  },
  batch: {
    timeout:
      'stop the batch after this long, e.g. 30s, 10m, 6h (default: no limit); copies keep running, rerun to resume',
    pollMs:
      "shortest delay between one region's status polls in ms, at least 100 (adapted up to 10x it, at most 60 s; default 5000, adapted up to 5 min)",
  },
} as const;

function addWaitOptions(cmd: Command, kind: keyof typeof WAIT_HELP = 'wait'): Command {
  return cmd
    .option('--timeout <duration>', WAIT_HELP[kind].timeout, parseDurationFlag)
    .addOption(
      new Option('--poll-ms <ms>', WAIT_HELP[kind].pollMs).argParser(parsePollMsFlag).env('SNAPCOPY_POLL_MS'),
    );
}

function addCopyRefOptions(cmd: Command, many: boolean): Command {
  return addConnectionOptions(cmd)
    .option(
      '--to <region>',
      "region the copy is in, its destination (default $AWS_REGION / $ALIBABA_CLOUD_REGION_ID or the profile's region)",
    )
    .option('--snapshot <id>', many ? 'id of a copy (repeatable)' : 'id of the copy', collectFlag)
    .option(
      '--image <id>',
      many
        ? 'id of an image copy (repeatable), instead of --snapshot'
        : 'id of the image copy, instead of --snapshot',
      collectFlag,
    )
    .option('--handle <file>', 'read the copy from a file holding `snapcopy copy --json` output');
}

/**
 * Builds the `snapcopy` command tree. Only commander is loaded here: each command's
 * module (and with it core, a provider SDK or the simulators) is imported when that
 * command runs, so `--help` and `--version` stay fast.
 */
export function buildProgram(version: string, runCommand: CommandRunner): Command {
  const finish = commandFinisher(runCommand);
  const program = new Command('snapcopy')
    .description(
      'Copy block-storage snapshots and machine images across regions, keys and accounts on AWS and Alibaba Cloud ECS.',
    )
    .version(version, '-V, --version', 'print the version')
    .showSuggestionAfterError()
    // Set before the subcommands are made, so that they inherit both.
    .exitOverride()
    .configureOutput({
      // One line per problem: commander puts its "did you mean" hint on a second line.
      // The arguments it echoes are shown with control characters escaped.
      outputError: (text, write) =>
        write(
          `snapcopy: ${escapeControlCharacters(
            text
              .trim()
              .replace(/^error: /, '')
              .replace(/\s*\n\s*/g, ' '),
          )}\n`,
        ),
    })
    .addHelpText(
      'after',
      examples(
        'npm start                      # the demo: sandbox clouds, every kind of copy, in under a minute',
        'snapcopy plan --provider aws --from us-east-1 --to us-west-2 --snapshot snap-0123456789abcdef0 --encrypt',
        'snapcopy copy --provider alibaba --from cn-hangzhou --to cn-shanghai --snapshot s-bp1abc --wait',
        'snapcopy capabilities',
      ),
    );

  finish(
    addPricesOption(addRequestOptions(program.command('plan'))).description(
      'Show what a copy would do and what it would cost. Changes nothing.',
    ),
    () => import('./commands/plan.js'),
    'snapcopy plan --provider aws --from us-east-1 --to eu-west-1 --snapshot snap-0123456789abcdef0 --kms-key alias/backup',
    'snapcopy plan --provider alibaba --from cn-hangzhou --to cn-hangzhou --snapshot s-bp1abc --encrypt --json',
    'snapcopy plan --provider aws --from us-east-1 --to us-west-2 --image ami-0123456789abcdef0 --kms-key alias/dr   # one row per backing snapshot',
    'snapcopy plan --profile prod --provider aws --from us-east-1 --snapshot snap-0123456789abcdef0 --prices packages/cli/prices/aws-alibaba-list-prices.json',
  );

  finish(
    addPricesOption(addWaitOptions(addRequestOptions(program.command('copy'))))
      .description(
        'Start a copy and print its destination snapshot (or image) id; with --wait, follow it to the end.',
      )
      .option('--wait', 'wait for the copy to finish, showing progress')
      .option(
        '--group-tag <key=value>',
        'copy every snapshot of a set sharing this tag, as one set (waits)',
        parseTagFlag,
      )
      .option('--group-id <id>', "copy an ECS snapshot-consistent group's snapshots, as one set (waits)"),
    () => import('./commands/copy.js'),
    'snapcopy copy --provider aws --from us-east-1 --to us-west-2 --snapshot snap-0123456789abcdef0 --tag team=dr --wait',
    'snapcopy copy --provider alibaba --from cn-hangzhou --to cn-beijing --snapshot s-bp1abc --retention-days 30 --json > copy.json',
    'snapcopy copy --provider alibaba --from cn-hangzhou --to cn-shanghai --image m-bp1abc --encrypt --wait',
  );

  finish(
    addCopyRefOptions(program.command('status'), true).description(
      'Show the state and progress of copies (one batched call per region).',
    ),
    () => import('./commands/status.js'),
    'snapcopy status --provider aws --to us-west-2 --snapshot snap-0a000000000000001 --snapshot snap-0b000000000000002',
    'snapcopy status --handle copy.json --json',
    'snapcopy status --provider aws --to us-west-2 --image ami-0a000000000000001 --image ami-0b000000000000002',
  );

  finish(
    addWaitOptions(addCopyRefOptions(program.command('wait'), false)).description(
      'Wait for a copy to finish, showing progress. A timeout leaves the copy running.',
    ),
    () => import('./commands/wait.js'),
    'snapcopy wait --provider aws --to us-west-2 --snapshot snap-0a000000000000001 --timeout 2h',
    'snapcopy wait --handle copy.json',
    'snapcopy wait --provider alibaba --to cn-shanghai --image m-bp1xyz',
  );

  finish(
    addCopyRefOptions(program.command('cancel'), false)
      .description(
        "Cancel a copy by deleting it, and say when that takes effect. A copy that has completed is a finished backup: it is deleted only with --force. An image copy is stopped the provider's way: AWS deregisters the AMI; Alibaba cancels a running copy (CancelCopyImage) or deletes a finished one.",
      )
      .option(
        '--force',
        'delete the copy even if it has completed (without it, a completed copy is refused, naming its id, region, size and completion time)',
      ),
    () => import('./commands/cancel.js'),
    'snapcopy cancel --provider alibaba --to cn-beijing --snapshot s-bp1xyz',
    'snapcopy cancel --handle copy.json --json',
    'snapcopy cancel --provider alibaba --to cn-shanghai --image m-bp1xyz',
    'snapcopy cancel --handle copy.json --force      # it had already completed: delete the finished copy',
  );

  const batch = finish(
    addEngineOptions(
      addOutputOptions(
        addPricesOption(
          addProfileOption(
            addRequestTimeoutOption(
              addProviderEndpointOptions(addWaitOptions(program.command('batch'), 'batch')),
            ),
          ),
        ),
      ),
      'batch',
    )
      .description(
        'Run a file of copy requests (a JSON array or NDJSON) through the orchestrator, journalled so that a rerun resumes.',
      )
      .argument(
        '<file>',
        `requests: each {"provider": ${PROVIDER_NAMES.map((p) => `"${p}"`).join('|')}, ...copy request} (see the README)`,
      )
      .option(
        '--journal <file>',
        'SQLite journal; rerunning with the same journal resumes instead of copying again',
        'snapcopy-journal.db',
      )
      .option('--batch-id <id>', 'name of the batch (default: derived from the file, so a rerun resumes it)'),
    () => import('./commands/batch.js'),
    'snapcopy batch requests.ndjson --journal dr.db',
    'snapcopy batch requests.json --journal dr.db --json > results.json   # rerun after a crash: resumes',
    'snapcopy batch status --journal dr.db                               # every copy in the journal',
    'snapcopy batch retry-failed requests.ndjson --journal dr.db          # only the failed ones, new tokens',
    'snapcopy batch requests.ndjson --engine dbos --database-url postgresql://…   # on the workers; again: no new copy',
  );
  addConsistencyWindowOption(batch);
  addBatchSubcommands(batch, runCommand);
  addListCommand(program, finish);

  finish(
    addOutputOptions(program.command('capabilities'), { calls: false }).description(
      'Show what each provider can do, side by side: its snapshot manifest, then its image manifest. JSON: { <provider>: <snapshot manifest>, images: { <provider>: <image manifest> } }.',
    ),
    () => import('./commands/capabilities.js'),
    'snapcopy capabilities',
    'snapcopy capabilities --json | jq .aws.timeBasedCopy',
    'snapcopy capabilities --json | jq .images.alibaba.maxConcurrentCopiesPerRegion',
  );

  finish(
    program
      .command('sandbox')
      .description(
        'Start simulated EC2 and ECS endpoints and a control endpoint on 127.0.0.1; print one JSON line with endpoints and credentials; run until SIGINT/SIGTERM.',
      )
      .option(
        '--time-scale <x>',
        'virtual seconds per real second (default 60; copies take minutes of virtual time)',
        parsePositiveNumberFlag,
      )
      .option('--seed <file>', "the world to start with (JSON; see the testkit's examples/sandbox-seed.json)")
      .option(
        '--fault <spec>',
        'inject a fault, repeatable: CLOUD:OPERATION:KIND[:WHEN] — CLOUD aws|alibaba|all; OPERATION an API action or *; KIND throttle|5xx|drop-after|reset|hang|latency=MS; WHEN N (default 1)|always|p=P',
        collectFlag,
      )
      .option('--fault-seed <n>', 'seed of the random (p=P) fault draws (default 1)', parseWholeNumberFlag)
      .option(
        '--env',
        'start in the background; once it listens print shell export lines (endpoints, keys, control URL, pid) and exit: eval "$(snapcopy sandbox --env)"',
      )
      .option(
        '--write-env <path>',
        'once listening, write the export lines to <path> atomically (it appears complete or not at all); keep running',
      )
      .option(
        '--advance <duration>',
        "move a running sandbox's virtual clock forward (3d, 12h, 1d12h, 90m) through its control endpoint, and exit",
      )
      .option(
        '--control <url>',
        'the control endpoint --advance talks to (default: $SNAPCOPY_SANDBOX_CONTROL)',
      )
      .option('--aws-port <n>', 'port of the EC2 endpoint (default: any free port)', parseWholeNumberFlag)
      .option('--alibaba-port <n>', 'port of the ECS endpoint (default: any free port)', parseWholeNumberFlag)
      .option(
        '--control-port <n>',
        'port of the control endpoint (default: any free port)',
        parseWholeNumberFlag,
      ),
    () => import('./commands/sandbox.js'),
    'snapcopy sandbox > sandbox.json &',
    'eval "$(snapcopy sandbox --env)"; snapcopy plan --provider aws …; kill "$SNAPCOPY_SANDBOX_PID"',
    'snapcopy sandbox --write-env /tmp/sandbox.env &   # then: until [ -f /tmp/sandbox.env ]; do sleep 0.1; done; . /tmp/sandbox.env',
    'snapcopy sandbox --fault aws:CopySnapshot:throttle:2 --fault alibaba:*:5xx:p=0.1 --fault-seed 7',
    'snapcopy sandbox --advance 3d                  # needs $SNAPCOPY_SANDBOX_CONTROL or --control',
    'curl "$SNAPCOPY_SANDBOX_CONTROL/copies"        # every copy with its client token, state, source and key',
  );

  finish(
    program
      .command('demo')
      .description(
        'Start the sandbox in-process and show every kind of copy, with progress and a final bill. Under a minute.',
      )
      .option('--time-scale <x>', 'virtual seconds per real second', parsePositiveNumberFlag)
      .option('--json', 'print exactly one JSON document (the outcome table) on stdout'),
    () => import('./commands/demo.js'),
    'npm start',
    'snapcopy demo',
    'snapcopy demo --json',
  );

  addPolicyCommands(program, finish);
  addEngineCommands(program, finish);
  return program;
}
