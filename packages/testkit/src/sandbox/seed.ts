import { z } from 'zod';

const region = z.string().regex(/^[a-z]{2}(?:-[a-z0-9]+)+$/);

/** Where a seeded resource lives and whose it is. */
const placed = { account: z.string(), region };

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
    ...placed,
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
    ...placed,
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
    /** AWS only: public (the `all` group may create volumes from it); not for encrypted snapshots. */
    public: z.boolean().optional(),
    /** Alibaba only: days the snapshot is kept (1–65536) before ECS releases it. AWS has no native retention. */
    retentionDays: z.number().int().min(1).max(65536).optional(),
  })
  .strict();

const instanceVolume = z
  .object({
    /** Fixed volume (AWS) or disk (Alibaba) id. */
    id: z.string().optional(),
    sizeGiB: z.number().int().positive(),
    /** GiB of data on it: the size of its first snapshot. Defaults to the size. */
    usedGiB: z.number().nonnegative().optional(),
    /** GiB that change between two snapshots. Defaults to a tenth of the used size. */
    changeGiB: z.number().nonnegative().optional(),
    /** The root (AWS) or system (Alibaba) volume; default: the first one. */
    boot: z.boolean().optional(),
    encrypted: z.boolean().default(false),
    /** Alias of the key (from `keys`) of an encrypted volume; the default key if absent. */
    keyAlias: z.string().optional(),
    /** AWS only: the volume's tags (CreateSnapshots can copy them). */
    tags: z.record(z.string(), z.string()).optional(),
  })
  .strict();

const instance = z
  .object({
    /** Fixed instance id (AWS `i-` + 17 hex digits; Alibaba `i-…`). */
    id: z.string().optional(),
    ...placed,
    volumes: z.array(instanceVolume).min(1),
  })
  .strict();

const snapshotSet = z
  .object({
    /** The instance (from `instances`, by its fixed id) whose volumes are snapshotted together. */
    instanceId: z.string(),
    /** Tags every snapshot of the set carries (the common "group tag"); on Alibaba the group's too. */
    tags: z.record(z.string(), z.string()).default({}),
    description: z.string().optional(),
    /** Alibaba only: the snapshot-consistent group's name. */
    name: z.string().optional(),
    /** Alibaba only: a fixed group id (`ssg-…`). */
    groupId: z.string().optional(),
    /** Fixed snapshot ids, in volume order. */
    ids: z.array(z.string()).optional(),
    /** Leave the root/system volume out. */
    excludeBootVolume: z.boolean().default(false),
  })
  .strict();

const fault = z
  .object({
    /** An API action (`CopySnapshot`, `DescribeSnapshots`, …) or `*` for every action. */
    operation: z.string().min(1),
    kind: z.enum(['throttle', 'server-error', 'drop-after', 'reset', 'latency', 'hang']),
    /** The next N matching requests, or `always`. Default 1 (unless `probability` is set: always). */
    times: z.union([z.number().int().positive(), z.literal('always')]).optional(),
    /** Each matching request with this probability (draws seeded by `faultSeed`). */
    probability: z.number().gt(0).max(1).optional(),
    /** For `latency`: real milliseconds to wait before answering. */
    latencyMs: z.number().int().nonnegative().optional(),
  })
  .strict();

const image = z
  .object({
    /** Fixed id (optional): `ami-` + 17 hex digits (AWS), `m-` and lowercase letters/digits (Alibaba). */
    id: z.string().optional(),
    ...placed,
    name: z.string().min(1),
    description: z.string().optional(),
    /** AWS only: `ebs` (default), or `instance-store` (no snapshots). */
    rootDeviceType: z.enum(['ebs', 'instance-store']).default('ebs'),
    /** Ids of the image's snapshots (from `snapshots`, same account and region); the first is the root/system disk. */
    snapshots: z.array(z.string()).default([]),
    /** Accounts the image is shared with (AWS: launch permission). */
    sharedWith: z.array(z.string()).default([]),
    /** AWS: launch permission for everyone; Alibaba: a community image. */
    public: z.boolean().default(false),
    tags: z.record(z.string(), z.string()).default({}),
  })
  .strict();

const cloud = z
  .object({
    regions: z.array(region).min(1),
    accounts: z.array(account).min(1),
    keys: z.array(key).default([]),
    /** Accounts and regions with encryption by default on (AWS). */
    encryptionByDefault: z.array(z.object(placed).strict()).default([]),
    snapshots: z.array(snapshot).default([]),
    /** Machine images (AMIs, ECS custom images) over the snapshots above. */
    images: z.array(image).default([]),
    /** Instances with their volumes, for multi-volume snapshots (CreateSnapshots, CreateSnapshotGroup). */
    instances: z.array(instance).optional(),
    /** Multi-volume snapshot sets taken before the sandbox starts (Alibaba: snapshot-consistent groups). */
    snapshotSets: z.array(snapshotSet).optional(),
    /** Faults injected into this cloud's requests from the start. */
    faults: z.array(fault).optional(),
    /** Seed of this cloud's random fault draws (default 1). */
    faultSeed: z.number().int().optional(),
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
/** A fault rule as a seed writes it. */
export type SandboxSeedFault = z.output<typeof fault>;

/** JSON Schema (draft 2020-12) of the seed file, generated from the zod schema. */
export function sandboxSeedJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(SandboxSeedSchema, { io: 'input' }) as Record<string, unknown>;
}
