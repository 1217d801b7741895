const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * Parses a duration such as `3d`, `12h`, `1d12h`, `90m`, `30s`, `250ms` or `2w` into
 * milliseconds. Every number needs a unit (a bare `3` is refused: seconds or days?).
 * Throws a RangeError naming the input when it is not one.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null = re.exec(trimmed);
  while (m !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
    m = re.exec(trimmed);
  }
  if (trimmed === '' || matched !== trimmed.length) {
    throw new RangeError(
      `"${text}" is not a duration: use a number and a unit (ms, s, m, h, d, w), e.g. 3d or 1d12h`,
    );
  }
  return Math.round(total);
}
