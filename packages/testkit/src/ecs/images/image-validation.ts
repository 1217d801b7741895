import { isValidSnapshotName } from '../validation.js';

/**
 * Image names (CopyImage `DestinationImageName`): 2–128 characters, a letter first,
 * letters, digits, `.`, `:`, `_` and `-`, not starting with `aliyun` or `acs:` and not
 * containing `http://` or `https://` — the snapshot name rule plus those two.
 */
export function isValidImageName(name: string): boolean {
  return isValidSnapshotName(name) && !/^(aliyun|acs:)/i.test(name) && !/https?:\/\//i.test(name);
}

/** Resource group ids: `rg-` and lowercase letters and digits. */
export const RESOURCE_GROUP_RE = /^rg-[a-z0-9]+$/;
