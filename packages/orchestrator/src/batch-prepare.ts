import type { SnapcopyError } from '@snapcopy/core';
import { invalidRequest } from '@snapcopy/core/driver';
import { asSnapcopyError } from './batch-item.js';
import { batchClientToken } from './client-token.js';
import { type AnyCopyRequestInput, type BatchCopier, kindNoun, requestKind } from './copy-kind.js';
import type { CopiersByKind } from './copier-entry.js';
import type { JournalRequestRecord } from './journal/journal.js';
import type { BatchItem, BatchItemInput } from './types.js';

/** One request of a batch, ready for the journal, with why it cannot run (if it cannot). */
export interface PreparedRequest {
  readonly record: JournalRequestRecord;
  readonly error?: SnapcopyError;
}

function isBatchItem(input: BatchItemInput): input is BatchItem {
  return typeof input === 'object' && input !== null && 'request' in input;
}

function jsonSafe<T>(value: T): T | undefined {
  try {
    return JSON.parse(JSON.stringify(value)) as T;
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted at every level: equal requests give equal text, whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

type Prepared = PreparedRequest & { readonly tokenGiven: boolean; readonly raw: unknown };

function prepareOne(
  input: BatchItemInput,
  index: number,
  batchId: string,
  copiers: ReadonlyMap<string, CopiersByKind>,
  names: readonly string[],
): Prepared {
  const named = isBatchItem(input) ? input.copier : undefined;
  const copierName = named ?? (names.length === 1 ? names[0]! : '');
  const raw: unknown = isBatchItem(input) ? input.request : input;
  const given =
    typeof raw === 'object' && raw !== null ? (raw as { clientToken?: unknown }).clientToken : undefined;
  const clientToken = typeof given === 'string' ? given : batchClientToken(batchId, index);
  const request = (jsonSafe(
    typeof raw === 'object' && raw !== null ? { ...raw, clientToken } : undefined,
  ) ?? {
    clientToken,
  }) as JournalRequestRecord['request'];
  const kind = requestKind(raw);
  const record: JournalRequestRecord = { index, copier: copierName, kind, request, clientToken };
  const base = { record, tokenGiven: given !== undefined, raw };
  const kinds = copiers.get(copierName);
  if (!kinds) {
    const message = copierName
      ? `unknown copier "${copierName}" (known: ${names.join(', ')})`
      : `name the copier: one of ${names.join(', ')}`;
    return { ...base, error: invalidRequest([{ path: 'copier', message }]) };
  }
  const copier: BatchCopier | undefined = kinds[kind];
  if (!copier) {
    const message =
      kind === 'image'
        ? `copier "${copierName}" copies no images: give its entry an imageCopier`
        : `copier "${copierName}" copies no snapshots: give its entry a (snapshot) copier`;
    return { ...base, error: invalidRequest([{ path: 'copier', message }]) };
  }
  if (given !== undefined && typeof given !== 'string') {
    // Swapping in the batch token would hide the caller's mistake and their dedupe key.
    return { ...base, error: invalidRequest([{ path: 'clientToken', message: 'must be a string' }]) };
  }
  try {
    // The copier's own validation: schema, capability pre-check and its provider's field rules.
    copier.validate(
      (typeof raw === 'object' && raw !== null ? { ...raw, clientToken } : raw) as AnyCopyRequestInput,
    );
    return base;
  } catch (err) {
    return { ...base, error: asSnapcopyError(err) };
  }
}

/**
 * Validates every request of a batch without any provider call, in time linear in its
 * size, and gives each its client token (its own, or `<batchId>.<index>`):
 *
 * - the copier must exist (named, unless there is only one), have a copier of the
 *   request's kind (a snapshot or an image, by `source.snapshotId` or `source.imageId`), and
 *   that copier must accept the request (`validate`: schema, capabilities, field rules);
 * - a client token may appear once per copier (a second use would dedupe to one copy);
 * - two identical requests without a client token are refused: the second would copy
 *   the same snapshot to the same place again under another token. To make two copies,
 *   give each its own `clientToken`.
 *
 * A request that fails any check is prepared with its error: it ends `failed` alone.
 */
export function prepareBatch(
  items: readonly BatchItemInput[],
  batchId: string,
  copiers: ReadonlyMap<string, CopiersByKind>,
): PreparedRequest[] {
  if (!Array.isArray(items)) throw invalidRequest([{ path: 'items', message: 'must be an array' }]);
  const names = [...copiers.keys()];
  const tokens = new Map<string, number>();
  const untokened = new Map<string, number>();
  /** Why the request at `index` repeats an earlier one of the batch; keeps its keys when it does not. */
  const repeatOf = (p: Prepared, index: number): { path: string; message: string } | undefined => {
    const tokenKey = `${p.record.copier}\u0000${p.record.clientToken}`;
    const firstWithToken = tokens.get(tokenKey);
    if (firstWithToken !== undefined) {
      return {
        path: 'clientToken',
        message: `the same token is used by request ${firstWithToken} of this batch`,
      };
    }
    tokens.set(tokenKey, index);
    if (p.tokenGiven) return undefined;
    const sameKey = `${p.record.copier}\u0000${canonicalJson(p.raw)}`;
    const first = untokened.get(sameKey);
    if (first !== undefined) {
      return {
        path: 'request',
        message: `the same request as request ${first} of this batch: it would copy the same ${kindNoun(p.record.kind)} again; remove one, or give each its own clientToken`,
      };
    }
    untokened.set(sameKey, index);
    return undefined;
  };
  const out: PreparedRequest[] = new Array(items.length);
  for (let index = 0; index < items.length; index++) {
    const p = prepareOne(items[index]!, index, batchId, copiers, names);
    const repeat = p.error ? undefined : repeatOf(p, index);
    const error = p.error ?? (repeat && invalidRequest([repeat]));
    out[index] = error ? { record: p.record, error } : { record: p.record };
  }
  return out;
}
