import type { DLogger } from '@dbos-inc/dbos-sdk';
import type { Logger } from '@snapcopy/core';

const LEVELS = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/** DBOS's log levels, least to most severe. */
export type DbosLogLevel = keyof typeof LEVELS;

function text(entry: unknown): string {
  if (entry instanceof Error) return entry.message;
  return typeof entry === 'string' ? entry : JSON.stringify(entry);
}

/**
 * DBOS's own logging routed to snapcopy's logger (redacted, silent by default) instead of
 * the console: what DBOS says at `level` or above, as `warn` for warnings and errors and
 * `info` below. A worker's stdout stays its own (a `--json` document, progress lines).
 */
export function dbosLogger(logger: Logger, level: DbosLogLevel = 'warn'): DLogger {
  const at = LEVELS[level];
  const write = (severity: DbosLogLevel, entry: unknown) => {
    if (LEVELS[severity] < at) return;
    const fields = { source: 'dbos', level: severity };
    if (LEVELS[severity] >= LEVELS.warn) logger.warn(text(entry), fields);
    else logger.info(text(entry), fields);
  };
  return {
    debug: (e) => write('debug', e),
    info: (e) => write('info', e),
    warn: (e) => write('warn', e),
    error: (e) => write('error', e),
  };
}
