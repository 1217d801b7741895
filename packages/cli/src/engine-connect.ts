import { SnapcopyError } from '@snapcopy/core';

/**
 * The database URL of `--engine dbos`, `worker` and `recover`: the flag, else
 * `SNAPCOPY_DATABASE_URL` (commander reads both); a `postgresql://` URL. Checked before the
 * engine (and DBOS) is loaded.
 */
export function requireDatabaseUrl(value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      'missing --database-url: the PostgreSQL the workers share, postgresql://user:password@host:5432/db (or set SNAPCOPY_DATABASE_URL)',
    );
  }
  if (!/^postgres(ql)?:\/\/[^\s]+$/.test(value.trim())) {
    throw new SnapcopyError('INVALID_REQUEST', '--database-url must be a postgresql:// URL');
  }
  return value.trim();
}
