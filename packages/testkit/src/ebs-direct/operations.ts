import { type BlockRanges, blockIndexesFrom, BLOCK_BYTES, hasBlock } from '../sim/block-ranges.js';
import { type AwsJsonContext, type AwsJsonOperation, AwsServiceError } from '../sim/aws-json-front-end.js';
import { simKeyUsableBy } from '../sim/key-state.js';
import type { SimSnapshot } from '../sim/world.js';

/** Block tokens stay valid seven days (EBS direct APIs FAQ). */
export const BLOCK_TOKEN_TTL_MS = 7 * 86_400_000;
/** Page tokens stay valid 60 minutes (EBS direct APIs FAQ). */
export const PAGE_TOKEN_TTL_MS = 60 * 60_000;
/** Results per page when `MaxResults` is absent [assumption: the model's maximum]. */
export const DEFAULT_MAX_RESULTS = 10_000;

const SNAPSHOT_ID_RE = /^snap-[0-9a-f]+$/;

const validation = (reason: string, message: string) =>
  new AwsServiceError('ValidationException', message, 400, { Reason: reason });

/**
 * A snapshot the caller may read blocks of, in the region served: it exists there, is the
 * caller's or shared with it, is completed and not archived (EBS direct APIs FAQ), and an
 * encrypted one needs a KMS key the caller can use.
 */
function readableSnapshot(ctx: AwsJsonContext, id: unknown, member: string): SimSnapshot {
  if (typeof id !== 'string' || !SNAPSHOT_ID_RE.test(id)) {
    throw validation(
      'INVALID_SNAPSHOT_ID',
      `The value '${String(id)}' of ${member} is not a valid snapshot ID.`,
    );
  }
  const s = ctx.world.snapshots.get(id);
  if (!s || s.region !== ctx.region) {
    throw new AwsServiceError('ResourceNotFoundException', `The snapshot '${id}' does not exist.`, 404, {
      Reason: 'SNAPSHOT_NOT_FOUND',
    });
  }
  const publicSnapshot = (s.extra as { public?: boolean }).public === true;
  if (s.account !== ctx.account && !s.sharedWith.has(ctx.account) && !publicSnapshot) {
    throw new AwsServiceError(
      'AccessDeniedException',
      `You are not authorized to read snapshot '${id}'.`,
      403,
      {
        Reason: 'UNAUTHORIZED_ACCOUNT',
      },
    );
  }
  if (s.state !== 'completed') {
    throw validation('INVALID_SNAPSHOT_ID', `The snapshot '${id}' is not in the completed state.`);
  }
  if (s.category === 'archive') {
    throw validation('INVALID_SNAPSHOT_ID', `The snapshot '${id}' is archived.`);
  }
  if (s.encrypted) {
    const key =
      s.kmsKeyId === undefined ? undefined : [...ctx.world.keys.values()].find((k) => k.arn === s.kmsKeyId);
    if (!simKeyUsableBy(key, ctx.account)) {
      throw new AwsServiceError(
        'AccessDeniedException',
        `The KMS key of snapshot '${id}' cannot be used to read it.`,
        403,
        { Reason: 'DEPENDENCY_ACCESS_DENIED' },
      );
    }
  }
  return s;
}

function integerParam(input: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const v = input[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw validation('INVALID_PARAMETER_VALUE', `The value '${String(v)}' of ${name} is not valid.`);
  }
  return n;
}

/** `MaxResults` as the service applies it: under 100 still returns 100 (FAQ), over 10,000 is invalid. */
function maxResults(input: Readonly<Record<string, unknown>>): number {
  const n = integerParam(input, 'MaxResults');
  if (n === undefined) return DEFAULT_MAX_RESULTS;
  if (n > 10_000) {
    throw validation('INVALID_PARAMETER_VALUE', `MaxResults ${n} is not valid: it must be at most 10000.`);
  }
  return Math.max(100, n);
}

interface PageState {
  readonly op: string;
  readonly ids: string;
  readonly next: number;
  readonly expires: number;
}

function encodePage(state: PageState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64');
}

