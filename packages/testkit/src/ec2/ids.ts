import { randomBytes } from 'node:crypto';

// Ids are drawn from a pool of random bytes: one syscall per 4 KiB instead of one per id
// (seeding 100,000 snapshots otherwise spends most of its time in randomFillSync).
let pool = Buffer.alloc(0);
let offset = 0;
function randomHex(n: number): string {
  const bytes = Math.ceil(n / 2);
  if (offset + bytes > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes).slice(0, n);
  offset += bytes;
  return hex;
}

/** `snap-` + 8 (old) or 17 hex digits. */
export const SNAPSHOT_ID_RE = /^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** `vol-` + 8 (old) or 17 hex digits. */
export const VOLUME_ID_RE = /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** A new EC2 snapshot id. */
export const newSnapshotId = (): string => `snap-${randomHex(17)}`;
/** A new EC2 volume id. */
export const newVolumeId = (): string => `vol-${randomHex(17)}`;
/** A data-encryption-key id (`dek-` + 17 hex) for encrypted snapshots. */
export const newDataKeyId = (): string => `dek-${randomHex(17)}`;
/** The volume id EC2 shows on copies: arbitrary, not to be used. */
export const COPY_VOLUME_ID = 'vol-ffffffff';
/** `ami-` + 8 (old) or 17 hex digits. */
export const IMAGE_ID_RE = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** A new AMI id. */
export const newImageId = (): string => `ami-${randomHex(17)}`;
/** `i-` + 8 (old) or 17 hex digits. */
export const INSTANCE_ID_RE = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** A new EC2 instance id. */
export const newInstanceId = (): string => `i-${randomHex(17)}`;
