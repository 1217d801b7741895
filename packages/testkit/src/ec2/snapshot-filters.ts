import type { SimSnapshot } from '../sim/world.js';
import { ec2Errors } from './errors.js';
import type { Ec2Filter } from './query-params.js';
import { displayVolumeId, ec2Extra, progressText, storageTier, transferType } from './snapshot-view.js';
import { xmlTimestamp } from './xml.js';

/** A value test: exact, or an EC2 wildcard pattern (`*` any run, `?` one character, `\` escapes). */
type Matcher = (value: string | undefined) => boolean;

export function valueMatcher(pattern: string): Matcher {
  if (!/[*?]/.test(pattern)) return (v) => v === pattern;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) source += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(`^${source}$`, 's');
  return (v) => v !== undefined && re.test(v);
}

/** True when a filter value is a plain value (no wildcard), usable as an index key. */
export const isExactValue = (v: string): boolean => !/[*?]/.test(v);

const FIELD: Record<string, (s: SimSnapshot) => string | undefined> = {
  description: (s) => s.description,
  encrypted: (s) => String(s.encrypted),
  'owner-alias': (s) => ec2Extra(s).ownerAlias,
  'owner-id': (s) => s.account,
  progress: (s) => progressText(s),
  'snapshot-id': (s) => s.id,
  'start-time': (s) => xmlTimestamp(s.startedAt),
  status: (s) => s.state,
  'storage-tier': (s) => storageTier(s),
  'transfer-type': (s) => transferType(s),
  'volume-id': (s) => displayVolumeId(s),
  'volume-size': (s) => String(s.volumeSizeGiB),
};

/** The filter names DescribeSnapshots accepts (plus `tag:<key>`). */
export const SNAPSHOT_FILTER_NAMES: readonly string[] = [...Object.keys(FIELD), 'tag-key'];

/**
 * Compiles `Filter.N` into one predicate: filters are AND'ed, the values of one filter
 * OR'ed. An unknown filter name is `InvalidParameterValue`, as on EC2.
 */
export function compileSnapshotFilters(filters: readonly Ec2Filter[]): (s: SimSnapshot) => boolean {
  const tests = filters.map((f): ((s: SimSnapshot) => boolean) => {
    // Plain values (the common case: ids, states) are a set lookup, not a scan of patterns.
    const exact = f.values.every(isExactValue) ? new Set(f.values) : undefined;
    const matchers = exact ? [] : f.values.map(valueMatcher);
    const any = exact
      ? (v: string | undefined) => v !== undefined && exact.has(v)
      : (v: string | undefined) => matchers.some((m) => m(v));
    if (f.name.startsWith('tag:')) {
      const key = f.name.slice(4);
      return (s) => s.tags.has(key) && any(s.tags.get(key));
    }
    if (f.name === 'tag-key') {
      return (s) => {
        for (const k of s.tags.keys()) if (any(k)) return true;
        return false;
      };
    }
    const field = FIELD[f.name];
    if (!field) throw ec2Errors.invalidParameterValue(`The filter '${f.name}' is invalid`);
    return (s) => any(field(s));
  });
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0]!;
  return (s) => tests.every((t) => t(s));
}
