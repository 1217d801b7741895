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
export function statusWords(status: Pick<CopyStatus, 'state' | 'progress' | 'message'>): string {
  if (status.state === 'pending') return `pending ${Math.floor(status.progress)}%`;
  return status.message ? `${status.state}: ${status.message}` : status.state;
}

/** Seconds with one decimal: `4.2 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text
// (bidirectional overrides and isolates, line and paragraph separators).
const CONTROL = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/**
 * Text safe to print on a terminal: every control character, ANSI escape introducer and
 * bidirectional override in it is shown escaped (`\x1b`, `\n`, `\u202e`), so that input
 * echoed in a message can neither move the cursor, recolour the screen nor fake a line.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
