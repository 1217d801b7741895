import { createRequire } from 'node:module';
import { type FieldIssue, SnapcopyError } from '@snapcopy/core';
import type * as Zod from 'zod';

// zod is loaded on first use, as in core: importing the package stays cheap.
const requireFromHere = createRequire(import.meta.url);
let zodNamespace: typeof Zod.z | undefined;
/** The `z` namespace, loaded on first call. */
export const loadZod = (): typeof Zod.z => {
  zodNamespace ??= (requireFromHere('zod') as typeof Zod).z;
  return zodNamespace;
};

/** Version of the snapcopy policy document this package reads and writes. */
export const POLICY_DOCUMENT_VERSION = 1;

/** The largest retention DLM accepts (100 years), per unit; snapcopy keeps the same bounds. */
export const MAX_RETENTION = Object.freeze({ days: 36500, weeks: 5200, months: 1200, years: 100 });

const REGION = /^[a-z]{2}(?:-[a-z0-9]+)+$/;
const POLICY_ID = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

function buildPolicySchema(z: typeof Zod.z) {
  const region = z.string().regex(REGION, 'must be a region id such as us-east-1 or cn-hangzhou');
  const provider = z.string().min(1).max(32).describe('a provider name: aws or alibaba');
  const tags = z.record(z.string().min(1).max(128), z.string().max(256));

  const source = z
    .object({
      provider,
      regions: z
        .array(region)
        .min(1)
        .describe('regions whose snapshots the policy copies (each listed separately)'),
      owner: z
        .union([
          z.literal('self'),
          z.object({ sharedBy: z.array(z.string().min(1).max(64)).min(1).max(50) }).strict(),
        ])
        .default('self')
        .describe(
          '"self" for your own snapshots, or {"sharedBy": [accounts]} for snapshots those accounts shared with you',
        ),
      descriptionRegex: z
        .string()
        .max(1000)
        .optional()
        .describe('a regular expression the whole description must match (DLM DescriptionRegex)'),
      tags: tags.optional().describe('tags a snapshot must carry, with these values'),
      groupTag: z
        .string()
        .min(1)
        .max(128)
        .optional()
        .describe(
          'snapshots with the same value of this tag are one multi-volume set, copied and reported as one group',
        ),
    })
    .strict();

  const retention = z
    .object({
      interval: z.number().int().min(1),
      unit: z.enum(['days', 'weeks', 'months', 'years']),
    })
    .strict()
    .superRefine((r, ctx) => {
      if (r.interval > MAX_RETENTION[r.unit]) {
        ctx.addIssue({
          code: 'custom',
          path: ['interval'],
          message: `at most ${MAX_RETENTION[r.unit]} ${r.unit}: DLM's limit of 100 years`,
        });
      }
    })
    .describe('how long each copy is kept, counted from when it was made (calendar months and years)');

  const destination = z
    .object({
      provider,
      region,
      encryption: z
        .object({
          encrypted: z
            .boolean()
            .describe(
              'true: encrypt every copy; false: ask for nothing (a copy of an encrypted snapshot is encrypted anyway)',
            ),
          kmsKeyId: z
            .string()
            .min(1)
            .max(2048)
            .optional()
            .describe(
              'the key for the copies, in the destination region (id, ARN or alias); needs encrypted: true',
            ),
        })
        .strict()
        .default({ encrypted: false }),
      retention: retention.optional(),
      tags: tags.optional().describe('tags added to every copy'),
      copySourceTags: z
        .boolean()
        .default(false)
        .describe(
          "copy the source snapshot's user tags (providers' reserved prefixes and tag limits respected)",
        ),
    })
    .strict()
    .superRefine((d, ctx) => {
      if (d.encryption.kmsKeyId !== undefined && !d.encryption.encrypted) {
        ctx.addIssue({
          code: 'custom',
          path: ['encryption', 'kmsKeyId'],
          message: 'a key needs encryption: set encryption.encrypted to true',
        });
      }
    });

  return z
    .object({
      $schema: z.string().optional(),
      version: z.literal(POLICY_DOCUMENT_VERSION),
      id: z
        .string()
        .regex(
          POLICY_ID,
          'lowercase letters, digits and dashes, 1-48 characters, not starting or ending with a dash',
        )
        .describe('names the policy in the tags of its copies, its client tokens and its journal batches'),
      description: z.string().max(500).optional(),
      sources: z.array(source).min(1),
      destinations: z.array(destination).min(1),
    })
    .strict()
    .superRefine((p, ctx) => {
      const seen = new Set<string>();
      p.destinations.forEach((d, i) => {
        const key = `${d.provider}/${d.region}`;
        if (seen.has(key)) {
          ctx.addIssue({
            code: 'custom',
            path: ['destinations', i, 'region'],
            message: `${d.provider} ${d.region} is already a destination: one destination per provider and region`,
          });
        }
        seen.add(key);
      });
      const sourceProviders = new Set(p.sources.map((s) => s.provider));
      const destinationProviders = new Set(p.destinations.map((d) => d.provider));
      p.sources.forEach((s, i) => {
        if (!destinationProviders.has(s.provider)) {
          ctx.addIssue({
            code: 'custom',
            path: ['sources', i, 'provider'],
            message: `no destination on ${s.provider}: a copy stays on its cloud`,
          });
        }
      });
      p.destinations.forEach((d, i) => {
        if (!sourceProviders.has(d.provider)) {
          ctx.addIssue({
            code: 'custom',
            path: ['destinations', i, 'provider'],
            message: `no source on ${d.provider}: nothing would be copied here`,
          });
        }
      });
    });
}

let schema: ReturnType<typeof buildPolicySchema> | undefined;

/** The zod schema of a snapcopy policy document (built on first use). */
export function policyDocumentSchema(): ReturnType<typeof buildPolicySchema> {
  schema ??= buildPolicySchema(loadZod());
  return schema;
}

/** A policy document as written (before defaults). */
export type PolicyDocumentInput = Zod.input<ReturnType<typeof buildPolicySchema>>;
/** A parsed policy document, defaults filled in. */
export type PolicyDocument = Zod.output<ReturnType<typeof buildPolicySchema>>;
export type PolicySource = PolicyDocument['sources'][number];
export type PolicyDestination = PolicyDocument['destinations'][number];
export type RetentionRule = NonNullable<PolicyDestination['retention']>;

/** The JSON Schema of the policy document (what `schema/policy.schema.json` holds). */
export function policyDocumentJsonSchema(): Record<string, unknown> {
  return loadZod().toJSONSchema(policyDocumentSchema(), { io: 'input' }) as Record<string, unknown>;
}

/** `INVALID_REQUEST` naming each bad field of a policy. */
export function invalidPolicy(issues: readonly FieldIssue[], what = 'policy'): SnapcopyError {
  const list = issues.map((i) => `${i.path || '(document)'}: ${i.message}`).join('; ');
  return new SnapcopyError('INVALID_REQUEST', `Invalid ${what}: ${list}`, { issues });
}

/** zod's issues as field issues (dotted paths). */
export function fieldIssues(error: Zod.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Parses an untrusted snapcopy policy document. Only ever throws `INVALID_REQUEST`. */
export function parsePolicyDocument(input: unknown): PolicyDocument {
  const result = policyDocumentSchema().safeParse(input);
  if (!result.success) throw invalidPolicy(fieldIssues(result.error));
  return result.data;
}
