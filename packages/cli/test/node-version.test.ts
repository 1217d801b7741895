import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSupportedNode, MINIMUM_NODE } from '../src/bin/node-version.js';

describe('the oldest Node the CLI starts on', () => {
  it("is the package's engines.node", () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.engines.node).toBe(`>=${MINIMUM_NODE.replace(/\.0$/, '')}`);
  });

  // One row per boundary: node:sqlite is unflagged from 22.13.0 (Node's sqlite docs, history).
  it.each([
    ['20.20.2', false],
    ['22.12.0', false],
    ['22.13.0', true],
    ['22.13.1', true],
    ['22.23.3', true],
    ['23.0.0', true],
    ['24.21.0', true],
    ['26.0.0', true],
  ])('Node %s → %s', (version, supported) => {
    expect(isSupportedNode(version)).toBe(supported);
  });
});
