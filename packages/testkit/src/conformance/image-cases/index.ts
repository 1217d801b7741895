import type { ImageConformanceCase } from '../image-case.js';
import { imageCancelCases } from './cancel.js';
import { imageCapabilityCases } from './capabilities.js';
import { imageErrorCases } from './errors.js';
import { imageIdempotencyCases } from './idempotency.js';
import { imageInputCases } from './input.js';
import { imageManifestCases } from './manifest.js';
import { imagePlanCases } from './plan.js';
import { imageTrackingCases } from './tracking.js';

/**
 * Every case of the ImageCopier conformance suite, in order. The list is the same for every
 * copier: a case branches on the image manifest inside (a false flag is asserted), so the
 * count of cases is the count of tests each copier runs.
 */
export const IMAGE_COPIER_CONFORMANCE_CASES: readonly ImageConformanceCase[] = Object.freeze([
  ...imageManifestCases,
  ...imageInputCases,
  ...imageCapabilityCases,
  ...imagePlanCases,
  ...imageTrackingCases,
  ...imageCancelCases,
  ...imageIdempotencyCases,
  ...imageErrorCases,
]);
