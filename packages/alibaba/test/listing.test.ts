import type { CopyPlan } from '@snapcopy/core';
import type { NormalizedCopyRequest, NormalizedListQuery } from '@snapcopy/core/driver';
import { describe, expect, it } from 'vitest';
import { buildCopySnapshotParams } from '../src/copy-params.js';
import { describeSnapshotsListFilter } from '../src/list-params.js';
import { validateAlibabaRequestFields } from '../src/rules/validation.js';
import { type EcsSnapshot, snapshotSummary } from '../src/snapshot-view.js';

/** An SDK snapshot model from plain fields (the SDK's classes add only methods). */
const ecs = (fields: Record<string, unknown>) => fields as unknown as EcsSnapshot;

const base: NormalizedListQuery = { region: 'cn-hangzhou', owner: 'self', tags: {}, pageSize: 100 };

// DescribeSnapshots for each kind of listing (ECS API 2014-05-26, DescribeSnapshots).
const ROWS: { rule: string; query: NormalizedListQuery; cursor?: string; filter: Record<string, unknown> }[] =
  [
    { rule: "own snapshots, ECS's largest page", query: base, filter: { maxResults: 100 } },
    {
      rule: 'tags as Tag.N; one state as Status (completed = accomplished)',
      query: { ...base, tags: { team: 'db' }, states: ['completed'], pageSize: 20 },
      filter: { maxResults: 20, tags: { team: 'db' }, status: 'accomplished' },
    },
    {
      rule: 'several states: no Status (ECS takes one), filtered by snapcopy',
      query: { ...base, states: ['completed', 'pending'] },
      filter: { maxResults: 100 },
    },
    {
      rule: 'the next page sends NextToken; the regex is never sent',
      query: { ...base, descriptionRegex: 'prod.*' },
      cursor: 'n2',
      filter: { maxResults: 100, nextToken: 'n2' },
    },
  ];

describe('describeSnapshotsListFilter', () => {
  it.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    expect(describeSnapshotsListFilter(row.query, row.cursor)).toStrictEqual(row.filter);
  });
});

describe('snapshotSummary', () => {
  it("maps ECS's states and fields; every listed snapshot is the caller's own", () => {
    const s = snapshotSummary(
      'cn-hangzhou',
      ecs({
        snapshotId: 's-1',
        status: 'accomplished',
        description: 'd',
        encrypted: true,
        KMSKeyId: 'k-1',
        sourceDiskId: 'd-1',
        sourceDiskSize: '40',
        creationTime: '2026-01-01T00:00:00Z',
        tags: { tag: [{ tagKey: 'a', tagValue: '1' }] },
      }),
      'ssg-1',
    );
    expect(s).toStrictEqual({
      region: 'cn-hangzhou',
      snapshotId: 's-1',
      ownership: 'owned',
      state: 'completed',
      tags: { a: '1' },
      encrypted: true,
      description: 'd',
      kmsKeyId: 'k-1',
      volumeId: 'd-1',
      volumeSizeGiB: 40,
      createdAt: Date.UTC(2026, 0, 1),
      groupId: 'ssg-1',
    });
    expect(snapshotSummary('cn-hangzhou', ecs({ snapshotId: 's-2', status: 'progressing' })).state).toBe(
      'pending',
    );
    expect(snapshotSummary('cn-hangzhou', ecs({ snapshotId: 's-3', status: 'failed' })).state).toBe('failed');
  });
});

describe("snapcopy's own tags on ECS", () => {
  const request = {
    source: { region: 'cn-hangzhou', snapshotId: 's-bp1abc' },
    destination: { region: 'cn-shanghai' },
    tags: { team: 'dr' },
    snapcopyTags: { 'snapcopy:policy': 'vault' },
    clientToken: 'tok-1',
  } as NormalizedCopyRequest;

  it("go between the caller's tags and the lineage tags", () => {
    const plan = { source: { encrypted: false }, encryption: { encrypted: false } } as unknown as CopyPlan;
    const tags = buildCopySnapshotParams(request, plan).tag.map((t) => t.key);
    expect(tags.slice(0, 3)).toEqual(['team', 'snapcopy:policy', 'snapcopy:client-token']);
  });

  it('take slots of the 20: 15 of the caller’s plus one of snapcopy’s is refused', () => {
    const fifteen = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, 'v']));
    expect(validateAlibabaRequestFields({ ...request, tags: fifteen, snapcopyTags: {} })).toBeUndefined();
    expect(validateAlibabaRequestFields({ ...request, tags: fifteen })?.code).toBe('INVALID_REQUEST');
  });
});
