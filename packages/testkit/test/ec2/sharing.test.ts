import {
  CopySnapshotCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  type DescribeSnapshotsCommandInput,
  ModifySnapshotAttributeCommand,
  type ModifySnapshotAttributeCommandInput,
  ResetSnapshotAttributeCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import {
  type PermissionChange,
  readPermissionChange,
  SOURCE_KEY_NOT_ACCESSIBLE,
  type ShareFacts,
  shareRefusal,
} from '../../src/ec2/index.js';
import { QueryParams } from '../../src/ec2/query-params.js';
import { A, B, C, failure, freshFixture, MOUNTINGS } from './harness.js';

const MODIFY_DOC = 'API_ModifySnapshotAttribute';

describe('shareRefusal (one row per documented rule)', () => {
  const plain: ShareFacts = { encrypted: false, awsManagedKey: false, productCodes: false };
  const cmk: ShareFacts = { encrypted: true, awsManagedKey: false, productCodes: false };
  const managed: ShareFacts = { encrypted: true, awsManagedKey: true, productCodes: false };
  const marketplace: ShareFacts = { encrypted: false, awsManagedKey: false, productCodes: true };
  const add = (userIds: string[], groupAll = false): PermissionChange => ({
    operation: 'add',
    userIds,
    groupAll,
  });
  const remove = (userIds: string[], groupAll = false): PermissionChange => ({
    operation: 'remove',
    userIds,
    groupAll,
  });
  const rows: [string, ShareFacts, PermissionChange, string | undefined][] = [
    [`${MODIFY_DOC}: an unencrypted snapshot can be shared with an account`, plain, add([B]), undefined],
    [`${MODIFY_DOC}: an unencrypted snapshot can be made public`, plain, add([], true), undefined],
    [
      `${MODIFY_DOC}: encrypted snapshots cannot be made public (CMK)`,
      cmk,
      add([], true),
      'OperationNotPermitted',
    ],
    [
      `${MODIFY_DOC}: encrypted snapshots cannot be made public (managed key)`,
      managed,
      add([], true),
      'OperationNotPermitted',
    ],
    [
      `${MODIFY_DOC}: product codes cannot be made public`,
      marketplace,
      add([], true),
      'OperationNotPermitted',
    ],
    [`${MODIFY_DOC}: product codes may be shared with an account`, marketplace, add([B]), undefined],
    [`${MODIFY_DOC}: a CMK-encrypted snapshot can be shared with an account`, cmk, add([B]), undefined],
    [
      `${MODIFY_DOC}: the default (AWS managed) key cannot be shared`,
      managed,
      add([B]),
      'OperationNotPermitted',
    ],
    ['removing a permission is never refused (managed key)', managed, remove([B]), undefined],
    ['removing public access is never refused (encrypted)', cmk, remove([], true), undefined],
  ];
  it.each(rows)('%s', (_rule, facts, change, code) => {
    expect(shareRefusal(facts, change)?.code).toBe(code);
  });
});

describe('readPermissionChange (the two request forms, one row per rule)', () => {
  const params = (o: Record<string, string>) => new QueryParams(Object.entries(o));
  const ok: [string, Record<string, string>, PermissionChange][] = [
    [
      'CreateVolumePermission.Add with a user and the all group',
      { 'CreateVolumePermission.Add.1.UserId': B, 'CreateVolumePermission.Add.2.Group': 'all' },
      { operation: 'add', userIds: [B], groupAll: true },
    ],
    [
      'CreateVolumePermission.Remove with users (repeats folded)',
      { 'CreateVolumePermission.Remove.1.UserId': B, 'CreateVolumePermission.Remove.2.UserId': B },
      { operation: 'remove', userIds: [B], groupAll: false },
    ],
    [
      'OperationType=add with UserId.N and UserGroup.N',
      {
        OperationType: 'add',
        'UserId.1': B,
        'UserId.2': C,
        'UserGroup.1': 'all',
        Attribute: 'createVolumePermission',
      },
      { operation: 'add', userIds: [B, C], groupAll: true },
    ],
  ];
  it.each(ok)('%s', (_rule, p, change) => {
    expect(readPermissionChange(params(p))).toEqual(change);
  });
  const refused: [string, Record<string, string>, string][] = [
    [
      `${MODIFY_DOC}: add and remove in one call`,
      { 'CreateVolumePermission.Add.1.UserId': B, 'CreateVolumePermission.Remove.1.UserId': C },
      'InvalidParameterCombination',
    ],
    [
      'both request forms at once',
      { OperationType: 'add', 'UserId.1': B, 'CreateVolumePermission.Add.1.UserId': C },
      'InvalidParameterCombination',
    ],
    ['UserId.N without OperationType', { 'UserId.1': B }, 'MissingParameter'],
    [
      'an OperationType other than add/remove',
      { OperationType: 'replace', 'UserId.1': B },
      'InvalidParameterValue',
    ],
    ['nothing to change', {}, 'MissingParameter'],
    [
      'a user id that is not 12 digits',
      { 'CreateVolumePermission.Add.1.UserId': '12345' },
      'InvalidUserID.Malformed',
    ],
    ['a group other than all', { OperationType: 'add', 'UserGroup.1': 'everyone' }, 'InvalidParameterValue'],
    [
      `${MODIFY_DOC}: only createVolumePermission can be modified`,
      { Attribute: 'productCodes', OperationType: 'add', 'UserId.1': B },
      'InvalidParameterValue',
    ],
    [
      `${MODIFY_DOC}: up to 500 modifications per call`,
      Object.fromEntries(
        Array.from({ length: 501 }, (_, i) => [
          `CreateVolumePermission.Add.${i + 1}.UserId`,
          String(100000000000 + i),
        ]),
      ),
      'InvalidParameterValue',
    ],
  ];
  it.each(refused)('%s', (_rule, p, code) => {
    expect(() => readPermissionChange(params(p))).toThrow(expect.objectContaining({ code }));
  });
});

describe.each(MOUNTINGS)('snapshot sharing through the real SDK (%s mounting)', (mounting) => {
  const f = freshFixture(mounting);
  const modify = (input: Omit<ModifySnapshotAttributeCommandInput, 'Attribute'>) =>
    new ModifySnapshotAttributeCommand({ Attribute: 'createVolumePermission', ...input });
  const ids = async (account: string, input: DescribeSnapshotsCommandInput) =>
    new Set(
      (
        (await f.m.client(account, 'us-east-1').send(new DescribeSnapshotsCommand(input))).Snapshots ?? []
      ).map((s) => s.SnapshotId),
    );

  it('sharing with an account (CreateVolumePermission.Add) makes the snapshot visible and copyable to it; removing takes both back', async () => {
    const { sim, snaps } = f.w;
    const owner = f.m.client(A, 'us-east-1');
    const since = sim.world.requests.size;
    await owner.send(
      modify({ SnapshotId: snaps.plain.id, CreateVolumePermission: { Add: [{ UserId: C }] } }),
    );
    const logged = sim.world.requests.entries()[since]!;
    expect(logged.params['CreateVolumePermission.Add.1.UserId']).toBe(C);
    expect([...sim.snapshot(snaps.plain.id)!.sharedWith]).toEqual([C]);

    expect(await ids(C, {})).toContain(snaps.plain.id);
    expect(await ids(C, { OwnerIds: [A] })).toEqual(new Set([snaps.plain.id]));
    expect(await ids(C, { RestorableByUserIds: ['self'], OwnerIds: [A] })).toEqual(new Set([snaps.plain.id]));
    const attr = await owner.send(
      new DescribeSnapshotAttributeCommand({
        SnapshotId: snaps.plain.id,
        Attribute: 'createVolumePermission',
      }),
    );
    expect(attr.CreateVolumePermissions).toEqual([{ UserId: C }]);

    const west = f.m.client(C, 'us-west-2');
    const copy = await west.send(
      new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: snaps.plain.id }),
    );
    expect(sim.snapshot(copy.SnapshotId!)).toMatchObject({ account: C, region: 'us-west-2' });

    await owner.send(
      modify({ SnapshotId: snaps.plain.id, CreateVolumePermission: { Remove: [{ UserId: C }] } }),
    );
    expect(sim.snapshot(snaps.plain.id)!.sharedWith.size).toBe(0);
    expect(await ids(C, {})).not.toContain(snaps.plain.id);
    const refused = await failure(
      west.send(new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: snaps.plain.id })),
    );
    expect(refused.name).toBe('InvalidSnapshot.NotFound');
  });

  it('the legacy form (OperationType, UserId.N, UserGroup.N) shares and makes public; ResetSnapshotAttribute makes it private again', async () => {
    const { sim, snaps } = f.w;
    const owner = f.m.client(A, 'us-east-1');
    const since = sim.world.requests.size;
    await owner.send(
      modify({ SnapshotId: snaps.plain.id, OperationType: 'add', UserIds: [B], GroupNames: ['all'] }),
    );
    expect(sim.world.requests.entries()[since]!.params).toMatchObject({
      OperationType: 'add',
      'UserId.1': B,
      'UserGroup.1': 'all',
    });
    expect(await ids(C, { RestorableByUserIds: ['all'] })).toEqual(new Set([snaps.plain.id]));
    const attr = await owner.send(
      new DescribeSnapshotAttributeCommand({
        SnapshotId: snaps.plain.id,
        Attribute: 'createVolumePermission',
      }),
    );
    expect(attr.CreateVolumePermissions).toEqual([{ Group: 'all' }, { UserId: B }]);

    await owner.send(
      new ResetSnapshotAttributeCommand({ SnapshotId: snaps.plain.id, Attribute: 'createVolumePermission' }),
    );
    const after = sim.snapshot(snaps.plain.id)!;
    expect(after.sharedWith.size).toBe(0);
    expect(after.extra.public).toBe(false);
    expect(await ids(C, {})).not.toContain(snaps.plain.id);
    expect(await ids(B, { RestorableByUserIds: ['self'] })).not.toContain(snaps.plain.id);
  });

  it('a shared encrypted snapshot whose key was not granted copies to error; granted, it completes', async () => {
    const { sim, clock, snaps, keys } = f.w;
    const owner = f.m.client(A, 'us-east-1');
    await owner.send(
      modify({ SnapshotId: snaps.encrypted.id, CreateVolumePermission: { Add: [{ UserId: C }] } }),
    );
    const west = f.m.client(C, 'us-west-2');
    const first = await west.send(
      new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: snaps.encrypted.id }),
    );
    clock.advance(3_600_000);
    await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [first.SnapshotId!] }));
    expect(sim.snapshot(first.SnapshotId!)).toMatchObject({
      state: 'error',
      stateMessage: SOURCE_KEY_NOT_ACCESSIBLE,
    });

    keys.backupEast.usableBy.add(C);
    const second = await west.send(
      new CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: snaps.encrypted.id }),
    );
    clock.advance(3_600_000);
    await west.send(new DescribeSnapshotsCommand({ SnapshotIds: [second.SnapshotId!] }));
    // Shared with the caller and no key given: the destination account's default EBS key.
    expect(sim.snapshot(second.SnapshotId!)).toMatchObject({
      state: 'completed',
      encrypted: true,
      kmsKeyId: sim.defaultKmsKey(C, 'us-west-2').arn,
    });
  });

  describe('refusals (the cloud state is unchanged after each)', () => {
    type Row = [
      string,
      (w: typeof f.w) => {
        account: string;
        command:
          | ModifySnapshotAttributeCommand
          | DescribeSnapshotAttributeCommand
          | ResetSnapshotAttributeCommand;
        snapshot: string;
      },
      string,
    ];
    const rows: Row[] = [
      [
        `${MODIFY_DOC}: an encrypted snapshot cannot be made public`,
        (w) => ({
          account: A,
          snapshot: w.snaps.encrypted.id,
          command: modify({
            SnapshotId: w.snaps.encrypted.id,
            CreateVolumePermission: { Add: [{ Group: 'all' }] },
          }),
        }),
        'OperationNotPermitted',
      ],
      [
        `${MODIFY_DOC}: a snapshot encrypted with the default (AWS managed) key cannot be shared`,
        (w) => {
          const s = w.sim.addSnapshot({
            account: A,
            region: 'us-east-1',
            sizeGiB: 8,
            kmsKeyId: 'alias/aws/ebs',
          });
          return {
            account: A,
            snapshot: s.id,
            command: modify({ SnapshotId: s.id, OperationType: 'add', UserIds: [B] }),
          };
        },
        'OperationNotPermitted',
      ],
      [
        `${MODIFY_DOC}: a snapshot with product codes cannot be made public`,
        (w) => {
          const s = w.sim.addSnapshot({
            account: A,
            region: 'us-east-1',
            sizeGiB: 8,
            productCodes: [{ id: 'abc123', type: 'marketplace' }],
          });
          return {
            account: A,
            snapshot: s.id,
            command: modify({ SnapshotId: s.id, OperationType: 'add', GroupNames: ['all'] }),
          };
        },
        'OperationNotPermitted',
      ],
      [
        'a user id that is not an account id',
        (w) => ({
          account: A,
          snapshot: w.snaps.plain.id,
          command: modify({ SnapshotId: w.snaps.plain.id, OperationType: 'add', UserIds: ['alice'] }),
        }),
        'InvalidUserID.Malformed',
      ],
      [
        `${MODIFY_DOC}: add and remove in one call`,
        (w) => ({
          account: A,
          snapshot: w.snaps.plain.id,
          command: modify({
            SnapshotId: w.snaps.plain.id,
            CreateVolumePermission: { Add: [{ UserId: B }], Remove: [{ UserId: C }] },
          }),
        }),
        'InvalidParameterCombination',
      ],
      [
        'only the owner may change permissions (a snapshot shared with the caller)',
        (w) => ({
          account: A,
          snapshot: w.snaps.sharedPlain.id,
          command: modify({ SnapshotId: w.snaps.sharedPlain.id, OperationType: 'add', UserIds: [C] }),
        }),
        'UnauthorizedOperation',
      ],
      [
        'only the owner may read permissions',
        (w) => ({
          account: A,
          snapshot: w.snaps.sharedPlain.id,
          command: new DescribeSnapshotAttributeCommand({
            SnapshotId: w.snaps.sharedPlain.id,
            Attribute: 'createVolumePermission',
          }),
        }),
        'UnauthorizedOperation',
      ],
      [
        'a snapshot the caller cannot see does not exist for it',
        (w) => ({
          account: A,
          snapshot: w.snaps.notShared.id,
          command: modify({ SnapshotId: w.snaps.notShared.id, OperationType: 'add', UserIds: [C] }),
        }),
        'InvalidSnapshot.NotFound',
      ],
      [
        'only createVolumePermission can be reset',
        (w) => ({
          account: A,
          snapshot: w.snaps.plain.id,
          command: new ResetSnapshotAttributeCommand({
            SnapshotId: w.snaps.plain.id,
            Attribute: 'productCodes',
          }),
        }),
        'InvalidParameterValue',
      ],
    ];
    it.each(rows)('%s', async (_rule, build, code) => {
      const { account, command, snapshot } = build(f.w);
      const before = [...f.w.sim.snapshot(snapshot)!.sharedWith];
      const beforePublic = f.w.sim.snapshot(snapshot)!.extra.public;
      const err = await failure(
        f.m.client(account, 'us-east-1').send(command as ModifySnapshotAttributeCommand),
      );
      expect(err.name).toBe(code);
      expect([...f.w.sim.snapshot(snapshot)!.sharedWith]).toEqual(before);
      expect(f.w.sim.snapshot(snapshot)!.extra.public).toBe(beforePublic);
    });
  });

  it('DescribeSnapshotAttribute productCodes lists the codes', async () => {
    const { sim } = f.w;
    const s = sim.addSnapshot({
      account: A,
      region: 'us-east-1',
      sizeGiB: 8,
      productCodes: [{ id: 'abc123', type: 'marketplace' }],
    });
    const out = await f.m
      .client(A, 'us-east-1')
      .send(new DescribeSnapshotAttributeCommand({ SnapshotId: s.id, Attribute: 'productCodes' }));
    expect(out.SnapshotId).toBe(s.id);
    expect(out.ProductCodes).toEqual([{ ProductCodeId: 'abc123', ProductCodeType: 'marketplace' }]);
  });

  describe('who sees what (DescribeSnapshots: Owner.N, RestorableBy.N, owner filters)', () => {
    // World: A owns plain and encrypted (private); B owns sharedEncrypted, sharedPrivateKey
    // and sharedPlain (shared with A) and notShared; C owns a public snapshot aliased amazon.
    const extra = (w: typeof f.w) => {
      const pub = w.sim.addSnapshot({
        account: C,
        region: 'us-east-1',
        sizeGiB: 2,
        ownerAlias: 'amazon',
        public: true,
      });
      return { pub: pub.id };
    };
    type Sel = (w: typeof f.w, x: { pub: string }) => string[];
    const bShared = (w: typeof f.w): string[] => [
      w.snaps.sharedEncrypted.id,
      w.snaps.sharedPrivateKey.id,
      w.snaps.sharedPlain.id,
    ];
    const rows: [string, string, DescribeSnapshotsCommandInput, Sel][] = [
      [
        'DescribeSnapshots: no options is every snapshot with a create-volume permission',
        A,
        {},
        (w, x) => [w.snaps.plain.id, w.snaps.encrypted.id, ...bShared(w), x.pub],
      ],
      [
        "Owner self is the caller's own",
        A,
        { OwnerIds: ['self'] },
        (w) => [w.snaps.plain.id, w.snaps.encrypted.id],
      ],
      ["Owner <account> is that owner's, among the visible", A, { OwnerIds: [B] }, bShared],
      ['Owner amazon matches the owner alias', A, { OwnerIds: ['amazon'] }, (_w, x) => [x.pub]],
      ['RestorableBy all is the public ones', A, { RestorableByUserIds: ['all'] }, (_w, x) => [x.pub]],
      [
        'RestorableBy self is owned or explicitly granted (not merely public)',
        A,
        { RestorableByUserIds: ['self'] },
        (w) => [w.snaps.plain.id, w.snaps.encrypted.id, ...bShared(w)],
      ],
      [
        "RestorableBy <account> is the caller's own that the account may use",
        B,
        { RestorableByUserIds: [A] },
        bShared,
      ],
      ['RestorableBy <account> that was granted nothing', B, { RestorableByUserIds: [C] }, () => []],
      ['owner-id filter', A, { Filters: [{ Name: 'owner-id', Values: [B] }] }, bShared],
      [
        'owner-alias filter',
        A,
        { Filters: [{ Name: 'owner-alias', Values: ['amazon'] }] },
        (_w, x) => [x.pub],
      ],
      ['a third account sees only public ones', C, { OwnerIds: [A, B] }, () => []],
    ];
    it.each(rows)('%s (caller %s)', async (_rule, caller, input, expected) => {
      const x = extra(f.w);
      expect(await ids(caller, input)).toEqual(new Set(expected(f.w, x)));
    });

    it.each<[string, DescribeSnapshotsCommandInput]>([
      ['Owner', { OwnerIds: ['nobody'] }],
      ['RestorableBy', { RestorableByUserIds: ['everyone'] }],
    ])('a malformed %s value is InvalidUserID.Malformed', async (_name, input) => {
      const err = await failure(f.m.client(A, 'us-east-1').send(new DescribeSnapshotsCommand(input)));
      expect(err.name).toBe('InvalidUserID.Malformed');
    });
  });
});
