import type { RetentionRule } from './document.js';

const DAY_MS = 86_400_000;

/**
 * `ms` plus `months` calendar months, in UTC: the same day of the month and time of day,
 * or the month's last day when it has no such day (31 January + 1 month = 28 or 29
 * February; 29 February + 1 year = 28 February).
 */
export function addCalendarMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const total = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/**
 * When a copy made at `madeAt` (epoch ms) expires under `rule`: days and weeks are 24-hour
 * days; months and years are calendar months and years from the copy's creation, in UTC.
 */
export function retentionEnd(madeAt: number, rule: RetentionRule): number {
  switch (rule.unit) {
    case 'days':
      return madeAt + rule.interval * DAY_MS;
    case 'weeks':
      return madeAt + rule.interval * 7 * DAY_MS;
    case 'months':
      return addCalendarMonths(madeAt, rule.interval);
    case 'years':
      return addCalendarMonths(madeAt, rule.interval * 12);
  }
}

/** Whole days from `madeAt` to the rule's end, rounded up: what ECS `RetentionDays` takes. */
export function retentionDays(madeAt: number, rule: RetentionRule): number {
  return Math.ceil((retentionEnd(madeAt, rule) - madeAt) / DAY_MS);
}

/** The most days a rule can span (31-day months, 366-day years), for range checks. */
export function maxRetentionDays(rule: RetentionRule): number {
  switch (rule.unit) {
    case 'days':
      return rule.interval;
    case 'weeks':
      return rule.interval * 7;
    case 'months':
      return Math.ceil(rule.interval * 31);
    case 'years':
      return rule.interval * 366;
  }
}

/** `3 days`, `1 month`. */
export function retentionWords(rule: RetentionRule): string {
  const unit = rule.interval === 1 ? rule.unit.slice(0, -1) : rule.unit;
  return `${rule.interval} ${unit}`;
}

/**
 * Whether a snapshot started at `createdAt` is young enough to copy to a destination that
 * keeps copies for `rule`: snapcopy sees no share event (EC2 records no share time), so
 * it copies a snapshot only while `createdAt` plus the retention is still ahead. A copy
 * that expired and was deleted is therefore never made again, and a snapshot older than
 * the retention is not copied at all. Without a rule (keep forever), always.
 */
export function youngEnoughToCopy(
  createdAt: number | undefined,
  rule: RetentionRule | undefined,
  now: number,
): boolean {
  if (rule === undefined || createdAt === undefined) return true;
  return retentionEnd(createdAt, rule) > now;
}