/** Where a page starts: the token's position (it wins over `StartingBlockIndex`), else that index. */
function startOf(
  ctx: AwsJsonContext,
  input: Readonly<Record<string, unknown>>,
  op: string,
  ids: string,
): number {
  const token = input.NextToken;
  if (token === undefined) return integerParam(input, 'StartingBlockIndex') ?? 0;
  let state: Partial<PageState> | undefined;
  try {
    state = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as Partial<PageState>;
  } catch {
    state = undefined;
  }
  if (!state || state.op !== op || state.ids !== ids || typeof state.next !== 'number') {
    throw validation('INVALID_PAGE_TOKEN', 'The page token is not valid.');
  }
  if (typeof state.expires !== 'number' || ctx.world.clock.now() > state.expires) {
    throw validation('INVALID_PAGE_TOKEN', 'The page token has expired.');
  }
  return state.next;
}

/** An opaque block token for one block of one snapshot. */
export function blockToken(snapshotId: string, index: number): string {
  return Buffer.from(`${snapshotId}:${index}`).toString('base64');
}

function page(
  ctx: AwsJsonContext,
  input: Readonly<Record<string, unknown>>,
  op: string,
  ids: string,
  blocks: BlockRanges,
  volumeSizeGiB: number,
): { indexes: number[]; common: Record<string, unknown> } {
  const now = ctx.world.clock.now();
  const { indexes, next } = blockIndexesFrom(blocks, startOf(ctx, input, op, ids), maxResults(input));
  return {
    indexes,
    common: {
      ExpiryTime: (now + BLOCK_TOKEN_TTL_MS) / 1000,
      VolumeSize: volumeSizeGiB,
      BlockSize: BLOCK_BYTES,
      ...(next !== undefined
        ? { NextToken: encodePage({ op, ids, next, expires: now + PAGE_TOKEN_TTL_MS }) }
        : {}),
    },
  };
}

/**
 * ListSnapshotBlocks (EBS direct APIs reference): the indexes and tokens of the blocks
 * that hold data in a snapshot, in ascending order, a page at a time.
 */
export const listSnapshotBlocks: AwsJsonOperation = (ctx, input) => {
  const s = readableSnapshot(ctx, input.SnapshotId, 'SnapshotId');
  const { indexes, common } = page(
    ctx,
    input,
    'blocks',
    s.id,
    ctx.world.blocks.dataOf(s.id),
    s.volumeSizeGiB,
  );
  return { Blocks: indexes.map((i) => ({ BlockIndex: i, BlockToken: blockToken(s.id, i) })), ...common };
};

/**
 * ListChangedBlocks (EBS direct APIs reference): the blocks that differ between two
 * snapshots of one volume lineage, with each side's token when that side holds the block;
 * both snapshots must be of the same lineage (`UNRELATED_SNAPSHOTS`). Without a first
 * snapshot every block of the second is listed [assumption: a comparison with an empty
 * volume].
 */
export const listChangedBlocks: AwsJsonOperation = (ctx, input) => {
  const second = readableSnapshot(ctx, input.SecondSnapshotId, 'SecondSnapshotId');
  const first =
    input.FirstSnapshotId === undefined
      ? undefined
      : readableSnapshot(ctx, input.FirstSnapshotId, 'FirstSnapshotId');
  const { blocks } = ctx.world;
  if (first && !blocks.related(first.id, second.id)) {
    throw validation(
      'UNRELATED_SNAPSHOTS',
      `The snapshots '${first.id}' and '${second.id}' are not of the same volume lineage.`,
    );
  }
  const changed = first ? blocks.changedBetween(first.id, second.id) : blocks.dataOf(second.id);
  const firstData = first ? blocks.dataOf(first.id) : undefined;
  const secondData = blocks.dataOf(second.id);
  const { indexes, common } = page(
    ctx,
    input,
    'changed',
    `${first?.id ?? ''}/${second.id}`,
    changed,
    second.volumeSizeGiB,
  );
  return {
    ChangedBlocks: indexes.map((i) => ({
      BlockIndex: i,
      ...(first && firstData && hasBlock(firstData, i) ? { FirstBlockToken: blockToken(first.id, i) } : {}),
      ...(hasBlock(secondData, i) ? { SecondBlockToken: blockToken(second.id, i) } : {}),
    })),
    ...common,
  };
};

/** The EBS direct APIs operations the simulator serves. */
export const EBS_DIRECT_OPERATIONS: Readonly<Record<string, AwsJsonOperation>> = Object.freeze({
  ListChangedBlocks: listChangedBlocks,
  ListSnapshotBlocks: listSnapshotBlocks,
});
