import {
  type Capabilities,
  IMAGE_CAPABILITY_KEYS,
  type ImageCapabilities,
  type ImageCopyPlan,
  type ImageCopyStatus,
  type ResolvedEncryption,
} from '@snapcopy/core';
import { gib, ref } from './format.js';
import type { OutputMode } from './output-mode.js';
import { billableWords, capabilityWords, costWords, rowsTable } from './tables.js';

function encryptionOf(e: ResolvedEncryption): string {
  return e.encrypted ? `encrypted, ${e.kmsKeyId ?? 'default key'} (${e.keySource})` : 'unencrypted';
}

/** An image plan: the image, one row per backing snapshot, the totals, then the reasons. */
export function imagePlanTable(mode: OutputMode, plan: ImageCopyPlan): string {
  const src = plan.source;
  const head = `${plan.provider}: ${ref(src.region, src.imageId)}${src.name ? ` (${src.name})` : ''}, ${src.ownership}, ${src.rootDeviceType} -> ${plan.destination.region}`;
  const rows = plan.snapshots.map((s) => [
    s.deviceName,
    `${s.source.snapshotId} (${s.source.encrypted ? 'encrypted' : 'unencrypted'}, ${gib(s.source.sizeGiB)})`,
    encryptionOf(s.encryption),
    `${s.transfer} (${s.sizeBasis})`,
    billableWords(s.billableGiB),
  ]);
  rows.push([
    'total',
    '',
    plan.kms.customerManagedKey
      ? 'customer-managed key (may be billed)'
      : plan.kms.serviceKey
        ? 'service key'
        : '',
    plan.timeBased ? `time-based ${plan.timeBased.completionDurationMinutes} min` : '',
    billableWords(plan.billableGiB),
  ]);
  const table = rowsTable(
    mode,
    ['device', 'source snapshot', 'copy encryption', 'transfer', 'GiB xfer / stored'],
    rows,
  );
  const tags =
    Object.keys(plan.tags.image).length > 0 ? `\nImage tags: ${Object.keys(plan.tags.image).join(', ')}` : '';
  const cost = plan.cost ? `\nCost: ${costWords(plan.cost)}\nPrices: ${plan.cost.priceSource}` : '';
  const reasons = [
    ...plan.reasons,
    ...plan.snapshots.flatMap((s) => s.reasons.map((r) => `${s.deviceName}: ${r}`)),
  ]
    .map((r) => `  - ${r}`)
    .join('\n');
  return `${head}\n${table}${tags}${cost}${reasons ? `\nWhy:\n${reasons}` : ''}`;
}

/** One row per image copy: its ref, state, progress, its snapshots' progress, the message. */
export function imageStatusRows(statuses: readonly ImageCopyStatus[]): string[][] {
  return statuses.map((s) => [
    ref(s.region, s.imageId),
    s.state,
    `${Math.floor(s.progress)}%`,
    (s.snapshots ?? [])
      .map((b) => `${b.deviceName ?? b.snapshotId ?? '?'} ${Math.floor(b.progress)}%`)
      .join(', '),
    s.message ?? '',
  ]);
}

/** Every flag of every image manifest, one row per flag, one column per provider. */
export function imageCapabilitiesTable(
  mode: OutputMode,
  manifests: readonly { readonly name: string; readonly capabilities: ImageCapabilities }[],
): string {
  return rowsTable(
    mode,
    ['image capability', ...manifests.map((m) => m.name)],
    IMAGE_CAPABILITY_KEYS.map((key) => [
      key,
      ...manifests.map((m) => capabilityWords(m.capabilities[key] as Capabilities[keyof Capabilities], key)),
    ]),
  );
}
