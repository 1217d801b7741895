import type { SandboxSeedInput } from '@snapcopy/testkit';

/** AWS account of the demo world. */
export const DEMO_AWS_ACCOUNT = '111122223333';
/** Alibaba account (uid) of the demo world. */
export const DEMO_ALIBABA_ACCOUNT = '1234567890123456';

/** Fixed ids, so the demo's requests can name them. */
export const DEMO_IDS = Object.freeze({
  /** AWS, us-east-1: 24 GiB of data on a 40 GiB volume, unencrypted. */
  awsWeb: 'snap-0de0000000000a001',
  /** AWS, us-east-1: 8 GiB, unencrypted. */
  awsLogs: 'snap-0de0000000000a002',
  /** Alibaba, cn-hangzhou: 12 GiB of data on a 40 GiB disk, unencrypted. */
  aliDb: 's-demo0db0disk0001',
  /** Alibaba, cn-hangzhou: 160 GiB of data on a 200 GiB disk, unencrypted. */
  aliArchive: 's-demo0archive0001',
  /** AWS, us-east-1: the root (8 of 16 GiB) and data (20 of 40 GiB) snapshots of an AMI, unencrypted. */
  awsAmiRoot: 'snap-0de0000000000c001',
  awsAmiData: 'snap-0de0000000000c002',
  /** AWS, us-east-1: an EBS-backed AMI over those two snapshots. */
  awsAmi: 'ami-0de00000000000001',
  /** Alibaba, cn-hangzhou: the system (40 GiB) and data (300 GiB) disk snapshots of a custom image. */
  aliImageSystem: 's-demo0image0sys01',
  aliImageData: 's-demo0image0data1',
  /** Alibaba, cn-hangzhou: a custom image over those two snapshots. */
  aliImage: 'm-demo0image0000001',
  /** AWS key in us-west-2 the copies may use. */
  awsBackupKey: 'alias/dr-backup',
  /** AWS key in us-west-2 that exists but EBS cannot use. */
  awsRevokedKey: 'alias/revoked',
});

/**
 * The world the demo starts the sandbox with (the testkit's seed format): one account
 * per cloud, two regions each, a usable and an unusable customer key, eight snapshots and
 * a machine image on each cloud.
 * Credentials are the sandbox's own, good for nothing else.
 */
export const DEMO_SEED = {
  aws: {
    regions: ['us-east-1', 'us-west-2'],
    accounts: [
      {
        id: DEMO_AWS_ACCOUNT,
        accessKeyId: 'AKIADEMO0000SANDBOX1',
        secretAccessKey: 'demo-sandbox-secret-aws-0000000000000001',
      },
    ],
    keys: [
      { account: DEMO_AWS_ACCOUNT, region: 'us-west-2', alias: 'dr-backup' },
      { account: DEMO_AWS_ACCOUNT, region: 'us-west-2', alias: 'revoked', accessible: false },
    ],
    snapshots: [
      {
        id: DEMO_IDS.awsWeb,
        account: DEMO_AWS_ACCOUNT,
        region: 'us-east-1',
        volumeSizeGiB: 40,
        sizeGiB: 24,
        description: 'web server root volume',
      },
      {
        id: DEMO_IDS.awsLogs,
        account: DEMO_AWS_ACCOUNT,
        region: 'us-east-1',
        volumeSizeGiB: 8,
        sizeGiB: 8,
        description: 'log volume',
      },
      {
        id: DEMO_IDS.awsAmiRoot,
        account: DEMO_AWS_ACCOUNT,
        region: 'us-east-1',
        volumeSizeGiB: 16,
        sizeGiB: 8,
        description: 'app server AMI root volume',
      },
      {
        id: DEMO_IDS.awsAmiData,
        account: DEMO_AWS_ACCOUNT,
        region: 'us-east-1',
        volumeSizeGiB: 40,
        sizeGiB: 20,
        description: 'app server AMI data volume',
      },
    ],
    images: [
      {
        id: DEMO_IDS.awsAmi,
        account: DEMO_AWS_ACCOUNT,
        region: 'us-east-1',
        name: 'app-server',
        snapshots: [DEMO_IDS.awsAmiRoot, DEMO_IDS.awsAmiData],
        tags: { app: 'shop' },
      },
    ],
  },
  alibaba: {
    regions: ['cn-hangzhou', 'cn-shanghai'],
    accounts: [
      {
        id: DEMO_ALIBABA_ACCOUNT,
        accessKeyId: 'LTAIdemo0000sandbox1',
        secretAccessKey: 'demo-sandbox-secret-alibaba-000000000001',
      },
    ],
    snapshots: [
      {
        id: DEMO_IDS.aliDb,
        account: DEMO_ALIBABA_ACCOUNT,
        region: 'cn-hangzhou',
        volumeSizeGiB: 40,
        sizeGiB: 12,
        description: 'database data disk',
      },
      {
        id: DEMO_IDS.aliArchive,
        account: DEMO_ALIBABA_ACCOUNT,
        region: 'cn-hangzhou',
        volumeSizeGiB: 200,
        sizeGiB: 160,
        description: 'archive data disk',
      },
      {
        id: DEMO_IDS.aliImageSystem,
        account: DEMO_ALIBABA_ACCOUNT,
        region: 'cn-hangzhou',
        volumeSizeGiB: 40,
        sizeGiB: 40,
        description: 'image system disk',
      },
      {
        id: DEMO_IDS.aliImageData,
        account: DEMO_ALIBABA_ACCOUNT,
        region: 'cn-hangzhou',
        volumeSizeGiB: 300,
        sizeGiB: 300,
        description: 'image data disk',
      },
    ],
    images: [
      {
        id: DEMO_IDS.aliImage,
        account: DEMO_ALIBABA_ACCOUNT,
        region: 'cn-hangzhou',
        name: 'shop-image',
        snapshots: [DEMO_IDS.aliImageSystem, DEMO_IDS.aliImageData],
      },
    ],
  },
} as const satisfies SandboxSeedInput;
