import { parseArgs } from 'node:util';
import {
  processSandboxIo,
  reportStartFailure,
  runSandboxCommand,
  type SandboxCommandOptions,
  SandboxUsageError,
} from '../sandbox/command.js';
import { sandboxSeedJsonSchema } from '../sandbox/seed.js';

const HELP = `snapcopy-sandbox — EC2 and ECS snapshot simulators on 127.0.0.1

Usage: snapcopy-sandbox [--seed FILE] [--time-scale X] [--fault SPEC]... [--fault-seed N]
                        [--env | --write-env PATH] [--aws-port N] [--alibaba-port N] [--control-port N]
       snapcopy-sandbox --advance DURATION [--control URL]
       snapcopy-sandbox --print-seed-schema

  --seed FILE          world to start with (JSON; schema: schema/sandbox-seed.schema.json,
                       example: examples/sandbox-seed.json). Default: a built-in world.
  --time-scale X       virtual seconds per real second (default 60)
  --aws-port N         port of the EC2 endpoint (default: any free port)
  --alibaba-port N     port of the ECS endpoint (default: any free port)
  --control-port N     port of the control endpoint (default: any free port)
  --fault SPEC         inject a fault; repeatable. SPEC is CLOUD:OPERATION:KIND[:WHEN]
                         CLOUD      aws | alibaba | all
                         OPERATION  an API action (CopySnapshot, DescribeSnapshots, …) or *
                         KIND       throttle | 5xx | drop-after | reset | hang | latency=MS
                                    (drop-after: applied, then the connection is cut;
                                     reset: cut before anything is applied;
                                     hang: accepted and never answered until the sandbox stops)
                         WHEN       N (the next N requests; default 1) | always | p=P (each
                                    request with probability P, 0 < P <= 1)
  --fault-seed N       seed of the random (p=P) fault draws (default 1: reproducible)
  --env                start in the background and print shell "export" lines once it
                       listens, then exit 0: eval "$(snapcopy-sandbox --env)". Stop it with
                       kill "$SNAPCOPY_SANDBOX_PID".
  --write-env PATH     once listening, write the same "export" lines to PATH (atomically:
                       the file appears complete or not at all); keep running. Removed on exit.
                       (Not --env-file: Node 20 takes that flag for itself even after the script.)
  --advance DURATION   move a running sandbox's virtual clock forward (3d, 12h, 1d12h, 90m,
                       30s, 250ms, 2w), print the new time and exit
  --control URL        the control endpoint --advance talks to (default $SNAPCOPY_SANDBOX_CONTROL)
  --print-seed-schema  print the seed's JSON Schema and exit

Prints one JSON line — {"aws":{endpoint,regions,accounts},"alibaba":{…},"control":{url},"pid"} —
then serves until SIGINT or SIGTERM, and exits 0. Every server listens on 127.0.0.1 only.
The control endpoint (GET /copies, /snapshots, /requests, /clock, /faults; POST /clock
{"advance":"3d"}) is described in docs/sandbox.md.

The export lines set SNAPCOPY_AWS_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
SNAPCOPY_ALIBABA_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET
(the first account of each cloud), SNAPCOPY_SANDBOX_CONTROL and SNAPCOPY_SANDBOX_PID.

Examples:
  snapcopy-sandbox --time-scale 120 --seed ./my-world.json
  eval "$(snapcopy-sandbox --env --fault aws:CopySnapshot:throttle:2)"; …; kill "$SNAPCOPY_SANDBOX_PID"
  snapcopy-sandbox --write-env /tmp/sandbox.env & until [ -f /tmp/sandbox.env ]; do sleep 0.1; done; . /tmp/sandbox.env
  snapcopy-sandbox --fault alibaba:*:5xx:p=0.1 --fault-seed 7 --fault aws:DescribeSnapshots:latency=1500:always
  snapcopy-sandbox --advance 3d`;

async function fail(message: string): Promise<never> {
  process.stderr.write(`snapcopy-sandbox: ${message}\n`);
  await reportStartFailure(message);
  process.exit(2);
}

function number(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && String(raw).trim() !== '' ? n : Number.NaN;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        seed: { type: 'string' },
        'time-scale': { type: 'string' },
        'aws-port': { type: 'string' },
        'alibaba-port': { type: 'string' },
        'control-port': { type: 'string' },
        fault: { type: 'string', multiple: true },
        'fault-seed': { type: 'string' },
        env: { type: 'boolean' },
        'write-env': { type: 'string' },
        advance: { type: 'string' },
        control: { type: 'string' },
        'print-seed-schema': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    return fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (values['print-seed-schema']) {
    process.stdout.write(`${JSON.stringify(sandboxSeedJsonSchema(), null, 2)}\n`);
    return;
  }
  for (const name of ['time-scale', 'aws-port', 'alibaba-port', 'control-port', 'fault-seed']) {
    if (Number.isNaN(number(values, name)))
      return fail(`--${name} must be a number, got "${String(values[name])}"`);
  }
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const options: SandboxCommandOptions = {
    ...(str('seed') === undefined ? {} : { seedFile: str('seed')! }),
    ...(number(values, 'time-scale') === undefined ? {} : { timeScale: number(values, 'time-scale')! }),
    ...(number(values, 'aws-port') === undefined ? {} : { awsPort: number(values, 'aws-port')! }),
    ...(number(values, 'alibaba-port') === undefined ? {} : { alibabaPort: number(values, 'alibaba-port')! }),
    ...(number(values, 'control-port') === undefined ? {} : { controlPort: number(values, 'control-port')! }),
    ...(number(values, 'fault-seed') === undefined ? {} : { faultSeed: number(values, 'fault-seed')! }),
    faults: (values.fault as string[] | undefined) ?? [],
    ...(values.env === true ? { env: true } : {}),
    ...(str('write-env') === undefined ? {} : { writeEnv: str('write-env')! }),
    ...(str('advance') === undefined ? {} : { advance: str('advance')! }),
    ...(str('control') === undefined ? {} : { control: str('control')! }),
  };
  try {
    process.exitCode = await runSandboxCommand(options, processSandboxIo());
  } catch (err) {
    if (err instanceof SandboxUsageError) return fail(err.message);
    return fail(`internal error: ${(err as Error).message}`);
  }
}

void main();
