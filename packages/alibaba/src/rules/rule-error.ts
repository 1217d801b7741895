import { type ErrorCode, SnapcopyError } from '@snapcopy/core';

/** The provider name snapcopy uses for Alibaba Cloud ECS in errors and plans. */
export const ALIBABA_PROVIDER = 'alibaba';

/** Facts attached to an error raised by an Alibaba rule before any provider call. */
export interface AlibabaRuleRefusal {
  /** Short name of the rule that refused, e.g. `same-region-standard-copy`. */
  readonly rule: string;
  /** The ECS error code the API would have answered with, when there is one. */
  readonly mirrors?: string;
  /** The capability flag involved, when the refusal is a narrower case of one. */
  readonly capability?: string;
  /** The request field at fault, for `INVALID_REQUEST`. */
  readonly path?: string;
  /** What the caller can change to be accepted. */
  readonly remedy?: string;
}

/**
 * Builds the error for a request this provider refuses *for this request*
 * (`details.scope === 'request'`), as opposed to a capability the manifest says it never
 * has. Callers tell the two apart by `details.scope`, and can fall back (e.g. ask for an
 * encrypted copy) when the scope is `request`.
 */
export function refuse(code: ErrorCode, message: string, refusal: AlibabaRuleRefusal): SnapcopyError {
  const details: Record<string, unknown> = { scope: 'request', rule: refusal.rule };
  if (refusal.mirrors !== undefined) details.mirrorsProviderCode = refusal.mirrors;
  if (refusal.capability !== undefined) details.capability = refusal.capability;
  if (refusal.remedy !== undefined) details.remedy = refusal.remedy;
  return new SnapcopyError(code, message, {
    provider: ALIBABA_PROVIDER,
    details,
    ...(refusal.path === undefined ? {} : { issues: [{ path: refusal.path, message }] }),
  });
}
