import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sandboxSeedJsonSchema } from '../sandbox/seed.js';
import { startSandbox } from '../sandbox/start.js';

const HELP = `snapcopy-sandbox — EC2 and ECS snapshot simulators on 127.0.0.1

Usage: snapcopy-sandbox [--seed FILE] [--time-scale X] [--aws-port N] [--alibaba-port N]
       snapcopy-sandbox --print-seed-schema

  --seed FILE          world to start with (JSON; schema: schema/sandbox-seed.schema.json,
                       example: examples/sandbox-seed.json). Default: a built-in world.
  --time-scale X       virtual seconds per real second (default 60)
  --aws-port N         port of the EC2 endpoint (default: any free port)
  --alibaba-port N     port of the ECS endpoint (default: any free port)
  --print-seed-schema  print the seed's JSON Schema and exit

Prints one JSON line with each cloud's endpoint and credentials, then serves until
SIGINT or SIGTERM, and exits 0.

Example:
  snapcopy-sandbox --time-scale 120 --seed ./my-world.json`;

function fail(message: string): never {
  process.stderr.write(`snapcopy-sandbox: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        seed: { type: 'string' },
        'time-scale': { type: 'string' },
        'aws-port': { type: 'string' },
        'alibaba-port': { type: 'string' },
        'print-seed-schema': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (values['print-seed-schema']) {
    process.stdout.write(`${JSON.stringify(sandboxSeedJsonSchema(), null, 2)}\n`);
    return;
  }
  const num = (name: string): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number, got "${String(raw)}"`);
    return n;
  };
  let seed: unknown;
  if (typeof values.seed === 'string') {
    try {
      seed = JSON.parse(readFileSync(values.seed, 'utf8'));
    } catch (err) {
      fail(`cannot read seed ${values.seed}: ${(err as Error).message}`);
    }
  }
  const timeScale = num('time-scale');
  const awsPort = num('aws-port');
  const alibabaPort = num('alibaba-port');
  const sandbox = await startSandbox({
    ...(seed === undefined ? {} : { seed: seed as never }),
    ...(timeScale === undefined ? {} : { timeScale }),
    ...(awsPort === undefined ? {} : { awsPort }),
    ...(alibabaPort === undefined ? {} : { alibabaPort }),
  }).catch((err: unknown) => fail((err as Error).message.split('\n')[0] ?? String(err)));
  process.stdout.write(`${JSON.stringify({ aws: sandbox.aws, alibaba: sandbox.alibaba })}\n`);
  const stop = () => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
