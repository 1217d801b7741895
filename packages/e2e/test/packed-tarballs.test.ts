// The packages as users get them: every published package is packed with pnpm (which
// rewrites `workspace:` and `catalog:` ranges), the tarballs are installed into an empty
// project in the system temporary directory, outside the workspace, and from there the
// SDK example runs against the sandbox, the CLI demo runs, and the conformance kit's
// example adapter passes the suite, each the way the README and the adapter guide say.
// Installs reuse pnpm's store (filled by the workspace's own install) and its cached
// registry metadata; packages missing from the store come from the npm registry.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PUBLISHED = [
  'core',
  'aws',
  'alibaba',
  'orchestrator',
  'policy',
  'engine-dbos',
  'testkit',
  'cli',
] as const;
type PackageDir = (typeof PUBLISHED)[number];

// biome-ignore lint/suspicious/noExplicitAny: package manifests are free-form JSON.
type Manifest = Record<string, any>;
const readJson = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;
const rootManifest = readJson(join(ROOT, 'package.json'));
const workspaceManifest = (dir: PackageDir) => readJson(join(ROOT, 'packages', dir, 'package.json'));

/** What a finished command left behind. */
interface Run {
  readonly command: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const running = new Set<ChildProcess>();

/** Runs a command to its end (killed after `timeoutMs`); never rejects. */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<Run> {
  const shown = [command, ...args].join(' ');
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? projectEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (err) => (stderr += String(err)));
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      done({ command: shown, code, stdout, stderr });
    });
  });
}

/** A failed run's message: the command and what it printed. */
const said = (r: Run) => `${r.command} exited ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`;

/**
 * The environment of every command: the machine's, minus what npm, pnpm and vitest set for
 * this test run (a `npm_config_*` variable would configure pnpm as the workspace does),
 * keeping the registry, proxy, cache and store settings; the pinned Node first on PATH.
 */
function projectEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm|pnpm)_/i.test(key) && !/registry|proxy|cafile|strict_ssl|cache|store_dir/i.test(key)) continue;
    if (/^(VITEST|INIT_CWD$|NODE_ENV$)/.test(key)) continue;
    env[key] = value;
  }
  env.PATH = [dirname(process.execPath), env.PATH ?? ''].join(delimiter);
  return { ...env, ...extra };
}

/** pnpm as the repository pins it (`packageManager`), fetched through npx like the set-up does. */
function pnpm(args: readonly string[], cwd: string, timeoutMs = 150_000): Promise<Run> {
  const version = String(rootManifest.packageManager)
    .replace(/^pnpm@/, '')
    .replace(/\+.*$/, '');
  return run('npx', ['--yes', `pnpm@${version}`, ...args], {
    cwd,
    env: projectEnv({ npm_config_yes: 'true' }),
    timeoutMs,
  });
}

/** Versions of the workspace's catalog (`catalog:` ranges), read from pnpm-workspace.yaml. */
function workspaceCatalog(): Record<string, string> {
  const text = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^catalog:\n((?:[ \t]+.*\n?)+)/m.exec(text)?.[1] ?? '';
  return Object.fromEntries(
    [...block.matchAll(/^\s+"?([^":\s]+)"?:\s*"?([^"\s#]+)"?/gm)].map((m) => [m[1]!, m[2]!]),
  );
}

/** The exports map without its `source` condition: what the packed manifest must say. */
function withoutSource(exports: Manifest): Manifest {
  return Object.fromEntries(
    Object.entries(exports).map(([path, target]) => [
      path,
      typeof target === 'string'
        ? target
        : Object.fromEntries(Object.entries(target as Manifest).filter(([c]) => c !== 'source')),
    ]),
  );
}

/** Every file target of an exports map. */
function exportTargets(exports: Manifest): string[] {
  return Object.values(exports).flatMap((t) => (typeof t === 'string' ? [t] : exportTargets(t as Manifest)));
}

/** Files under `dir`, relative to it, without following into node_modules. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules') return [];
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesUnder(join(dir, e.name), rel) : [rel];
  });
}

/** Where Node finds package `name` from `dir`: `node_modules/name` here or in a parent. */
function findPackage(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(d) === d) return undefined;
  }
}

