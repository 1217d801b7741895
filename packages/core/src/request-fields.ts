import type { z } from 'zod';
import { type FieldIssue, invalidRequest } from './errors.js';

/** Tag keys under this prefix are written by snapcopy itself (lineage, client token). */
export const RESERVED_TAG_PREFIX = 'snapcopy:';

const REGION = /^[a-z]{2}(?:-[a-z0-9]+)+$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** Limits on caller tags that hold on every provider; adapters narrow them further. */
export const TAG_LIMITS = Object.freeze({ maxTags: 50, maxKeyLength: 128, maxValueLength: 256 });

/**
 * The fields every copy request has, whatever it copies (a snapshot, an image): regions,
 * accounts, tags, encryption, name, description, time-based copy, the client token. Each
 * kind's schema is built from these, so that one rule reads the same everywhere.
 */
export function buildRequestFields(z: typeof import('zod').z) {
  const regionId = z.string().regex(REGION, 'must be a region id such as us-east-1 or cn-hangzhou');
  const accountId = z.string().min(1).max(64);
  /** Where the copy goes; `account`, when given, must be the caller's own. */
  const destination = z.object({ region: regionId, account: accountId.optional() }).strict();

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

  const encryption = z
    .object({
      /** `true` asks for an encrypted copy; `false` for an unencrypted one; absent: provider default. */
      encrypted: z.boolean().optional(),
      /** Key for the copy, in the destination region (id, ARN or alias). Needs `encrypted: true`. */
      kmsKeyId: z.string().min(1).max(2048).optional(),
    })
    .strict();

  return {
    regionId,
    accountId,
    destination,
    tags,
    encryption,
    name: z.string().min(1).max(128),
    description: z.string().max(255),
    /**
     * Time-based copy: finish within this many minutes. Range and step are the provider's
     * (its manifest's `completionDurationMinutes`), checked before any call.
     */
    completionDurationMinutes: z.number().int().min(1),
    /** Idempotency token: one token never yields two copies. 1-64 printable ASCII characters. */
    clientToken: z.string().min(1).max(64).regex(PRINTABLE_ASCII, 'must be printable ASCII without spaces'),
  };
}

/** The cross-field rule every kind shares: a key needs `encrypted: true`. */
export function refineKeyNeedsEncryption(
  req: { readonly encryption?: { readonly encrypted?: boolean; readonly kmsKeyId?: string } | undefined },
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
): void {
  if (req.encryption?.kmsKeyId !== undefined && req.encryption.encrypted !== true) {
    ctx.addIssue({
      code: 'custom',
      path: ['encryption', 'kmsKeyId'],
      message: 'a key needs encryption: set encryption.encrypted to true',
    });
  }
}

function toIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Parses untrusted input with `schema`. Never throws anything but a `SnapcopyError` with
 * code `INVALID_REQUEST` whose message names each bad field.
 */
export function parseUntrusted<T>(
  schema: { safeParse(input: unknown): z.ZodSafeParseResult<T> },
  input: unknown,
): T {
  let result: z.ZodSafeParseResult<T>;
  try {
    result = schema.safeParse(input);
  } catch (err) {
    // A hostile input (a getter that throws, a proxy) must still give a typed error.
    throw invalidRequest([
      { path: '', message: `unreadable input (${(err as Error)?.message ?? String(err)})` },
    ]);
  }
  if (!result.success) throw invalidRequest(toIssues(result.error));
  return result.data;
}
