/** `fields` without its `undefined` values: under `exactOptionalPropertyTypes`, an optional property is absent, not `undefined`. */
export type DefinedFields<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/**
 * The fields of `fields` that have a value, for spreading into an object with optional
 * properties: one call instead of a `...(x === undefined ? {} : { x })` per field.
 */
export function definedFields<T extends Record<string, unknown>>(fields: T): DefinedFields<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as DefinedFields<T>;
}
