import type { CopyRefFlags } from '../cli-flags.js';
import { openCopierForRefs } from '../copy-refs.js';
import { EXIT_CODES } from '../exit-codes.js';
import { refsAreImages } from '../image-flags.js';
import { followOneCopy, reportFollowedCopy } from '../follow-one-copy.js';
import { ref } from '../output/format.js';
import { Output } from '../output/output-mode.js';

/** `snapcopy wait`: follows one copy to its end; a timeout or interrupt leaves it running. */
export async function run(flags: CopyRefFlags): Promise<number> {
  if (refsAreImages(flags)) return (await import('../image-commands.js')).runImageWait(flags);
  const output = Output.for(flags);
  const { refs, copier } = await openCopierForRefs(flags, true);
  const target = refs[0] as (typeof refs)[number];
  const label = ref(target.region, target.snapshotId);
  const followed = { key: label, label, ref: target, copier };
  const { outcome, code, json } = await followOneCopy(output, followed, flags);
  output.document({ ok: code === EXIT_CODES.success, copy: target, ...json });
  reportFollowedCopy(output, followed, outcome, 'waited');
  return code;
}
