import type { z } from 'zod';
import { lazySchema } from './lazy-zod.js';
import type { BillableGiB, KmsCharges } from './plan.js';

/**
 * Prices supplied by the caller. snapcopy ships no prices of its own: a price is only
 * shown together with the `source` and `asOf` date the caller gives for it.
 */
const buildPriceTableSchema = (z: typeof import('zod').z) =>
  z
    .object({
      currency: z.string().min(3).max(3),
      /** Where the prices come from (a price page, a contract). Required: no unlabelled price. */
      source: z.string().min(1),
      /** The date the prices were read, `YYYY-MM-DD`. */
      asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      /** Price per GiB transferred between regions, by `from>to` pair, with `*` as fallback. */
      transferPerGiB: z.record(z.string(), z.number().nonnegative()),
      /** Price per GiB-month stored in the destination. */
      storagePerGiBMonth: z.number().nonnegative(),
      /** Price per GiB of a time-based copy (AWS), if applicable. */
      timeBasedPerGiB: z.number().nonnegative().optional(),
      /** Monthly price of a customer-managed key, if it should be counted. */
      customerKeyPerMonth: z.number().nonnegative().optional(),
    })
    .strict();

/** The zod schema of a price table (built on first use). */
export const PriceTableSchema = lazySchema(buildPriceTableSchema);

export type PriceTable = z.infer<ReturnType<typeof buildPriceTableSchema>>;

/** One priced line of an estimate. */
export interface CostLine {
  readonly item: 'transfer' | 'storage-month' | 'time-based' | 'customer-key-month';
  readonly quantity: number;
  readonly unit: 'GiB' | 'GiB-month' | 'key-month';
  readonly unitPrice: number;
  readonly amount: number;
}

/** Money for one copy, labelled with where the prices come from. */
export interface CostEstimate {
  readonly currency: string;
  readonly lines: readonly CostLine[];
  /** One-off charges (transfer, time-based fee). */
  readonly oneOff: number;
  /** Recurring monthly charges (storage, key). */
  readonly monthly: number;
  /** `"<source> as of <date>"`: a price is never shown without it. */
  readonly priceSource: string;
}

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

/** Looks up the transfer price for a region pair: exact pair, then `from>*`, then `*`. */
export function transferPrice(table: PriceTable, from: string, to: string): number {
  const p = table.transferPerGiB;
  return p[`${from}>${to}`] ?? p[`${from}>*`] ?? p['*'] ?? 0;
}

/**
 * Prices billable quantities with a caller's table. Pure: same input, same output.
 * A same-region copy moves no data between regions, so its transfer line is 0.
 */
export function estimateCopyCost(
  input: { billableGiB: BillableGiB; kms: KmsCharges; sourceRegion: string; destinationRegion: string },
  table: PriceTable,
): CostEstimate {
  const prices = PriceTableSchema.parse(table);
  const lines: CostLine[] = [];
  const crossRegion = input.sourceRegion !== input.destinationRegion;
  const transferUnit = crossRegion ? transferPrice(prices, input.sourceRegion, input.destinationRegion) : 0;
  lines.push({
    item: 'transfer',
    quantity: input.billableGiB.transfer,
    unit: 'GiB',
    unitPrice: transferUnit,
    amount: round(input.billableGiB.transfer * transferUnit),
  });
  lines.push({
    item: 'storage-month',
    quantity: input.billableGiB.storage,
    unit: 'GiB-month',
    unitPrice: prices.storagePerGiBMonth,
    amount: round(input.billableGiB.storage * prices.storagePerGiBMonth),
  });
  if (input.billableGiB.timeBased > 0) {
    const unit = prices.timeBasedPerGiB ?? 0;
    lines.push({
      item: 'time-based',
      quantity: input.billableGiB.timeBased,
      unit: 'GiB',
      unitPrice: unit,
      amount: round(input.billableGiB.timeBased * unit),
    });
  }
  if (input.kms.customerManagedKey && prices.customerKeyPerMonth !== undefined) {
    lines.push({
      item: 'customer-key-month',
      quantity: 1,
      unit: 'key-month',
      unitPrice: prices.customerKeyPerMonth,
      amount: prices.customerKeyPerMonth,
    });
  }
  const oneOff = round(
    lines.filter((l) => l.item === 'transfer' || l.item === 'time-based').reduce((s, l) => s + l.amount, 0),
  );
  const monthly = round(
    lines
      .filter((l) => l.item === 'storage-month' || l.item === 'customer-key-month')
      .reduce((s, l) => s + l.amount, 0),
  );
  return {
    currency: prices.currency,
    lines,
    oneOff,
    monthly,
    priceSource: `${prices.source} as of ${prices.asOf}`,
  };
}
