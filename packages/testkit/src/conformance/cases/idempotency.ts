import { caseGroup, type ConformanceCase } from '../case.js';
import {
  checkReusedFlags,
  copiedTwice,
  distinctTokensCase,
  droppedResponseCase,
  SNAPSHOT_KIND,
  sameTokenTwiceCase,
} from '../kind-cases.js';
import { check } from '../support.js';

/** One client token never yields two copies. */
export const idempotencyCases: readonly ConformanceCase[] = caseGroup('idempotency', [
  {
    id: 'idempotency.same-token-twice',
    name: 'the same client token twice (running, then completed) yields exactly one copy',
    run: (h, ctx) => sameTokenTwiceCase(SNAPSHOT_KIND, h, ctx, { checkReused: false }),
  },
  {
    id: 'idempotency.reused-flag',
    name: 'the handle says reused: false for a new copy and reused: true when the token found an earlier one',
    async run(h, ctx) {
      const { first, second } = await copiedTwice(SNAPSHOT_KIND, h, ctx, 'reused');
      check(second.snapshotId === first.snapshotId, 'the same token made another copy');
      checkReusedFlags(first, second);
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
