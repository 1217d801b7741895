import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * Registers a test file's network hooks: while it runs nock lets requests reach 127.0.0.1
 * only; `cleanup` runs after every test (stop the file's stub or simulator); at the end
 * every interceptor is removed and the network given back.
 */
export function localNetworkOnly(cleanup: () => void | Promise<void>): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterEach(async () => {
    await cleanup();
  });
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
}
