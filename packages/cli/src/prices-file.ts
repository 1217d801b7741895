import { readFileSync } from 'node:fs';
import { type PriceTable, PriceTableSchema, SnapcopyError } from '@snapcopy/core';

/**
 * A `--prices` file: one price table (core's `PriceTable`, either form), or one per
 * provider (`{ "aws": {...}, "alibaba": {...} }`, extra keys starting with `$` ignored).
 */
export type PriceFile = PriceTable | Readonly<Record<string, PriceTable>>;

function invalid(path: string, why: string): SnapcopyError {
  return new SnapcopyError('INVALID_REQUEST', `--prices ${path}: ${why}`);
}

function isOneTable(doc: Record<string, unknown>): boolean {
  return typeof doc.currency === 'string';
}

/** Reads and checks a price file; every table must parse. */
export function readPriceFile(path: string): PriceFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw invalid(
      path,
      code === 'ENOENT' ? 'no such file' : code ? `cannot read (${code})` : 'not valid JSON',
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw invalid(path, 'expected a JSON object');
  const record = doc as Record<string, unknown>;
  const tables = isOneTable(record)
    ? [['', record] as const]
    : Object.entries(record).filter(([k]) => !k.startsWith('$'));
  if (tables.length === 0) throw invalid(path, 'no price table in it');
  for (const [name, table] of tables) {
    const parsed = PriceTableSchema.safeParse(table);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = [name, ...(issue?.path ?? []).map(String)].filter((p) => p !== '').join('.');
      throw invalid(path, `${where || 'table'}: ${issue?.message ?? 'not a price table'}`);
    }
  }
  return doc as PriceFile;
}

/** The table for `provider` in a price file, or an `INVALID_REQUEST` naming the file. */
export function pricesFor(file: PriceFile, provider: string, path: string): PriceTable {
  const record = file as Record<string, unknown>;
  if (isOneTable(record)) return file as PriceTable;
  const table = record[provider];
  if (table === undefined) throw invalid(path, `no prices for ${provider} in it`);
  return table as PriceTable;
}
