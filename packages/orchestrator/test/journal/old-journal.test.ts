// A journal file written before copies had a kind (schema version 1, snapshots only) is
// migrated when opened and its batch resumes: nothing copied twice, nothing forgotten.
// The file is written here exactly as version 1 wrote it: its tables, its stamp, its rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CopyOrchestrator, openSqliteJournal } from '@snapcopy/orchestrator';
import { JOURNAL_APPLICATION_ID } from '@snapcopy/orchestrator/runner';
import { afterEach, describe, expect, it } from 'vitest';
import { copiesPerToken, copyCallsFor, DESTINATION, referenceWorld } from '../support/reference-world.js';

/** The tables of a version-1 journal, as that version created them. */
const VERSION_1_SCHEMA = `
CREATE TABLE batches (batch_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, size INTEGER NOT NULL);
CREATE TABLE copies (
  batch_id TEXT NOT NULL REFERENCES batches(batch_id), idx INTEGER NOT NULL, copier TEXT NOT NULL,
  request TEXT NOT NULL, client_token TEXT NOT NULL, state TEXT NOT NULL, plan TEXT, dest_region TEXT,
  dest_snapshot_id TEXT, attempts INTEGER NOT NULL DEFAULT 0, error TEXT, updated_at INTEGER NOT NULL,
  PRIMARY KEY (batch_id, idx)
) WITHOUT ROWID;
CREATE INDEX copies_unfinished ON copies (batch_id, idx) WHERE state NOT IN ('completed', 'failed', 'cancelled');
CREATE TABLE batch_leases (
  batch_id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL,
  acquired_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL
);
PRAGMA user_version = 1;
PRAGMA application_id = ${JOURNAL_APPLICATION_ID};
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('a journal of schema version 1 (before images)', () => {
  it('is migrated on open and its batch resumes: the copies it records are found, not made again', async () => {
    const w = referenceWorld();
    const dir = mkdtempSync(join(tmpdir(), 'snapcopy-old-journal-'));
    dirs.push(dir);
    const file = join(dir, 'journal.db');
    const requests = w.requests(3).map((r, i) => ({ ...r, clientToken: `old.${i}` }));
    // Version 1's run got this far: #0 tracked (its copy made), #1 sent (made, reply not
    // recorded), #2 only queued. The cloud holds the copies of #0 and #1.
    const made = [await w.copier.copy(requests[0]!), await w.copier.copy(requests[1]!)];
    const raw = new DatabaseSync(file);
    raw.exec(VERSION_1_SCHEMA);
    raw.prepare('INSERT INTO batches VALUES (?, ?, ?)').run('old', 1, 3);
    const insert = raw.prepare(
      `INSERT INTO copies (batch_id, idx, copier, request, client_token, state, dest_region, dest_snapshot_id,
         attempts, updated_at) VALUES ('old', ?, 'ref', ?, ?, ?, ?, ?, ?, 1)`,
    );
    insert.run(0, JSON.stringify(requests[0]), 'old.0', 'pending', DESTINATION, made[0]!.snapshotId, 1);
    insert.run(1, JSON.stringify(requests[1]), 'old.1', 'copying', null, null, 1);
    insert.run(2, JSON.stringify(requests[2]), 'old.2', 'queued', null, null, 0);
    raw.close();

    const journal = await openSqliteJournal(file, { now: () => w.clock.now() });
    expect((await journal.listEntries('old')).map((e) => [e.kind, e.state, e.destination])).toEqual([
      ['snapshot', 'pending', { region: DESTINATION, snapshotId: made[0]!.snapshotId }],
      ['snapshot', 'copying', undefined],
      ['snapshot', 'queued', undefined],
    ]);
    const result = await new CopyOrchestrator({
      copiers: { ref: w.copier },
      journal,
      clock: w.clock,
    }).resume('old');
    await journal.close();

    expect(result.results.map((r) => [r.kind, r.outcome, r.resumed])).toEqual([
      ['snapshot', 'completed', true],
      ['snapshot', 'completed', true],
      ['snapshot', 'completed', false],
    ]);
    const perToken = copiesPerToken(w.cloud);
    expect([...perToken.keys()].sort()).toEqual(['old.0', 'old.1', 'old.2']);
    for (const [i, r] of result.results.entries()) {
      expect(perToken.get(`old.${i}`)?.map((s) => s.id)).toEqual([
        r.kind === 'snapshot' ? r.destination?.snapshotId : undefined,
      ]);
    }
    // #0 and #1 were made once, by the version-1 run; only #2 was sent now.
    expect(copyCallsFor(w.cloud, 'old.0')).toHaveLength(1);
    expect(copyCallsFor(w.cloud, 'old.1')).toHaveLength(1);
    expect(copyCallsFor(w.cloud, 'old.2')).toHaveLength(1);

    // The file is of the current version now, its rows kept.
    const after = new DatabaseSync(file);
    expect(after.prepare('PRAGMA user_version').get()).toEqual({ user_version: 2 });
    const columns = (after.prepare('PRAGMA table_info(copies)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    expect(columns).toEqual(expect.arrayContaining(['kind', 'dest_image_id', 'dest_snapshot_id']));
    expect(after.prepare("SELECT count(*) AS n FROM copies WHERE kind = 'snapshot'").get()).toEqual({ n: 3 });
    after.close();
  });
});
