import type { Capabilities } from './capabilities.js';
import { SnapcopyError } from './errors.js';
import { LINEAGE_TAGS } from './lineage.js';
import { STATE_TAGS } from './observed-copy.js';
import type { CopyRequest } from './request.js';

function unsupported(provider: string, what: string, flag: keyof Capabilities): SnapcopyError {
  return new SnapcopyError(
    'UNSUPPORTED',
    `${provider} does not support ${what} (capability "${flag}" is false)`,
    // scope 'capability': never supported by this provider (its manifest says so), as
    // opposed to scope 'request': refused for this request, which an adapter's rules raise.
    { provider, details: { scope: 'capability', capability: flag } },
  );
}

function outOfRange(provider: string, path: string, message: string): SnapcopyError {
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
  if (req.completionDurationMinutes !== undefined) {
    const limits = caps.completionDurationMinutes;
    if (!caps.timeBasedCopy || limits === null)
      return unsupported(provider, 'time-based copy', 'timeBasedCopy');
    const m = req.completionDurationMinutes;
    if (m < limits.min || m > limits.max) {
      return outOfRange(provider, 'completionDurationMinutes', `must be ${limits.min}-${limits.max} minutes`);
    }
    if (m % limits.step !== 0) {
      return outOfRange(
        provider,
        'completionDurationMinutes',
        `must be a multiple of ${limits.step} minutes`,
      );
    }
  }
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
  // snapcopy's own tags take the same slots as the caller's.
  const tagCount = Object.keys(req.tags ?? {}).length + Object.keys(req.snapcopyTags ?? {}).length;
  if (tagCount > 0 && !caps.tagsOnCopy) return unsupported(provider, 'tags on the copy', 'tagsOnCopy');
  if (tagCount > caps.maxUserTags && caps.tagsOnCopy) {
    return new SnapcopyError('INVALID_REQUEST', `tags: at most ${caps.maxUserTags} tags on ${provider}`, {
      provider,
      issues: [{ path: 'tags', message: `at most ${caps.maxUserTags} tags` }],
    });
  }
  return undefined;
}
