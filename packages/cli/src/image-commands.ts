import {
  type CopyStatus,
  type ImageCopier,
  type ImageCopyRequestInput,
  type ImageCopyStatus,
  type ImageRef,
  SnapcopyError,
  type SnapshotCopier,
} from '@snapcopy/core';
import type { CopyFlags, CopyRefFlags, RequestFlags } from './cli-flags.js';
import { withClientToken } from './commands/copy.js';
import { planAndPrint } from './commands/plan.js';
import { openImageCopier } from './connect.js';
import { withRegionOfCopies } from './copy-refs.js';
import { EXIT_CODES } from './exit-codes.js';
import { outcomeWords } from './follow-copies.js';
import { followOneCopy } from './follow-one-copy.js';
import { readHandleFile } from './image-flags.js';
import { withInterrupt } from './interrupt.js';
import { gib, ref, seconds } from './output/format.js';
import { imagePlanTable, imageStatusRows } from './output/image-tables.js';
import { Output } from './output/output-mode.js';
import { costWords, rowsTable } from './output/tables.js';
import { writeErrorLine } from './report-error.js';
import { requestFromFlags } from './request-from-flags.js';
import { prepareRequestWith } from './request-setup.js';

// The image side of `plan`, `copy`, `status`, `wait` and `cancel` (`--image`): the same
// flags, conventions (profile, configured region, --output, --quiet, --verbose, --prices,
// --force), output and exit codes as for snapshots, through an ImageCopier.

/** A neutral image copy request from the request flags (`--image` names the source). */
export function imageRequestFromFlags(
  flags: RequestFlags,
): ImageCopyRequestInput & { readonly clientToken: string } {
  if (flags.retentionDays !== undefined) {
    throw new SnapcopyError('INVALID_REQUEST', '--retention-days: an image copy has no retention period');
  }
  const { source, retentionDays: _none, ...rest } = requestFromFlags({ ...flags, snapshot: flags.image });
  return {
    ...rest,
    source: {
      region: source.region,
      imageId: source.snapshotId,
      ...(source.account === undefined ? {} : { account: source.account }),
    },
  };
}

/** The image copies a `status`/`wait`/`cancel` command is about, and the provider a handle names. */
function imageRefsFromFlags(flags: CopyRefFlags, single: boolean): { refs: ImageRef[]; provider?: string } {
  let result: { refs: ImageRef[]; provider?: string };
  if (flags.handle !== undefined) {
    if ((flags.image ?? []).length > 0)
      throw new SnapcopyError('INVALID_REQUEST', 'give either --handle or --image, not both');
    const handle = readHandleFile(flags.handle);
    if (typeof handle?.region !== 'string' || typeof handle.imageId !== 'string') {
      throw new SnapcopyError(
        'INVALID_REQUEST',
        `--handle ${flags.handle}: expected the output of "snapcopy copy --image … --json"`,
      );
    }
    result = {
      refs: [{ region: handle.region, imageId: handle.imageId }],
      ...(typeof handle.provider === 'string' ? { provider: handle.provider } : {}),
    };
  } else {
    if (flags.to === undefined) {
      throw new SnapcopyError('INVALID_REQUEST', 'missing --to <region>: the region the image copy is in');
    }
    const region = flags.to;
    result = { refs: (flags.image ?? []).map((imageId) => ({ region, imageId })) };
  }
  if (single && result.refs.length !== 1) {
    throw new SnapcopyError('INVALID_REQUEST', `expected one --image, got ${result.refs.length}`);
  }
  return result;
}

async function openForRefs(flags: CopyRefFlags, single: boolean) {
  const { refs, provider } = imageRefsFromFlags(await withRegionOfCopies(flags, flags.image), single);
  const copier = await openImageCopier({ ...flags, provider: flags.provider ?? provider });
  return { refs, copier };
}

/** An image status in the words the progress board and outcomes read (they name a copy by id). */
const asCopyStatus = (s: ImageCopyStatus): CopyStatus => ({ ...s, snapshotId: s.imageId });

/**
 * Follows one image copy on the same progress board as a snapshot copy; SIGINT/SIGTERM
 * (or `signal`, the caller's interrupt) stop the wait, never the copy. Reports its end
 * as a one-row table and, when it did not complete, one line on stderr.
 */
async function followImage(
  output: Output,
  copier: ImageCopier,
  target: ImageRef,
  label: string,
  flags: CopyRefFlags | CopyFlags,
  signal?: AbortSignal,
) {
  const waiter = {
    provider: copier.provider,
    wait: (
      _ref: unknown,
      options: Parameters<ImageCopier['wait']>[1] & { onProgress?: (s: CopyStatus) => void },
    ) =>
      copier
        .wait(target, {
          ...options,
          onProgress: (s: ImageCopyStatus) => options?.onProgress?.(asCopyStatus(s)),
        })
        .then(asCopyStatus),
  } as unknown as SnapshotCopier;
  const followed = {
    key: label,
    label,
    ref: { region: target.region, snapshotId: target.imageId },
    copier: waiter,
  };
  const result = await followOneCopy(output, followed, flags, signal);
  const { outcome } = result;
  output.line(
    rowsTable(
      output.mode,
      ['image copy', 'outcome', 'waited'],
      [[label, outcomeWords(outcome), seconds(outcome.elapsedMs)]],
    ),
  );
  const error = outcome.error;
  if (error) {
    writeErrorLine(
      error.code === 'CANCELLED'
        ? `snapcopy: CANCELLED: interrupted; the image copy ${label} keeps running (follow it with: snapcopy wait --provider ${copier.provider} --to ${target.region} --image ${target.imageId})`
        : `snapcopy: ${error.code}: ${error.message}`,
    );
  } else if (outcome.status && outcome.status.state !== 'completed') {
    // Scripts read stderr for why a command failed: an image copy that ended badly says so there too.
    const why = outcome.status.message ? `: ${outcome.status.message}` : '';
    const ended = outcome.status.state === 'cancelled' ? 'was cancelled' : outcome.status.state;
    writeErrorLine(`snapcopy: the image copy ${label} ${ended}${why}`);
  }
  return result;
}

