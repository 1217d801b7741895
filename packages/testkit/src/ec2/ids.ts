import { hexId } from '../sim/world.js';

/** `snap-` + 8 (old) or 17 hex digits. */
export const SNAPSHOT_ID_RE = /^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** `vol-` + 8 (old) or 17 hex digits. */
export const VOLUME_ID_RE = /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** A new EC2 snapshot id. */
export const newSnapshotId = (): string => `snap-${hexId(17)}`;
/** A new EC2 volume id. */
export const newVolumeId = (): string => `vol-${hexId(17)}`;
/** The volume id EC2 shows on copies: arbitrary, not to be used. */
export const COPY_VOLUME_ID = 'vol-ffffffff';
