#!/usr/bin/env node
// Writes schema/policy.schema.json, the JSON Schema of the snapcopy policy document,
// generated from its zod schema in the built package. A test keeps the two in step.
//   npx tsc -b packages/policy && node packages/policy/scripts/write-schema.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policyDocumentJsonSchema } from '../dist/index.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(
  join(pkg, 'schema', 'policy.schema.json'),
  `${JSON.stringify(policyDocumentJsonSchema(), null, 2)}\n`,
);
console.log('wrote schema/policy.schema.json');
