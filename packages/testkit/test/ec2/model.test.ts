import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CopyImageCommand,
  CopySnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  ModifyImageAttributeCommand,
} from '@aws-sdk/client-ec2';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { Ec2Simulator } from '../../src/ec2/index.js';
import { type SimHandler, VirtualClock } from '../../src/sim/index.js';
import { A, C, MOUNTINGS, mount } from './harness.js';

interface Shape {
  readonly type: string;
  readonly members?: Record<string, { shape: string; locationName?: string }>;
  readonly member?: { shape: string; locationName?: string };
  readonly enum?: readonly string[];
}
interface Model {
  readonly operations: Record<string, { output?: { shape: string } }>;
  readonly shapes: Record<string, Shape>;
}

/**
 * The EC2 service model's snapshot operations (a data extract of botocore's EC2 model,
 * API 2016-11-15, documentation strings removed), committed as a test fixture.
 */
function loadModel(): Model {
  const here = dirname(fileURLToPath(import.meta.url));
  return JSON.parse(readFileSync(join(here, 'fixtures', 'ec2-snapshot-model.json'), 'utf8')) as Model;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** Checks `node` against `shapeName`; records every member path seen; returns type errors. */
function walk(
  model: Model,
  shapeName: string,
  node: unknown,
  path: string,
  seen: Set<string>,
  errors: string[],
): void {
  const shape = model.shapes[shapeName];
  if (!shape) throw new Error(`shape ${shapeName} missing from the model`);
  switch (shape.type) {
    case 'structure': {
      if (typeof node !== 'object' || node === null) {
        errors.push(`${path}: expected a structure, got ${JSON.stringify(node)}`);
        return;
      }
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const child = (node as Record<string, unknown>)[m.locationName ?? name];
        if (child === undefined) continue;
        seen.add(`${path}.${name}`);
        walk(model, m.shape, child, `${path}.${name}`, seen, errors);
      }
      return;
    }
    case 'list': {
      if (node === '') return; // <xxxSet/>
      const items = (node as { item?: unknown }).item;
      const list = Array.isArray(items) ? items : items === undefined ? [] : [items];
      for (const item of list) walk(model, shape.member!.shape, item, `${path}[]`, seen, errors);
      return;
    }
    case 'string':
      if (typeof node !== 'string') errors.push(`${path}: expected text`);
      else if (shape.enum && !shape.enum.includes(node))
        errors.push(`${path}: '${node}' not in ${shape.enum}`);
      return;
    case 'boolean':
      if (node !== 'true' && node !== 'false') errors.push(`${path}: '${String(node)}' is not a boolean`);
      return;
    case 'integer':
    case 'long':
      if (typeof node !== 'string' || !/^-?\d+$/.test(node))
        errors.push(`${path}: '${String(node)}' is not an integer`);
      return;
    case 'timestamp':
      if (typeof node !== 'string' || !ISO.test(node))
        errors.push(`${path}: '${String(node)}' is not an ISO timestamp`);
      return;
    default:
      errors.push(`${path}: unhandled model type ${shape.type}`);
  }
}

/** Every member path the model defines under a shape (lists as `[]`). */
function memberPaths(
  model: Model,
  shapeName: string,
  path: string,
  out: Set<string>,
  depth = 0,
): Set<string> {
  const shape = model.shapes[shapeName]!;
  if (depth > 6) return out;
  if (shape.type === 'structure') {
    for (const [name, m] of Object.entries(shape.members ?? {})) {
      out.add(`${path}.${name}`);
      memberPaths(model, m.shape, `${path}.${name}`, out, depth + 1);
    }
  } else if (shape.type === 'list') {
    memberPaths(model, shape.member!.shape, `${path}[]`, out, depth + 1);
  }
  return out;
}

