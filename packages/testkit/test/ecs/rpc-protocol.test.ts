import { $OpenApiUtil } from '@alicloud/openapi-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acs3Signature, ECS_DOCUMENTED_RATE_LIMIT, EcsSimulator } from '../../src/ecs/index.js';
import { VirtualClock } from '../../src/sim/index.js';
import {
  blockNetwork,
  copyRequest,
  type EcsHarness,
  HANGZHOU,
  MODES,
  makeHarness,
  SHANGHAI,
  sdkError,
} from './harness.js';

beforeAll(blockNetwork);

describe.each(MODES)('protocol via $mounting ($signing)', ({ mounting, signing }) => {
  let h: EcsHarness;
  beforeEach(async () => {
    h = await makeHarness(mounting, { rateLimit: { capacity: 3, refillPerSecond: 1 } }, signing);
  });
  afterEach(async () => {
    await h.close();
  });
  const describeIn = (region: string, client = h.client(region)) =>
    client.describeSnapshots(new h.mod.DescribeSnapshotsRequest({ regionId: region }));

  it('a wrong secret → 400 SignatureDoesNotMatch; an unknown AccessKeyId → 404 InvalidAccessKeyId.NotFound', async () => {
    const wrong = await sdkError(
      describeIn(SHANGHAI, h.client(SHANGHAI, { accessKeySecret: 'not-the-secret' })),
    );
    expect([wrong.statusCode, wrong.code]).toEqual([400, 'SignatureDoesNotMatch']);
    const unknown = await sdkError(
      describeIn(SHANGHAI, h.client(SHANGHAI, { accessKeyId: 'LTAI5tUNKNOWNKEY000000' })),
    );
    expect([unknown.statusCode, unknown.code]).toEqual([404, 'InvalidAccessKeyId.NotFound']);
    expect(h.sim.world.requests.entries().map((e) => e.errorCode)).toEqual([
      'SignatureDoesNotMatch',
      'InvalidAccessKeyId.NotFound',
    ]);
  });

  it('error bodies carry RequestId, HostId, Code, Message and Recommend', async () => {
    const err = await sdkError(
      h.client(SHANGHAI).deleteSnapshot(new h.mod.DeleteSnapshotRequest({ snapshotId: 's-nope' })),
    );
    const data = err.data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    expect(data.Recommend).toContain(`requestId=${data.RequestId}`);
    expect(data.HostId).toEqual(
      mounting === 'nock' ? 'ecs.cn-shanghai.aliyuncs.com' : expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    );
    expect(err.message).toContain('InvalidSnapshotId.NotFound');
  });

  it('the request log holds decoded parameters and never the signature', async () => {
    const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 1 });
    await h
      .client(HANGZHOU)
      .copySnapshot(copyRequest(h, { snapshotId: src.id, destinationSnapshotDescription: 'a b: c & d' }));
    const entry = h.sim.world.requests.entries().at(-1)!;
    expect(entry).toMatchObject({
      cloud: 'ecs',
      operation: 'CopySnapshot',
      region: HANGZHOU,
      account: h.account,
      httpStatus: 200,
    });
    expect(entry.params.DestinationSnapshotDescription).toBe('a b: c & d');
    expect(entry.params.Signature).toBeUndefined();
    expect(JSON.stringify(entry)).not.toContain(h.sim.credentials(h.account).accessKeySecret);
    if (signing === 'v2') expect(entry.params.Action).toBe('CopySnapshot');
  });

  it('throttling: an empty per-action bucket → 400 Throttling.User; it refills in virtual time', async () => {
    const c = h.client(SHANGHAI);
    for (let i = 0; i < 3; i++) await describeIn(SHANGHAI, c);
    const err = await sdkError(describeIn(SHANGHAI, c));
    expect([err.statusCode, err.code]).toEqual([400, 'Throttling.User']);
    expect(err.message).toContain('Request was denied due to user flow control.');
    expect((err as { name?: string }).name ?? err.constructor.name).toMatch(/Throttling/);
    // Another action has its own bucket.
    await c.deleteSnapshot(
      new h.mod.DeleteSnapshotRequest({
        snapshotId: h.sim.addSnapshot({ account: h.account, region: SHANGHAI, sizeGiB: 1 }).id,
      }),
    );
    h.clock.advance(1000);
    await describeIn(SHANGHAI, c);
  });

  describe('faults', () => {
    it('throttle → Throttling.User, nothing applied', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 1 });
      h.sim.faults.throttleNext('CopySnapshot');
      const err = await sdkError(h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id })));
      expect(err.code).toBe('Throttling.User');
      expect(h.sim.world.ledger.entries()).toHaveLength(0);
    });

    it('server-error → 500 InternalError (ServerError), nothing applied', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 1 });
      h.sim.faults.failNext('CopySnapshot');
      const err = await sdkError(h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id })));
      expect([err.statusCode, err.code]).toEqual([500, 'InternalError']);
      expect(h.sim.world.ledger.entries()).toHaveLength(0);
      h.sim.frontEnd.options.serverErrorCode = 'ServiceUnavailable';
      h.sim.faults.failNext('DescribeSnapshots');
      const err503 = await sdkError(describeIn(SHANGHAI));
      expect([err503.statusCode, err503.code]).toEqual([503, 'ServiceUnavailable']);
    });

    it('reset → a connection error and nothing applied', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 1 });
      h.sim.faults.resetNext('CopySnapshot');
      await sdkError(h.client(HANGZHOU).copySnapshot(copyRequest(h, { snapshotId: src.id })));
      expect([...h.sim.world.snapshots.values()].filter((s) => s.copy)).toHaveLength(0);
    });

    it('drop-after → the caller fails but exactly one copy exists; a retry with the token finds it', async () => {
      const src = h.sim.addSnapshot({ account: h.account, region: HANGZHOU, sizeGiB: 1 });
      h.sim.faults.dropResponseNext('CopySnapshot');
      const c = h.client(HANGZHOU);
      const err = await sdkError(
        c.copySnapshot(copyRequest(h, { snapshotId: src.id, clientToken: 'retry-me' })),
      );
      expect(err.code).not.toBe('InvalidSnapshotId.NotFound');
      const made = [...h.sim.world.snapshots.values()].filter((s) => s.copy);
      expect(made).toHaveLength(1);
      const retry = await c.copySnapshot(copyRequest(h, { snapshotId: src.id, clientToken: 'retry-me' }));
      expect(retry.body!.snapshotId).toBe(made[0]!.id);
      expect([...h.sim.world.snapshots.values()].filter((s) => s.copy)).toHaveLength(1);
    });

    it('latency → the reply arrives after the delay', async () => {
      h.sim.faults.add({ operation: 'DescribeSnapshots', kind: 'latency', latencyMs: 60 });
      const t0 = performance.now();
      await describeIn(SHANGHAI);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(50);
      expect(h.sim.world.requests.entries().at(-1)?.fault).toBe('latency');
    });
  });

  it('an unknown action → 404 InvalidAction.NotFound', async () => {
    const client = h.client(SHANGHAI);
    const params = new $OpenApiUtil.Params({
      action: 'NoSuchAction',
      version: '2014-05-26',
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new $OpenApiUtil.OpenApiRequest({ query: { RegionId: SHANGHAI } });
    const runtime = {} as Parameters<typeof client.callApi>[2];
    const err = await sdkError(client.callApi(params, request, runtime));
    expect([err.statusCode, err.code]).toEqual([404, 'InvalidAction.NotFound']);
  });
});

