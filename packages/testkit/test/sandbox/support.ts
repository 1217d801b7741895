import { request } from 'node:http';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { SandboxCloudInfo } from '../../src/sandbox/index.js';
import { loadEcs } from '../ecs/harness.js';

/** An EC2 client on a sandbox cloud, for its first (or given) account. */
export function ec2Client(info: SandboxCloudInfo, region: string, account = 0): EC2Client {
  const a = info.accounts[account]!;
  return new EC2Client({
    region,
    endpoint: info.endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
  });
}

/** An ECS client on a sandbox cloud, for its first account. */
export async function ecsClient(info: SandboxCloudInfo, region: string) {
  const { mod, Client } = await loadEcs();
  const a = info.accounts[0]!;
  const client = new Client(
    new $OpenApiUtil.Config({
      accessKeyId: a.accessKeyId,
      accessKeySecret: a.secretAccessKey,
      regionId: region,
      endpoint: info.endpoint.replace(/^http:\/\//, ''),
      protocol: 'http',
      readTimeout: 5000,
      connectTimeout: 2000,
    }),
  );
  return { client, mod };
}

/** A raw HTTP exchange with a control endpoint, headers under the test's control. */
export function controlRequest(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string; json: () => unknown }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs JSON to a control endpoint. */
export function controlPost(base: string, path: string, body: unknown) {
  return controlRequest(base, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
