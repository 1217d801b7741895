import type { PolicyCheck, PolicyPassReport } from '@snapcopy/policy';
import { EXIT_CODES } from '../exit-codes.js';
import type { LoadedPolicy } from '../policy-file.js';
import { gib, ref } from './format.js';
import type { Output } from './output-mode.js';
import { planCostCell, planCostHeading, rowsTable } from './tables.js';

/** `aws`/`alibaba` and how a document was read, for the first line. */
export function policyHeading(loaded: LoadedPolicy): string {
  const from =
    loaded.format === 'dlm'
      ? `an AWS DLM event-based policy, region ${loaded.region?.region} (from ${loaded.region?.source})`
      : 'a snapcopy policy';
  return `policy ${loaded.policy.id}: ${from}`;
}

/** The check in words: destinations, warnings, refusals. */
export function printCheck(output: Output, check: PolicyCheck): void {
  for (const d of check.destinations) {
    const kept =
      d.retention === 'forever'
        ? 'kept until deleted'
        : d.retention === 'native'
          ? `kept ${d.retentionWords} (the provider releases it)`
          : `kept ${d.retentionWords} (an expiry tag; each pass deletes expired copies)`;
    output.line(`  destination ${d.provider} ${d.region}: ${kept}`);
  }
  for (const w of check.warnings) output.line(`  warning: ${w}`);
  for (const r of check.refusals)
    output.line(
      `  refused: ${r.path}: ${r.message}${r.capability ? ` (capability "${r.capability}" is false)` : ''}`,
    );
}

const retentionLabel = (d: PolicyPassReport['destinations'][number]) =>
  d.retention === 'forever' ? 'forever' : `${d.retentionWords} (${d.retention})`;

/** A pass report as tables and lines. */
export function printPassReport(output: Output, report: PolicyPassReport): void {
  const when = new Date(report.now).toISOString();
  output.line(
    `${report.mode === 'plan' ? 'plan' : 'pass'} at ${when}${report.batchId ? `, batch ${report.batchId}` : ''}`,
  );
  for (const b of report.resumedBatches) output.line(`  resumed unfinished batch ${b}`);
  for (const s of report.sources) {
    const whose = s.owner === 'self' ? 'own snapshots' : `shared by ${s.owner.join(', ')}`;
    output.line(
      `  source ${s.provider} ${s.region}, ${whose}: ${s.listed} listed, ${s.matched} match (${s.pages} page${s.pages === 1 ? '' : 's'})`,
    );
  }
  output.line(
    rowsTable(
      output.mode,
      ['destination', 'retention', 'copies there', 'already copied', 'too old', 'to copy', 'expired'],
      report.destinations.map((d) => [
        `${d.provider} ${d.region}`,
        retentionLabel(d),
        String(d.existingCopies),
        String(d.alreadyCopied),
        String(d.tooOld),
        String(d.toCopy),
        String(d.expired),
      ]),
    ),
  );
  const priced = report.copies.some((c) => c.plan?.cost !== undefined);
  if (report.copies.length > 0) {
    output.line(
      rowsTable(
        output.mode,
        ['source', 'destination', 'group', 'outcome', planCostHeading(priced), 'expires'],
        report.copies.map((c) => [
          ref(c.sourceRegion, c.sourceSnapshotId),
          c.destinationSnapshotId ? ref(c.destinationRegion, c.destinationSnapshotId) : c.destinationRegion,
          c.group ?? '-',
          c.error ? `${c.outcome}: ${c.error.code}: ${c.error.message}` : c.outcome,
          planCostCell(c.plan),
          c.expiresAt ?? 'never',
        ]),
      ),
    );
  }
  for (const g of report.groups) {
    const state =
      g.state === 'deferred'
        ? 'waits: a member is not completed yet'
        : g.state === 'blocked'
          ? 'blocked'
          : g.complete === undefined
            ? 'copied together'
            : g.complete
              ? 'every copy completed'
              : 'not every copy completed';
    output.line(`  set ${g.provider} ${g.region} ${g.group} (${g.members.length} snapshot(s)): ${state}`);
  }
  for (const b of report.blocked) {
    output.line(
      `  blocked: ${ref(b.sourceRegion, b.sourceSnapshotId)} -> ${b.destinationRegion}: ${b.reason}`,
    );
  }
  for (const e of report.expired) {
    const what =
      e.removed === undefined
        ? 'would be deleted'
        : e.removed === 'error'
          ? `not deleted: ${e.error}`
          : `deleted (${e.removed})`;
    output.line(`  expired ${ref(e.region, e.snapshotId)} (expired ${e.expiresAt}): ${what}`);
  }
  for (const w of report.warnings) output.line(`  warning: ${w}`);
  const t = report.totals;
  const money = t.cost
    ? `, ${t.cost.oneOff.toFixed(2)} ${t.cost.currency} once + ${t.cost.monthly.toFixed(2)} ${t.cost.currency}/month`
    : '';
  output.line(
    report.mode === 'plan'
      ? `would copy ${t.copies} (${gib(t.transferGiB)} transfer, ${gib(t.storageGiB)} storage${money}); skip ${t.alreadyCopied} already copied, ${t.tooOld} too old, ${report.deferred} not completed; expire ${t.expired}; blocked ${t.blocked}; ${t.listPages} list pages read`
      : `copied ${t.completed} of ${t.copies} (${t.failed} failed, ${t.notFinished} not finished); skipped ${t.alreadyCopied} already copied, ${t.tooOld} too old, ${report.deferred} not completed; ${report.expired.filter((e) => e.removed !== 'error').length} expired deleted; blocked ${t.blocked}${money}`,
  );
  if (priced) {
    // Where the money came from, and what the table did not price, as `plan --prices` says.
    const costs = report.copies.flatMap((c) => (c.plan?.cost ? [c.plan.cost] : []));
    const sources = [...new Set(costs.flatMap((c) => c.priceSource.split('; ')))];
    const unpriced = [...new Set(costs.flatMap((c) => c.unpriced))];
    output.line(
      `prices: ${sources.join('; ')}${unpriced.length > 0 ? `; not priced: ${unpriced.join(', ')}` : ''}`,
    );
  }
}

/** 0 when everything the pass should copy completed; 130 when stopped; 4 otherwise. */
export function passExitCode(report: PolicyPassReport): number {
  if (report.aborted) return EXIT_CODES.interrupted;
  if (report.mode === 'plan') return EXIT_CODES.success;
  const t = report.totals;
  return t.completed === t.copies && t.blocked === 0 ? EXIT_CODES.success : EXIT_CODES.copyFailed;
}
