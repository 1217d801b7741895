import type { Capabilities } from './capabilities.js';
import { SnapcopyError } from './errors.js';
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

/**
 * Refuses a request that needs a capability the provider's manifest says it never has.
 * Runs before any provider call. Checks only what the request alone decides; what also
 * depends on the source snapshot (e.g. its encryption) is the adapter's plan's job.
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
    if (!caps.retentionPeriod)
      return unsupported(provider, 'a retention period on the copy', 'retentionPeriod');
    const [min, max] = caps.retentionDaysRange ?? [1, 65536];
    if (req.retentionDays < min || req.retentionDays > max) {
      return new SnapcopyError('INVALID_REQUEST', `retentionDays: must be ${min}-${max} on ${provider}`, {
        provider,
        issues: [{ path: 'retentionDays', message: `must be ${min}-${max}` }],
      });
    }
  }
  if (req.completionDurationMinutes !== undefined) {
    if (!caps.timeBasedCopy) return unsupported(provider, 'time-based copy', 'timeBasedCopy');
  }
  const tagCount = Object.keys(req.tags ?? {}).length;
  if (tagCount > 0 && !caps.tagsOnCopy) return unsupported(provider, 'tags on the copy', 'tagsOnCopy');
  if (tagCount > caps.maxUserTags && caps.tagsOnCopy) {
    return new SnapcopyError('INVALID_REQUEST', `tags: at most ${caps.maxUserTags} tags on ${provider}`, {
      provider,
      issues: [{ path: 'tags', message: `at most ${caps.maxUserTags} tags` }],
    });
  }
  return undefined;
}
