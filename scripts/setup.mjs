#!/usr/bin/env node
// Installs the workspace with the pinned pnpm, fetched through npx: a fresh machine
// needs only Node 20 and npm. Corepack is not used (it fails on this platform).
import { spawnSync } from 'node:child_process';

const PNPM = 'pnpm@10.34.8';
const args = ['-y', PNPM, 'install', '--frozen-lockfile', '--reporter=append-only'];
const res = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, npm_config_yes: 'true' } });
if (res.status !== 0) {
  console.error(`setup: "npx ${args.join(' ')}" failed with exit code ${res.status}`);
  process.exit(res.status ?? 1);
}
