/**
 * A period as a cron expression DBOS's scheduler takes, or undefined when none fits
 * exactly: seconds that divide a minute (`*\/s * * * * *`, six fields), minutes that
 * divide an hour, hours that divide a day, or one day (midnight UTC).
 */
export function cronForPeriod(ms: number): string | undefined {
  if (!Number.isInteger(ms) || ms <= 0) return undefined;
  const s = ms / 1000;
  if (Number.isInteger(s) && s < 60 && 60 % s === 0) return s === 1 ? '* * * * * *' : `*/${s} * * * * *`;
  const m = ms / 60_000;
  if (Number.isInteger(m) && m < 60 && 60 % m === 0) return m === 1 ? '* * * * *' : `*/${m} * * * *`;
  const h = ms / 3_600_000;
  if (Number.isInteger(h) && h < 24 && 24 % h === 0) return h === 1 ? '0 * * * *' : `0 */${h} * * *`;
  if (ms === 86_400_000) return '0 0 * * *';
  return undefined;
}