describe('endpoints and defaults', () => {
  let h: EcsHarness;
  afterEach(async () => {
    await h?.close();
  });

  it('nock intercepts the hosts the SDK computes: ecs-cn-hangzhou and ecs.<region>', async () => {
    h = await makeHarness('nock');
    for (const region of [HANGZHOU, SHANGHAI]) {
      const err = await sdkError(
        h.client(region).deleteSnapshot(new h.mod.DeleteSnapshotRequest({ snapshotId: 's-nope' })),
      );
      expect((err.data as Record<string, string>).HostId).toBe(
        region === HANGZHOU ? 'ecs-cn-hangzhou.aliyuncs.com' : `ecs.${region}.aliyuncs.com`,
      );
    }
  });

  it('the default flow control is the documented 1000 calls per 60 s, per account and action', async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const sim = new EcsSimulator({ clock });
    sim.addRegions(SHANGHAI);
    const account = sim.addAccount();
    expect(sim.frontEnd.options.rateLimit).toEqual(ECS_DOCUMENTED_RATE_LIMIT);
    expect(ECS_DOCUMENTED_RATE_LIMIT).toEqual({ capacity: 1000, refillPerSecond: 1000 / 60 });
    const call = async () => {
      const headers: Record<string, string> = {
        host: 'ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action': 'DescribeSnapshots',
        'x-acs-version': '2014-05-26',
        'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      };
      const signed = Object.keys(headers).sort();
      const query: Array<[string, string]> = [['RegionId', SHANGHAI]];
      const signature = acs3Signature(
        { method: 'POST', path: '/', query, headers, body: '' },
        signed,
        account.secretAccessKey,
      );
      headers.authorization = `ACS3-HMAC-SHA256 Credential=${account.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}`;
      const reply = await sim.handler.handle({
        method: 'POST',
        url: `/?RegionId=${SHANGHAI}`,
        headers,
        body: '',
      });
      return 'status' in reply ? reply.status : 0;
    };
    const statuses: number[] = [];
    for (let i = 0; i < 1001; i++) statuses.push(await call());
    expect(statuses.slice(0, 1000).every((s) => s === 200)).toBe(true);
    expect(statuses[1000]).toBe(400);
    // 1000 / 60 s refills one call every 60 ms of virtual time.
    clock.advance(30);
    expect(await call()).toBe(400);
    clock.advance(40);
    expect(await call()).toBe(200);
  });
});
