import type { SimKey } from './world.js';

/**
 * A key's state as both KMS APIs name it. Only `Enabled` keys encrypt or decrypt; both
 * clouds still describe keys in the other states.
 */
export type SimKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';

/** The state of a simulated key: a pending deletion or import wins over `enabled`. */
export function simKeyState(key: Pick<SimKey, 'enabled' | 'pending'>): SimKeyState {
  if (key.pending === 'deletion') return 'PendingDeletion';
  if (key.pending === 'import') return 'PendingImport';
  return key.enabled ? 'Enabled' : 'Disabled';
}

/** Sets a key's state (the inverse of {@link simKeyState}); a pending deletion needs its date. */
export function setSimKeyState(key: SimKey, state: SimKeyState, deletionDate?: number): void {
  key.enabled = state === 'Enabled';
  if (state === 'PendingDeletion') {
    key.pending = 'deletion';
    if (deletionDate !== undefined) key.deletionDate = deletionDate;
  } else {
    if (state === 'PendingImport') key.pending = 'import';
    else delete key.pending;
    delete key.deletionDate;
  }
}

/** Default waiting period of a scheduled key deletion on both clouds: 30 days. */
export const DEFAULT_DELETION_WINDOW_MS = 30 * 86_400_000;

/** Puts a new key in `state`; a pending deletion without a date goes 30 days after `now`. */
export function applyKeyState(
  key: SimKey,
  state: SimKeyState,
  deletionDate: Date | number | undefined,
  now: number,
): void {
  setSimKeyState(
    key,
    state,
    state === 'PendingDeletion'
      ? deletionDate === undefined
        ? now + DEFAULT_DELETION_WINDOW_MS
        : new Date(deletionDate).getTime()
      : undefined,
  );
}

/** Whether the key can encrypt and decrypt for `account`: enabled, reachable, owned or granted. */
export function simKeyUsableBy(key: SimKey | undefined, account: string): key is SimKey {
  return (
    !!key &&
    simKeyState(key) === 'Enabled' &&
    key.accessible &&
    (key.account === account || key.usableBy.has(account))
  );
}
