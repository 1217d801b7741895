import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertBuilt } from './support/run-cli.js';

// The root README's "A five-minute tour" runs as written, top to bottom, pasted into a
// shell: each command is taken from the README's code block, run in one bash in order, and
// must exit as the README says (0, or the code a `# exit N` comment names).

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const README = join(REPO, 'README.md');

/** One command of the tour: its text (continuation lines joined) and the exit it documents. */
interface TourCommand {
  readonly text: string;
  readonly exit: number;
}

/** The commands of the first `sh` block under "### The CLI". */
export function tourCommands(markdown: string): TourCommand[] {
  const section = markdown.slice(markdown.indexOf('### The CLI'));
  const block = /```sh\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (block === undefined) throw new Error('no sh block under "### The CLI"');
  const commands: TourCommand[] = [];
  let pending = '';
  for (const line of block.split('\n')) {
    if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    pending += `${line}\n`;
    if (line.endsWith('\\')) continue;
    const exit = /#.*\bexit (\d+)\s*$/.exec(line)?.[1];
    commands.push({ text: pending.trimEnd(), exit: exit === undefined ? 0 : Number(exit) });
    pending = '';
  }
  return commands;
}

let dir: string;

beforeAll(() => {
  assertBuilt();
  // A working directory that looks like the repository (its packages and node_modules),
  // so the tour's files land here and not in the checkout.
  dir = mkdtempSync(join(tmpdir(), 'snapcopy-tour-'));
  symlinkSync(join(REPO, 'packages'), join(dir, 'packages'));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the commands in one bash; each one's exit code is written to fd 3. */
function runTour(commands: readonly TourCommand[]): Promise<{ exits: number[]; output: string }> {
  const script = [
    // Whatever happens, the sandbox the tour started is stopped.
    'trap \'[ -n "$SNAPCOPY_SANDBOX_PID" ] && kill "$SNAPCOPY_SANDBOX_PID" 2>/dev/null; true\' EXIT',
    ...commands.map((c) => `${c.text}\necho "$?" >&3`),
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-c', script], {
      cwd: dir,
      env: {
        PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: dir,
        SNAPCOPY_STATE_DIR: join(dir, 'state'),
        AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
        ALIBABA_CLOUD_CREDENTIALS_FILE: join(dir, 'no-alibaba-credentials'),
        SNAPCOPY_POLL_MS: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let codes = '';
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8');
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: string) => {
      codes += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ exits: codes.trim().split('\n').filter(Boolean).map(Number), output });
    });
  });
}

describe('the README tour', () => {
  test('its commands are found: the sandbox first, its stop last', () => {
    const commands = tourCommands(readFileSync(README, 'utf8'));
    expect(commands.some((c) => c.text.includes('eval "$(snapcopy sandbox --env)"'))).toBe(true);
    expect(commands.at(-1)?.text).toBe('kill "$SNAPCOPY_SANDBOX_PID"');
    // No jq, no sleeping for the sandbox: the environment comes from --env.
    expect(commands.map((c) => c.text).join('\n')).not.toMatch(/\bjq\b|\bsleep\b|until \[/);
  });

  test('runs top to bottom in one shell, each command exiting as documented', {
    timeout: 180_000,
  }, async () => {
    const commands = tourCommands(readFileSync(README, 'utf8'));
    const { exits, output } = await runTour(commands);
    expect(exits, output).toEqual(commands.map((c) => c.exit));
    // What the steps promise, seen in their output.
    expect(output).toMatch(/cost\s+│ .*USD once/);
    // The second copy found the first: its handle, kept in copy.json, says so.
    const second = JSON.parse(readFileSync(join(dir, 'copy.json'), 'utf8'));
    expect(second.handle).toMatchObject({ reused: true, clientToken: 'nightly-web-1' });
    expect(output).toMatch(/^snapcopy: call aws DescribeSnapshots us-west-2 200 request-id /m);
    expect(output).toMatch(/snapcopy: INVALID_REQUEST: .* has completed: .*--force/);
    expect(output).toMatch(/batch batch-[0-9a-f]+: 2 completed, 0 failed/);
    // The image step: its plan priced per backing snapshot, its copy found by lineage.
    expect(output).toMatch(/^Cost: [\d.]+ USD once/m);
    expect(output).toMatch(/image copy started: cn-hangzhou\/m-sandbox000000000000001 -> cn-shanghai\/m-/);
    expect(output).toMatch(/^cn-shanghai\/m-\S+ {2}completed {2}cn-hangzhou\/m-sandbox000000000000001 /m);
    // The policy step: money in its plan, and its copies listed under the policy's id.
    expect(output).toMatch(/would copy 4 \(.*USD once.*\)/);
    expect(output).toMatch(/^prices: https:\/\/aws\.amazon\.com\//m);
    expect(output).toMatch(/^sa-east-1\/snap-\S+ {2}completed {2}us-east-1\/snap-\S+ {2}\S+ {2}dlm-/m);
  });
});
