import type { SnapcopyError } from './errors.js';

/** `items` in runs of at most `size`, in order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Items grouped by a key, in first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/**
 * Reads once per group of `items` (grouped by `key`, e.g. a destination region), every group
 * at once: key → what was read for it, in the groups' first-seen order.
 */
export async function readPerGroup<T, R>(
  items: readonly T[],
  key: (item: T) => string,
  read: (key: string, group: T[]) => Promise<R>,
): Promise<Map<string, R>> {
  const groups = [...groupBy(items, key)];
  const results = await Promise.all(groups.map(([k, group]) => read(k, group)));
  return new Map(groups.map(([k], i) => [k, results[i]!]));
}

/**
 * Reads resources by id across regions with as few provider calls as the provider's limit
 * allows: ids grouped by region, each id once, at most `perCall` ids a call, every call at
 * once. `read` returns what one call found, each with its id; an id it leaves out was not
 * found. Returns region → id → resource.
 */
export async function readByRegion<T>(
  refs: readonly { readonly region: string; readonly id: string }[],
  perCall: number,
  read: (region: string, ids: string[]) => Promise<Iterable<readonly [string, T]>>,
): Promise<Map<string, Map<string, T>>> {
  return readPerGroup(
    refs,
    (r) => r.region,
    async (region, list) => {
      const found = new Map<string, T>();
      await Promise.all(
        chunk([...new Set(list.map((r) => r.id))], perCall).map(async (ids) => {
          for (const [id, item] of await read(region, ids)) found.set(id, item);
        }),
      );
      return found;
    },
  );
}

/**
 * Finds the source of a copy and whether the caller owns it, without asking who the caller
 * is: first among the caller's own resources, then among all it may use (shared with it,
 * or public). A request naming the owner account takes the source as shared, and refuses
 * one another account owns; `notFound` words the error for the provider.
 */
export async function findOwnedOrShared<T>(
  source: { readonly id: string; readonly account?: string | undefined },
  provider: {
    /** The provider's answer for the source's id: among the caller's own (`ownOnly`), or all it may use. */
    readonly read: (ownOnly: boolean) => Promise<readonly T[]>;
    readonly idOf: (found: T) => string | undefined;
    /** The owner account the provider names, when it names one. */
    readonly ownerOf: (found: T) => string | undefined;
    readonly notFound: (why: string) => SnapcopyError;
  },
): Promise<{ found: T; ownership: 'owned' | 'shared' }> {
  const pick = async (ownOnly: boolean) =>
    (await provider.read(ownOnly)).find((r) => provider.idOf(r) === source.id);
  if (source.account === undefined) {
    const mine = await pick(true);
    if (mine !== undefined) return { found: mine, ownership: 'owned' };
  }
  const found = await pick(false);
  if (found === undefined) throw provider.notFound('does not exist or is not shared with you');
  const owner = provider.ownerOf(found);
  if (source.account !== undefined && owner !== undefined && owner !== source.account) {
    throw provider.notFound(`is not owned by account ${source.account}`);
  }
  return { found, ownership: 'shared' };
}
