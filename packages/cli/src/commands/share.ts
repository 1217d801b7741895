import { SnapcopyError } from '@snapcopy/core';
import type { ShareFlags } from '../cli-flags.js';
import { openCopier } from '../connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import { ref } from '../output/format.js';
import { Output, outputModeFor } from '../output/output-mode.js';

/**
 * `snapcopy share --snapshot ID --with ACCOUNT`: the source side of a cross-account copy
 * (EC2: a create-volume permission, ModifySnapshotAttribute). Refused (exit 2) on a
 * provider whose manifest says `shareSnapshot: false`.
 */
export async function run(flags: ShareFlags): Promise<number> {
  const output = new Output(outputModeFor(flags.json));
  if (!flags.snapshot)
    throw new SnapcopyError('INVALID_REQUEST', 'missing --snapshot: the id of the snapshot to share');
  if (!flags.region)
    throw new SnapcopyError('INVALID_REQUEST', 'missing --region: the region of the snapshot');
  if (!flags.with || flags.with.length === 0)
    throw new SnapcopyError('INVALID_REQUEST', 'missing --with: the account to share with (repeatable)');
  const copier = await openCopier(flags);
  if (copier.share === undefined) {
    throw new SnapcopyError(
      'UNSUPPORTED',
      `${copier.provider} cannot share a snapshot (capability "shareSnapshot" is false)`,
    );
  }
  const result = await copier.share({ region: flags.region, snapshotId: flags.snapshot }, flags.with);
  output.line(`shared ${ref(result.region, result.snapshotId)} with ${result.accounts.join(', ')}`);
  output.document({ ok: true, share: result });
  return EXIT_CODES.success;
}
