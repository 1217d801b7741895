import { readFileSync } from 'node:fs';
import { type PriceTable, PriceTableSchema, SnapcopyError } from '@snapcopy/core';
import type { PolicyFlags } from '../cli-flags.js';
import { printPassReport, policyHeading } from '../output/policy-report.js';
import { Output, outputModeFor } from '../output/output-mode.js';
import { copiersForPolicy, passClock, readPolicyFile } from '../policy-file.js';
import { EXIT_CODES } from '../exit-codes.js';

/** A price table from `--prices FILE`. */
export function readPrices(file: string | undefined): PriceTable | undefined {
  if (file === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `cannot read the price table ${file}: ${(err as Error).message}`,
    );
  }
  const result = PriceTableSchema.safeParse(parsed);
  if (!result.success) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `the price table ${file} is not valid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}

/**
 * `snapcopy policy plan FILE`: what one pass would copy, skip, expire, and what it would
 * cost. Reads only (list, describe and plan calls); changes nothing.
 */
export async function run(flags: PolicyFlags, args: readonly string[]): Promise<number> {
  const output = new Output(outputModeFor(flags.json));
  const loaded = await readPolicyFile(args[0]!, flags);
  const prices = readPrices(flags.prices);
  const { runPolicyPass } = await import('@snapcopy/policy');
  output.line(policyHeading(loaded));
  const report = await runPolicyPass({
    policy: loaded.policy,
    copiers: await copiersForPolicy(loaded.policy, flags, false),
    mode: 'plan',
    clock: await passClock(),
    ...(prices === undefined ? {} : { prices }),
  });
  printPassReport(output, report);
  output.document({
    ok: true,
    format: loaded.format,
    ...(loaded.region ? { region: loaded.region } : {}),
    report,
  });
  return EXIT_CODES.success;
}
