import type { CopyRequestInput, ErrorCode, ImageCopyRequestInput } from '@snapcopy/core';
import type { ProviderName } from '../providers.js';
import { DEMO_IDS } from './demo-seed.js';

/** How a demo scenario is meant to end. */
export type DemoExpectation = 'completed' | 'refused' | 'fails-later' | 'cancelled';

/** What every demo scenario says, whatever it copies. */
interface DemoScenarioCommon {
  /** Short label in bars and tables. */
  readonly label: string;
  readonly title: string;
  readonly provider: ProviderName;
  readonly expect: DemoExpectation;
  /** What the newcomer should notice, in one sentence. */
  readonly point: string;
  /** Cancel the copy once it reaches this progress. */
  readonly cancelAtPercent?: number;
  /** For `refused`: the code the plan refuses with. Default `UNSUPPORTED`. */
  readonly refusedWith?: ErrorCode;
  /** A copy made (and waited for) before the plans, so that this one has an earlier copy to build on. */
  readonly before?: CopyRequestInput;
}

/** A snapshot copy the demo plans and runs. */
export interface DemoSnapshotScenario extends DemoScenarioCommon {
  readonly kind?: 'snapshot';
  readonly request: CopyRequestInput;
}

/** A machine image copy the demo plans and runs. */
export interface DemoImageScenario extends DemoScenarioCommon {
  readonly kind: 'image';
  readonly request: ImageCopyRequestInput;
}

/** One copy the demo plans and runs. */
export type DemoScenario = DemoSnapshotScenario | DemoImageScenario;

/** What a scenario says besides its request: the request is built from `from`, `copy` and `to`. */
type ScenarioRow = Omit<DemoScenarioCommon, 'provider'> & {
  /** The source's region, the source (a snapshot, or with `image` an image) and the destination region. */
  readonly route: readonly [from: string, id: string, to: string];
  readonly image?: true;
  /** The request's other fields (encryption, tags, name, retention…). */
  readonly more?: Omit<CopyRequestInput, 'source' | 'destination'> &
    Omit<ImageCopyRequestInput, 'source' | 'destination'>;
};

/** One scenario of `provider` from its row. */
function scenario(provider: ProviderName, row: ScenarioRow): DemoScenario {
  const { route, image, more, ...common } = row;
  const [from, id, to] = route;
  const destination = { region: to };
  return image
    ? {
        kind: 'image',
        provider,
        ...common,
        request: { source: { region: from, imageId: id }, destination, ...more },
      }
    : { provider, ...common, request: { source: { region: from, snapshotId: id }, destination, ...more } };
}

const aws = (row: ScenarioRow) => scenario('aws', row);
const alibaba = (row: ScenarioRow) => scenario('alibaba', row);

/** Every kind of copy the demo shows, in the order it shows them. */
export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  aws({
    label: 'aws-dr-key',
    title: 'AWS cross-region copy, encrypted under a customer key',
    route: ['us-east-1', DEMO_IDS.awsWeb, 'us-west-2'],
    more: {
      encryption: { encrypted: true, kmsKeyId: DEMO_IDS.awsBackupKey },
      tags: { purpose: 'disaster-recovery' },
    },
    expect: 'completed',
    point: 'a new region and a new key: a full copy, billed on the whole snapshot',
  }),
  aws({
    label: 'aws-same',
    title: 'AWS same-region copy',
    route: ['us-east-1', DEMO_IDS.awsLogs, 'us-east-1'],
    more: { name: 'logs-copy' },
    expect: 'completed',
    point: 'same account, region and key: metadata only, no data moves, free',
  }),
  alibaba({
    label: 'ali-encrypt',
    title: 'Alibaba encrypted copy of an unencrypted snapshot',
    route: ['cn-hangzhou', DEMO_IDS.aliDb, 'cn-hangzhou'],
    more: { encryption: { encrypted: true } },
    expect: 'completed',
    point: 'the first encrypted copy is billed on the disk size (40 GiB), not the 12 GiB of data',
  }),
  alibaba({
    label: 'ali-retain',
    title: 'Alibaba cross-region standard copy with retention',
    route: ['cn-hangzhou', DEMO_IDS.aliDb, 'cn-shanghai'],
    more: { retentionDays: 7 },
    expect: 'completed',
    point: 'a standard copy to another region: the snapshot size, released after 7 days',
  }),
  alibaba({
    label: 'ali-refused',
    title: 'Alibaba same-region standard copy',
    route: ['cn-hangzhou', DEMO_IDS.aliDb, 'cn-hangzhou'],
    expect: 'refused',
    point: 'ECS cannot copy unencrypted within a region: refused in plan, no call sent',
  }),
  aws({
    label: 'aws-bad-key',
    title: 'AWS copy under a key EBS cannot use',
    route: ['us-east-1', DEMO_IDS.awsLogs, 'us-west-2'],
    more: { encryption: { encrypted: true, kmsKeyId: DEMO_IDS.awsRevokedKey } },
    expect: 'fails-later',
    point:
      'the key looks usable in KMS (a key policy that keeps EBS out does not show there): EC2 accepts the copy, then it fails',
  }),
  aws({
    label: 'aws-retiring-key',
    title: 'AWS copy under a key pending deletion',
    route: ['us-east-1', DEMO_IDS.awsLogs, 'us-west-2'],
    more: { encryption: { encrypted: true, kmsKeyId: DEMO_IDS.awsRetiringKey } },
    expect: 'refused',
    refusedWith: 'ENCRYPTION_RULE',
    point:
      'KMS says the key is pending deletion: the plan refuses it before anything is created, where EC2 would accept the copy and fail it later',
  }),
  aws({
    label: 'aws-incremental',
    title: 'AWS incremental copy, its changed GiB counted',
    before: {
      source: { region: 'us-east-1', snapshotId: DEMO_IDS.awsDbMonday },
      destination: { region: 'us-west-2' },
      clientToken: 'demo-db-monday',
    },
    route: ['us-east-1', DEMO_IDS.awsDbTuesday, 'us-west-2'],
    expect: 'completed',
    point:
      "Monday's copy is still in us-west-2: the EBS direct APIs count the blocks changed since, and the plan bills exactly those GiB",
  }),
  alibaba({
    label: 'ali-cancel',
    title: 'Alibaba cross-region copy, cancelled mid-way',
    route: ['cn-hangzhou', DEMO_IDS.aliArchive, 'cn-shanghai'],
    expect: 'cancelled',
    cancelAtPercent: 20,
    point: 'cancel = delete: on ECS it takes effect at once and the partial copy is removed',
  }),
  aws({
    image: true,
    label: 'aws-ami-key',
    title: 'AWS AMI copy, unencrypted backing snapshots encrypted under a customer key',
    route: ['us-east-1', DEMO_IDS.awsAmi, 'us-west-2'],
    more: {
      encryption: { encrypted: true, kmsKeyId: DEMO_IDS.awsBackupKey },
      copySourceTags: true,
      snapshotTags: { purpose: 'disaster-recovery' },
    },
    expect: 'completed',
    point:
      'one CopyImage, one plan entry per backing snapshot: each encrypted under the key, each a full copy',
  }),
  alibaba({
    image: true,
    label: 'ali-img-cancel',
    title: 'Alibaba custom image copy, cancelled mid-way',
    route: ['cn-hangzhou', DEMO_IDS.aliImage, 'cn-shanghai'],
    expect: 'cancelled',
    cancelAtPercent: 20,
    point:
      'an image being copied cannot be deleted on ECS: CancelCopyImage removes the copy and its partial snapshots at once',
  }),
];
