import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, '..', 'dist');
const hooks = pathToFileURL(join(here, 'support', 'resolve-recorder.mjs')).href;
const work = mkdtempSync(join(tmpdir(), 'snapcopy-aws-lazy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `body` in a fresh node process after importing `entry`; returns every URL resolved. */
function resolvedIn(name: string, entry: string, body: string): string[] {
  const out = join(work, `${name}.txt`);
  const script = `
    import { register } from 'node:module';
    register(${JSON.stringify(hooks)}, { data: { out: ${JSON.stringify(out)} } });
    const m = await import(${JSON.stringify(pathToFileURL(join(dist, entry)).href)});
    ${body}
  `;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
  return readFileSync(out, 'utf8').split('\n').filter(Boolean);
}

const isSdk = (url: string) => url.includes('@aws-sdk/client-ec2');
const isKmsOrEbsSdk = (url: string) =>
  url.includes('@aws-sdk/client-kms') || url.includes('@aws-sdk/client-ebs');
const isInversify = (url: string) => url.includes('/inversify/');

describe('the AWS SDK is loaded lazily (built dist, child process)', () => {
  it('dist is built', () => {
    expect(existsSync(join(dist, 'index.js')), 'run `npx tsc -b packages/aws` first').toBe(true);
  });

  it('importing the package and creating a copier loads neither the SDK nor inversify', () => {
    const urls = resolvedIn(
      'import',
      'index.js',
      `const c = m.createAwsEbsCopier({ credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret-secret' } });
       if (c.capabilities.maxIdsPerStatusCall !== 200) throw new Error('wrong manifest');`,
    );
    expect(urls.some((u) => u.includes('/packages/aws/dist/copier.js'))).toBe(true);
    expect(urls.filter(isSdk)).toStrictEqual([]);
    expect(urls.filter(isKmsOrEbsSdk)).toStrictEqual([]);
    expect(urls.filter(isInversify)).toStrictEqual([]);
  });

  it('the first call that needs a client loads the SDK (the probe can see it)', () => {
    const urls = resolvedIn(
      'first-call',
      'index.js',
      `const c = m.createAwsEbsCopier({ credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret-secret' } });
       const client = await c.nativeClient('us-east-1');
       if (typeof client.send !== 'function') throw new Error('no client');
       c.destroy();`,
    );
    expect(urls.some(isSdk)).toBe(true);
    // KMS and the EBS direct APIs are loaded only by a plan that needs a key or a delta.
    expect(urls.filter(isKmsOrEbsSdk)).toStrictEqual([]);
  });

  it('the provider object carries the manifest without loading the SDK', () => {
    const urls = resolvedIn(
      'provider',
      'index.js',
      `const p = m.awsEbsCopierProvider;
       if (p.provider !== 'aws' || p.capabilities.crossAccountCopy !== true) throw new Error('no provider');`,
    );
    expect(urls.filter(isSdk)).toStrictEqual([]);
  });
});