/** A world in which every optional member of Snapshot applies to some snapshot. */
function richWorld() {
  const clock = new VirtualClock({ autoAdvance: false, start: Date.UTC(2026, 0, 1) });
  const sim = new Ec2Simulator({ clock, throughputMiBps: 1024 });
  sim.addRegions('us-east-1', 'us-west-2');
  sim.addAccount({ id: A, accessKeyId: 'AKIAMODEL00000000001', secretAccessKey: 'model-secret-000000001' });
  sim.addAccount({ id: C, accessKeyId: 'AKIAMODEL00000000003', secretAccessKey: 'model-secret-000000003' });
  sim.addKey({ account: A, region: 'us-east-1', aliases: ['revoked'], accessible: false });
  const source = sim.addSnapshot({
    account: A,
    region: 'us-east-1',
    sizeGiB: 8,
    kmsKeyId: 'alias/aws/ebs',
    description: 'enc',
  });
  sim.addSnapshot({
    account: A,
    region: 'us-east-1',
    sizeGiB: 4,
    storageTier: 'archive',
    restoreExpiryTime: Date.UTC(2026, 1, 1),
    outpostArn: `arn:aws:outposts:us-east-1:${A}:outpost/op-0123456789abcdef0`,
    tags: { tier: 'cold', empty: '' },
  });
  sim.addSnapshot({ account: C, region: 'us-east-1', sizeGiB: 2, ownerAlias: 'amazon', public: true });
  // Enough snapshots for a second page at MaxResults 5 (nextToken).
  for (let i = 0; i < 5; i++) sim.addSnapshot({ account: A, region: 'us-east-1', sizeGiB: 1 });
  return { sim, clock, source };
}

describe.each(MOUNTINGS)('responses match ec2-snapshot-model.json (%s mounting)', (mounting) => {
  it('every output member of CopySnapshot and DescribeSnapshots is produced with its model type', async () => {
    const model = loadModel();
    const { sim, clock, source } = richWorld();
    const bodies: { action: string; xml: string }[] = [];
    const tap: SimHandler = {
      async handle(req) {
        const reply = await sim.handler.handle(req);
        if ('body' in reply)
          bodies.push({ action: new URLSearchParams(req.body).get('Action') ?? '', xml: reply.body });
        return reply;
      },
    };
    const m = await mount(Object.assign(Object.create(sim) as Ec2Simulator, { handler: tap }), mounting);
    try {
      const ec2 = m.client(A, 'us-east-1');
      const copy = await ec2.send(
        new CopySnapshotCommand({
          SourceRegion: 'us-east-1',
          SourceSnapshotId: source.id,
          Encrypted: true,
          KmsKeyId: 'alias/aws/ebs',
          CompletionDurationMinutes: 15,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'team', Value: 'dr' }] }],
        }),
      );
      const failed = await ec2.send(
        new CopySnapshotCommand({
          SourceRegion: 'us-east-1',
          SourceSnapshotId: source.id,
          Encrypted: true,
          KmsKeyId: 'alias/revoked',
        }),
      );
      clock.advance(5_000);
      const all = await ec2.send(new DescribeSnapshotsCommand({}));
      await ec2.send(
        new DescribeSnapshotsCommand({
          MaxResults: 5,
          Filters: [{ Name: 'encrypted', Values: ['true', 'false'] }],
        }),
      );
      clock.advance(3_600_000);
      await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [copy.SnapshotId!] }));
      await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'status', Values: ['error'] }] }));

      const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false });
      const errors: string[] = [];
      const seen = new Set<string>();
      for (const { action, xml } of bodies) {
        const op = model.operations[action]!;
        const root = parser.parse(xml)[`${action}Response`] as Record<string, unknown>;
        expect(root.requestId).toMatch(/^[0-9a-f-]{36}$/);
        walk(model, op.output!.shape, root, action, seen, errors);
      }
      expect(errors).toEqual([]);
      const expected = new Set([
        ...memberPaths(model, model.operations.CopySnapshot!.output!.shape, 'CopySnapshot', new Set()),
        ...memberPaths(
          model,
          model.operations.DescribeSnapshots!.output!.shape,
          'DescribeSnapshots',
          new Set(),
        ),
      ]);
      expect([...expected].filter((p) => !seen.has(p))).toEqual([]);

      // The SDK reads the same replies into the right JavaScript types.
      const byId = new Map(all.Snapshots!.map((s) => [s.SnapshotId, s]));
      const c = byId.get(copy.SnapshotId)!;
      expect(c.StartTime).toBeInstanceOf(Date);
      expect(typeof c.VolumeSize).toBe('number');
      expect(typeof c.Encrypted).toBe('boolean');
      expect(c.CompletionDurationMinutes).toBe(15);
      expect(c.TransferType).toBe('time-based');
      expect(typeof c.FullSnapshotSizeInBytes).toBe('number');
      expect(byId.get(failed.SnapshotId)).toMatchObject({
        State: 'error',
        StateMessage: 'Given key ID is not accessible',
      });
      const archived = all.Snapshots!.find((s) => s.StorageTier === 'archive')!;
      expect(archived.RestoreExpiryTime).toBeInstanceOf(Date);
      expect(archived.Tags).toEqual([
        { Key: 'tier', Value: 'cold' },
        { Key: 'empty', Value: '' },
      ]);
      expect(all.Snapshots!.some((s) => s.OwnerAlias === 'amazon')).toBe(true);
    } finally {
      await m.close();
    }
  });
});

