import { type Command, Option } from 'commander';
import { OUTPUT_FORMATS } from './output/formats.js';

// Options every command shares as aws-cli and aliyun users expect them. Only commander is
// loaded here (the program reads them while parsing flags).

/** `--output json|table|text`, `--json` (its short form), `--quiet`, `--verbose`. */
export function addOutputOptions(cmd: Command, what: { calls?: boolean } = { calls: true }): Command {
  cmd
    .addOption(
      new Option(
        '-o, --output <format>',
        'json: one document on stdout; table: tables (the default on a terminal); text: plain lines (the default in a pipe)',
      ).choices(OUTPUT_FORMATS),
    )
    .option('--json', 'short for --output json: exactly one JSON document on stdout')
    .option('-q, --quiet', 'print the result only: no progress, no notes on stderr');
  if (what.calls !== false) {
    cmd.option(
      '-v, --verbose',
      'print each provider call on stderr: operation, region, HTTP status, request id, duration (never a secret)',
    );
  }
  return cmd;
}

/** `--profile NAME`: the provider's own config profile. */
export function addProfileOption(cmd: Command): Command {
  return cmd.option(
    '--profile <name>',
    "profile of the provider's own config: AWS: ~/.aws/config and ~/.aws/credentials (or $AWS_CONFIG_FILE, $AWS_SHARED_CREDENTIALS_FILE); Alibaba: ~/.aliyun/config.json (default: $AWS_PROFILE / $ALIBABA_CLOUD_PROFILE)",
  );
}

/** `--prices FILE`: a price table, to show money. */
export function addPricesOption(cmd: Command): Command {
  return cmd.option(
    '--prices <file>',
    'price table (JSON, each price with its source and date; see packages/cli/prices/) to show totals in money',
  );
}
