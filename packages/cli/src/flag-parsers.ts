import { InvalidArgumentError } from 'commander';

// Parsers for commander options. They run while flags are read, before any command
// module is loaded, so they import nothing but commander.

/** `--tag k=v`, repeatable: collects into one record. A later value for a key wins. */
export function parseTagFlag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** A whole number, written in decimal digits only (`7`, not `7.5`, `0x7` or `7d`). */
export function parseWholeNumberFlag(value: string): number {
  if (!/^\d{1,9}$/.test(value.trim()))
    throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return Number(value.trim());
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest duration a flag takes: one Node timer (about 596 h). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** A duration such as `1500ms`, `30s`, `10m`, `6h`; a bare number is seconds. Returns ms. */
export function parseDurationFlag(value: string): number {
  const ms = parseZeroOrMoreDurationFlag(value);
  if (ms <= 0) throw new InvalidArgumentError(`expected a positive duration, got "${value}"`);
  return ms;
}

/** A duration flag that may be zero (`0s`: no wait at all). */
export function parseZeroOrMoreDurationFlag(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`expected a duration such as 30s, 10m or 6h, got "${value}"`);
  const ms = Math.round(Number(m[1]) * (DURATION_UNITS[m[2] ?? 's'] ?? 1000));
  if (ms > MAX_DURATION_MS) throw new InvalidArgumentError(`expected at most 596h, got "${value}"`);
  return ms;
}

/**
 * The shortest delay between status polls a flag may ask for, ms. Below it a wait turns
 * into a busy loop of provider calls that the provider throttles.
 */
export const MIN_POLL_MS = 100;

/** `--poll-ms`: a whole number of ms, at least {@link MIN_POLL_MS}. */
export function parsePollMsFlag(value: string): number {
  const ms = parseWholeNumberFlag(value);
  if (ms < MIN_POLL_MS) {
    throw new InvalidArgumentError(`expected at least ${MIN_POLL_MS} ms between polls, got "${value}"`);
  }
  return ms;
}

/** Repeatable string option. */
export function collectFlag(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A positive number, decimals allowed (`60`, `0.5`). */
export function parsePositiveNumberFlag(value: string): number {
  const n = Number(value.trim());
  if (!/^\d+(?:\.\d+)?$/.test(value.trim()) || !(n > 0)) {
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  }
  return n;
}