/** The image operations' extract of the EC2 model, committed next to this test. */
function loadImagesModel(): Model {
  const path = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ec2-images-model.json');
  return JSON.parse(readFileSync(path, 'utf8')) as Model;
}

/** XML elements of a reply that no member of the model shape names (the simulator must not invent members). */
function unknownElements(model: Model, shapeName: string, node: unknown, path: string, out: string[]): void {
  const shape = model.shapes[shapeName];
  if (!shape || typeof node !== 'object' || node === null) return;
  if (shape.type === 'structure') {
    const byName = new Map(
      Object.entries(shape.members ?? {}).map(([n, m]) => [m.locationName ?? n, m.shape]),
    );
    for (const [element, child] of Object.entries(node as Record<string, unknown>)) {
      const memberShape = byName.get(element);
      if (memberShape === undefined) out.push(`${path}.${element}`);
      else unknownElements(model, memberShape, child, `${path}.${element}`, out);
    }
  } else if (shape.type === 'list') {
    const items = (node as { item?: unknown }).item;
    for (const item of Array.isArray(items) ? items : items === undefined ? [] : [items]) {
      unknownElements(model, shape.member!.shape, item, `${path}[]`, out);
    }
  }
}

describe.each(MOUNTINGS)('image replies match the EC2 images model (%s mounting)', (mounting) => {
  it('CopyImage, DescribeImages, DeregisterImage and *ImageAttribute replies carry model members with model types', async () => {
    const model = loadImagesModel();
    const { sim, clock } = richWorld();
    const root = sim.addSnapshot({ account: A, region: 'us-east-1', sizeGiB: 8 });
    const data = sim.addSnapshot({ account: A, region: 'us-east-1', sizeGiB: 4, kmsKeyId: 'alias/aws/ebs' });
    const ebs = sim.addImage({
      account: A,
      region: 'us-east-1',
      name: 'model-ebs',
      description: 'two snapshots',
      snapshotIds: [root.id, data.id],
      tags: { team: 'model' },
    });
    sim.addImage({
      account: A,
      region: 'us-east-1',
      name: 'model-instance-store',
      rootDeviceType: 'instance-store',
    });
    const other = sim.addSnapshot({ account: C, region: 'us-east-1', sizeGiB: 2, public: true });
    sim.addImage({
      account: C,
      region: 'us-east-1',
      name: 'amzn',
      snapshotIds: [other.id],
      public: true,
      ownerAlias: 'amazon',
    });
    for (let i = 0; i < 5; i++) {
      const s = sim.addSnapshot({ account: A, region: 'us-east-1', sizeGiB: 1 });
      sim.addImage({
        account: A,
        region: 'us-east-1',
        name: `filler-${i}`,
        snapshotIds: [s.id],
        state: i === 0 ? 'failed' : 'available',
      });
    }
    const bodies: { action: string; xml: string }[] = [];
    const tap: SimHandler = {
      async handle(req) {
        const reply = await sim.handler.handle(req);
        if ('body' in reply && reply.status === 200)
          bodies.push({ action: new URLSearchParams(req.body).get('Action') ?? '', xml: reply.body });
        return reply;
      },
    };
    const m = await mount(Object.assign(Object.create(sim) as Ec2Simulator, { handler: tap }), mounting);
    try {
      const ec2 = m.client(A, 'us-east-1');
      const copy = await ec2.send(
        new CopyImageCommand({
          SourceRegion: 'us-east-1',
          SourceImageId: ebs.id,
          Name: 'model-copy',
          CopyImageTags: true,
        }),
      );
      await ec2.send(
        new ModifyImageAttributeCommand({
          ImageId: ebs.id,
          LaunchPermission: { Add: [{ UserId: C }, { Group: 'all' }] },
        }),
      );
      await ec2.send(new DescribeImagesCommand({}));
      await ec2.send(new DescribeImagesCommand({ MaxResults: 5 }));
      for (const Attribute of [
        'launchPermission',
        'description',
        'blockDeviceMapping',
        'productCodes',
        'kernel',
      ] as const) {
        await ec2.send(new DescribeImageAttributeCommand({ ImageId: ebs.id, Attribute }));
      }
      clock.advance(3_600_000);
      await ec2.send(new DeregisterImageCommand({ ImageId: copy.ImageId!, DeleteAssociatedSnapshots: true }));
      const all = await ec2.send(new DescribeImagesCommand({ ImageIds: [ebs.id, copy.ImageId!] }));

      const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false });
      const errors: string[] = [];
      const unknown: string[] = [];
      const seen = new Set<string>();
      for (const { action, xml } of bodies) {
        const root = parser.parse(xml)[`${action}Response`] as Record<string, unknown>;
        expect(root.requestId).toMatch(/^[0-9a-f-]{36}$/);
        const { requestId: _id, ...rest } = root;
        const output = model.operations[action]!.output?.shape;
        if (output === undefined) {
          // ModifyImageAttribute has no output shape: EC2 answers `<return>true</return>`.
          expect(rest).toEqual({ return: 'true' });
          continue;
        }
        walk(model, output, rest, action, seen, errors);
        unknownElements(model, output, rest, action, unknown);
      }
      expect(errors).toEqual([]);
      expect(unknown).toEqual([]);
      expect(new Set(bodies.map((b) => b.action))).toEqual(
        new Set([
          'CopyImage',
          'ModifyImageAttribute',
          'DescribeImages',
          'DescribeImageAttribute',
          'DeregisterImage',
        ]),
      );
      const produced = [
        'CopyImage.ImageId',
        'DeregisterImage.Return',
        'DeregisterImage.DeleteSnapshotResults[].SnapshotId',
        'DeregisterImage.DeleteSnapshotResults[].ReturnCode',
        'DescribeImages.NextToken',
        ...[
          'ImageId',
          'ImageLocation',
          'State',
          'OwnerId',
          'CreationDate',
          'Public',
          'Architecture',
          'ImageType',
          'PlatformDetails',
          'UsageOperation',
          'ImageOwnerAlias',
          'Name',
          'Description',
          'RootDeviceType',
          'RootDeviceName',
          'VirtualizationType',
          'Hypervisor',
          'EnaSupport',
          'StateReason.Code',
          'StateReason.Message',
          'SourceImageId',
          'SourceImageRegion',
          'DeregistrationProtection',
          'Tags[].Key',
          'Tags[].Value',
          'BlockDeviceMappings[].DeviceName',
          'BlockDeviceMappings[].VirtualName',
          'BlockDeviceMappings[].Ebs.SnapshotId',
          'BlockDeviceMappings[].Ebs.VolumeSize',
          'BlockDeviceMappings[].Ebs.VolumeType',
          'BlockDeviceMappings[].Ebs.DeleteOnTermination',
          'BlockDeviceMappings[].Ebs.Encrypted',
        ].map((p) => `DescribeImages.Images[].${p}`),
        'DescribeImageAttribute.ImageId',
        'DescribeImageAttribute.LaunchPermissions[].UserId',
        'DescribeImageAttribute.LaunchPermissions[].Group',
        'DescribeImageAttribute.Description.Value',
        'DescribeImageAttribute.BlockDeviceMappings[].Ebs.SnapshotId',
        'DescribeImageAttribute.ProductCodes',
      ];
      expect(produced.filter((p) => !seen.has(p))).toEqual([]);

      // The SDK reads the same replies into the right JavaScript types.
      const byId = new Map(all.Images!.map((i) => [i.ImageId, i]));
      expect(byId.get(copy.ImageId)).toMatchObject({
        State: 'deregistered',
        SourceImageId: ebs.id,
        Tags: [{ Key: 'team', Value: 'model' }],
      });
      expect(byId.get(ebs.id)?.BlockDeviceMappings?.[1]?.Ebs).toMatchObject({
        Encrypted: true,
        VolumeSize: 4,
        DeleteOnTermination: false,
      });
      expect(byId.get(ebs.id)?.Public).toBe(true);
    } finally {
      await m.close();
    }
  });
});
