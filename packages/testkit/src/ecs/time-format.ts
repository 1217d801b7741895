/** `yyyy-MM-ddTHH:mm:ssZ` in UTC, the ECS timestamp format. */
export function ecsTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * Parses the `yyyy-MM-ddTHH:mmZ` (or `…:ssZ`) UTC time DescribeSnapshots filters take;
 * undefined when malformed.
 */
export function parseEcsFilterTime(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  return Number.isNaN(ms) ? undefined : ms;
}
