import type { z } from 'zod';
import { type FieldIssue, SnapcopyError } from './errors.js';
import { lazySchema } from './lazy-zod.js';
import type { CopyState } from './status.js';
import type { Capabilities } from './capabilities.js';

const REGION = /^[a-z]{2}(?:-[a-z0-9]+)+$/;

/** The states a listing can ask for: a snapshot being taken, a finished one, a failed one. */
export type SnapshotState = Exclude<CopyState, 'cancelled'>;

function buildSnapshotListQuerySchema(z: typeof import('zod').z) {
  const account = z.string().min(1).max(64);
  return z
    .object({
      region: z.string().regex(REGION, 'must be a region id such as us-east-1 or cn-hangzhou'),
      /**
       * Whose snapshots: `self` (the default) for the caller's own, or `{ sharedBy }` for
       * snapshots those accounts own and shared with the caller explicitly (public ones are
       * not listed). Needs `listSharedWithCaller`.
       */
      owner: z
        .union([z.literal('self'), z.object({ sharedBy: z.array(account).min(1).max(50) }).strict()])
        .optional(),
      /**
       * A regular expression (JavaScript syntax, `u` flag) the whole description must match,
       * as DLM's `DescriptionRegex`. No provider filters by regex: snapcopy applies it to
       * each page (`listDescriptionRegex: 'client'`). A snapshot without a description
       * is matched as the empty string.
       */
      descriptionRegex: z.string().max(1000).optional(),
      /** Tags every listed snapshot carries with exactly these values (filtered by the provider). */
      tags: z.record(z.string().min(1).max(128), z.string().max(256)).optional(),
      /** A provider's own multi-volume group (ECS: a snapshot-consistent group `ssg-…`). Needs `listByGroup`. */
      groupId: z.string().min(1).max(128).optional(),
      /** Only snapshots in these states; default every state. */
      states: z
        .array(z.enum(['pending', 'completed', 'failed']))
        .min(1)
        .optional(),
      /** Snapshots asked for per provider call; default and maximum `listMaxPageSize`. */
      pageSize: z.number().int().min(1).optional(),
    })
    .strict();
}

/** What {@link SnapshotListQuerySchema} accepts (zod, built on first use). */
export const SnapshotListQuerySchema = lazySchema(buildSnapshotListQuerySchema);

/** A query for the snapshots a copier can see, in one region. */
export type SnapshotListQuery = z.input<ReturnType<typeof buildSnapshotListQuerySchema>>;

/** A query after parsing and the capability check: the page size is always set. */
export interface NormalizedListQuery {
  readonly region: string;
  readonly owner: 'self' | { readonly sharedBy: readonly string[] };
  readonly descriptionRegex?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly groupId?: string;
  readonly states?: readonly SnapshotState[];
  readonly pageSize: number;
}

/** One snapshot as a listing shows it: enough to decide whether and how to copy it. */
export interface SnapshotSummary {
  readonly region: string;
  readonly snapshotId: string;
  /** `owned` by the caller, or `shared` with it by {@link ownerAccount}. */
  readonly ownership: 'owned' | 'shared';
  readonly ownerAccount?: string;
  readonly state: SnapshotState;
  readonly description?: string;
  readonly name?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly encrypted: boolean;
  /** The key as the provider names it (AWS: the owner's key ARN), when encrypted. */
  readonly kmsKeyId?: string;
  /** Source volume (AWS) or disk (Alibaba). */
  readonly volumeId?: string;
  readonly volumeSizeGiB?: number;
  /** Epoch ms the snapshot was started (EC2 `StartTime`, ECS `CreationTime`). */
  readonly createdAt?: number;
  /** The provider's multi-volume group, when the listing knows it (a `groupId` query). */
  readonly groupId?: string;
}

/** The fields every summary has, even empty. */
const SUMMARY_CORE = ['region', 'snapshotId', 'ownership', 'state', 'tags', 'encrypted'] as const;
type SummaryCore = Pick<SnapshotSummary, (typeof SUMMARY_CORE)[number]>;

/** What a provider read off one snapshot for a listing: every optional field named, `undefined` when absent. */
export type SnapshotSummaryReading = SummaryCore & {
  readonly [K in Exclude<keyof SnapshotSummary, keyof SummaryCore>]-?: SnapshotSummary[K] | undefined;
};

/**
 * One snapshot as a listing shows it, its fields in the reading's order: the optional
 * fields the provider left absent or empty are left out.
 */
export function snapshotSummary(read: SnapshotSummaryReading): SnapshotSummary {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(read)) {
    const kept = (SUMMARY_CORE as readonly string[]).includes(key) || (value !== undefined && value !== '');
    if (kept) out[key] = value;
  }
  return out as unknown as SnapshotSummary;
}

/** One page of a listing: what one provider call returned, after snapcopy's own filters. */
export interface SnapshotListPage {
  readonly snapshots: readonly SnapshotSummary[];
  /** Snapshots the provider returned for this page before the description filter. */
  readonly scanned: number;
}

/** What a driver's page call returns: the provider's page, and the cursor of the next one. */
export interface ProviderListPage {
  readonly snapshots: readonly SnapshotSummary[];
  /** Opaque to core; absent on the last page. */
  readonly next?: string;
}

/** `INVALID_REQUEST` for a listing query, naming each bad field. */
export function invalidListQuery(issues: readonly FieldIssue[], provider?: string): SnapcopyError {
  const list = issues.map((i) => `${i.path || '(query)'}: ${i.message}`).join('; ');
  return new SnapcopyError('INVALID_REQUEST', `Invalid listing query: ${list}`, {
    issues,
    ...(provider === undefined ? {} : { provider }),
  });
}

