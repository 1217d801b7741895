import type { Logger } from '@snapcopy/core';
import type { ConformanceLogLine } from './harness.js';

/** A logger that keeps every line, for {@link ConformanceHarness.logs}. */
export function captureLogger(): { logger: Logger; lines: ConformanceLogLine[] } {
  const lines: ConformanceLogLine[] = [];
  const keep =
    (level: ConformanceLogLine['level']) => (message: string, fields?: Readonly<Record<string, unknown>>) => {
      lines.push(fields === undefined ? { level, message } : { level, message, fields });
    };
  return { logger: { debug: keep('debug'), info: keep('info'), warn: keep('warn') }, lines };
}
