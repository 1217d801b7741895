import { EcsApiError, ecsErrors } from './rpc-errors.js';

/** Decodes `a=1&b=%20` into pairs. `+` stays a plus: RPC clients encode spaces as `%20`. */
export function decodeQueryPairs(raw: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (raw === '') return pairs;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    try {
      pairs.push([decodeURIComponent(k), decodeURIComponent(v)]);
    } catch {
      throw new EcsApiError(400, 'InvalidParameter', 'The request contains a malformed percent-encoding.');
    }
  }
  return pairs;
}

/** One element of a `Name.N.Field` list, with its 1-based index. */
export interface IndexedStruct {
  readonly index: number;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * The decoded parameters of one RPC request, with the typed accessors operations use.
 * Parsing errors are the ECS errors a real endpoint returns.
 */
export class EcsParams {
  readonly #map: Map<string, string>;

  constructor(pairs: Iterable<[string, string]>) {
    this.#map = new Map(pairs);
  }

  /** Every parameter, for the request log. */
  entries(): IterableIterator<[string, string]> {
    return this.#map.entries();
  }

  has(name: string): boolean {
    return this.#map.has(name);
  }

  get(name: string): string | undefined {
    return this.#map.get(name);
  }

  /** A required, non-empty parameter. */
  require(name: string, error: () => EcsApiError = () => ecsErrors.missing(name)): string {
    const v = this.#map.get(name);
    if (v === undefined || v === '') throw error();
    return v;
  }

  /** `true`/`false` (any case); undefined when absent. */
  bool(name: string): boolean | undefined {
    const v = this.#map.get(name);
    if (v === undefined || v === '') return undefined;
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw ecsErrors.invalid(name, 'must be true or false');
  }

  /** An integer in `[min, max]`; undefined when absent. */
  int(
    name: string,
    min: number,
    max: number,
    error: () => EcsApiError = () => ecsErrors.invalid(name),
  ): number | undefined {
    const v = this.#map.get(name);
    if (v === undefined || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw error();
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw error();
    return n;
  }

  /** `Name.1`, `Name.2`, … in index order. */
  list(prefix: string): string[] {
    const found: Array<[number, string]> = [];
    const re = new RegExp(`^${escapeRegExp(prefix)}\\.(\\d+)$`);
    for (const [k, v] of this.#map) {
      const m = re.exec(k);
      if (m) found.push([Number(m[1]), v]);
    }
    return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }

  /** `Name.N.Field` groups in index order. */
  structs(prefix: string): IndexedStruct[] {
    const byIndex = new Map<number, Record<string, string>>();
    const re = new RegExp(`^${escapeRegExp(prefix)}\\.(\\d+)\\.(.+)$`);
    for (const [k, v] of this.#map) {
      const m = re.exec(k);
      if (!m) continue;
      const index = Number(m[1]);
      const fields = byIndex.get(index) ?? {};
      fields[m[2]!] = v;
      byIndex.set(index, fields);
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([index, fields]) => ({ index, fields }));
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
