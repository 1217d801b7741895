import { DescribeKeyCommand, type KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import type { SimKey } from '../../src/sim/index.js';
import { A, B, failure, MOUNTINGS } from '../ec2/harness.js';
import { freshAwsFixture } from './aws-clients.js';

const EAST = 'us-east-1';
const DELETION = Date.UTC(2026, 1, 1);

describe.each(MOUNTINGS)('AWS KMS front-end (%s mounting)', (mounting) => {
  const f = freshAwsFixture(mounting);
  const extra = () => {
    const sim = f.w.sim;
    return {
      disabled: sim.addKey({ account: A, region: EAST, aliases: ['off'], state: 'Disabled' }),
      deleting: sim.addKey({
        account: A,
        region: EAST,
        aliases: ['going'],
        state: 'PendingDeletion',
        deletionDate: DELETION,
      }),
      importing: sim.addKey({ account: A, region: EAST, aliases: ['byok'], state: 'PendingImport' }),
    };
  };
  const describeAs = (account: string, keyId: string, client?: KMSClient) =>
    (client ?? f.c.kms(account, EAST)).send(new DescribeKeyCommand({ KeyId: keyId }));

  describe('DescribeKey: the four key identifiers of one key ("Key identifiers", KMS developer guide)', () => {
    const refs: ReadonlyArray<readonly [string, (k: SimKey) => string]> = [
      ['key id', (k) => k.id],
      ['key ARN', (k) => k.arn],
      ['alias name', () => 'alias/backup'],
      ['alias ARN', () => `arn:aws:kms:${EAST}:${A}:alias/backup`],
    ];
    it.each(refs)('%s names the key, with its ARN, region and account', async (_form, ref) => {
      const key = f.w.keys.backupEast;
      const { KeyMetadata } = await describeAs(A, ref(key));
      expect(KeyMetadata).toMatchObject({
        KeyId: key.id,
        Arn: `arn:aws:kms:${EAST}:${A}:key/${key.id}`,
        AWSAccountId: A,
        KeyManager: 'CUSTOMER',
        KeyState: 'Enabled',
        Enabled: true,
        Origin: 'AWS_KMS',
        KeySpec: 'SYMMETRIC_DEFAULT',
        KeyUsage: 'ENCRYPT_DECRYPT',
      });
      expect(KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    });
  });

  const ROWS: ReadonlyArray<{
    rule: string;
    caller?: string;
    keyId: (w: typeof f.w, x: ReturnType<typeof extra>) => string;
    expect: Record<string, unknown> | { error: string };
  }> = [
    {
      rule: 'the AWS managed key (alias/aws/ebs) is managed by AWS',
      keyId: () => 'alias/aws/ebs',
      expect: {
        KeyManager: 'AWS',
        KeyState: 'Enabled',
        Description: 'Default key that protects my EBS volumes when no other key is defined',
      },
    },
    {
      rule: 'a disabled key is described, KeyState Disabled, Enabled false',
      keyId: (_w, x) => x.disabled.id,
      expect: { KeyState: 'Disabled', Enabled: false },
    },
    {
      rule: 'a key pending deletion shows its DeletionDate',
      keyId: () => 'alias/going',
      expect: { KeyState: 'PendingDeletion', Enabled: false, DeletionDate: new Date(DELETION) },
    },
    {
      rule: 'a key waiting for imported material: PendingImport, Origin EXTERNAL',
      keyId: (_w, x) => x.importing.arn,
      expect: { KeyState: 'PendingImport', Enabled: false, Origin: 'EXTERNAL' },
    },
    {
      rule: "cross-account: another account's key by ARN, its key policy lets the caller in → described",
      keyId: (w) => w.keys.partnerEast.arn,
      expect: { AWSAccountId: B, KeyManager: 'CUSTOMER', KeyState: 'Enabled' },
    },
    {
      rule: "cross-account: another account's alias ARN, usable → described",
      keyId: () => `arn:aws:kms:${EAST}:${B}:alias/partner`,
      expect: { AWSAccountId: B },
    },
    {
      rule: "cross-account: another account's key by ARN, not usable by the caller → AccessDeniedException",
      keyId: (w) => w.keys.privateEast.arn,
      expect: { error: 'AccessDeniedException' },
    },
    {
      rule: "cross-account: another account's key by bare id looks in the caller's account → NotFoundException",
      keyId: (w) => w.keys.partnerEast.id,
      expect: { error: 'NotFoundException' },
    },
    {
      rule: "cross-account: another account's alias name looks in the caller's account → NotFoundException",
      keyId: () => 'alias/partner',
      expect: { error: 'NotFoundException' },
    },
    {
      rule: 'KMS is regional: a key ARN of another region → NotFoundException',
      keyId: (w) => w.keys.backupWest.arn,
      expect: { error: 'NotFoundException' },
    },
    {
      rule: 'an alias that does not exist → NotFoundException',
      keyId: () => 'alias/nope',
      expect: { error: 'NotFoundException' },
    },
    {
      rule: 'an ARN that names no KMS key or alias → InvalidArnException',
      keyId: () => `arn:aws:kms:${EAST}:${A}:keyring/x`,
      expect: { error: 'InvalidArnException' },
    },
  ];
  it.each(ROWS.map((r) => [r.rule, r] as const))('DescribeKey: %s', async (_rule, row) => {
    const x = extra();
    const call = describeAs(row.caller ?? A, row.keyId(f.w, x));
    if ('error' in row.expect) {
      const err = await failure(call);
      expect(err.name).toBe(row.expect.error);
      expect(err.$metadata?.httpStatusCode).toBe(400);
      expect(err.$metadata?.requestId).toMatch(/^[0-9a-f-]{36}$/);
      return;
    }
    expect((await call).KeyMetadata).toMatchObject(row.expect);
  });

  it('DescribeKey without KeyId is a ValidationException', async () => {
    const err = await failure(f.c.kms(A, EAST).send(new DescribeKeyCommand({} as { KeyId: string })));
    expect(err.name).toBe('ValidationException');
  });

  it("ListAliases: the caller's aliases in the region, AWS managed ones included, sorted, with targets", async () => {
    const x = extra();
    const { Aliases, Truncated } = await f.c.kms(A, EAST).send(new ListAliasesCommand({}));
    expect(Truncated).toBe(false);
    expect(Aliases?.map((a) => a.AliasName)).toEqual([
      'alias/aws/ebs',
      'alias/backup',
      'alias/byok',
      'alias/going',
      'alias/off',
    ]);
    expect(Aliases?.find((a) => a.AliasName === 'alias/off')).toMatchObject({
      AliasArn: `arn:aws:kms:${EAST}:${A}:alias/off`,
      TargetKeyId: x.disabled.id,
    });
  });

  it('ListAliases with KeyId lists that key only; pages follow Limit and NextMarker', async () => {
    const x = extra();
    const kms = f.c.kms(A, EAST);
    const one = await kms.send(new ListAliasesCommand({ KeyId: x.deleting.arn }));
    expect(one.Aliases?.map((a) => a.AliasName)).toEqual(['alias/going']);
    const names: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await kms.send(
        new ListAliasesCommand({ Limit: 2, ...(marker ? { Marker: marker } : {}) }),
      );
      names.push(...(page.Aliases ?? []).map((a) => a.AliasName!));
      marker = page.NextMarker;
      expect(page.Truncated).toBe(marker !== undefined);
      if (!marker) break;
    }
    expect(names).toHaveLength(5);
    expect((await failure(kms.send(new ListAliasesCommand({ Marker: 'bm9wZQ==' })))).name).toBe(
      'InvalidMarkerException',
    );
    expect((await failure(kms.send(new ListAliasesCommand({ Limit: 0 })))).name).toBe('ValidationException');
    expect((await failure(kms.send(new ListAliasesCommand({ KeyId: f.w.keys.partnerEast.arn })))).name).toBe(
      'NotFoundException',
    );
  });

  it('SigV4 is verified for kms: a wrong secret and an unknown access key are refused', async () => {
    const { accessKeyId } = f.w.sim.credentials(A);
    const wrong = f.c.kms(A, EAST, { accessKeyId, secretAccessKey: 'not-the-secret-0000' });
    expect((await failure(wrong.send(new ListAliasesCommand({})))).name).toBe('InvalidSignatureException');
    const stranger = f.c.kms(A, EAST, {
      accessKeyId: 'AKIANOBODY0000000000',
      secretAccessKey: 'x-secret-000',
    });
    expect((await failure(stranger.send(new ListAliasesCommand({})))).name).toBe(
      'UnrecognizedClientException',
    );
  });

  it('faults apply per operation, and the request log records KMS calls', async () => {
    f.w.sim.faults.throttleNext('DescribeKey');
    const err = await failure(describeAs(A, 'alias/backup'));
    expect(err.name).toBe('ThrottlingException');
    await describeAs(A, 'alias/backup');
    const logged = f.w.sim.world.requests.entries().filter((e) => e.operation === 'DescribeKey');
    expect(logged.map((e) => [e.httpStatus, e.errorCode, e.account, e.region])).toEqual([
      [400, 'ThrottlingException', A, EAST],
      [200, undefined, A, EAST],
    ]);
  });
});
