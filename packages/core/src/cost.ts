import type { z } from 'zod';
import { lazySchema } from './lazy-zod.js';
import type { BillableGiB, KmsCharges } from './plan.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Prices supplied by the caller. snapcopy ships no prices inside its packages: a price is
 * only shown together with the `source` and `asOf` date given for it. Two forms:
 *
 * - **per region** (`regions`): each price its own `{ price, source, asOf }`, for the
 *   region the charge arises in: transfer out of the source region, storage, time-based
 *   copies and KMS keys in the destination; `*` is the fallback region, and
 *   `transferPerGiB` can name exact `from>to` pairs;
 * - **flat** (the first form): one `source`/`asOf` for the whole table, transfer by
 *   `from>to` pair with `from>*` and `*` fallbacks, one storage price for every region.
 */
const buildPriceTableSchemas = (z: typeof import('zod').z) => {
  const price = z
    .object({
      /** Price per unit, in the table's currency. */
      price: z.number().nonnegative(),
      /** Where this price comes from (a price page's URL, a contract). */
      source: z.string().min(1),
      /** The date the price was read, `YYYY-MM-DD`. */
      asOf: z.string().regex(DATE),
      /** Anything a reader should know (a tier, a condition). */
      note: z.string().optional(),
    })
    .strict();
  const regionPrices = z
    .object({
      /** Per GiB moved out of this region to another region (charged to the source region). */
      transferOutPerGiB: price.optional(),
      /** Per GiB-month of snapshot storage in this region. */
      storagePerGiBMonth: price.optional(),
      /** Per GiB of a time-based copy into this region (AWS). */
      timeBasedPerGiB: price.optional(),
      /** Per month of one customer-managed KMS key in this region. */
      kmsKeyPerMonth: price.optional(),
    })
    .strict();
  const regional = z
    .object({
      currency: z.string().length(3),
      /** Prices by region id, `*` for every region not listed. */
      regions: z.record(z.string(), regionPrices),
      /** Transfer prices of exact `from>to` pairs, before the source region's own. */
      transferPerGiB: z.record(z.string(), price).optional(),
      /** Free text about the whole table. */
      note: z.string().optional(),
    })
    .strict();
  const flat = z
    .object({
      currency: z.string().length(3),
      /** Where the prices come from (a price page, a contract). Required: no unlabelled price. */
      source: z.string().min(1),
      /** The date the prices were read, `YYYY-MM-DD`. */
      asOf: z.string().regex(DATE),
      /** Price per GiB transferred between regions, by `from>to` pair, with `from>*` and `*` as fallbacks. */
      transferPerGiB: z.record(z.string(), z.number().nonnegative()),
      /** Price per GiB-month stored in the destination. */
      storagePerGiBMonth: z.number().nonnegative(),
      /** Price per GiB of a time-based copy (AWS), if applicable. */
      timeBasedPerGiB: z.number().nonnegative().optional(),
      /** Monthly price of a customer-managed key, if it should be counted. */
      customerKeyPerMonth: z.number().nonnegative().optional(),
    })
    .strict();
  return { price, regionPrices, regional, flat, table: z.union([regional, flat]) };
};

const schemas = lazySchema((z) => buildPriceTableSchemas(z));

/** The zod schema of a price table, either form (built on first use). */
export const PriceTableSchema = lazySchema(() => schemas.table);

type Schemas = ReturnType<typeof buildPriceTableSchemas>;
/** One price with its source and date. */
export type Price = z.infer<Schemas['price']>;
/** The prices of one region. */
export type RegionPrices = z.infer<Schemas['regionPrices']>;
/** A price table with a price per region. */
export type RegionalPriceTable = z.infer<Schemas['regional']>;
/** A price table with one source for all its prices. */
export type FlatPriceTable = z.infer<Schemas['flat']>;
/** A price table, either form. */
export type PriceTable = RegionalPriceTable | FlatPriceTable;

/** One priced line of an estimate. */
export interface CostLine {
  readonly item: 'transfer' | 'storage-month' | 'time-based' | 'customer-key-month';
  readonly quantity: number;
  readonly unit: 'GiB' | 'GiB-month' | 'key-month';
  readonly unitPrice: number;
  readonly amount: number;
  /** Where its price comes from, and when it was read (absent for a charge that cannot arise). */
  readonly source?: string;
  readonly asOf?: string;
}

/** Money for one copy, labelled with where the prices come from. */
export interface CostEstimate {
  readonly currency: string;
  readonly lines: readonly CostLine[];
  /** One-off charges (transfer, time-based fee). */
  readonly oneOff: number;
  /** Recurring monthly charges (storage, key). */
  readonly monthly: number;
  /** `"<source> as of <date>"` for every source used (`; ` between them): a price is never shown without it. */
  readonly priceSource: string;
  /** Charges that arise but that the table has no price for: the totals leave them out. */
  readonly unpriced: readonly CostLine['item'][];
}

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

