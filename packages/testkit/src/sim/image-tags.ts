/**
 * The source image's own tags a copy carries when it is asked to copy them (EC2's
 * `CopyImageTags`, which the reference cloud follows): never `aws:` system tags; from an
 * image another account owns, only tags under `sharedPrefix` (the owner attached the
 * others for itself).
 */
export function sourceTagsCarried(
  image: { readonly account: string; readonly tags: ReadonlyMap<string, string> },
  caller: string,
  sharedPrefix: string,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of image.tags) {
    if (k.toLowerCase().startsWith('aws:')) continue;
    if (image.account !== caller && !k.startsWith(sharedPrefix)) continue;
    out.set(k, v);
  }
  return out;
}
