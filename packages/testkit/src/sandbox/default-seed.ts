import type { SandboxSeedInput } from './seed.js';

/**
 * The world the sandbox starts with when no seed is given. The same data is committed as
 * `examples/sandbox-seed.json` (a test keeps the two equal).
 */
export const DEFAULT_SANDBOX_SEED: SandboxSeedInput = {
  aws: {
    regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
    accounts: [
      {
        id: '111111111111',
        accessKeyId: 'AKIASANDBOX000000001',
        secretAccessKey: 'sandbox-secret-aws-0001',
      },
      {
        id: '222222222222',
        accessKeyId: 'AKIASANDBOX000000002',
        secretAccessKey: 'sandbox-secret-aws-0002',
      },
    ],
    keys: [
      {
        account: '111111111111',
        region: 'us-east-1',
        alias: 'backup',
      },
      {
        account: '111111111111',
        region: 'us-west-2',
        alias: 'backup',
      },
      {
        account: '111111111111',
        region: 'us-west-2',
        alias: 'revoked',
        accessible: false,
      },
      {
        account: '222222222222',
        region: 'us-east-1',
        alias: 'partner',
        usableBy: ['111111111111'],
      },
      {
        account: '111111111111',
        region: 'us-west-2',
        alias: 'retired',
        id: '0e7d0000-0000-4000-8000-00000000dead',
        state: 'PendingDeletion',
        deletionDate: '2027-01-31T00:00:00Z',
        description: 'scheduled for deletion: copies under it fail',
      },
    ],
    encryptionByDefault: [
      {
        account: '111111111111',
        region: 'eu-west-1',
      },
    ],
    snapshots: [
      {
        id: 'snap-0a000000000000001',
        account: '111111111111',
        region: 'us-east-1',
        volumeSizeGiB: 100,
        sizeGiB: 64,
        changedGiB: 6,
        description: 'web server root volume',
      },
      {
        id: 'snap-0b000000000000001',
        account: '111111111111',
        region: 'us-east-1',
        volumeSizeGiB: 200,
        sizeGiB: 120,
        encrypted: true,
        keyAlias: 'backup',
        description: 'database volume, encrypted',
      },
      {
        id: 'snap-0c000000000000001',
        account: '222222222222',
        region: 'us-east-1',
        volumeSizeGiB: 50,
        sizeGiB: 30,
        encrypted: true,
        keyAlias: 'partner',
        sharedWith: ['111111111111'],
        description: 'partner snapshot shared with 111111111111',
      },
    ],
  },
  alibaba: {
    regions: ['cn-hangzhou', 'cn-shanghai', 'ap-southeast-1'],
    accounts: [
      {
        id: '1234567890123456',
        accessKeyId: 'LTAI5tSANDBOX0000001',
        secretAccessKey: 'sandbox-secret-ali-0001',
      },
    ],
    keys: [
      {
        account: '1234567890123456',
        region: 'cn-shanghai',
        alias: 'backup',
      },
      {
        account: '1234567890123456',
        region: 'cn-hangzhou',
        alias: 'backup',
      },
      {
        account: '1234567890123456',
        region: 'cn-shanghai',
        alias: 'retired',
        state: 'Disabled',
      },
    ],
    snapshots: [
      {
        id: 's-sandbox000000000000001',
        account: '1234567890123456',
        region: 'cn-hangzhou',
        volumeSizeGiB: 100,
        sizeGiB: 40,
        changedGiB: 4,
        description: 'app data disk',
      },
      {
        id: 's-sandbox000000000000002',
        account: '1234567890123456',
        region: 'cn-hangzhou',
        volumeSizeGiB: 80,
        sizeGiB: 50,
        encrypted: true,
        keyAlias: 'backup',
        description: 'encrypted disk',
      },
      {
        id: 's-sandbox000000000000003',
        account: '1234567890123456',
        region: 'cn-hangzhou',
        volumeSizeGiB: 40,
        sizeGiB: 20,
        category: 'archive',
        description: 'archived snapshot (cannot be copied)',
      },
    ],
  },
};
