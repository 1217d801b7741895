import { z } from 'zod';

const region = z.string().regex(/^[a-z]{2}(?:-[a-z0-9]+)+$/);

const account = z
  .object({
    /** AWS: 12 digits. Alibaba: the numeric account uid. */
    id: z.string().min(1),
    accessKeyId: z.string().min(1),
    secretAccessKey: z.string().min(8),
  })
  .strict();

/** A key's state as KMS shows it. */
const keyState = z.enum(['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport']);

const key = z
  .object({
    account: z.string(),
    region,
    /** Alias without the `alias/` prefix, used to refer to the key in this seed and by clients. */
    alias: z.string().min(1),
    /**
     * Fixed key id (optional; generated otherwise), so documents naming the key's ARN
     * (`arn:aws:kms:<region>:<account>:key/<id>`, `acs:kms:<region>:<uid>:key/<id>`) run unchanged.
     */
    id: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,128}$/)
      .optional(),
    /** False: the key exists but the storage service cannot use it (copies fail; on ECS at once). */
    accessible: z.boolean().default(true),
    enabled: z.boolean().default(true),
    /** The key's state as KMS shows it (optional; wins over `enabled`). */
    state: keyState.optional(),
    /** For `PendingDeletion`: when the key goes (ISO 8601); default 30 days after the start. */
    deletionDate: z.iso.datetime().optional(),
    description: z.string().optional(),
    /** Other accounts allowed to use the key. */
    usableBy: z.array(z.string()).default([]),
  })
  .strict()
  .refine((k) => k.state === undefined || k.enabled || k.state !== 'Enabled', {
    message: 'state Enabled contradicts enabled: false',
  })
  .refine((k) => k.deletionDate === undefined || k.state === 'PendingDeletion', {
    message: 'deletionDate needs state PendingDeletion',
  });

const snapshot = z
  .object({
    /** Fixed id (optional): lets scripts and docs name the snapshot. */
    id: z.string().optional(),
    account: z.string(),
    region,
    /** Size of the source volume/disk, GiB. */
    volumeSizeGiB: z.number().int().positive(),
    /** Data in the snapshot, GiB (≤ volume size). Defaults to the volume size. */
    sizeGiB: z.number().nonnegative().optional(),
    /** GiB changed since the previous snapshot of the volume. Defaults to 10% of the size. */
    changedGiB: z.number().nonnegative().optional(),
    encrypted: z.boolean().default(false),
    /** Alias of the key (from `keys`) for an encrypted snapshot; the default key if absent. */
    keyAlias: z.string().optional(),
    /** Accounts the snapshot is shared with. */
    sharedWith: z.array(z.string()).default([]),
    description: z.string().optional(),
    tags: z.record(z.string(), z.string()).default({}),
    /** Alibaba only: `standard`, `archive` or `flash`. */
    category: z.enum(['standard', 'archive', 'flash']).default('standard'),
  })
  .strict();

const cloud = z
  .object({
    regions: z.array(region).min(1),
    accounts: z.array(account).min(1),
    keys: z.array(key).default([]),
    /** Accounts and regions with encryption by default on (AWS). */
    encryptionByDefault: z.array(z.object({ account: z.string(), region }).strict()).default([]),
    snapshots: z.array(snapshot).default([]),
  })
  .strict();

/** A sandbox world: what each simulated cloud holds when it starts. */
export const SandboxSeedSchema = z
  .object({
    /** Path of the JSON Schema, for editors. Ignored. */
    $schema: z.string().optional(),
    aws: cloud,
    alibaba: cloud,
  })
  .strict();

/** Seed as written in a file. */
export type SandboxSeedInput = z.input<typeof SandboxSeedSchema>;
/** Seed after defaults. */
export type SandboxSeed = z.output<typeof SandboxSeedSchema>;

/** JSON Schema (draft 2020-12) of the seed file, generated from the zod schema. */
export function sandboxSeedJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(SandboxSeedSchema, { io: 'input' }) as Record<string, unknown>;
}
