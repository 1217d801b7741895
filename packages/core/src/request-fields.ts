import type { z } from 'zod';
import { type FieldIssue, invalidRequest, readInput } from './errors.js';

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

/**
 * The fields every copy request has, whatever it copies (a snapshot, an image): regions,
 * accounts, tags, encryption, name, description, time-based copy, the client token. Each
 * kind's schema is built from these, so that one rule reads the same everywhere.
 */
export function buildRequestFields(z: typeof import('zod').z) {
  const regionId = z.string().regex(REGION_ID, REGION_ID_MESSAGE);
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

/** The fields {@link buildRequestFields} makes. */
export type RequestFields = ReturnType<typeof buildRequestFields>;

/**
 * One kind's copy request schema: the source (a region, the kind's id under `idField`, and
 * `account` naming the owner when it was shared with you), the destination, encryption,
 * name, description and tags (for an image: the encryption of every backing snapshot copy,
 * the new image's name and tags), then the kind's own fields in their order, time-based
 * copy and the client token. Strict, with the cross-field rules.
 */
export function buildKindRequestSchema<I extends string, E extends Record<string, z.ZodType>>(
  z: typeof import('zod').z,
  idField: I,
  kindFields: (f: RequestFields) => E,
) {
  const f = buildRequestFields(z);
  const id = { [idField]: z.string().min(1).max(128) } as { [P in I]: z.ZodString };
  const source = z.object({ region: f.regionId, ...id, account: f.accountId.optional() }).strict();
  return z
    .object({
      source,
      destination: f.destination,
      encryption: f.encryption.optional(),
      name: f.name.optional(),
      description: f.description.optional(),
      tags: f.tags.optional(),
      ...kindFields(f),
      completionDurationMinutes: f.completionDurationMinutes.optional(),
      clientToken: f.clientToken.optional(),
    })
    .strict()
    .superRefine((req, ctx) =>
      refineKeyNeedsEncryption(req as Parameters<typeof refineKeyNeedsEncryption>[0], ctx),
    );
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
 * A `__proto__` key of a raw tag record: the schema never sees it (an own `__proto__` key,
 * as `JSON.parse` makes, is skipped when a record is copied), so it is looked for first.
 */
function protoTagIssue(input: unknown, tagFields: readonly string[]): FieldIssue | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  for (const field of tagFields) {
    const tags = (input as Record<string, unknown>)[field];
    if (typeof tags === 'object' && tags !== null && Object.hasOwn(tags, '__proto__')) {
      return { path: `${field}.__proto__`, message: forbiddenTagKeyMessage('__proto__') };
    }
  }
  return undefined;
}

/**
 * Parses untrusted input with `schema`, after looking for a `__proto__` key in each of
 * `tagFields`. Never throws anything but a `SnapcopyError` with code `INVALID_REQUEST`
 * whose message names each bad field (a hostile input, such as a getter that throws or a
 * Proxy, included).
 */
export function parseUntrusted<T>(
  schema: { safeParse(input: unknown): z.ZodSafeParseResult<T> },
  input: unknown,
  tagFields: readonly string[] = ['tags'],
): T {
  const result = readInput('', () => {
    const proto = protoTagIssue(input, tagFields);
    if (proto) throw invalidRequest([proto]);
    return schema.safeParse(input);
  });
  if (!result.success) throw invalidRequest(toIssues(result.error));
  return result.data;
}
