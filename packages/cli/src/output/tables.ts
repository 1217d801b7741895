import type { BillableGiB, Capabilities, CopyPlan, CostEstimate } from '@snapcopy/core';
import Table from 'cli-table3';
import { encryptionWords, gib, ref } from './format.js';
import { escapesAllowed, type OutputMode, outputWidth } from './output-mode.js';

/** Each column's border and padding: `│ x ` is the cell's text plus 3. */
const CELL_EXTRA = 3;
/** A column is never squeezed below this. */
const MIN_COLUMN = 12;

/**
 * Column widths that fit `width` characters: every column as wide as its longest line,
 * then the widest ones narrowed (their text wraps) until the table fits.
 */
export function fitColumns(rows: readonly (readonly string[])[], width: number): number[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(1, ...rows.map((r) => Math.max(...(r[i] ?? '').split('\n').map((l) => l.length)))),
  );
  const total = () => widths.reduce((s, w) => s + w + CELL_EXTRA, 1);
  while (total() > width) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= MIN_COLUMN) break;
    widths[widest] = Math.max(MIN_COLUMN, widths[widest]! - (total() - width));
  }
  return widths.map((w) => w + CELL_EXTRA - 1);
}

/**
 * `text` in lines of at most `width` characters: broken at spaces where it can be, and a
 * word longer than a line (an ARN, an id) cut into pieces, so that nothing is lost.
 */
export function wrapCell(text: string, width: number): string {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      let rest = word;
      if (line !== '' && line.length + 1 + rest.length <= w) {
        line = `${line} ${rest}`;
        continue;
      }
      if (line !== '') out.push(line);
      while (rest.length > w) {
        out.push(rest.slice(0, w));
        rest = rest.slice(w);
      }
      line = rest;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** A table whose columns fit the output's width, long cells wrapped inside their column. */
class FittedTable {
  readonly #table: Table.Table;
  readonly #widths: number[];

  constructor(mode: OutputMode, head: string[], rows: readonly (readonly string[])[]) {
    // No colour codes outside a terminal, nor with NO_COLOR: logs and pipes get plain text.
    const colour = mode === 'tty' && escapesAllowed(process.stdout);
    this.#widths = fitColumns([head, ...rows], outputWidth(process.stdout));
    this.#table = new Table({
      head: head.map((h, i) => wrapCell(h, this.#textWidth(i))),
      // Rows without separators between them: a long table stays readable.
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      style: colour ? { head: ['cyan'] } : { head: [], border: [] },
      colWidths: this.#widths,
    });
  }

  #textWidth(column: number): number {
    return (this.#widths[column] ?? 80) - (CELL_EXTRA - 1);
  }

  push(row: readonly string[]): void {
    this.#table.push(row.map((cell, i) => wrapCell(cell, this.#textWidth(i))));
  }

  toString(): string {
    return this.#table.toString();
  }
}

function newTable(mode: OutputMode, head: string[], rows: readonly (readonly string[])[] = []): FittedTable {
  return new FittedTable(mode, head, rows);
}

/** Money in words: `0.4 USD once + 0.5 USD/month`, and what was not priced. */
export function costWords(cost: CostEstimate): string {
  const unpriced = cost.unpriced.length === 0 ? '' : `; not priced: ${cost.unpriced.join(', ')}`;
  return `${cost.oneOff} ${cost.currency} once + ${cost.monthly} ${cost.currency}/month${unpriced}`;
}

/**
 * The money or size column of a copy's row: its cost when priced, else its billable GiB
 * (transfer / storage), `-` without a plan; and the column's heading.
 */
export function planCostCell(
  plan: { readonly cost?: CostEstimate; readonly billableGiB: BillableGiB } | undefined,
): string {
  if (plan?.cost) return costWords(plan.cost);
  return plan ? billableWords(plan.billableGiB) : '-';
}

/** Billable GiB in words: `transfer / storage`. */
export function billableWords(billable: BillableGiB): string {
  return `${gib(billable.transfer)} / ${gib(billable.storage)}`;
}

/** The heading of {@link planCostCell}'s column. */
export const planCostHeading = (priced: boolean): string =>
  priced ? 'cost' : 'billable (transfer / storage)';

/**
 * A capability value in words: yes/no, ranges, limits. Only the concurrency limit uses 0
 * for "unknown" (both manifests say so); elsewhere 0 is a count (e.g. no snapshot tags).
 */
export function capabilityWords(value: Capabilities[keyof Capabilities], key?: string): string {
  if (value === true) return 'yes';
  if (value === false) return 'no';
  if (value === null) return '-';
  if (Array.isArray(value)) return `${value[0]}-${value[1]}`;
  if (typeof value === 'object') return `${value.min}-${value.max} step ${value.step}`;
  if (value === 0 && key === 'maxConcurrentCopiesPerRegion') return '0 (unknown)';
  return String(value);
}

/** Every flag of every manifest, one row per flag, one column per provider. */
export function capabilitiesTable(
  mode: OutputMode,
  manifests: readonly { readonly name: string; readonly capabilities: Capabilities }[],
  keys: readonly (keyof Capabilities)[],
): string {
  const rows = keys.map((key) => [key, ...manifests.map((m) => capabilityWords(m.capabilities[key], key))]);
  const table = newTable(mode, ['capability', ...manifests.map((m) => m.name)], rows);
  for (const row of rows) table.push(row);
  return table.toString();
}

/** A plan as a two-column table, followed by its reasons. */
export function planTable(mode: OutputMode, plan: CopyPlan): string {
  const src = plan.source;
  const rows: string[][] = [];
  rows.push(
    [
      'source',
      `${ref(src.region, src.snapshotId)} (${src.encrypted ? 'encrypted' : 'unencrypted'}, ${gib(src.sizeGiB)}${src.diskSizeGiB === undefined ? '' : ` of a ${gib(src.diskSizeGiB)} disk`}, ${src.ownership})`,
    ],
    [
      'destination',
      plan.destination.account === undefined
        ? plan.destination.region
        : `${plan.destination.region} (account ${plan.destination.account})`,
    ],
    ['encryption', encryptionWords(plan)],
    ['transfer', `${plan.transfer} (billed on: ${plan.sizeBasis})`],
    [
      'billable',
      `${gib(plan.billableGiB.transfer)} transfer, ${gib(plan.billableGiB.storage)} storage${plan.billableGiB.timeBased > 0 ? `, ${gib(plan.billableGiB.timeBased)} time-based` : ''}`,
    ],
    [
      'kms',
      plan.kms.customerManagedKey
        ? 'customer-managed key (may be billed)'
        : plan.kms.serviceKey
          ? 'service key (free)'
          : 'none',
    ],
  );
  if (plan.timeBased)
    rows.push([
      'time-based',
      `${plan.timeBased.completionDurationMinutes} min (at least ${plan.timeBased.minimumMinutes})`,
    ]);
  if (plan.cost) rows.push(['cost', costWords(plan.cost)], ['prices', plan.cost.priceSource]);
  const table = newTable(mode, ['plan', plan.provider], rows);
  for (const row of rows) table.push(row);
  const reasons = plan.reasons.map((r) => `  - ${r}`).join('\n');
  return `${table.toString()}${reasons ? `\nWhy:\n${reasons}` : ''}`;
}

/** A free-form table with a header row. */
export function rowsTable(mode: OutputMode, head: string[], rows: readonly (readonly string[])[]): string {
  const table = newTable(mode, head, rows);
  for (const row of rows) table.push([...row]);
  return table.toString();
}
