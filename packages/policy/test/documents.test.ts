import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCapabilities } from '@snapcopy/core';
import { LINEAGE_TAG_COUNT } from '@snapcopy/core/driver';
import {
  ReferenceCloud,
  ReferenceSnapshotCopier,
  referenceCapabilities,
  VirtualClock,
} from '@snapcopy/testkit';
import { describe, expect, it } from 'vitest';
import {
  checkPolicy,
  dlmToPolicy,
  loadPolicy,
  parsePolicyDocument,
  parsePolicyText,
  policyDocumentJsonSchema,
} from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const readJson = (...path: string[]) => JSON.parse(readFileSync(join(pkg, ...path), 'utf8')) as unknown;

const minimal = {
  version: 1,
  id: 'vault',
  sources: [{ provider: 'aws', regions: ['us-east-1'] }],
  destinations: [{ provider: 'aws', region: 'us-west-2' }],
};

describe('the policy document schema', () => {
  it('fills the defaults: own snapshots, no encryption asked, no source tags', () => {
    expect(parsePolicyDocument(minimal)).toStrictEqual({
      ...minimal,
      sources: [{ provider: 'aws', regions: ['us-east-1'], owner: 'self' }],
      destinations: [
        { provider: 'aws', region: 'us-west-2', encryption: { encrypted: false }, copySourceTags: false },
      ],
    });
  });

  it.each([
    { rule: 'a version other than 1', doc: { ...minimal, version: 2 }, path: 'version' },
    { rule: 'an id with capitals', doc: { ...minimal, id: 'Vault' }, path: 'id' },
    { rule: 'an id ending with a dash', doc: { ...minimal, id: 'vault-' }, path: 'id' },
    { rule: 'no source', doc: { ...minimal, sources: [] }, path: 'sources' },
    {
      rule: 'a bad region',
      doc: { ...minimal, destinations: [{ provider: 'aws', region: 'Mars' }] },
      path: 'destinations.0.region',
    },
    {
      rule: 'a key without encryption',
      doc: {
        ...minimal,
        destinations: [
          { provider: 'aws', region: 'us-west-2', encryption: { encrypted: false, kmsKeyId: 'k' } },
        ],
      },
      path: 'destinations.0.encryption.kmsKeyId',
    },
    {
      rule: 'retention beyond 100 years (DLM maximum: 1200 months)',
      doc: {
        ...minimal,
        destinations: [
          { provider: 'aws', region: 'us-west-2', retention: { interval: 1201, unit: 'months' } },
        ],
      },
      path: 'destinations.0.retention.interval',
    },
    {
      rule: 'a retention unit DLM does not have',
      doc: {
        ...minimal,
        destinations: [{ provider: 'aws', region: 'us-west-2', retention: { interval: 1, unit: 'hours' } }],
      },
      path: 'destinations.0.retention.unit',
    },
    {
      rule: 'the same destination twice',
      doc: { ...minimal, destinations: [minimal.destinations[0], minimal.destinations[0]] },
      path: 'destinations.1.region',
    },
    {
      rule: 'a source with no destination on its cloud',
      doc: { ...minimal, sources: [...minimal.sources, { provider: 'alibaba', regions: ['cn-hangzhou'] }] },
      path: 'sources.1.provider',
    },
    { rule: 'an unknown field', doc: { ...minimal, schedule: 'daily' }, path: '' },
    {
      rule: 'shared by no account',
      doc: { ...minimal, sources: [{ provider: 'aws', regions: ['us-east-1'], owner: { sharedBy: [] } }] },
      path: 'sources.0.owner.sharedBy',
    },
  ])('refuses $rule (INVALID_REQUEST at $path)', ({ doc, path }) => {
    try {
      parsePolicyDocument(doc);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_REQUEST' });
      expect((err as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(path);
    }
  });

  it('schema/policy.schema.json is the JSON Schema generated from the zod schema (scripts/write-schema.mjs)', () => {
    expect(readJson('schema', 'policy.schema.json')).toEqual(policyDocumentJsonSchema());
  });

  it('the committed snapcopy example parses', () => {
    expect(() => parsePolicyDocument(readJson('examples', 'vault-policy.json'))).not.toThrow();
  });
});

describe('DLM event-based policies', () => {
  const example = readJson('examples', 'dlm-cross-account-copy.json');

  it("the DLM user guide's example, read unchanged, is this snapcopy policy", () => {
    expect(dlmToPolicy(example, { region: 'us-east-1', id: 'dlm-example' })).toStrictEqual({
      version: 1,
      id: 'dlm-example',
      description:
        'Copy Snapshot to Sao Paulo and London (from an Amazon DLM event-based policy in us-east-1)',
      sources: [{ provider: 'aws', regions: ['us-east-1'], owner: { sharedBy: ['111111111111'] } }],
      destinations: [
        {
          provider: 'aws',
          region: 'sa-east-1',
          encryption: { encrypted: false },
          retention: { interval: 3, unit: 'days' },
          copySourceTags: false,
        },
        {
          provider: 'aws',
          region: 'eu-west-2',
          encryption: {
            encrypted: true,
            kmsKeyId: 'arn:aws:kms:eu-west-2:222222222222:key/8af79514-350d-4c52-bac8-8985e84171c7',
          },
          retention: { interval: 1, unit: 'months' },
          copySourceTags: false,
        },
      ],
    });
  });

  it('gets a stable id from the document and region when none is given, and DLM’s PolicyId when wrapped', () => {
    const a = dlmToPolicy(example, { region: 'us-east-1' }).id;
    expect(a).toMatch(/^dlm-[0-9a-f]{12}$/);
    expect(dlmToPolicy(example, { region: 'us-east-1' }).id).toBe(a);
    expect(dlmToPolicy(example, { region: 'us-west-2' }).id).not.toBe(a);
    const wrapped = { Policy: { PolicyId: 'policy-9876543210abcdef0', PolicyDetails: example } };
    expect(dlmToPolicy(wrapped, { region: 'us-east-1' }).id).toBe('policy-9876543210abcdef0');
    expect(dlmToPolicy({ PolicyDetails: example }, { region: 'us-east-1' }).id).toBe(a);
  });

  it('keeps DescriptionRegex', () => {
    const doc = structuredClone(example) as { EventSource: { Parameters: Record<string, unknown> } };
    doc.EventSource.Parameters.DescriptionRegex = '^.*Created for policy: policy-1234567890abcdef0.*$';
    expect(dlmToPolicy(doc, { region: 'us-east-1' }).sources[0]!.descriptionRegex).toBe(
      '^.*Created for policy: policy-1234567890abcdef0.*$',
    );
  });

  interface DlmDoc {
    PolicyType: string;
    EventSource: { Type: string; Parameters: { EventType: string; SnapshotOwner: string[] } };
    Actions: {
      Name: string;
      CrossRegionCopy: {
        Target: string;
        EncryptionConfiguration: { Encrypted: boolean; CmkArn?: string };
        RetainRule: { Interval: number; IntervalUnit: string };
      }[];
    }[];
    Schedules?: unknown[];
  }
  const edit = (change: (d: DlmDoc) => void) => {
    const d = structuredClone(example) as DlmDoc;
    change(d);
    return d;
  };
  it.each([
    {
      rule: 'a snapshot policy (EBS_SNAPSHOT_MANAGEMENT)',
      doc: edit((d) => (d.PolicyType = 'EBS_SNAPSHOT_MANAGEMENT')),
      path: 'PolicyType',
    },
    {
      rule: 'an event other than shareSnapshot',
      doc: edit((d) => (d.EventSource.Parameters.EventType = 'createSnapshot')),
      path: 'EventSource.Parameters.EventType',
    },
    {
      rule: 'an event source other than MANAGED_CWE',
      doc: edit((d) => (d.EventSource.Type = 'CUSTOM')),
      path: 'EventSource.Type',
    },
    {
      rule: 'an account id that is not 12 digits',
      doc: edit((d) => (d.EventSource.Parameters.SnapshotOwner = ['1111'])),
      path: 'EventSource.Parameters.SnapshotOwner.0',
    },
    {
      rule: 'four destination regions (DLM allows three)',
      doc: edit((d) => d.Actions[0]!.CrossRegionCopy.push(...structuredClone(d.Actions[0]!.CrossRegionCopy))),
      path: 'Actions.0.CrossRegionCopy',
    },
    {
      rule: 'two actions (DLM takes one)',
      doc: edit((d) => d.Actions.push(structuredClone(d.Actions[0]!))),
      path: 'Actions',
    },
    {
      rule: 'a retain unit DLM does not have',
      doc: edit((d) => (d.Actions[0]!.CrossRegionCopy[0]!.RetainRule.IntervalUnit = 'HOURS')),
      path: 'Actions.0.CrossRegionCopy.0.RetainRule.IntervalUnit',
    },
    {
      rule: 'a CmkArn that is not a key ARN',
      doc: edit((d) => (d.Actions[0]!.CrossRegionCopy[1]!.EncryptionConfiguration.CmkArn = 'alias/backup')),
      path: 'Actions.0.CrossRegionCopy.1.EncryptionConfiguration.CmkArn',
    },
    {
      rule: 'a CmkArn with Encrypted false',
      doc: edit((d) => (d.Actions[0]!.CrossRegionCopy[1]!.EncryptionConfiguration.Encrypted = false)),
      path: 'Actions.0.CrossRegionCopy.1.EncryptionConfiguration.CmkArn',
    },
    {
      rule: 'an Outpost target',
      doc: edit(
        (d) =>
          (d.Actions[0]!.CrossRegionCopy[0]!.Target = 'arn:aws:outposts:us-east-1:111111111111:outpost/op-1'),
      ),
      path: 'Actions.0.CrossRegionCopy.0.Target',
    },
    {
      rule: 'no source account',
      doc: edit((d) => (d.EventSource.Parameters.SnapshotOwner = [])),
      path: 'EventSource.Parameters.SnapshotOwner',
    },
    { rule: 'a schedule (snapshot policies only)', doc: edit((d) => (d.Schedules = [])), path: '' },
  ])('refuses $rule', ({ doc, path }) => {
    try {
      dlmToPolicy(doc, { region: 'us-east-1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_REQUEST' });
      expect((err as Error).message).toContain('Invalid DLM policy');
      expect((err as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(path);
    }
  });

  it('loadPolicy tells the formats apart; a DLM document needs the region', () => {
    expect(loadPolicy(minimal).format).toBe('snapcopy');
    expect(loadPolicy(example, { region: 'us-east-1' }).format).toBe('dlm');
    expect(() => loadPolicy(example)).toThrow(/names no region/);
    expect(() => parsePolicyText('{not json')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

describe('checkPolicy: what a provider never does is refused, naming its capability', () => {
  const clock = new VirtualClock();
  const cloud = new ReferenceCloud({ clock, regions: ['rf-east-1', 'rf-west-1'] });
  const creds = { accessKeyId: 'AKREFCHECK', secretAccessKey: 'secret-check-000000' };
  cloud.addAccount('100000000001', creds);
  const withCaps = (over: Parameters<typeof defineCapabilities>[0]) =>
    new ReferenceSnapshotCopier({
      cloud,
      credentials: creds,
      clock,
      capabilities: defineCapabilities({ ...referenceCapabilities(cloud), ...over }),
    });
  const policy = (over: Record<string, unknown> = {}, dest: Record<string, unknown> = {}) =>
    parsePolicyDocument({
      version: 1,
      id: 'p',
      sources: [
        { provider: 'reference', regions: ['rf-east-1'], owner: { sharedBy: ['200000000002'] }, ...over },
      ],
      destinations: [
        { provider: 'reference', region: 'rf-west-1', retention: { interval: 3, unit: 'days' }, ...dest },
      ],
    });

  it.each([
    {
      rule: 'no shared-by listing (ECS: no snapshot sharing)',
      caps: { listSharedWithCaller: false },
      capability: 'listSharedWithCaller',
    },
    { rule: 'no cross-account copy', caps: { crossAccountCopy: false }, capability: 'crossAccountCopy' },
    {
      rule: 'no listing at all',
      caps: {
        listSnapshots: false,
        listSharedWithCaller: false,
        listByGroup: false,
        listDescriptionRegex: 'none',
        listMaxPageSize: 0,
      },
      capability: 'listSnapshots',
    },
    { rule: 'no tags on a copy', caps: { tagsOnCopy: false }, capability: 'tagsOnCopy' },
    { rule: 'no cross-region copy', caps: { crossRegionCopy: false }, capability: 'crossRegionCopy' },
    {
      rule: 'no retention and no delete: retention cannot be kept',
      caps: {
        retentionPeriod: false,
        retentionDaysRange: null,
        cancelByDelete: false,
        cancelTakesEffect: 'never',
      },
      capability: 'cancelByDelete',
    },
  ] as const)('$rule', ({ caps, capability }) => {
    const check = checkPolicy(policy(), { reference: withCaps(caps) });
    expect(check.refusals.map((r) => r.capability)).toContain(capability);
    expect(check.refusals.find((r) => r.capability === capability)?.code).toBe('UNSUPPORTED');
  });

  it('keeps the retention natively where the provider can, else tags and sweeps', () => {
    expect(checkPolicy(policy(), { reference: withCaps({}) }).destinations[0]!.retention).toBe('native');
    const swept = checkPolicy(policy(), {
      reference: withCaps({ retentionPeriod: false, retentionDaysRange: null }),
    });
    expect(swept.destinations[0]!.retention).toBe('swept');
    const beyondNative = checkPolicy(policy({}, { retention: { interval: 100, unit: 'years' } }), {
      reference: withCaps({ retentionDaysRange: [1, 36500] }),
    });
    expect(beyondNative.refusals).toEqual([]);
    expect(beyondNative.destinations[0]!.retention).toBe('swept');
    expect(beyondNative.warnings.join(' ')).toContain("beyond reference's own retention range");
  });

  it('refuses more destination tags than fit beside the lineage and policy tags', () => {
    const caps = { maxUserTags: 10 };
    const tags = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'v']));
    const check = checkPolicy(policy({}, { tags }), { reference: withCaps(caps) });
    expect(check.refusals.map((r) => r.path)).toContain('destinations.0.tags');
    expect(LINEAGE_TAG_COUNT).toBe(5);
  });

  it('refuses a description regex that does not compile, and an unknown provider', () => {
    expect(
      checkPolicy(policy({ descriptionRegex: '(' }), { reference: withCaps({}) }).refusals.map((r) => r.path),
    ).toContain('sources.0.descriptionRegex');
    expect(checkPolicy(policy(), {}).refusals.map((r) => r.path)).toContain('sources.0.provider');
  });
});
