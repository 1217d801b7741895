import type { Capabilities, CopyPlan } from '@snapcopy/core';
import Table from 'cli-table3';
import { encryptionWords, gib, ref } from './format.js';
import type { OutputMode } from './output-mode.js';

function newTable(mode: OutputMode, head: string[]): Table.Table {
  // No colour codes outside a terminal: logs and pipes get plain text.
  return new Table({
    head,
    // Rows without separators between them: a long table stays readable.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: mode === 'tty' ? { head: ['cyan'] } : { head: [], border: [] },
  });
}

/** A capability value in words: yes/no, ranges, limits. */
export function capabilityWords(value: Capabilities[keyof Capabilities]): string {
  if (value === true) return 'yes';
  if (value === false) return 'no';
  if (value === null) return '-';
  if (Array.isArray(value)) return `${value[0]}-${value[1]}`;
  if (typeof value === 'object') return `${value.min}-${value.max} step ${value.step}`;
  if (typeof value === 'number' && value === 0) return '0 (unknown)';
  return String(value);
}

/** Every flag of every manifest, one row per flag, one column per provider. */
export function capabilitiesTable(
  mode: OutputMode,
  manifests: readonly { readonly name: string; readonly capabilities: Capabilities }[],
  keys: readonly (keyof Capabilities)[],
): string {
  const table = newTable(mode, ['capability', ...manifests.map((m) => m.name)]);
  for (const key of keys) table.push([key, ...manifests.map((m) => capabilityWords(m.capabilities[key]))]);
  return table.toString();
}

/** A plan as a two-column table, followed by its reasons. */
export function planTable(mode: OutputMode, plan: CopyPlan): string {
  const table = newTable(mode, ['plan', plan.provider]);
  const src = plan.source;
  table.push(
    [
      'source',
      `${ref(src.region, src.snapshotId)} (${src.encrypted ? 'encrypted' : 'unencrypted'}, ${gib(src.sizeGiB)}${src.diskSizeGiB === undefined ? '' : ` of a ${gib(src.diskSizeGiB)} disk`}, ${src.ownership})`,
    ],
    [
      'destination',
      plan.destination.account === undefined
        ? plan.destination.region
        : `${plan.destination.region} (account ${plan.destination.account})`,
    ],
    ['encryption', encryptionWords(plan)],
    ['transfer', `${plan.transfer} (billed on: ${plan.sizeBasis})`],
    [
      'billable',
      `${gib(plan.billableGiB.transfer)} transfer, ${gib(plan.billableGiB.storage)} storage${plan.billableGiB.timeBased > 0 ? `, ${gib(plan.billableGiB.timeBased)} time-based` : ''}`,
    ],
    [
      'kms',
      plan.kms.customerManagedKey
        ? 'customer-managed key (may be billed)'
        : plan.kms.serviceKey
          ? 'service key (free)'
          : 'none',
    ],
  );
  if (plan.timeBased)
    table.push([
      'time-based',
      `${plan.timeBased.completionDurationMinutes} min (at least ${plan.timeBased.minimumMinutes})`,
    ]);
  if (plan.cost)
    table.push([
      'cost',
      `${plan.cost.oneOff} ${plan.cost.currency} once + ${plan.cost.monthly}/month (${plan.cost.priceSource})`,
    ]);
  const reasons = plan.reasons.map((r) => `  - ${r}`).join('\n');
  return `${table.toString()}${reasons ? `\nWhy:\n${reasons}` : ''}`;
}

/** A free-form table with a header row. */
export function rowsTable(mode: OutputMode, head: string[], rows: readonly (readonly string[])[]): string {
  const table = newTable(mode, head);
  for (const row of rows) table.push([...row]);
  return table.toString();
}