/** `snapcopy plan --image`: what an image copy would do per backing snapshot, and cost. */
export function runImagePlan(flags: RequestFlags): Promise<number> {
  return planAndPrint(
    flags,
    () => prepareRequestWith(flags, imageRequestFromFlags),
    () => openImageCopier(flags),
    imagePlanTable,
  );
}

/**
 * `snapcopy copy --image`: plans, starts the image copy, and with `--wait` follows it.
 * SIGINT/SIGTERM stop it at any point; stopped during the copy call, the error names the
 * client token to rerun with, since the copy may have been made.
 */
export function runImageCopy(flags: CopyFlags): Promise<number> {
  return withInterrupt((signal) => copyImageAndFollow(flags, signal));
}

async function copyImageAndFollow(flags: CopyFlags, signal: AbortSignal): Promise<number> {
  const output = Output.for(flags);
  const { request, prices } = await prepareRequestWith(flags, imageRequestFromFlags);
  const copier = await openImageCopier(flags);
  const plan = await copier.plan(request, { signal, ...(prices === undefined ? {} : { prices }) });
  output.info(
    `plan: ${plan.snapshots.length} backing snapshot(s), ${gib(plan.billableGiB.transfer)} billable transfer, ${gib(plan.billableGiB.storage)} storage${plan.cost ? `, ${costWords(plan.cost)}` : ''}`,
  );
  const handle = await copier.copy(request, { plan, signal }).catch((err: unknown) => {
    throw withClientToken(err, request.clientToken);
  });
  const label = `${ref(handle.sourceRegion, handle.sourceImageId)} -> ${ref(handle.region, handle.imageId)}`;
  output.line(
    `image copy ${handle.reused ? 'found (same client token)' : 'started'}: ${label} (client token ${handle.clientToken})`,
  );
  if (!flags.wait) {
    output.document({ ok: true, handle, plan });
    return EXIT_CODES.success;
  }
  const { code, json } = await followImage(output, copier, handle, label, flags, signal);
  output.document({ ok: code === EXIT_CODES.success, handle, plan, ...json });
  return code;
}

/** `snapcopy status --image`: state and progress of image copies, per backing snapshot. */
export async function runImageStatus(flags: CopyRefFlags): Promise<number> {
  const output = Output.for(flags);
  const { refs, copier } = await openForRefs(flags, false);
  const statuses = await withInterrupt((signal) => copier.status(refs, { signal }));
  output.document({ ok: true, statuses });
  const rows = imageStatusRows(statuses);
  if (output.mode === 'tty')
    output.line(rowsTable(output.mode, ['image copy', 'state', 'progress', 'snapshots', 'message'], rows));
  else for (const row of rows) output.line(row.filter((c) => c !== '').join('  '));
  return EXIT_CODES.success;
}

/** `snapcopy wait --image`: follows one image copy; a timeout or interrupt leaves it running. */
export async function runImageWait(flags: CopyRefFlags): Promise<number> {
  const output = Output.for(flags);
  const { refs, copier } = await openForRefs(flags, true);
  const target = refs[0] as ImageRef;
  const { code, json } = await followImage(output, copier, target, ref(target.region, target.imageId), flags);
  output.document({ ok: code === EXIT_CODES.success, copy: target, ...json });
  return code;
}

const SNAPSHOT_WORDS = {
  removed: 'its snapshot copies are deleted',
  'removed-on-completion': 'its snapshot copies still in progress are deleted when they complete',
  kept: 'its snapshot copies are kept',
  none: 'nothing to remove',
} as const;

/**
 * `snapcopy cancel --image`: stops or removes an image copy the provider's way; a copy that
 * has completed only with `--force` (core says what it would remove).
 */
export async function runImageCancel(flags: CopyRefFlags): Promise<number> {
  const output = Output.for(flags);
  const { refs, copier } = await openForRefs(flags, true);
  const target = refs[0] as ImageRef;
  const result = await withInterrupt((signal) =>
    copier.cancel(target, { signal, ...(flags.force === true ? { force: true } : {}) }),
  );
  output.document({ ok: true, cancel: result });
  const when =
    result.takesEffect === 'already-gone'
      ? 'nothing to cancel: the image copy does not exist'
      : result.takesEffect === 'immediate'
        ? `removed now (${copier.capabilities.cancelMethod}); ${SNAPSHOT_WORDS[result.snapshots]}`
        : `removal requested; the provider removes it when the copy completes; ${SNAPSHOT_WORDS[result.snapshots]}`;
  output.line(`${ref(result.region, result.imageId)}: ${when}`);
  return EXIT_CODES.success;
}
