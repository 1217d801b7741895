import { createRequire } from 'node:module';
import type * as Zod from 'zod';

// zod costs ~90 ms to import, most of core's cold start. The contract's schemas are
// therefore built on first use: zod is loaded synchronously through require() (it ships
// a CommonJS build) the first time a schema is touched, not when core is imported.
const requireFromHere = createRequire(import.meta.url);
let loaded: typeof Zod.z | undefined;

/** The `z` namespace, loaded on first call. */
export function zod(): typeof Zod.z {
  loaded ??= (requireFromHere('zod') as typeof Zod).z;
  return loaded;
}

/**
 * A stand-in for a zod schema that builds the real one on first property access and
 * forwards everything to it, so it can be used (and typed) exactly like the schema.
 */
export function lazySchema<T extends object>(build: (z: typeof Zod.z) => T): T {
  let schema: T | undefined;
  const get = (): T => {
    schema ??= build(zod());
    return schema;
  };
  return new Proxy({} as T, {
    get(_target, prop) {
      const s = get();
      const value = Reflect.get(s, prop, s) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(s) : value;
    },
    has: (_t, prop) => Reflect.has(get(), prop),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, prop) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), prop);
      return d ? { ...d, configurable: true } : undefined;
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(get()),
  });
}
