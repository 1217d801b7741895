import { SnapcopyError } from '@snapcopy/core';
import type { ShareFlags } from '../cli-flags.js';
import { regionOrConfigured } from '../configured-regions.js';
import { openCopier, providerFromFlags } from '../connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import { withInterrupt } from '../interrupt.js';
import { ref } from '../output/format.js';
import { Output } from '../output/output-mode.js';

/**
 * `snapcopy share --snapshot ID --with ACCOUNT`: the source side of a cross-account copy
 * (EC2: a create-volume permission, ModifySnapshotAttribute). Refused (exit 2) on a
 * provider whose manifest says `shareSnapshot: false`.
 */
export async function run(flags: ShareFlags): Promise<number> {
  const output = Output.for(flags);
  if (!flags.snapshot)
    throw new SnapcopyError('INVALID_REQUEST', 'missing --snapshot: the id of the snapshot to share');
  if (!flags.with || flags.with.length === 0)
    throw new SnapcopyError('INVALID_REQUEST', 'missing --with: the account to share with (repeatable)');
  const region = await regionOrConfigured(
    providerFromFlags(flags),
    flags.region,
    flags.profile,
    '--region: the region of the snapshot',
  );
  const copier = await openCopier(flags);
  const share = copier.share?.bind(copier);
  if (share === undefined) {
    throw new SnapcopyError(
      'UNSUPPORTED',
      `${copier.provider} cannot share a snapshot (capability "shareSnapshot" is false)`,
    );
  }
  const result = await withInterrupt((signal) =>
    share({ region, snapshotId: flags.snapshot as string }, flags.with as readonly string[], { signal }),
  );
  output.line(`shared ${ref(result.region, result.snapshotId)} with ${result.accounts.join(', ')}`);
  output.document({ ok: true, share: result });
  return EXIT_CODES.success;
}
