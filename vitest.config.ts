import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript sources under the `source` condition, so
// tests run against src/ without a build. The built CLI is tested
// separately as a child process. No `module` condition: it would pick the AWS SDK's
// bundler-only `dist-es` build, which plain Node cannot load.
const conditions = ['source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    pool: 'forks',
    // Both cores: the default leaves one idle on this 2-core machine.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
