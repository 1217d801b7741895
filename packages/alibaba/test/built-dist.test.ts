import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EcsSimulator, VirtualClock } from '@snapcopy/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const dist = resolve(here, '../dist');
const smoke = join(here, 'fixtures/dist-smoke.mjs');

beforeAll(async () => {
  // The compiled output, not the sources: this is what `node` and the CLI run.
  await run('npx', ['tsc', '-b', 'packages/alibaba'], { cwd: root });
}, 120_000);

/** Every dist module index.js reaches through static relative imports. */
function staticGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm))
      visit(resolve(dirname(file), m[1]!));
  };
  visit(entry);
  return seen;
}

describe('the built package under plain node', () => {
  it('importing dist/index.js loads no Alibaba SDK module (checked in a child process)', async () => {
    const { stdout } = await run(process.execPath, [smoke], {
      env: { ...process.env, SMOKE_AK: 'LTAI5tSMOKE', SMOKE_SK: 'smoke-secret-1234' },
    });
    const out = JSON.parse(stdout) as { afterImport: string[]; provider: string };
    expect(out.provider).toBe('alibaba');
    expect(out.afterImport).toEqual([]);
  }, 60_000);

  it('the main entry statically imports neither an SDK, inversify nor @snapcopy/core/di', () => {
    const graph = staticGraph(join(dist, 'index.js'));
    expect(graph.size).toBeGreaterThan(5);
    for (const [file, text] of graph) {
      const statics = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^.][^']*)'/gm)].map((m) => m[1]);
      expect(
        statics.filter((s) => /@alicloud|inversify|@snapcopy\/core\/di/.test(s!)),
        file,
      ).toEqual([]);
    }
  });

  describe('plan, copy and status against a simulator on 127.0.0.1', () => {
    const sim = new EcsSimulator({ clock: new VirtualClock() });
    let close: () => Promise<void>;
    let endpoint: string;
    beforeAll(async () => {
      sim.addRegions('cn-hangzhou', 'cn-shanghai');
      const server = await sim.listen();
      endpoint = server.url;
      close = () => server.close();
    });
    afterAll(() => close?.());

    it('works end to end and maps errors, with the SDK resolved from its CommonJS default export', async () => {
      const account = sim.addAccount().id;
      const src = sim.addSnapshot({ account, region: 'cn-hangzhou', sizeGiB: 10, diskSizeGiB: 40 });
      const creds = sim.credentials(account);
      const { stdout } = await run(process.execPath, [smoke], {
        env: {
          ...process.env,
          SMOKE_MODE: 'copy',
          SMOKE_AK: creds.accessKeyId,
          SMOKE_SK: creds.accessKeySecret,
          SMOKE_ENDPOINT: endpoint,
          SMOKE_SOURCE: src.id,
          SMOKE_SRC_REGION: 'cn-hangzhou',
          SMOKE_DST_REGION: 'cn-shanghai',
        },
      });
      const out = JSON.parse(stdout);
      expect(out.plan).toEqual({ transfer: 'full', sizeBasis: 'disk', keySource: 'default-key' });
      expect(out.status).toMatchObject({ snapshotId: out.handle.snapshotId, state: 'pending' });
      // KMS (its SDK resolved from its CommonJS default export too) says the key does not
      // exist: the plan refuses the copy before ECS is asked.
      expect(out.error).toEqual({ code: 'ENCRYPTION_RULE', rule: 'key-exists', isSnapcopy: true });
      expect(out.afterCalls).toBe(true);
      const copies = [...sim.world.snapshots.values()].filter((s) => s.copy?.sourceSnapshotId === src.id);
      expect(copies.map((c) => c.id)).toEqual([out.handle.snapshotId]);
      expect(copies[0]).toMatchObject({ region: 'cn-shanghai', encrypted: true });
    }, 60_000);
  });
});
