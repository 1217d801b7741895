import type { Capabilities } from './capabilities.js';
import { SnapcopyError } from './errors.js';
import { LINEAGE_TAGS } from './lineage.js';
import { STATE_TAGS } from './observed-copy.js';
import type { CopyRequest } from './request.js';

/** The error for a request that needs a capability the manifest says is false. */
export function unsupported(provider: string, what: string, flag: string): SnapcopyError {
  return new SnapcopyError(
    'UNSUPPORTED',
    `${provider} does not support ${what} (capability "${flag}" is false)`,
    // scope 'capability': never supported by this provider (its manifest says so), as
    // opposed to scope 'request': refused for this request, which an adapter's rules raise.
    { provider, details: { scope: 'capability', capability: flag } },
  );
}

/** The error for a value outside the range the manifest states. */
export function outOfRange(provider: string, path: string, message: string): SnapcopyError {
  return new SnapcopyError('INVALID_REQUEST', `${path}: ${message} on ${provider}`, {
    provider,
    issues: [{ path, message }],
  });
}

/**
 * Refuses a request that needs a capability the provider's manifest says it never has.
 * Runs before any provider call. Checks only what the request alone decides, with the
 * limits the manifest states (retention range, completion-duration range and step, tag
 * count); what also depends on the source (e.g. its encryption) is the adapter's plan's job.
 */
export function checkRequestAgainstCapabilities(
  provider: string,
  caps: Capabilities,
  req: CopyRequest,
): SnapcopyError | undefined {
  const sameRegion = req.source.region === req.destination.region;
  if (!sameRegion && !caps.crossRegionCopy)
    return unsupported(provider, 'cross-region copy', 'crossRegionCopy');
  if (sameRegion && req.encryption?.encrypted === false && !caps.sameRegionStandardCopy) {
    return unsupported(provider, 'an unencrypted copy in the same region', 'sameRegionStandardCopy');
  }
  if (sameRegion && req.encryption?.encrypted === true && !caps.sameRegionEncryptedCopy) {
    return unsupported(provider, 'an encrypted copy in the same region', 'sameRegionEncryptedCopy');
  }
  if (req.source.account !== undefined && !caps.crossAccountCopy) {
    return unsupported(provider, 'copying a snapshot shared by another account', 'crossAccountCopy');
  }
  if (req.retentionDays !== undefined) {
    if (!caps.retentionPeriod || caps.retentionDaysRange === null)
      return unsupported(provider, 'a retention period on the copy', 'retentionPeriod');
    const [min, max] = caps.retentionDaysRange;
    if (req.retentionDays < min || req.retentionDays > max) {
      return outOfRange(provider, 'retentionDays', `must be ${min}-${max} days`);
    }
  }
  const timeBased = checkCompletionDuration(
    provider,
    caps.timeBasedCopy,
    caps.completionDurationMinutes,
    req.completionDurationMinutes,
  );
  if (timeBased) return timeBased;
  const ownKeys = new Set<string>([...Object.values(LINEAGE_TAGS), ...Object.values(STATE_TAGS)]);
  const clash = Object.keys(req.snapcopyTags ?? {}).find((k) => ownKeys.has(k));
  if (clash !== undefined) {
    return new SnapcopyError(
      'INVALID_REQUEST',
      `snapcopyTags: ${clash} is written by the copy protocol itself`,
      {
        provider,
        issues: [{ path: `snapcopyTags.${clash}`, message: 'a lineage or state tag; choose another key' }],
      },
    );
  }
  // snapcopy's own tags take the same slots as the caller's (their keys never meet: the
  // caller's may not start with the prefix, snapcopy's must).
  const allTags = { ...req.tags, ...req.snapcopyTags };
  const tags = checkTagCount(provider, caps.tagsOnCopy, caps.maxUserTags, allTags, 'tags', 'tagsOnCopy');
  if (tags) return tags;
  return undefined;
}

/**
 * Refuses a completion duration the manifest does not allow: `UNSUPPORTED` without
 * time-based copy, `INVALID_REQUEST` outside the range or off its step.
 */
export function checkCompletionDuration(
  provider: string,
  timeBasedCopy: boolean,
  limits: { readonly min: number; readonly max: number; readonly step: number } | null,
  minutes: number | undefined,
): SnapcopyError | undefined {
  if (minutes === undefined) return undefined;
  if (!timeBasedCopy || limits === null) return unsupported(provider, 'time-based copy', 'timeBasedCopy');
  if (minutes < limits.min || minutes > limits.max) {
    return outOfRange(provider, 'completionDurationMinutes', `must be ${limits.min}-${limits.max} minutes`);
  }
  if (minutes % limits.step !== 0) {
    return outOfRange(provider, 'completionDurationMinutes', `must be a multiple of ${limits.step} minutes`);
  }
  return undefined;
}

/** Refuses tags the manifest does not allow: `UNSUPPORTED` without the flag, `INVALID_REQUEST` beyond the count. */
export function checkTagCount(
  provider: string,
  supported: boolean,
  max: number,
  tags: Readonly<Record<string, string>> | undefined,
  path: string,
  flag: string,
): SnapcopyError | undefined {
  const count = Object.keys(tags ?? {}).length;
  if (count > 0 && !supported) return unsupported(provider, `${path} on the copy`, flag);
  if (count > max && supported) {
    return new SnapcopyError('INVALID_REQUEST', `${path}: at most ${max} tags on ${provider}`, {
      provider,
      issues: [{ path, message: `at most ${max} tags` }],
    });
  }
  return undefined;
}