/** `name@version` → directory of a package and its production dependencies, transitively. */
function productionClosure(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const queue = [dir];
  while (queue.length > 0) {
    const at = queue.shift()!;
    const m = readJson(join(at, 'package.json'));
    const id = `${m.name}@${m.version}`;
    if (found.has(id)) continue;
    found.set(id, at);
    for (const [field, optional] of [
      ['dependencies', false],
      ['optionalDependencies', true],
    ] as const) {
      for (const name of Object.keys(m[field] ?? {})) {
        const dep = findPackage(at, name);
        if (dep) queue.push(dep);
        else if (!optional) throw new Error(`${id}: dependency ${name} is not installed`);
      }
    }
  }
  return found;
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;

/** What would build or load native code in an installed package: `.node` files, node-gyp, install scripts. */
function nativeSignsOf(dir: string): string[] {
  const m = readJson(join(dir, 'package.json'));
  return [
    ...filesUnder(dir).filter((f) => f.endsWith('.node') || f.endsWith('binding.gyp')),
    ...INSTALL_SCRIPTS.filter((s) => m.scripts?.[s] !== undefined).map((s) => `scripts.${s}`),
    ...(m.gypfile ? ['gypfile'] : []),
  ];
}

/** Relative links of a Markdown file that lead nowhere. */
function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((link) => !/^(https?:|mailto:|#)/.test(link))
    .filter((link) => !existsSync(resolve(dirname(file), link.replace(/#.*$/, ''))));
}

/** The `export NAME='value'` lines `snapcopy sandbox --env` prints. */
function exportLines(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!] as const),
  );
}

/** The example's environment against the sandbox: its keys and endpoints, nothing of the machine's AWS set-up. */
function sandboxEnv(sandbox: Record<string, string>, dir: string): Record<string, string> {
  const env = projectEnv({
    ...sandbox,
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return env;
}

describe('packed tarballs installed outside the workspace', { timeout: 180_000 }, () => {
  let project = '';
  let installed: (dir: PackageDir) => string = () => '';
  let bin: (name: string) => string = () => '';
  /** The demo, started once the install is done: it mostly waits on virtual time, so the other tests run meanwhile. */
  let demo: Promise<Run> | undefined;
  const sandboxes = new Set<number>();

  beforeAll(async () => {
    // The tarballs carry dist/: built now if anything changed since the last `tsc -b`.
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const build = await run(process.execPath, [tsc, '-b'], { cwd: ROOT });
    expect(build.code, said(build)).toBe(0);

    project = mkdtempSync(join(realpathSync(tmpdir()), 'snapcopy-packed-'));
    expect(relative(ROOT, project).startsWith('..'), `${project} must be outside ${ROOT}`).toBe(true);
    const tarballs = join(project, 'tarballs');
    const names = PUBLISHED.map((d) => workspaceManifest(d).name as string);
    const packed = await pnpm(
      ['-r', ...names.flatMap((n) => ['--filter', n]), 'pack', '--pack-destination', tarballs],
      ROOT,
    );
    expect(packed.code, said(packed)).toBe(0);

    // Every @snapcopy package comes from its tarball, also where one asks for another.
    const fileSpec = (dir: PackageDir) =>
      `file:tarballs/${readdirSync(tarballs).find((f) => f.startsWith(`snapcopy-${dir}-`))}`;
    const specs = Object.fromEntries(PUBLISHED.map((d, i) => [names[i]!, fileSpec(d)]));
    const tool = (name: string) =>
      readJson(join(ROOT, 'node_modules', name, 'package.json')).version as string;
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'snapcopy-packed-check',
        private: true,
        type: 'module',
        dependencies: specs,
        devDependencies: {
          vitest: tool('vitest'),
          typescript: tool('typescript'),
          '@types/node': tool('@types/node'),
        },
      }),
    );
    // A workspace file of its own (YAML is a superset of JSON): pnpm looks no further up.
    writeFileSync(join(project, 'pnpm-workspace.yaml'), JSON.stringify({ overrides: specs }));
    const install = await pnpm(
      ['install', '--prefer-offline', '--no-frozen-lockfile', '--reporter=append-only'],
      project,
    );
    expect(install.code, said(install)).toBe(0);

    const modules = join(project, 'node_modules', '@snapcopy');
    installed = (dir) => realpathSync(join(modules, dir));
    bin = (name) => join(project, 'node_modules', '.bin', name);
    cpSync(join(installed('aws'), 'examples'), join(project, 'sdk'), { recursive: true });
    cpSync(join(installed('testkit'), 'examples'), join(project, 'adapter'), { recursive: true });

    // At twice the default speed, as the CLI's own demo test runs it.
    demo = run(bin('snapcopy'), ['demo', '--time-scale', '120'], { cwd: project });
  }, 240_000);

  afterAll(async () => {
    for (const pid of sandboxes) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already stopped
      }
    }
    for (const child of running) child.kill('SIGKILL');
    await demo;
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('installs each package from its tarball into the project, not from the workspace', () => {
    for (const dir of PUBLISHED) {
      expect(relative(project, installed(dir)).startsWith('..'), installed(dir)).toBe(false);
      expect(existsSync(join(installed(dir), 'test')), `${dir} ships its tests`).toBe(false);
    }
  });

  it.each(PUBLISHED)(
    '@snapcopy/%s: the manifest a user gets (license, repository, engines, ranges, exports)',
    (dir) => {
      const source = workspaceManifest(dir);
      const packed = readJson(join(installed(dir), 'package.json'));
      expect(packed.license).toBe('Apache-2.0');
      expect(packed.repository).toEqual({ ...rootManifest.repository, directory: `packages/${dir}` });
      expect(packed.engines).toEqual(rootManifest.engines);
      expect(packed.publishConfig?.access).toBe('public');
      expect(packed.private).toBeUndefined();

      // workspace: and catalog: ranges became the exact versions the workspace used.
      const catalog = workspaceCatalog();
      const versions = Object.fromEntries(
        PUBLISHED.map((d) => [workspaceManifest(d).name, workspaceManifest(d).version]),
      );
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
        for (const [name, range] of Object.entries<string>(source[field] ?? {})) {
          const expected =
            range === 'workspace:*' ? versions[name] : range === 'catalog:' ? catalog[name] : range;
          expect(packed[field][name], `${field}.${name}`).toBe(expected);
        }
      }

      // Entry points are the built files, with no `source` condition (src/*.ts is shipped
      // for source maps only), and every target and bin is in the tarball.
      expect(packed.exports).toEqual(withoutSource(source.exports));
      const targets = [...exportTargets(packed.exports), ...Object.values<string>(packed.bin ?? {})];
      for (const target of targets) expect(existsSync(join(installed(dir), target)), target).toBe(true);
    },
  );

  it.each(PUBLISHED)(
    '@snapcopy/%s: ships its LICENSE, README and the docs it links to; no tests or build info',
    (dir) => {
      const files = filesUnder(installed(dir));
      expect(readFileSync(join(installed(dir), 'LICENSE'), 'utf8')).toBe(
        readFileSync(join(ROOT, 'LICENSE'), 'utf8'),
      );
      expect(files).toContain('README.md');
      const unwanted = files.filter((f) =>
        /(^|\/)(test|bench)\/|\.test\.[cm]?js$|\.tsbuildinfo$|^tsconfig\.json$/.test(f),
      );
      expect(unwanted).toEqual([]);
      const markdown = files.filter((f) => f.endsWith('.md'));
      expect(markdown.flatMap((f) => brokenLinks(join(installed(dir), f)).map((l) => `${f}: ${l}`))).toEqual(
        [],
      );
    },
  );

  it('core and the orchestrator install no native module and run no install script', () => {
    const closures = {
      core: productionClosure(installed('core')),
      orchestrator: productionClosure(installed('orchestrator')),
    };
    // Core's only dependency is zod; the orchestrator adds heap-js (pure JavaScript, no
    // dependencies) and its journal is Node's built-in node:sqlite.
    expect([...closures.core.keys()].map((id) => id.replace(/@[^@]+$/, '')).sort()).toEqual([
      '@snapcopy/core',
      'zod',
    ]);
    expect([...closures.orchestrator.keys()].map((id) => id.replace(/@[^@]+$/, '')).sort()).toEqual([
      '@snapcopy/core',
      '@snapcopy/orchestrator',
      'heap-js',
      'zod',
    ]);
    for (const closure of Object.values(closures)) {
      for (const [id, dir] of closure) expect(nativeSignsOf(dir), id).toEqual([]);
    }
  });

  it('the SDK example typechecks and, against the sandbox, makes one copy for its token', async () => {
    const opts = { cwd: project };
    const tsc = await run(bin('tsc'), ['-p', 'sdk'], opts);
    expect(tsc.code, said(tsc)).toBe(0);
    // As the README says: eval "$(snapcopy sandbox --env)", then the example, twice. Ten
    // virtual hours per real second: the copy is done by the example's first status read.
    const up = await run(bin('snapcopy'), ['sandbox', '--env', '--time-scale', '36000'], opts);
    expect(up.code, said(up)).toBe(0);
    const sandbox = exportLines(up.stdout);
    const pid = Number(sandbox.SNAPCOPY_SANDBOX_PID);
    expect(pid).toBeGreaterThan(0);
    sandboxes.add(pid);
    const env = sandboxEnv(sandbox, project);
    const first = await run(process.execPath, ['sdk/copy-snapshot.ts'], { cwd: project, env });
    const second = await run(process.execPath, ['sdk/copy-snapshot.ts'], { cwd: project, env });
    const res = await fetch(`${sandbox.SNAPCOPY_SANDBOX_CONTROL}/copies?cloud=aws`);
    const copies = ((await res.json()) as { aws: Manifest[] }).aws;
    process.kill(pid, 'SIGTERM');
    sandboxes.delete(pid);

    expect(first.code, said(first)).toBe(0);
    expect(second.code, said(second)).toBe(0);
    const made = /^us-west-2\/(snap-[0-9a-f]+): completed$/m.exec(first.stdout)?.[1];
    expect(made, first.stdout).toBeDefined();
    // Run again with the same client token: the same copy, not a second one (the cloud's own record).
    expect(second.stdout).toContain(`us-west-2/${made}: completed`);
    const withToken = copies.filter((c) => c.clientToken === 'nightly-web-1');
    expect(withToken).toHaveLength(1);
    expect(withToken[0]).toMatchObject({
      id: made,
      region: 'us-west-2',
      state: 'completed',
      encrypted: true,
      source: { region: 'us-east-1', snapshotId: 'snap-0a000000000000001' },
      tags: expect.objectContaining({ team: 'dr' }),
    });
  });

  it("the conformance kit's example adapter typechecks and passes the suite, run with the project's vitest", async () => {
    const opts = { cwd: project };
    const tsc = await run(bin('tsc'), ['-p', 'adapter'], opts);
    expect(tsc.code, said(tsc)).toBe(0);
    const suite = await run(
      bin('vitest'),
      ['run', 'adapter', '--reporter=json', '--outputFile=adapter-results.json'],
      opts,
    );
    expect(suite.code, said(suite)).toBe(0);
    const results = readJson(join(project, 'adapter-results.json'));
    // Every case passes: none failed, none skipped.
    expect(results.numFailedTests).toBe(0);
    expect(results.numPassedTests).toBeGreaterThan(50);
    expect(results.numPassedTests).toBe(results.numTotalTests);
    expect(results.testResults.map((r: Manifest) => relative(project, r.name))).toEqual([
      join('adapter', 'example-adapter.test.ts'),
    ]);
  });

  it("the CLI demo, from node_modules/.bin, ends with every scenario as promised; the testkit's bin runs", async () => {
    const help = await run(bin('snapcopy-sandbox'), ['--help'], { cwd: project });
    expect(help.code, said(help)).toBe(0);
    expect(help.stdout).toMatch(/snapcopy-sandbox/);
    const ran = await demo!;
    expect(ran.code, said(ran)).toBe(0);
    const line = /(\d+) of (\d+) scenarios ended as promised/.exec(ran.stdout);
    expect(line, ran.stdout.slice(-2000)).not.toBeNull();
    expect(line![1]).toBe(line![2]);
  });
});

describe('the README and the shipped examples', () => {
  it("the README's SDK snippet is the shipped example, line for line", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const snippets = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    const example = readFileSync(join(ROOT, 'packages', 'aws', 'examples', 'copy-snapshot.ts'), 'utf8');
    expect(snippets).toContain(example);
  });

  it('every published package carries the LICENSE at the root, unchanged', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    for (const dir of PUBLISHED) {
      expect(workspaceManifest(dir).files, dir).toContain('LICENSE');
      expect(readFileSync(join(ROOT, 'packages', dir, 'LICENSE'), 'utf8'), dir).toBe(license);
    }
  });

  it('publishing refuses any client but pnpm (only pnpm rewrites workspace: and catalog: ranges)', () => {
    const guard = join(ROOT, 'scripts', 'publish-guard.mjs');
    for (const dir of PUBLISHED) {
      const script = workspaceManifest(dir).scripts?.prepublishOnly;
      expect(script, dir).toBe(`node ${relative(join(ROOT, 'packages', dir), guard)}`);
    }
    const publishWith = (agent: string) =>
      spawnSync(process.execPath, [guard], { env: { ...process.env, npm_config_user_agent: agent } }).status;
    expect(publishWith('pnpm/10.34.8 npm/? node/v24.21.0 linux x64')).toBe(0);
    expect(publishWith('npm/11.6.2 node/v24.21.0 linux x64 workspaces/false')).toBe(1);
    expect(publishWith('yarn/4.9.1 npm/? node/v24.21.0 linux x64')).toBe(1);
  });

  it('the published packages are exactly the workspace packages not marked private', () => {
    const all = readdirSync(join(ROOT, 'packages')).filter((d) =>
      existsSync(join(ROOT, 'packages', d, 'package.json')),
    );
    const published = all.filter((d) => readJson(join(ROOT, 'packages', d, 'package.json')).private !== true);
    expect(published.sort()).toEqual([...PUBLISHED].sort());
    expect(statSync(join(ROOT, 'LICENSE')).isFile()).toBe(true);
  });
});
