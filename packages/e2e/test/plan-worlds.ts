// Both simulators on 127.0.0.1 with the accounts, regions and keys the exact-plans rows
// use, the two adapters pointed at them, and a proxy that keeps a cloud's KMS unreadable.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AlibabaEcsSnapshotCopier, createAlibabaEcsCopier } from '@snapcopy/alibaba';
import { type AwsEbsSnapshotCopier, createAwsEbsCopier } from '@snapcopy/aws';
import type { CopyHandle, CopyRequestInput, SnapshotCopier } from '@snapcopy/core';
import { Ec2Simulator, EcsSimulator, type SimServer, VirtualClock } from '@snapcopy/testkit';

export const AWS = { caller: '111122223333', owner: '444455556666', east: 'us-east-1', west: 'us-west-2' };
export const ALI = {
  me: '1234567890123456',
  partner: '6543210987654321',
  hangzhou: 'cn-hangzhou',
  shanghai: 'cn-shanghai',
};

/** A fresh pair of simulated clouds and a copier for each, on one virtual clock. */
export interface PlanWorld {
  readonly clock: VirtualClock;
  readonly ec2: Ec2Simulator;
  readonly ecs: EcsSimulator;
  readonly aws: AwsEbsSnapshotCopier;
  readonly alibaba: AlibabaEcsSnapshotCopier;
  readonly awsServer: SimServer;
  readonly ecsServer: SimServer;
  /** Copiers whose KMS requests are refused as by a caller without KMS permissions. */
  kmsDenied(): Promise<{ aws: AwsEbsSnapshotCopier; alibaba: AlibabaEcsSnapshotCopier }>;
  close(): Promise<void>;
}

/** Copies and waits (virtual time) until the copy ends; returns its handle. */
export async function copyAndWait(copier: SnapshotCopier, request: CopyRequestInput): Promise<CopyHandle> {
  const handle = await copier.copy(request);
  await copier.wait(handle, { minDelayMs: 30_000, maxDelayMs: 120_000, timeoutMs: 7 * 86_400_000 });
  return handle;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a simulator: requests `isKms` picks out are
 * answered with `denial` (the cloud's access-denied reply), everything else is forwarded.
 */
async function kmsDeniedProxy(
  target: string,
  isKms: (req: IncomingMessage) => boolean,
  denial: { status: number; body: string; headers: Record<string, string> },
): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    if (isKms(req)) {
      req.resume();
      res.writeHead(denial.status, denial.headers).end(denial.body);
      return;
    }
    const upstream = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function planWorld(): Promise<PlanWorld> {
  const clock = new VirtualClock();
  const ec2 = new Ec2Simulator({ clock, throttling: false });
  ec2.addRegions(AWS.east, AWS.west);
  ec2.addAccount({ id: AWS.caller });
  ec2.addAccount({ id: AWS.owner });
  const ecs = new EcsSimulator({ clock, rateLimit: false, throughputMiBps: 1024 });
  ecs.addRegions(ALI.hangzhou, ALI.shanghai);
  ecs.addAccount({ id: ALI.me });
  ecs.addAccount({ id: ALI.partner });
  const awsServer = await ec2.listen();
  const ecsServer = await ecs.listen();
  const retry = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };
  const aliCreds = ecs.credentials(ALI.me);
  const makeAws = (endpoint: string) =>
    createAwsEbsCopier({ credentials: ec2.credentials(AWS.caller), endpoint, clock, retry });
  const makeAli = (endpoint: string, kmsEndpoint?: string) =>
    createAlibabaEcsCopier({
      credentials: { accessKeyId: aliCreds.accessKeyId, accessKeySecret: aliCreds.accessKeySecret },
      endpoint,
      ...(kmsEndpoint === undefined ? {} : { kmsEndpoint }),
      protocol: 'http',
      clock,
      retry,
    });
  const aws = makeAws(awsServer.url);
  const alibaba = makeAli(ecsServer.url);
  const closers: (() => Promise<void> | void)[] = [];
  return {
    clock,
    ec2,
    ecs,
    aws,
    alibaba,
    awsServer,
    ecsServer,
    async kmsDenied() {
      const awsProxy = await kmsDeniedProxy(
        awsServer.url,
        (req) => String(req.headers['x-amz-target'] ?? '').startsWith('TrentService.'),
        {
          status: 400,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'proxy-denied' },
          body: JSON.stringify({
            __type: 'AccessDeniedException',
            message: `User: arn:aws:iam::${AWS.caller}:user/ci is not authorized to perform: kms:DescribeKey because no identity-based policy allows the kms:DescribeKey action`,
          }),
        },
      );
      const aliProxy = await kmsDeniedProxy(
        ecsServer.url,
        (req) => req.headers['x-acs-version'] === '2016-01-20',
        {
          status: 403,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            RequestId: 'PROXY-DENIED',
            Code: 'Forbidden.NoPermission',
            Message: 'This operation is forbidden by permission system.',
          }),
        },
      );
      const copiers = { aws: makeAws(awsProxy.url), alibaba: makeAli(ecsServer.url, aliProxy.url) };
      closers.push(awsProxy.close, aliProxy.close, () => copiers.aws.destroy());
      return copiers;
    },
    async close() {
      for (const c of closers) await c();
      aws.destroy();
      await awsServer.close();
      await ecsServer.close();
    },
  };
}
