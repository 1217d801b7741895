#!/usr/bin/env node
// Installs the workspace with the pinned pnpm, fetched through npx, so a fresh machine
// needs only an older Node (20 or later) and npm. Corepack is not used (it fails on this
// platform). This is the one step that runs on the machine's own `node`: the install
// puts the pinned Node (the `node` dev dependency) in node_modules/.bin, where npm and
// pnpm scripts find it before the machine's, so everything after this step runs on it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = 'pnpm@10.34.8';
const args = ['-y', PNPM, 'install', '--frozen-lockfile', '--reporter=append-only'];
const res = spawnSync('npx', args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, npm_config_yes: 'true' },
});
if (res.status !== 0) {
  console.error(`setup: "npx ${args.join(' ')}" failed with exit code ${res.status}`);
  process.exit(res.status ?? 1);
}

const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies.node;
const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
const version = existsSync(bin)
  ? spawnSync(bin, ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' }).stdout?.trim()
  : undefined;
if (version !== `v${pinned}`) {
  console.error(
    `setup: node_modules/.bin/node should be Node ${pinned} but is ${version ?? 'missing'}; ` +
      'the `node` package installs its binary in a preinstall script, which pnpm must be allowed to run ' +
      '(onlyBuiltDependencies in pnpm-workspace.yaml; not --ignore-scripts)',
  );
  process.exit(1);
}
console.log(
  `setup: scripts run on Node ${version} (node_modules/.bin/node); this step ran on ${process.version}`,
);
