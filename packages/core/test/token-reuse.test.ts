import { parseCopyRequest } from '../src/index.js';
import { LINEAGE_TAGS, type NormalizedCopyRequest } from '../src/driver.js';
import { tokenReuseMismatch } from '../src/lineage.js';
import { snapshotLineage } from '../src/snapshot-copier.js';
import { describe, expect, it } from 'vitest';

const request: NormalizedCopyRequest = {
  ...parseCopyRequest({
    source: { region: 'us-east-1', snapshotId: 'snap-0aaaaaaaaaaaaaaaa' },
    destination: { region: 'us-west-2' },
  }),
  clientToken: 'tok-1',
};

const lineage = (snapshot: string, region: string) => ({
  [LINEAGE_TAGS.clientToken]: 'tok-1',
  [LINEAGE_TAGS.sourceSnapshot]: snapshot,
  [LINEAGE_TAGS.sourceRegion]: region,
});

describe('tokenReuseMismatch: the copy a token found must be of the request source', () => {
  const rows: { rule: string; tags: Record<string, string>; refused: boolean }[] = [
    {
      rule: 'same source snapshot and region → the copy is the request',
      tags: lineage('snap-0aaaaaaaaaaaaaaaa', 'us-east-1'),
      refused: false,
    },
    {
      rule: 'another source snapshot → refused',
      tags: lineage('snap-0bbbbbbbbbbbbbbbb', 'us-east-1'),
      refused: true,
    },
    {
      rule: 'the same snapshot id from another source region → refused',
      tags: lineage('snap-0aaaaaaaaaaaaaaaa', 'eu-west-1'),
      refused: true,
    },
    {
      rule: 'no lineage tags beyond the token → no evidence, accepted',
      tags: { [LINEAGE_TAGS.clientToken]: 'tok-1' },
      refused: false,
    },
  ];
  for (const row of rows) {
    it(row.rule, () => {
      const err = tokenReuseMismatch(
        snapshotLineage(request),
        request,
        { id: 'snap-0ccccccccccccccc1', region: 'us-west-2', tags: row.tags },
        'aws',
      );
      if (!row.refused) {
        expect(err).toBeUndefined();
        return;
      }
      expect(err).toMatchObject({ code: 'INVALID_REQUEST', retryable: false, provider: 'aws' });
      expect(err?.message).toMatch(/client token already used for a copy of/);
      expect(err?.message).toContain('snap-0ccccccccccccccc1');
    });
  }
});
