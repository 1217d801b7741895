import { createHash } from 'node:crypto';

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
const MAX_TOKEN = 64;

/**
 * The client token of request `index` of batch `batchId`, when the caller gave none.
 * Deterministic, so a restarted process derives the same token even if the journal
 * lost its last writes: `<batchId>.<index>` when that is a valid token (at most 64
 * printable ASCII characters), else `snapcopy-` and 40 hex digits of its SHA-256.
 */
export function batchClientToken(batchId: string, index: number): string {
  const plain = `${batchId}.${index}`;
  if (plain.length <= MAX_TOKEN && PRINTABLE_ASCII.test(plain)) return plain;
  const digest = createHash('sha256').update(batchId).update('\u0000').update(String(index)).digest('hex');
  return `snapcopy-${digest.slice(0, 40)}`;
}
