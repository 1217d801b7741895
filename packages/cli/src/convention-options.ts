import { type Command, Option } from 'commander';
import { parseDurationFlag, parseZeroOrMoreDurationFlag } from './flag-parsers.js';
import { CONSISTENCY_WINDOW_HELP } from './orchestrator-options.js';
import { OUTPUT_FORMATS } from './output/formats.js';
import { PROVIDER_NAMES, PROVIDERS } from './providers.js';

// Options every command shares as aws-cli and aliyun users expect them. Only commander and
// the flag parsers are loaded here (the program reads them while parsing flags); the
// provider table loads no provider package until a command asks for one.

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

const ENDPOINT_HELP = `API endpoint, e.g. the sandbox (default: ${PROVIDER_NAMES.map((p) => `$${PROVIDERS[p].endpointEnv}`).join(' or ')}, else the real cloud; a variable set but empty is refused)`;

/** `--<provider>-endpoint` for each provider of the table (a batch may use several). */
export function addProviderEndpointOptions(cmd: Command): Command {
  for (const name of PROVIDER_NAMES) {
    const p = PROVIDERS[name];
    cmd.option(`--${name}-endpoint <url>`, `${p.title} endpoint (default: $${p.endpointEnv})`);
  }
  return cmd;
}

/** `--request-timeout`: every command that calls a provider. */
export function addRequestTimeoutOption(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--request-timeout <duration>',
      'give up on one provider call after this long, e.g. 10s (default 30s); a hung endpoint fails with PROVIDER_ERROR',
    )
      .argParser(parseDurationFlag)
      .env('SNAPCOPY_REQUEST_TIMEOUT'),
  );
}

/** The provider, its endpoint, `--request-timeout`, `--profile` and the output options: every command about one cloud. */
export function addConnectionOptions(cmd: Command): Command {
  return addOutputOptions(
    addProfileOption(
      addRequestTimeoutOption(
        cmd
          .addOption(
            new Option('-p, --provider <name>', 'cloud provider')
              .choices(PROVIDER_NAMES)
              .env('SNAPCOPY_PROVIDER'),
          )
          .option('--endpoint <url>', ENDPOINT_HELP),
      ),
    ),
  );
}

/** `--consistency-window`: every command that runs copies through the orchestrator. */
export function addConsistencyWindowOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--consistency-window <duration>', CONSISTENCY_WINDOW_HELP)
      .argParser(parseZeroOrMoreDurationFlag)
      .env('SNAPCOPY_CONSISTENCY_WINDOW'),
  );
}
