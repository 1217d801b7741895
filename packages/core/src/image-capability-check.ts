import { checkCompletionDuration, checkTagCount, unsupported } from './capability-check.js';
import type { SnapcopyError } from './errors.js';
import type { ImageCapabilities } from './image-capabilities.js';
import type { ImageCopyRequest } from './image-request.js';

/**
 * Refuses an image copy request that needs a capability the provider's image manifest says
 * it never has. Runs before any provider call and checks only what the request alone
 * decides; what depends on the source image (its encryption, its owner, its backing) is the
 * adapter's plan's job.
 */
export function checkImageRequestAgainstCapabilities(
  provider: string,
  caps: ImageCapabilities,
  req: ImageCopyRequest,
): SnapcopyError | undefined {
  const sameRegion = req.source.region === req.destination.region;
  if (!sameRegion && !caps.crossRegionCopy) {
    return unsupported(provider, 'copying an image to another region', 'crossRegionCopy');
  }
  if (sameRegion && !caps.sameRegionCopy) {
    return unsupported(provider, 'copying an image within its region', 'sameRegionCopy');
  }
  if (req.source.account !== undefined) {
    if (!caps.crossAccountCopy) {
      return unsupported(provider, 'copying an image shared by another account', 'crossAccountCopy');
    }
    if (!sameRegion && !caps.crossAccountCopyAcrossRegions) {
      return unsupported(
        provider,
        'copying an image shared by another account to another region (copy it within its region first)',
        'crossAccountCopyAcrossRegions',
      );
    }
  }
  if (req.encryption?.kmsKeyId !== undefined && !caps.encryptOnCopy && !caps.changeKeyOnCopy) {
    return unsupported(provider, 'choosing the key of the backing snapshot copies', 'changeKeyOnCopy');
  }
  if (req.copySourceTags === true && !caps.copySourceTags) {
    return unsupported(provider, "carrying the source image's tags to the copy", 'copySourceTags');
  }
  return (
    checkCompletionDuration(
      provider,
      caps.timeBasedCopy,
      caps.completionDurationMinutes,
      req.completionDurationMinutes,
    ) ??
    checkTagCount(provider, caps.tagsOnCopy, caps.maxUserTags, req.tags, 'tags', 'tagsOnCopy') ??
    checkTagCount(
      provider,
      caps.snapshotTagsOnCopy,
      caps.maxSnapshotTags,
      req.snapshotTags,
      'snapshotTags',
      'snapshotTagsOnCopy',
    )
  );
}
