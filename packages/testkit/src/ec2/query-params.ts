import { ec2Errors } from './errors.js';

/** One `Filter.N` of a Describe call: values are OR'ed, filters AND'ed. */
export interface Ec2Filter {
  readonly name: string;
  readonly values: readonly string[];
}

/**
 * The flattened parameters of an EC2 Query request (`Name.1`, `Filter.2.Value.1`, …)
 * with typed readers. Indexes are read in numeric order, whatever order they came in.
 */
export class QueryParams {
  readonly #map: Map<string, string>;

  constructor(entries: Iterable<[string, string]>) {
    this.#map = new Map(entries);
  }

  /** Parses an `application/x-www-form-urlencoded` body merged over a URL query string. */
  static parse(url: string, body: string): QueryParams {
    const q = url.indexOf('?');
    const entries: [string, string][] = [];
    if (q >= 0) entries.push(...new URLSearchParams(url.slice(q + 1)));
    entries.push(...new URLSearchParams(body));
    return new QueryParams(entries);
  }

  get(name: string): string | undefined {
    return this.#map.get(name);
  }

  has(name: string): boolean {
    return this.#map.has(name);
  }

  /** A required scalar; `MissingParameter` when absent or empty. */
  required(name: string): string {
    const v = this.#map.get(name);
    if (v === undefined || v === '') throw ec2Errors.missingParameter(name);
    return v;
  }

  /** `true`/`false`; anything else is `InvalidParameterValue`. */
  bool(name: string): boolean | undefined {
    const v = this.#map.get(name);
    if (v === undefined) return undefined;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw ec2Errors.invalidParameterValue(`Invalid value '${v}' for ${name}. Expected a boolean.`);
  }

  /** A decimal integer; anything else is `InvalidParameterValue`. */
  int(name: string): number | undefined {
    const v = this.#map.get(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw ec2Errors.invalidParameterValue(`Invalid value '${v}' for ${name}.`);
    return Number(v);
  }

  /** The indexes `N` present under `prefix.N…`, ascending. */
  indexes(prefix: string): number[] {
    const seen = new Set<number>();
    const head = `${prefix}.`;
    for (const key of this.#map.keys()) {
      if (!key.startsWith(head)) continue;
      const rest = key.slice(head.length);
      const dot = rest.indexOf('.');
      const n = Number(dot < 0 ? rest : rest.slice(0, dot));
      if (Number.isInteger(n) && n > 0) seen.add(n);
    }
    return [...seen].sort((a, b) => a - b);
  }

  /** A flat list `prefix.1`, `prefix.2`, …. */
  list(prefix: string): string[] {
    const out: string[] = [];
    for (const n of this.indexes(prefix)) {
      const v = this.#map.get(`${prefix}.${n}`);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  /** `Filter.N.Name` + `Filter.N.Value.M`. */
  filters(prefix = 'Filter'): Ec2Filter[] {
    return this.indexes(prefix).map((n) => {
      const name = this.#map.get(`${prefix}.${n}.Name`);
      if (name === undefined || name === '') throw ec2Errors.missingParameter(`${prefix}.${n}.Name`);
      return { name, values: this.list(`${prefix}.${n}.Value`) };
    });
  }

  /** `prefix.N.Key` / `prefix.N.Value` pairs; an omitted value is `undefined`. */
  tags(prefix: string): [string, string | undefined][] {
    return this.indexes(prefix).map((n) => {
      const key = this.#map.get(`${prefix}.${n}.Key`);
      if (key === undefined) throw ec2Errors.missingParameter(`${prefix}.${n}.Key`);
      return [key, this.#map.get(`${prefix}.${n}.Value`)];
    });
  }

  /** Every parameter, for the request log, minus the names in `omit`. */
  toRecord(omit: ReadonlySet<string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.#map) if (!omit.has(k) && !k.startsWith('X-Amz-')) out[k] = v;
    return out;
  }
}
