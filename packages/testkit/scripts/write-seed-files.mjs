#!/usr/bin/env node
// Writes schema/sandbox-seed.schema.json (generated from the zod seed schema) and
// examples/sandbox-seed.json (the default world) from the built package, in the layout the
// committed files use: one object per line inside arrays. A test checks both stay in step.
//   npx tsc -b packages/testkit && node packages/testkit/scripts/write-seed-files.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SANDBOX_SEED, sandboxSeedJsonSchema } from '../dist/index.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

/** JSON with objects inside arrays on one line each, everything else indented. */
function layout(value, indent = '') {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null))
      return JSON.stringify(value).replaceAll(',', ', ');
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + oneLine(v)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const inner = indent + '  ';
    const entries = Object.entries(value).map(
      ([k, v]) => `${inner}${JSON.stringify(k)}: ${layout(v, inner)}`,
    );
    return `{\n${entries.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function oneLine(value) {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(value);
}

writeFileSync(
  join(pkg, 'schema', 'sandbox-seed.schema.json'),
  `${JSON.stringify(sandboxSeedJsonSchema(), null, 2)}\n`,
);
writeFileSync(
  join(pkg, 'examples', 'sandbox-seed.json'),
  `${layout({ $schema: '../schema/sandbox-seed.schema.json', ...DEFAULT_SANDBOX_SEED })}\n`,
);
console.log('wrote schema/sandbox-seed.schema.json and examples/sandbox-seed.json');
