import { createHash } from 'node:crypto';
import {
  type CopyRequestInput,
  SnapcopyError,
  type SnapshotListQuery,
  type SnapshotSummary,
} from '@snapcopy/core';
import { CopyOrchestrator, copyIdOf, MemoryCopyJournal, openSqliteJournal } from '@snapcopy/orchestrator';
import type { GroupCopyFlags } from '../cli-flags.js';
import { createCliRegistry, createCopier } from '../composition-root.js';
import { withConfiguredRegion } from '../configured-regions.js';
import { adapterOptions, endpointFor, providerFromFlags } from '../connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { orchestratorOptionsFor } from '../orchestrator-options.js';
import { ref } from '../output/format.js';
import { Output } from '../output/output-mode.js';
import { planCostCell, planCostHeading, rowsTable } from '../output/tables.js';
import { requestFromFlags } from '../request-from-flags.js';
import { pricesFromFlags } from '../request-setup.js';

/** The tag every copy of a set carries, so that a restore finds the whole set. */
const GROUP_TAG = 'snapcopy:group';

/** A client token per (set, source snapshot, destination): a rerun finds the copies made. */
function groupToken(group: string, s: SnapshotSummary, to: string): string {
  const digest = createHash('sha256')
    .update(`snapcopy-group-copy/1\u0000${group}\u0000${s.region}\u0000${s.snapshotId}\u0000${to}`)
    .digest('hex');
  return `sg-${digest.slice(0, 48)}`;
}

/**
 * `snapcopy copy --group-tag KEY=VALUE` (a set whose snapshots share a tag, e.g. an EC2
 * CreateSnapshots set) or `--group-id ID` (an ECS snapshot-consistent group): copies every
 * member through the orchestrator, each tagged with the set, and reports them as one set.
 * A set whose members are not all completed is not copied.
 */
export async function run(flags: GroupCopyFlags): Promise<number> {
  const output = Output.for(flags);
  const tagEntries = Object.entries(flags.groupTag ?? {});
  if (tagEntries.length + (flags.groupId === undefined ? 0 : 1) !== 1) {
    throw new SnapcopyError('INVALID_REQUEST', 'give one --group-tag KEY=VALUE or one --group-id ID');
  }
  if (flags.snapshot !== undefined)
    throw new SnapcopyError('INVALID_REQUEST', '--snapshot and a group flag contradict each other');
  if (flags.clientToken !== undefined) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      '--client-token names one copy; a set gets one token per member',
    );
  }
  const provider = providerFromFlags(flags);
  const prices = pricesFromFlags(flags, provider);
  const template = requestFromFlags({
    ...(await withConfiguredRegion(provider, flags)),
    snapshot: 'each-member',
  });
  const registry = await createCliRegistry([provider]);
  const copier = createCopier(registry, provider, {
    ...adapterOptions(endpointFor(provider, flags.endpoint), flags),
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  });
  if (copier.list === undefined) throw new SnapcopyError('UNSUPPORTED', `${provider} cannot list snapshots`);
  const [tagKey, tagValue] = tagEntries[0] ?? [];
  const group = flags.groupId ?? `${tagKey}=${tagValue}`;
  const query: SnapshotListQuery = {
    region: template.source.region,
    ...(flags.sourceAccount === undefined ? {} : { owner: { sharedBy: [flags.sourceAccount] } }),
    ...(flags.groupId === undefined ? { tags: { [tagKey!]: tagValue! } } : { groupId: flags.groupId }),
  };
  const members: SnapshotSummary[] = [];
  for await (const page of copier.list(query)) members.push(...page.snapshots);
  if (members.length === 0)
    throw new SnapcopyError('NOT_FOUND', `no snapshot of set ${group} in ${template.source.region}`);
  const notReady = members.filter((m) => m.state !== 'completed');
  if (notReady.length > 0) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `set ${group} is not complete: ${notReady.map((m) => `${m.snapshotId} is ${m.state}`).join(', ')}; copy it once every member is completed`,
    );
  }
  const requests: CopyRequestInput[] = members.map((m) => ({
    ...template,
    source: {
      region: m.region,
      snapshotId: m.snapshotId,
      ...(m.ownership === 'shared' && m.ownerAccount !== undefined ? { account: m.ownerAccount } : {}),
    },
    snapcopyTags: { [GROUP_TAG]: flags.groupId ?? tagValue! },
    clientToken: groupToken(group, m, template.destination.region),
  }));
  output.info(
    `set ${group}: ${members.length} snapshot(s) in ${template.source.region} -> ${template.destination.region}`,
  );
  const journal =
    flags.journal === undefined ? new MemoryCopyJournal() : await openSqliteJournal(flags.journal);
  const orchestrator = new CopyOrchestrator({
    copiers: { [provider]: copier },
    journal,
    ...orchestratorOptionsFor(flags),
    ...(prices === undefined ? {} : { prices }),
  });
  const interrupt = onInterrupt();
  let result: Awaited<ReturnType<CopyOrchestrator['run']>>;
  try {
    result = await orchestrator.run(
      requests.map((request) => ({ copier: provider, request })),
      {
        batchId: `group:${provider}:${template.source.region}:${group}>${template.destination.region}`,
        signal: interrupt.signal,
      },
    );
  } finally {
    interrupt.dispose();
    await journal.close();
  }
  output.line(
    rowsTable(
      output.mode,
      ['member', 'copy', 'outcome', planCostHeading(prices !== undefined)],
      result.results.map((r, i) => [
        ref(members[i]!.region, members[i]!.snapshotId),
        r.destination ? ref(r.destination.region, copyIdOf(r.destination)) : '-',
        r.error ? `${r.outcome}: ${r.error.code}: ${r.error.message}` : r.outcome,
        planCostCell(r.plan),
      ]),
    ),
  );
  const complete = result.results.every((r) => r.outcome === 'completed');
  output.line(
    `set ${group}: ${complete ? 'every member copied' : 'not every member copied; rerun the same command to finish it'}`,
  );
  output.document({
    ok: complete,
    group,
    members: result.results.map((r, i) => ({
      source: { region: members[i]!.region, snapshotId: members[i]!.snapshotId },
      outcome: r.outcome,
      clientToken: r.clientToken,
      ...(r.destination ? { destination: r.destination } : {}),
      ...(r.plan?.cost ? { cost: r.plan.cost } : {}),
      ...(r.error ? { error: r.error.toJSON() } : {}),
    })),
  });
  if (result.aborted) return EXIT_CODES.interrupted;
  return complete ? EXIT_CODES.success : EXIT_CODES.copyFailed;
}
