import type { CopyPlan, CopyStatus } from '@snapcopy/core';

/** `1.5 GiB`, `0 GiB`, `1,024 GiB`. */
export function gib(n: number): string {
  return `${n.toLocaleString('en-US', { maximumFractionDigits: 2 })} GiB`;
}

/** `us-east-1/snap-123`. */
export function ref(region: string, snapshotId: string): string {
  return `${region}/${snapshotId}`;
}

/** The resolved encryption in words: `unencrypted`, `encrypted (given-key alias/dr)`. */
export function encryptionWords(plan: CopyPlan): string {
  if (!plan.encryption.encrypted) return 'unencrypted';
  const key = plan.encryption.kmsKeyId ?? 'default key';
  return `encrypted, ${key} (${plan.encryption.keySource})`;
}

/** One line about a status: `pending 40%`, `failed: key not accessible`. */
export function statusWords(status: CopyStatus): string {
  if (status.state === 'pending') return `pending ${Math.floor(status.progress)}%`;
  return status.message ? `${status.state}: ${status.message}` : status.state;
}

/** Seconds with one decimal: `4.2 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
