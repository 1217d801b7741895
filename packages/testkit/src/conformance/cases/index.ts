import type { ConformanceCase } from '../case.js';
import { cancelCases } from './cancel.js';
import { capabilityCases } from './capabilities.js';
import { encryptionCases, planCases } from './encryption.js';
import { errorCases } from './errors.js';
import { idempotencyCases } from './idempotency.js';
import { invalidInputCases } from './invalid-input.js';
import { listingCases } from './listing.js';
import { manifestCases } from './manifest.js';
import { statusCases } from './status.js';
import { waitCases } from './wait.js';

/**
 * Every case of the SnapshotCopier conformance suite, in order. The list is the same for
 * every copier: a case branches on the manifest inside (a false flag is asserted), so
 * the count of cases is the count of tests each copier runs.
 */
export const SNAPSHOT_COPIER_CONFORMANCE_CASES: readonly ConformanceCase[] = Object.freeze([
  ...manifestCases,
  ...invalidInputCases,
  ...capabilityCases,
  ...encryptionCases,
  ...planCases,
  ...statusCases,
  ...waitCases,
  ...cancelCases,
  ...idempotencyCases,
  ...errorCases,
  ...listingCases,
]);