function isRegional(table: PriceTable): table is RegionalPriceTable {
  return (table as Partial<RegionalPriceTable>).regions !== undefined;
}

/** Looks up the transfer price for a region pair in a flat table: exact pair, then `from>*`, then `*`. */
export function transferPrice(table: FlatPriceTable, from: string, to: string): number {
  const p = table.transferPerGiB;
  return p[`${from}>${to}`] ?? p[`${from}>*`] ?? p['*'] ?? 0;
}

/** The prices a copy from `from` to `to` needs, whatever the table's form (undefined: no price). */
interface CopyPrices {
  readonly transfer?: Price;
  readonly storage?: Price;
  readonly timeBased?: Price;
  readonly customerKey?: Price;
}

function regionalPrices(table: RegionalPriceTable, from: string, to: string): CopyPrices {
  const at = (region: string, item: keyof RegionPrices): Price | undefined =>
    table.regions[region]?.[item] ?? table.regions['*']?.[item];
  const transfer = table.transferPerGiB?.[`${from}>${to}`] ?? at(from, 'transferOutPerGiB');
  const storage = at(to, 'storagePerGiBMonth');
  const timeBased = at(to, 'timeBasedPerGiB');
  const customerKey = at(to, 'kmsKeyPerMonth');
  return {
    ...(transfer === undefined ? {} : { transfer }),
    ...(storage === undefined ? {} : { storage }),
    ...(timeBased === undefined ? {} : { timeBased }),
    ...(customerKey === undefined ? {} : { customerKey }),
  };
}

function flatPrices(table: FlatPriceTable, from: string, to: string): CopyPrices {
  const labelled = (price: number): Price => ({ price, source: table.source, asOf: table.asOf });
  return {
    transfer: labelled(transferPrice(table, from, to)),
    storage: labelled(table.storagePerGiBMonth),
    // The flat form has always priced a missing time-based fee at 0.
    timeBased: labelled(table.timeBasedPerGiB ?? 0),
    ...(table.customerKeyPerMonth === undefined ? {} : { customerKey: labelled(table.customerKeyPerMonth) }),
  };
}

/**
 * Prices billable quantities with a caller's table. Pure: same input, same output. A
 * same-region copy moves no data between regions, so its transfer line is 0. A charge that
 * arises but that the table does not price is listed in `unpriced` and left out of the totals.
 */
export function estimateCopyCost(
  input: { billableGiB: BillableGiB; kms: KmsCharges; sourceRegion: string; destinationRegion: string },
  table: PriceTable,
): CostEstimate {
  const prices = PriceTableSchema.parse(table) as PriceTable;
  const from = input.sourceRegion;
  const to = input.destinationRegion;
  const p = isRegional(prices) ? regionalPrices(prices, from, to) : flatPrices(prices, from, to);
  const lines: CostLine[] = [];
  const unpriced: CostLine['item'][] = [];
  const line = (
    item: CostLine['item'],
    quantity: number,
    unit: CostLine['unit'],
    price: Price | undefined,
  ): void => {
    if (price === undefined) {
      if (quantity > 0) unpriced.push(item);
      return;
    }
    lines.push({
      item,
      quantity,
      unit,
      unitPrice: price.price,
      amount: round(quantity * price.price),
      source: price.source,
      asOf: price.asOf,
    });
  };
  if (from === to) {
    lines.push({
      item: 'transfer',
      quantity: input.billableGiB.transfer,
      unit: 'GiB',
      unitPrice: 0,
      amount: 0,
    });
  } else line('transfer', input.billableGiB.transfer, 'GiB', p.transfer);
  line('storage-month', input.billableGiB.storage, 'GiB-month', p.storage);
  if (input.billableGiB.timeBased > 0) line('time-based', input.billableGiB.timeBased, 'GiB', p.timeBased);
  if (input.kms.customerManagedKey) {
    if (p.customerKey !== undefined) line('customer-key-month', 1, 'key-month', p.customerKey);
    else if (isRegional(prices)) unpriced.push('customer-key-month');
  }
  const sum = (items: readonly CostLine['item'][]) =>
    round(lines.filter((l) => items.includes(l.item)).reduce((s, l) => s + l.amount, 0));
  const sources = [
    ...new Set(lines.flatMap((l) => (l.source === undefined ? [] : [`${l.source} as of ${l.asOf}`]))),
  ];
  const fallbackSource = isRegional(prices) ? 'no price used' : `${prices.source} as of ${prices.asOf}`;
  return {
    currency: prices.currency,
    lines,
    oneOff: sum(['transfer', 'time-based']),
    monthly: sum(['storage-month', 'customer-key-month']),
    priceSource: sources.length === 0 ? fallbackSource : sources.join('; '),
    unpriced,
  };
}
