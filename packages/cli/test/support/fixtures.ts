import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxSeedInput } from '@snapcopy/testkit';

// Files and patterns several CLI test files share.

/** The list-price file the CLI ships. */
export const PRICES = fileURLToPath(new URL('../../prices/aws-alibaba-list-prices.json', import.meta.url));

const examples = fileURLToPath(new URL('../../../policy/examples/', import.meta.url));
/** The AWS DLM user guide's cross-account copy policy, unchanged. */
export const DLM = join(examples, 'dlm-cross-account-copy.json');
/** The sandbox world the DLM example runs against. */
export const DLM_SEED = JSON.parse(
  readFileSync(join(examples, 'dlm-sandbox-seed.json'), 'utf8'),
) as SandboxSeedInput;

/** The start of an ANSI escape sequence (ESC then `[`). */
export const ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[`);
