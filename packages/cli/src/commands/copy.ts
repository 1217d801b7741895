import { isSnapcopyError, SnapcopyError } from '@snapcopy/core';
import type { CopyFlags, GroupCopyFlags } from '../cli-flags.js';
import { openCopier } from '../connect.js';
import { EXIT_CODES } from '../exit-codes.js';
import { followOneCopy, reportFollowedCopy } from '../follow-one-copy.js';
import { withInterrupt } from '../interrupt.js';
import { encryptionWords, gib, ref } from '../output/format.js';
import { Output } from '../output/output-mode.js';
import { costWords } from '../output/tables.js';
import { requestIsForImage } from '../image-flags.js';
import { prepareRequest } from '../request-setup.js';

/**
 * The copy call's error, naming the client token: after a failure (above all a lost
 * reply) rerunning with that token never makes a second copy.
 */
export function withClientToken(err: unknown, token: string): unknown {
  if (!isSnapcopyError(err)) return err;
  return new SnapcopyError(
    err.code,
    `${err.message}; client token ${token}: rerun with --client-token ${token} to retry without making a second copy`,
    {
      retryable: err.retryable,
      ambiguous: err.ambiguous,
      issues: err.issues,
      cause: err,
      details: { ...err.details, clientToken: token },
      ...(err.providerCode === undefined ? {} : { providerCode: err.providerCode }),
      ...(err.requestId === undefined ? {} : { requestId: err.requestId }),
      ...(err.httpStatus === undefined ? {} : { httpStatus: err.httpStatus }),
      ...(err.provider === undefined ? {} : { provider: err.provider }),
    },
  );
}

/**
 * `snapcopy copy`: plans, starts the copy, and with `--wait` follows it to its end (or, with
 * `--group-tag`/`--group-id`, copies one multi-volume set; with `--image`, one machine
 * image). SIGINT/SIGTERM stop it at any point; stopped during the copy call, the error
 * names the client token to rerun with, since the copy may have been made.
 */
export async function run(flags: CopyFlags & GroupCopyFlags): Promise<number> {
  const group = flags.groupTag !== undefined || flags.groupId !== undefined;
  if (requestIsForImage(flags)) {
    if (group) throw new SnapcopyError('INVALID_REQUEST', '--image and a group flag contradict each other');
    return (await import('../image-commands.js')).runImageCopy(flags);
  }
  if (group) return (await import('./copy-group.js')).run(flags);
  return withInterrupt((signal) => copyAndFollow(flags, signal));
}

async function copyAndFollow(flags: CopyFlags, signal: AbortSignal): Promise<number> {
  const output = Output.for(flags);
  const { request, prices } = await prepareRequest(flags);
  const copier = await openCopier(flags);
  const plan = await copier.plan(request, { signal, ...(prices === undefined ? {} : { prices }) });
  output.info(
    `plan: ${plan.transfer} transfer, ${gib(plan.billableGiB.transfer)} billable transfer, ${gib(plan.billableGiB.storage)} storage, ${encryptionWords(plan)}${plan.cost ? `, ${costWords(plan.cost)}` : ''}`,
  );
  const handle = await copier.copy(request, { plan, signal }).catch((err: unknown) => {
    throw withClientToken(err, request.clientToken);
  });
  const label = `${ref(handle.sourceRegion, handle.sourceSnapshotId)} -> ${ref(handle.region, handle.snapshotId)}`;
  output.line(
    `copy ${handle.reused ? 'found (same client token)' : 'started'}: ${label} (client token ${handle.clientToken})`,
  );
  if (!flags.wait) {
    output.document({ ok: true, handle, plan });
    return EXIT_CODES.success;
  }

  const followed = { key: handle.snapshotId, label, ref: handle, copier };
  const { outcome, code, json } = await followOneCopy(output, followed, flags, signal);
  output.document({ ok: code === EXIT_CODES.success, handle, plan, ...json });
  reportFollowedCopy(output, followed, outcome, 'took');
  return code;
}
