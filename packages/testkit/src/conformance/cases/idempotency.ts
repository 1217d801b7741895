import { caseGroup, type ConformanceCase } from '../case.js';
import { copiedTwice, distinctTokensCase, droppedResponseCase, SNAPSHOT_KIND } from '../kind-cases.js';
import { check, startCopy, waitFor } from '../support.js';

/** One client token never yields two copies. */
export const idempotencyCases: readonly ConformanceCase[] = caseGroup('idempotency', [
  {
    id: 'idempotency.same-token-twice',
    name: 'the same client token twice (running, then completed) yields exactly one copy',
    async run(h, ctx) {
      const { clientToken, request, first, second } = await copiedTwice(SNAPSHOT_KIND, h, ctx, 'twice');
      check(
        second.snapshotId === first.snapshotId,
        `the second copy call made ${second.snapshotId}, not ${first.snapshotId}`,
      );
      await waitFor(h, ctx, first);
      const third = await startCopy(h, ctx, request);
      check(third.snapshotId === first.snapshotId, 'a call after completion made another copy');
      const copies = await h.truth.copiesWithToken(clientToken);
      check(copies.length === 1, `the cloud holds ${copies.length} copies for one token`);
      check(copies[0]!.id === first.snapshotId, 'the one copy in the cloud is not the one the handle names');
    },
  },
  {
    id: 'idempotency.reused-flag',
    name: 'the handle says reused: false for a new copy and reused: true when the token found an earlier one',
    async run(h, ctx) {
      const { first, second } = await copiedTwice(SNAPSHOT_KIND, h, ctx, 'reused');
      check(!first.reused, 'a first copy must report reused: false');
      check(second.snapshotId === first.snapshotId, 'the same token made another copy');
      check(
        second.reused,
        'a copy call that returned the copy made earlier for its token must report reused: true',
      );
    },
  },
  {
    id: 'idempotency.dropped-response',
    name: 'a copy whose response was lost after the cloud made it, retried with the same token, yields exactly one copy',
    run: (h, ctx) => droppedResponseCase(SNAPSHOT_KIND, h, ctx),
  },
  {
    id: 'idempotency.distinct-tokens',
    name: 'two different tokens for the same source yield two copies (no over-eager de-duplication)',
    run: (h, ctx) => distinctTokensCase(SNAPSHOT_KIND, h, ctx),
  },
]);
