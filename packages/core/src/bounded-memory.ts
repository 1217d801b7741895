/**
 * A map that forgets its least recently set entries past `capacity`: the copy protocol's
 * in-process memories (copies made, cancelled, being deleted) must not grow without bound
 * in a process that runs for months.
 */
export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = Math.max(1, capacity);
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value as K);
    }
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** The key of one resource in one region, for the memories above. */
export function regionKey(region: string, id: string): string {
  return `${region}\u0000${id}`;
}
