import type { CopyRefFlags } from '../cli-flags.js';
import { openCopierForRefs } from '../copy-refs.js';
import { EXIT_CODES } from '../exit-codes.js';
import { refsAreImages } from '../image-flags.js';
import { withInterrupt } from '../interrupt.js';
import { ref } from '../output/format.js';
import { Output } from '../output/output-mode.js';

const EFFECT_WORDS = {
  immediate: 'deleted now; the copy is gone, finished or not',
  'on-completion': 'deletion requested; the provider removes the copy when it completes',
  'already-gone': 'nothing to cancel: the copy does not exist',
} as const;

/** `snapcopy cancel`: deletes a copy and says when that takes effect. */
export async function run(flags: CopyRefFlags): Promise<number> {
  if (refsAreImages(flags)) return (await import('../image-commands.js')).runImageCancel(flags);
  const output = Output.for(flags);
  const { refs, copier } = await openCopierForRefs(flags, true);
  const target = refs[0] as (typeof refs)[number];
  // A completed copy is deleted only with --force; without it core says what it would delete.
  const result = await withInterrupt((signal) =>
    copier.cancel(target, { signal, ...(flags.force === true ? { force: true } : {}) }),
  );
  output.document({ ok: true, cancel: result });
  output.line(
    `${ref(result.region, result.snapshotId)}: ${EFFECT_WORDS[result.takesEffect]}${result.message ? ` (${result.message})` : ''}`,
  );
  return EXIT_CODES.success;
}
