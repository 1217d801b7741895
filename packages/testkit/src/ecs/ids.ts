import { randomBytes, randomUUID } from 'node:crypto';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// One randomBytes call per id costs ~20 µs; seeding 100,000 snapshots draws from a pool.
let pool = Buffer.alloc(0);
let poolAt = 0;

function pick(alphabet: string, n: number): string {
  if (poolAt + n > pool.length) {
    pool = randomBytes(Math.max(4096, n));
    poolAt = 0;
  }
  let out = '';
  // Modulo bias is irrelevant for simulator ids.
  for (let i = 0; i < n; i++) out += alphabet[pool[poolAt + i]! % alphabet.length];
  poolAt += n;
  return out;
}

/** A new ECS snapshot id: `s-` and 20 lowercase letters and digits. */
export function newEcsSnapshotId(): string {
  return `s-${pick(LOWER_ALNUM, 20)}`;
}

/** A new ECS disk id: `d-` and 20 lowercase letters and digits. */
export function newEcsDiskId(): string {
  return `d-${pick(LOWER_ALNUM, 20)}`;
}

/** A new Alibaba Cloud account uid: 16 digits, not starting with 0. */
export function newAlibabaAccountId(): string {
  const digits = pick('0123456789', 15);
  return `1${digits}`;
}

/** A new AccessKeyId in the `LTAI5t…` shape of current RAM keys (24 characters). */
export function newAccessKeyId(): string {
  return `LTAI5t${pick(MIXED_ALNUM, 18)}`;
}

/** A new AccessKeySecret (30 characters). */
export function newAccessKeySecret(): string {
  return pick(MIXED_ALNUM, 30);
}

/** A new KMS key id (a UUID, as Alibaba KMS uses). */
export function newKmsKeyId(): string {
  return randomUUID();
}

/** A new request id, upper-case UUID as ECS returns it. */
export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

/** A new ECS custom image id: `m-` and 20 lowercase letters and digits. */
export function newEcsImageId(): string {
  return `m-${pick(LOWER_ALNUM, 20)}`;
}

/** A new ECS instance id: `i-` and 20 lowercase letters and digits. */
export function newEcsInstanceId(): string {
  return `i-${pick(LOWER_ALNUM, 20)}`;
}

/** A new snapshot-consistent group id: `ssg-` and 20 lowercase letters and digits. */
export function newSnapshotGroupId(): string {
  return `ssg-${pick(LOWER_ALNUM, 20)}`;
}
