import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CancelLedger, CancelRecord } from '@snapcopy/core';

/**
 * Where the CLI keeps state between runs: `$SNAPCOPY_STATE_DIR`, else
 * `$XDG_STATE_HOME/snapcopy`, else `~/.local/state/snapcopy` (the XDG Base Directory
 * specification's default for state).
 */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SNAPCOPY_STATE_DIR) return env.SNAPCOPY_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'snapcopy');
  return join(homedir(), '.local', 'state', 'snapcopy');
}

/**
 * The copies the CLI cancelled, one JSON line each in `cancelled.jsonl` under the state
 * directory, so that `snapcopy status` in any later process reads a copy it cancelled as
 * `cancelled` once the cloud no longer shows it. Appends only; the newest line wins.
 */
export class FileCancelLedger implements CancelLedger {
  readonly file: string;

  constructor(directory: string = stateDirectory()) {
    this.file = join(directory, 'cancelled.jsonl');
  }

  record(entry: CancelRecord): void {
    mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 });
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }

  lookup(provider: string, region: string, id: string): CancelRecord | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
    let found: CancelRecord | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const r = JSON.parse(line) as CancelRecord;
        if (r.provider === provider && r.region === region && r.id === id) found = r;
      } catch {
        // A torn last line (a crash mid-write) is skipped.
      }
    }
    return found;
  }
}
