import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mountSimulator } from '../../src/conformance/simulator-harness.js';
import { EcsSimulator } from '../../src/ecs/index.js';
import { VirtualClock } from '../../src/sim/index.js';
import type { SimKey } from '../../src/sim/index.js';
import { BEIJING, HANGZHOU, SHANGHAI, sdkError } from '../ecs/harness.js';

type KmsNamespace = typeof import('@alicloud/kms20160120');
type KmsClientClass = KmsNamespace['default'];
type KmsClient = InstanceType<KmsClientClass>;

/** The KMS SDK is CommonJS with `exports.default`: resolve the class under node and vitest alike. */
async function loadKms(): Promise<{ mod: KmsNamespace; Client: KmsClientClass }> {
  const ns = (await import('@alicloud/kms20160120')) as unknown as { default: unknown };
  const exportsObject = (typeof ns.default === 'function' ? ns : ns.default) as Record<string, unknown>;
  const Client = (typeof ns.default === 'function' ? ns.default : exportsObject.default) as KmsClientClass;
  return { mod: exportsObject as unknown as KmsNamespace, Client };
}

const ME = '1234567890123456';
const PARTNER = '6543210987654321';
const STRANGER = '1111222233334444';
const DELETION = Date.UTC(2026, 1, 1);

describe.each(['server', 'nock'] as const)('Alibaba KMS front-end (%s mounting)', (mounting) => {
  let sim: EcsSimulator;
  let close: () => Promise<void>;
  let endpoint: string | undefined;
  let kms: KmsNamespace;
  let Client: KmsClientClass;
  let keys: Record<'backup' | 'disabled' | 'deleting' | 'importing' | 'partner' | 'private', SimKey>;

  beforeEach(async () => {
    ({ mod: kms, Client } = await loadKms());
    sim = new EcsSimulator({ clock: new VirtualClock({ autoAdvance: false, start: Date.UTC(2026, 0, 1) }) });
    sim.addRegions(HANGZHOU, SHANGHAI, BEIJING);
    for (const id of [ME, PARTNER, STRANGER]) sim.addAccount({ id });
    keys = {
      backup: sim.addKey({ account: ME, region: SHANGHAI, alias: 'alias/backup', id: 'key-sh-backup-0001' }),
      disabled: sim.addKey({ account: ME, region: SHANGHAI, alias: 'alias/off', state: 'Disabled' }),
      deleting: sim.addKey({
        account: ME,
        region: SHANGHAI,
        alias: 'alias/going',
        state: 'PendingDeletion',
        deletionDate: DELETION,
      }),
      importing: sim.addKey({ account: ME, region: SHANGHAI, alias: 'alias/byok', state: 'PendingImport' }),
      partner: sim.addKey({ account: PARTNER, region: SHANGHAI, alias: 'alias/partner', usableBy: [ME] }),
      private: sim.addKey({ account: PARTNER, region: SHANGHAI, alias: 'alias/private' }),
    };
    const mounted = await mountSimulator(sim, mounting);
    close = mounted.close;
    endpoint = mounted.endpoint?.replace(/^http:\/\//, '');
  });
  afterEach(async () => {
    await close();
  });

  /** A KMS client of `account` for `region`: the regional endpoint under nock, the bare server otherwise. */
  const client = (account = ME, region = SHANGHAI, secret?: string): KmsClient => {
    const c = sim.credentials(account);
    // The client reads plain fields off its config (a tea model class in the types).
    const config = {
      accessKeyId: c.accessKeyId,
      accessKeySecret: secret ?? c.accessKeySecret,
      regionId: region,
      ...(endpoint ? { endpoint, protocol: 'http' } : { endpoint: `kms.${region}.aliyuncs.com` }),
      readTimeout: 5000,
      connectTimeout: 2000,
    } as unknown as ConstructorParameters<KmsClientClass>[0];
    return new Client(config);
  };
  const describeKey = (keyId: string, account = ME) =>
    client(account).describeKey(new kms.DescribeKeyRequest({ keyId }));

  const NAMES: ReadonlyArray<readonly [string, () => string]> = [
    ['key id', () => keys.backup.id],
    ['key ARN', () => `acs:kms:${SHANGHAI}:${ME}:key/${keys.backup.id}`],
    ['alias', () => 'alias/backup'],
  ];
  it.each(NAMES)(
    'DescribeKey: the %s names the key (KMS DescribeKey: ID, alias or ARN)',
    async (_form, ref) => {
      const r = await describeKey(ref());
      expect(r.keyMetadata).toMatchObject({
        keyId: 'key-sh-backup-0001',
        arn: `acs:kms:${SHANGHAI}:${ME}:key/key-sh-backup-0001`,
        keyState: 'Enabled',
        creator: ME,
        origin: 'Aliyun_KMS',
        keyUsage: 'ENCRYPT/DECRYPT',
      });
      expect(r.requestId).toMatch(/./);
    },
  );

  const ROWS: ReadonlyArray<{
    rule: string;
    ref: () => string;
    account?: string;
    expect: Record<string, unknown> | string;
  }> = [
    {
      rule: 'a disabled key is described: KeyState Disabled',
      ref: () => keys.disabled.id,
      expect: { keyState: 'Disabled' },
    },
    {
      rule: 'a key pending deletion shows DeleteDate',
      ref: () => keys.deleting.id,
      expect: { keyState: 'PendingDeletion', deleteDate: '2026-02-01T00:00:00Z' },
    },
    {
      rule: 'a key waiting for imported material: PendingImport, Origin EXTERNAL',
      ref: () => keys.importing.arn,
      expect: { keyState: 'PendingImport', origin: 'EXTERNAL' },
    },
    {
      rule: "another account's key by ARN, usable by the caller → described",
      ref: () => keys.partner.arn,
      expect: { creator: PARTNER, keyState: 'Enabled' },
    },
    {
      rule: "another account's key by ARN, not usable → Forbidden.NoPermission",
      ref: () => keys.private.arn,
      expect: 'Forbidden.NoPermission',
    },
    {
      rule: "another account's key by bare id (the ARN is required across accounts) → Forbidden.KeyNotFound",
      ref: () => keys.partner.id,
      expect: 'Forbidden.KeyNotFound',
    },
    {
      rule: 'an alias the caller does not have → Forbidden.AliasNotFound',
      ref: () => 'alias/partner',
      expect: 'Forbidden.AliasNotFound',
    },
    {
      rule: 'a key ARN naming another region → Forbidden.KeyNotFound',
      ref: () => `acs:kms:${BEIJING}:${ME}:key/${keys.backup.id}`,
      expect: 'Forbidden.KeyNotFound',
    },
  ];
  it.each(ROWS.map((r) => [r.rule, r] as const))('DescribeKey: %s', async (_rule, row) => {
    if (typeof row.expect === 'string') {
      const err = await sdkError(describeKey(row.ref(), row.account));
      expect(err.code).toBe(`${row.expect}Error`);
      expect(err.data).toMatchObject({ Code: row.expect });
      return;
    }
    expect((await describeKey(row.ref(), row.account)).keyMetadata).toMatchObject(row.expect);
  });

  it('the service key alias/acs/ecs is the region’s own: the endpoint (or RegionId) names the region', async () => {
    const serviceKey = sim.serviceKey(ME, SHANGHAI);
    if (mounting === 'nock') {
      const r = await describeKey('alias/acs/ecs');
      expect(r.keyMetadata).toMatchObject({ keyId: serviceKey.id, creator: 'Ecs' });
      return;
    }
    // A bare 127.0.0.1 endpoint carries no region and the SDK sends none: the alias is ambiguous…
    const err = await sdkError(describeKey('alias/acs/ecs'));
    expect(err.data).toMatchObject({ Code: 'InvalidParameter' });
    // …unless the request names it.
    const c = client();
    const raw = await c.doRequest(
      'DescribeKey',
      'HTTP',
      'POST',
      '2016-01-20',
      'AK',
      { KeyId: 'alias/acs/ecs', RegionId: SHANGHAI },
      null as never,
      // The SDK reads plain fields off its runtime options; none are needed here.
      {} as Parameters<KmsClient['doRequest']>[7],
    );
    expect(raw).toMatchObject({ KeyMetadata: { KeyId: serviceKey.id } });
  });

  it('ListAliases lists the region’s aliases with their keys and ARNs; ListAliasesByKeyId one key’s', async () => {
    const r = await client().listAliases(new kms.ListAliasesRequest({ pageSize: 100 }));
    const names = r.aliases.alias.map((a) => `${a.aliasName} ${a.aliasArn.split(':')[2]}`);
    if (mounting === 'nock') {
      expect(names).toEqual([
        'alias/acs/ecs cn-shanghai',
        'alias/backup cn-shanghai',
        'alias/byok cn-shanghai',
        'alias/going cn-shanghai',
        'alias/off cn-shanghai',
      ]);
    } else {
      // No region on a bare endpoint: every region's aliases, each ARN naming its region.
      expect(names).toContain('alias/acs/ecs cn-beijing');
      expect(names).toContain('alias/backup cn-shanghai');
      expect(r.totalCount).toBe(7);
    }
    const paged = await client().listAliases(new kms.ListAliasesRequest({ pageSize: 2, pageNumber: 2 }));
    expect([paged.pageNumber, paged.pageSize, paged.aliases.alias.length]).toEqual([2, 2, 2]);
    const byKey = await client().listAliasesByKeyId(
      new kms.ListAliasesByKeyIdRequest({ keyId: keys.deleting.arn }),
    );
    expect(byKey.aliases.alias).toEqual([
      expect.objectContaining({ aliasName: 'alias/going', keyId: keys.deleting.id }),
    ]);
    const err = await sdkError(
      client().listAliasesByKeyId(new kms.ListAliasesByKeyIdRequest({ keyId: 'nope' })),
    );
    expect(err.data).toMatchObject({ Code: 'Forbidden.KeyNotFound' });
  });

  it('signatures are verified: a wrong secret is refused, and requests are logged as KMS calls', async () => {
    const err = await sdkError(
      client(ME, SHANGHAI, 'not-the-secret').describeKey(
        new kms.DescribeKeyRequest({ keyId: keys.backup.id }),
      ),
    );
    expect(err.data).toMatchObject({ Code: 'SignatureDoesNotMatch' });
    sim.faults.throttleNext('DescribeKey');
    const throttled = await sdkError(describeKey(keys.backup.id));
    expect(throttled.data).toMatchObject({ Code: 'Throttling' });
    await describeKey(keys.backup.id);
    const logged = sim.world.requests.entries().filter((e) => e.operation === 'DescribeKey');
    expect(logged.map((e) => [e.httpStatus, e.errorCode ?? null])).toEqual([
      [400, 'SignatureDoesNotMatch'],
      [400, 'Throttling'],
      [200, null],
    ]);
    expect(logged.at(-1)?.region).toBe(mounting === 'nock' ? SHANGHAI : undefined);
  });
});
