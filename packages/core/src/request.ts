import type { z } from 'zod';
import { type FieldIssue, invalidRequest, readInput } from './errors.js';
import { lazySchema } from './lazy-zod.js';

/** Tag keys under this prefix are written by snapcopy itself (lineage, client token). */
export const RESERVED_TAG_PREFIX = 'snapcopy:';

/** A region id as both providers write them: `us-east-1`, `cn-hangzhou`, `ap-southeast-1`. */
export const REGION_ID = /^[a-z]{2}(?:-[a-z0-9]+)+$/;
/** What a bad region id is told. */
export const REGION_ID_MESSAGE = 'must be a region id such as us-east-1 or cn-hangzhou';
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** Limits on caller tags that hold on every provider; adapters narrow them further. */
export const TAG_LIMITS = Object.freeze({ maxTags: 50, maxKeyLength: 128, maxValueLength: 256 });

/**
 * Tag keys refused everywhere: as keys of a plain object they are lost (`__proto__` sets
 * the prototype instead of a property) or shadow what every object has, so a request
 * carrying them could not mean what it says.
 */
export const FORBIDDEN_TAG_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const forbiddenTagKeyMessage = (key: string) =>
  `tag key "${key}" is not allowed (it names a property every JavaScript object has)`;

function buildCopyRequestSchema(z: typeof import('zod').z) {
  const regionId = z.string().regex(REGION_ID, REGION_ID_MESSAGE);
  const accountId = z.string().min(1).max(64);

  /** Where the snapshot to copy is; `account` names the owner when it was shared with you. */
  const sourceLocation = z
    .object({ region: regionId, snapshotId: z.string().min(1).max(128), account: accountId.optional() })
    .strict();
  /** Where the copy goes; `account`, when given, must be the caller's own. */
  const destinationLocation = z.object({ region: regionId, account: accountId.optional() }).strict();

  const tags = z.record(z.string(), z.string()).superRefine((record, ctx) => {
    const keys = Object.keys(record);
    if (keys.length > TAG_LIMITS.maxTags) {
      ctx.addIssue({ code: 'custom', message: `at most ${TAG_LIMITS.maxTags} tags` });
    }
    for (const key of keys) {
      const value = record[key] ?? '';
      if (key.length === 0 || key.length > TAG_LIMITS.maxKeyLength) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `key must be 1-${TAG_LIMITS.maxKeyLength} characters`,
        });
      }
      if (FORBIDDEN_TAG_KEYS.has(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: forbiddenTagKeyMessage(key) });
      }
      if (key.startsWith(RESERVED_TAG_PREFIX)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `the "${RESERVED_TAG_PREFIX}" prefix is reserved`,
        });
      }
      if (value.length > TAG_LIMITS.maxValueLength) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `value must be at most ${TAG_LIMITS.maxValueLength} characters`,
        });
      }
    }
  });

  return z
    .object({
      source: sourceLocation,
      destination: destinationLocation,
      encryption: z
        .object({
          /** `true` asks for an encrypted copy; `false` for an unencrypted one; absent: provider default. */
          encrypted: z.boolean().optional(),
          /** Key for the copy, in the destination region (id, ARN or alias). Needs `encrypted: true`. */
          kmsKeyId: z.string().min(1).max(2048).optional(),
        })
        .strict()
        .optional(),
      name: z.string().min(1).max(128).optional(),
      description: z.string().max(255).optional(),
      tags: tags.optional(),
      /**
       * Tags under snapcopy's own prefix that a snapcopy component writes on the copy (a
       * copy policy's id, group and expiry): every key starts with `snapcopy:` (and is not
       * one of the lineage or state tags). They count against the provider's tag limit.
       */
      snapcopyTags: z
        .record(z.string(), z.string())
        .superRefine((record, ctx) => {
          for (const [key, value] of Object.entries(record)) {
            if (!key.startsWith(RESERVED_TAG_PREFIX) || key.length > TAG_LIMITS.maxKeyLength) {
              ctx.addIssue({
                code: 'custom',
                path: [key],
                message: `key must start with "${RESERVED_TAG_PREFIX}" and be at most ${TAG_LIMITS.maxKeyLength} characters`,
              });
            }
            if (value.length > TAG_LIMITS.maxValueLength) {
              ctx.addIssue({
                code: 'custom',
                path: [key],
                message: `value must be at most ${TAG_LIMITS.maxValueLength} characters`,
              });
            }
          }
        })
        .optional(),
      /**
       * Days until the copy is released (providers with `retentionPeriod`); the range is
       * the provider's (`capabilities.retentionDaysRange`), checked before any call.
       */
      retentionDays: z.number().int().min(1).optional(),
      /**
       * Time-based copy: finish within this many minutes. Range and step are the
       * provider's (`capabilities.completionDurationMinutes`), checked before any call.
       */
      completionDurationMinutes: z.number().int().min(1).optional(),
      /** Idempotency token: one token never yields two copies. 1-64 printable ASCII characters. */
      clientToken: z
        .string()
        .min(1)
        .max(64)
        .regex(PRINTABLE_ASCII, 'must be printable ASCII without spaces')
        .optional(),
    })
    .strict()
    .superRefine((req, ctx) => {
      if (req.encryption?.kmsKeyId !== undefined && req.encryption.encrypted !== true) {
        ctx.addIssue({
          code: 'custom',
          path: ['encryption', 'kmsKeyId'],
          message: 'a key needs encryption: set encryption.encrypted to true',
        });
      }
    });
}

/**
 * A provider-neutral request to copy one snapshot (a zod schema, built on first use).
 * Parse it with {@link parseCopyRequest}: cross-field rules are part of the schema.
 */
export const CopyRequestSchema = lazySchema(buildCopyRequestSchema);

/** What a caller passes (before defaults). */
export type CopyRequestInput = z.input<ReturnType<typeof buildCopyRequestSchema>>;
/** A parsed, checked copy request. */
export type CopyRequest = z.output<ReturnType<typeof buildCopyRequestSchema>>;

function toIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * A `__proto__` key of the raw tags: the schema never sees it (an own `__proto__` key,
 * as `JSON.parse` makes, is skipped when a record is copied), so it is looked for first.
 */
function protoTagIssue(input: unknown): FieldIssue | undefined {
  const tags = typeof input === 'object' && input !== null ? (input as { tags?: unknown }).tags : undefined;
  if (typeof tags !== 'object' || tags === null || !Object.hasOwn(tags, '__proto__')) return undefined;
  return { path: 'tags.__proto__', message: forbiddenTagKeyMessage('__proto__') };
}

/**
 * Parses an untrusted request. Never throws anything but a `SnapcopyError` with code
 * `INVALID_REQUEST` whose message names each bad field.
 */
export function parseCopyRequest(input: unknown): CopyRequest {
  const result = readInput('', () => {
    const proto = protoTagIssue(input);
    if (proto) throw invalidRequest([proto]);
    return CopyRequestSchema.safeParse(input);
  });
  if (!result.success) throw invalidRequest(toIssues(result.error));
  return result.data;
}

/** Region, account and id of one snapshot. */
export interface SnapshotRef {
  readonly region: string;
  readonly snapshotId: string;
}
