import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The repository brings its own Node: the root's `node` dev dependency, whose binary the
// package manager puts first on the scripts' PATH. Whatever `node` the machine has, the
// tests (and the CLI they spawn with process.execPath) run on the pinned one.
const root = join(import.meta.dirname, '..', '..', '..');
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const rootPackage = readJson(join(root, 'package.json'));
const pinned: string = rootPackage.devDependencies.node;
const packageDirs = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('the Node the tests run on', () => {
  it(`is the pinned node dev dependency (${pinned}), from node_modules, not the machine's`, () => {
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    expect(process.version).toBe(`v${pinned}`);
    expect(process.execPath).toContain(`${sep}node_modules${sep}`);
  });

  it('is the version pnpm checks engines against (nodeVersion in pnpm-workspace.yaml)', () => {
    const workspace = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
    expect(workspace.match(/^nodeVersion: (\S+)$/m)?.[1]).toBe(pinned);
  });
});

describe('engines', () => {
  it('the root asks for Node 22.13 or later (node:sqlite without a flag; commander, vitest)', () => {
    expect(rootPackage.engines).toEqual({ node: '>=22.13' });
  });

  it.each(packageDirs)('packages/%s declares the same engines as the root', (dir) => {
    expect(readJson(join(root, 'packages', dir, 'package.json')).engines).toEqual(rootPackage.engines);
  });
});
