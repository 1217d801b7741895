import { createHash } from 'node:crypto';
import type * as Zod from 'zod';
import {
  fieldIssues,
  invalidPolicy,
  loadZod,
  type PolicyDocument,
  parsePolicyDocument,
  POLICY_DOCUMENT_VERSION,
} from './document.js';

// The subset of an Amazon Data Lifecycle Manager PolicyDetails document that an event-based
// (cross-account copy) policy uses, with DLM's own constraints (DLM API reference:
// PolicyDetails, EventSource, EventParameters, Action, CrossRegionCopyAction,
// EncryptionConfiguration, CrossRegionCopyRetainRule; see docs/dlm.md).

/** DLM allows three CrossRegionCopy actions (destination regions) per event-based policy. */
export const DLM_MAX_COPY_REGIONS = 3;

/** DLM's `CmkArn` pattern (EncryptionConfiguration). */
const CMK_ARN = /^arn:aws(-[a-z]{1,4}){0,2}:kms:([a-z]+-){2,3}\d:\d+:key\/.*$/;

function buildDlmSchema(z: typeof Zod.z) {
  const retainRule = z
    .object({
      Interval: z.number().int().min(1),
      IntervalUnit: z.enum(['DAYS', 'WEEKS', 'MONTHS', 'YEARS']),
    })
    .strict();
  const crossRegionCopy = z
    .object({
      Target: z
        .string()
        .min(1)
        .max(2048)
        .regex(/^[\w:\-/*]+$/),
      EncryptionConfiguration: z
        .object({
          Encrypted: z.boolean(),
          CmkArn: z
            .string()
            .max(2048)
            .regex(CMK_ARN, 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)')
            .optional(),
        })
        .strict(),
      RetainRule: retainRule.optional(),
    })
    .strict();
  return z
    .object({
      PolicyType: z.literal('EVENT_BASED_POLICY', {
        error:
          'snapcopy runs event-based (cross-account copy) DLM policies: PolicyType must be EVENT_BASED_POLICY',
      }),
      PolicyLanguage: z.literal('STANDARD').optional(),
      EventSource: z
        .object({
          Type: z.literal('MANAGED_CWE'),
          Parameters: z
            .object({
              EventType: z.literal('shareSnapshot'),
              SnapshotOwner: z
                .array(z.string().regex(/^[0-9]{12}$/, 'must be a 12-digit AWS account id'))
                .max(50),
              DescriptionRegex: z.string().max(1000).optional(),
            })
            .strict(),
        })
        .strict(),
      Actions: z
        .array(
          z
            .object({
              Name: z
                .string()
                .max(120)
                .regex(/^[0-9A-Za-z _-]+$/),
              CrossRegionCopy: z.array(crossRegionCopy).max(DLM_MAX_COPY_REGIONS),
            })
            .strict(),
        )
        .min(1)
        .max(1, 'DLM takes one action per event-based policy'),
    })
    .strict();
}

let schema: ReturnType<typeof buildDlmSchema> | undefined;
const dlmSchema = () => {
  schema ??= buildDlmSchema(loadZod());
  return schema;
};

/** An event-based DLM `PolicyDetails` document. */
export type DlmPolicyDetails = Zod.output<ReturnType<typeof buildDlmSchema>>;

/** Whether a parsed JSON document is in DLM's format (it names a `PolicyType`). */
export function looksLikeDlm(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const d = doc as Record<string, unknown>;
  return 'PolicyType' in d || 'PolicyDetails' in d || (typeof d.Policy === 'object' && d.Policy !== null);
}

/**
 * The `PolicyDetails` of a DLM document and the policy id DLM gave it, if any: a bare
 * `policyDetails.json` (the `create-lifecycle-policy --policy-details` file), a
 * `create-lifecycle-policy --cli-input-json` document (`{ PolicyDetails }`), or the output
 * of `get-lifecycle-policy` (`{ Policy: { PolicyId, PolicyDetails } }`).
 */
function unwrap(doc: Record<string, unknown>): { details: unknown; policyId?: string } {
  const policy = doc.Policy as Record<string, unknown> | undefined;
  if (typeof policy === 'object' && policy !== null) {
    return {
      details: policy.PolicyDetails,
      ...(typeof policy.PolicyId === 'string' ? { policyId: policy.PolicyId } : {}),
    };
  }
  if ('PolicyDetails' in doc) return { details: doc.PolicyDetails };
  return { details: doc };
}

/** Parses a DLM document (any of the shapes {@link unwrap} reads). Only throws `INVALID_REQUEST`. */
export function parseDlmPolicy(doc: unknown): { details: DlmPolicyDetails; policyId?: string } {
  if (typeof doc !== 'object' || doc === null)
    throw invalidPolicy([{ path: '', message: 'must be a JSON object' }], 'DLM policy');
  const { details, policyId } = unwrap(doc as Record<string, unknown>);
  const result = dlmSchema().safeParse(details);
  if (!result.success) throw invalidPolicy(fieldIssues(result.error), 'DLM policy');
  return { details: result.data, ...(policyId === undefined ? {} : { policyId }) };
}

/** What a DLM document does not say and snapcopy needs. */
export interface DlmConversionContext {
  /**
   * The region the DLM policy lives in: where the shared snapshots are (the source and
   * target accounts' policies are in one region). The CLI takes it from `--region`, the
   * profile or `AWS_REGION`, as the AWS CLI would.
   */
  readonly region: string;
  /** The snapcopy policy id; default: DLM's `PolicyId` lowercased, else `dlm-` and a hash of the document. */
  readonly id?: string;
}

const UNIT = { DAYS: 'days', WEEKS: 'weeks', MONTHS: 'months', YEARS: 'years' } as const;

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The id a DLM document gets when none is given: stable for the same document and region. */
export function dlmPolicyId(details: DlmPolicyDetails, region: string, dlmPolicyIdValue?: string): string {
  if (dlmPolicyIdValue !== undefined && /^policy-[0-9a-f]+$/.test(dlmPolicyIdValue)) return dlmPolicyIdValue;
  return `dlm-${createHash('sha256').update(region).update('\u0000').update(stableJson(details)).digest('hex').slice(0, 12)}`;
}

/**
 * The snapcopy form of an event-based DLM policy:
 *
 * | DLM | snapcopy |
 * |---|---|
 * | `EventSource.Parameters.SnapshotOwner` | `sources[0].owner.sharedBy` |
 * | `EventSource.Parameters.DescriptionRegex` | `sources[0].descriptionRegex` (absent: every description) |
 * | the policy's region | `sources[0].regions` |
 * | `CrossRegionCopy[].Target` | `destinations[].region` |
 * | `EncryptionConfiguration.Encrypted` / `CmkArn` | `destinations[].encryption.encrypted` / `kmsKeyId` |
 * | `RetainRule.Interval` / `IntervalUnit` | `destinations[].retention.interval` / `unit` |
 *
 * Throws `INVALID_REQUEST` for what snapcopy cannot run as written (an Outpost target, a
 * key without encryption, no source account).
 */
export function dlmToPolicy(doc: unknown, context: DlmConversionContext): PolicyDocument {
  const { details, policyId } = parseDlmPolicy(doc);
  const params = details.EventSource.Parameters;
  const action = details.Actions[0]!;
  const issues: { path: string; message: string }[] = [];
  if (params.SnapshotOwner.length === 0) {
    issues.push({
      path: 'EventSource.Parameters.SnapshotOwner',
      message: 'names no account: the policy would copy nothing',
    });
  }
  if (action.CrossRegionCopy.length === 0) {
    issues.push({ path: 'Actions.0.CrossRegionCopy', message: 'names no destination region: nothing to do' });
  }
  action.CrossRegionCopy.forEach((c, i) => {
    if (c.Target.startsWith('arn:')) {
      issues.push({
        path: `Actions.0.CrossRegionCopy.${i}.Target`,
        message: 'an Outpost ARN: snapcopy copies to regions only',
      });
    }
    const enc = c.EncryptionConfiguration;
    if (enc.CmkArn !== undefined && !enc.Encrypted) {
      issues.push({
        path: `Actions.0.CrossRegionCopy.${i}.EncryptionConfiguration.CmkArn`,
        message: 'a key needs Encrypted: true',
      });
    }
  });
  if (issues.length > 0) throw invalidPolicy(issues, 'DLM policy');
  const id = context.id ?? dlmPolicyId(details, context.region, policyId);
  return parsePolicyDocument({
    version: POLICY_DOCUMENT_VERSION,
    id,
    description: `${action.Name} (from an Amazon DLM event-based policy in ${context.region})`,
    sources: [
      {
        provider: 'aws',
        regions: [context.region],
        owner: { sharedBy: params.SnapshotOwner },
        ...(params.DescriptionRegex === undefined ? {} : { descriptionRegex: params.DescriptionRegex }),
      },
    ],
    destinations: action.CrossRegionCopy.map((c) => ({
      provider: 'aws',
      region: c.Target,
      encryption: {
        encrypted: c.EncryptionConfiguration.Encrypted,
        ...(c.EncryptionConfiguration.CmkArn === undefined
          ? {}
          : { kmsKeyId: c.EncryptionConfiguration.CmkArn }),
      },
      ...(c.RetainRule === undefined
        ? {}
        : { retention: { interval: c.RetainRule.Interval, unit: UNIT[c.RetainRule.IntervalUnit] } }),
    })),
  });
}
