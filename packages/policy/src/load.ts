import { SnapcopyError } from '@snapcopy/core';
import { type PolicyDocument, parsePolicyDocument } from './document.js';
import { dlmToPolicy, looksLikeDlm } from './dlm.js';

/** Which format a policy file was written in. */
export type PolicyFormat = 'snapcopy' | 'dlm';

/** What {@link loadPolicy} needs besides the document. */
export interface LoadPolicyContext {
  /** The region of a DLM document (which names none); ignored for snapcopy documents. */
  readonly region?: string;
  /** The id to give a DLM document (default: derived from it). */
  readonly id?: string;
}

/**
 * Reads a policy in either format: a snapcopy policy document, or an Amazon DLM
 * event-based policy (`policyDetails.json`, unchanged). Throws `INVALID_REQUEST`.
 */
export function loadPolicy(
  doc: unknown,
  context: LoadPolicyContext = {},
): { policy: PolicyDocument; format: PolicyFormat } {
  if (!looksLikeDlm(doc)) return { policy: parsePolicyDocument(doc), format: 'snapcopy' };
  if (context.region === undefined) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      'a DLM policy names no region (it lives in one): give --region, a profile with a region, or AWS_REGION',
      { issues: [{ path: 'region', message: 'required for a DLM policy' }] },
    );
  }
  return {
    policy: dlmToPolicy(doc, {
      region: context.region,
      ...(context.id === undefined ? {} : { id: context.id }),
    }),
    format: 'dlm',
  };
}

/** Parses a policy file's text (JSON). Throws `INVALID_REQUEST` naming what is wrong. */
export function parsePolicyText(
  text: string,
  context: LoadPolicyContext = {},
): { policy: PolicyDocument; format: PolicyFormat } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new SnapcopyError('INVALID_REQUEST', `the policy is not JSON: ${(err as Error).message}`);
  }
  return loadPolicy(doc, context);
}