function unsupported(provider: string, what: string, flag: keyof Capabilities): SnapcopyError {
  return new SnapcopyError('UNSUPPORTED', `${provider} cannot ${what} (capability "${flag}" is false)`, {
    provider,
    details: { scope: 'capability', capability: flag },
  });
}

/**
 * Compiles a DLM-style description regex: the whole description must match (DLM's own
 * examples, `.*production.*` for "anywhere", read that way). Throws `INVALID_REQUEST`.
 */
export function compileDescriptionRegex(source: string, path = 'descriptionRegex'): RegExp {
  try {
    return new RegExp(`^(?:${source})$`, 'u');
  } catch (err) {
    throw invalidListQuery([{ path, message: `not a valid regular expression: ${(err as Error).message}` }]);
  }
}

/** Whether a summary's description matches a compiled regex (a missing one reads as ''). */
export function descriptionMatches(regex: RegExp | undefined, summary: SnapshotSummary): boolean {
  return regex === undefined || regex.test(summary.description ?? '');
}

/**
 * Parses an untrusted query and checks it against the manifest, before any provider call:
 * `INVALID_REQUEST` naming each bad field, `UNSUPPORTED` (scope `capability`) for what the
 * provider never lists.
 */
export function normalizeListQuery(
  provider: string,
  caps: Capabilities,
  input: unknown,
): { query: NormalizedListQuery; regex?: RegExp } {
  if (!caps.listSnapshots) throw unsupported(provider, 'list snapshots', 'listSnapshots');
  const parsed = SnapshotListQuerySchema.safeParse(input);
  if (!parsed.success) {
    throw invalidListQuery(
      parsed.error.issues.map(
        (issue): FieldIssue => ({ path: issue.path.map(String).join('.'), message: issue.message }),
      ),
      provider,
    );
  }
  const q = parsed.data;
  const owner = q.owner ?? 'self';
  if (owner !== 'self' && !caps.listSharedWithCaller) {
    throw unsupported(
      provider,
      'list snapshots other accounts shared with the caller',
      'listSharedWithCaller',
    );
  }
  if (q.groupId !== undefined && !caps.listByGroup) {
    throw unsupported(provider, 'list the snapshots of a multi-volume group by its id', 'listByGroup');
  }
  if (q.descriptionRegex !== undefined && caps.listDescriptionRegex === 'none') {
    throw unsupported(provider, 'filter a listing by description', 'listDescriptionRegex');
  }
  const max = caps.listMaxPageSize;
  if (q.pageSize !== undefined && q.pageSize > max) {
    throw invalidListQuery([{ path: 'pageSize', message: `at most ${max} on ${provider}` }], provider);
  }
  const regex = q.descriptionRegex === undefined ? undefined : compileDescriptionRegex(q.descriptionRegex);
  const query: NormalizedListQuery = {
    region: q.region,
    owner: owner === 'self' ? 'self' : { sharedBy: [...new Set(owner.sharedBy)] },
    tags: q.tags ?? {},
    pageSize: q.pageSize ?? max,
    ...(q.descriptionRegex === undefined ? {} : { descriptionRegex: q.descriptionRegex }),
    ...(q.groupId === undefined ? {} : { groupId: q.groupId }),
    ...(q.states === undefined ? {} : { states: [...new Set(q.states)] }),
  };
  return regex === undefined ? { query } : { query, regex };
}

/** Whether a summary satisfies what the provider may not have filtered itself (states, tags). */
export function summaryMatches(query: NormalizedListQuery, s: SnapshotSummary): boolean {
  if (query.states !== undefined && !query.states.includes(s.state)) return false;
  for (const [k, v] of Object.entries(query.tags)) if (s.tags[k] !== v) return false;
  return true;
}

/**
 * Every snapshot of a listing, one at a time, pages fetched as they are consumed (at most
 * one page held at once).
 */
export async function* eachListedSnapshot(
  pages: AsyncIterable<SnapshotListPage>,
): AsyncGenerator<SnapshotSummary, void, undefined> {
  for await (const page of pages) yield* page.snapshots;
}

/** What {@link listSnapshotPages} needs from a copier. */
export interface ListingDriver {
  readonly provider: string;
  /** One provider call for one page (with the copier's retries around it). */
  readonly page: (cursor: string | undefined, signal: AbortSignal | undefined) => Promise<ProviderListPage>;
}

/**
 * The listing loop every copier shares: pages fetched one at a time as they are
 * consumed, the description regex and anything the provider could not filter applied to
 * each page, a repeated cursor refused (a listing that would never end), abort honoured
 * between pages.
 */
export function listSnapshotPages(
  driver: ListingDriver,
  query: NormalizedListQuery,
  regex: RegExp | undefined,
  signal: AbortSignal | undefined,
): AsyncIterable<SnapshotListPage> {
  return {
    async *[Symbol.asyncIterator]() {
      let cursor: string | undefined;
      const seen = new Set<string>();
      for (;;) {
        if (signal?.aborted) {
          throw new SnapcopyError('CANCELLED', `${driver.provider}: listing aborted`, {
            provider: driver.provider,
          });
        }
        const page = await driver.page(cursor, signal);
        const snapshots = page.snapshots.filter(
          (s) => summaryMatches(query, s) && descriptionMatches(regex, s),
        );
        yield { snapshots, scanned: page.snapshots.length };
        if (page.next === undefined || page.next === '') return;
        if (seen.has(page.next)) {
          throw new SnapcopyError(
            'PROVIDER_ERROR',
            `${driver.provider}: the listing in ${query.region} returned a page token it had returned before; stopping`,
            { provider: driver.provider },
          );
        }
        // Tokens seen are kept only to catch a loop: the last few are enough.
        if (seen.size > 16) seen.clear();
        seen.add(page.next);
        cursor = page.next;
      }
    },
  };
}
