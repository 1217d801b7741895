import type { SandboxSeedInput } from '@snapcopy/testkit';

/** AWS account of the demo world. */
export const DEMO_AWS_ACCOUNT = '111122223333';
/** The AWS account that shares snapshots with the demo account (the policy's source). */
export const DEMO_PARTNER_ACCOUNT = '444455556666';
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
  awsAmiRoot: 'snap-0de0000000000e001',
  awsAmiData: 'snap-0de0000000000e002',
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
  /** AWS key in us-west-2 scheduled for deletion. */
  awsRetiringKey: 'alias/retiring',
  /** AWS, us-east-1: Monday's snapshot of the database volume (12 GiB of data on 40 GiB). */
  awsDbMonday: 'snap-0de0000000000d001',
  /** AWS, us-east-1: Tuesday's snapshot of the same volume, 3 GiB changed since Monday. */
  awsDbTuesday: 'snap-0de0000000000d002',
  /** The partner's snapshots in us-east-1 (the policy demo): two nightly ones and a scratch one. */
  partnerNightlyDb: 'snap-0de0000000000c001',
  partnerNightlyWeb: 'snap-0de0000000000c002',
  partnerScratch: 'snap-0de0000000000c003',
  /** AWS key of the demo account in eu-west-1 (the policy's second destination). */
  awsVaultEuKey: 'alias/vault-eu',
});

/**
 * The world the demo starts the sandbox with (the testkit's seed format): one account
 * per cloud and an AWS partner account, AWS regions for the copies and the policy, a
 * usable customer key, one EBS cannot use and one pending deletion, the copies' snapshots,
 * two days of snapshots of one database volume, the partner's snapshots, and a machine
 * image (over two snapshots of its own) on each cloud.
 * Credentials are the sandbox's own, good for nothing else.
 */
export const DEMO_SEED = {
  aws: {
    regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
    accounts: [
      {
        id: DEMO_AWS_ACCOUNT,
        accessKeyId: 'AKIADEMO0000SANDBOX1',
        secretAccessKey: 'demo-sandbox-secret-aws-0000000000000001',
      },
      {
        id: DEMO_PARTNER_ACCOUNT,
        accessKeyId: 'AKIADEMO0000PARTNER1',
        secretAccessKey: 'demo-sandbox-secret-aws-partner-000000001',
      },
    ],
    keys: [
      { account: DEMO_AWS_ACCOUNT, region: 'us-west-2', alias: 'dr-backup' },
      { account: DEMO_AWS_ACCOUNT, region: 'us-west-2', alias: 'revoked', accessible: false },
      { account: DEMO_AWS_ACCOUNT, region: 'eu-west-1', alias: 'vault-eu' },
      // The partner's key, which it lets the demo account use (a cross-account copy needs that).
      {
        account: DEMO_PARTNER_ACCOUNT,
        region: 'us-east-1',
        alias: 'partner-cmk',
        usableBy: [DEMO_AWS_ACCOUNT],
      },
      { account: DEMO_AWS_ACCOUNT, region: 'us-west-2', alias: 'retiring', state: 'PendingDeletion' },
    ],
    instances: [
      {
        id: 'i-0de00000000000001',
        account: DEMO_AWS_ACCOUNT,
        region: 'us-east-1',
        volumes: [{ id: 'vol-0de00000000000001', sizeGiB: 40, usedGiB: 12, changeGiB: 3 }],
      },
    ],
    // Two days of snapshots of the database volume: the second one differs by 3 GiB.
    snapshotSets: [
      { instanceId: 'i-0de00000000000001', ids: [DEMO_IDS.awsDbMonday], description: 'database, Monday' },
      { instanceId: 'i-0de00000000000001', ids: [DEMO_IDS.awsDbTuesday], description: 'database, Tuesday' },
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
        id: DEMO_IDS.partnerNightlyDb,
        account: DEMO_PARTNER_ACCOUNT,
        region: 'us-east-1',
        volumeSizeGiB: 20,
        sizeGiB: 6,
        encrypted: true,
        keyAlias: 'partner-cmk',
        description: 'nightly db backup',
      },
      {
        id: DEMO_IDS.partnerNightlyWeb,
        account: DEMO_PARTNER_ACCOUNT,
        region: 'us-east-1',
        volumeSizeGiB: 10,
        sizeGiB: 4,
        description: 'nightly web backup',
      },
      {
        id: DEMO_IDS.partnerScratch,
        account: DEMO_PARTNER_ACCOUNT,
        region: 'us-east-1',
        volumeSizeGiB: 10,
        sizeGiB: 2,
        description: 'scratch space, not a backup',
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
