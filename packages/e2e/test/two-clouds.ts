// Both simulators on one virtual clock, with source snapshots, both adapters pointed at
// them, and readers of the simulators' own state for the assertions.
import { createAlibabaEcsCopier } from '@snapcopy/alibaba';
import { createAwsEbsCopier } from '@snapcopy/aws';
import type { Clock, CopyRequestInput, RetryPolicy, SnapshotCopier } from '@snapcopy/core';
import { LINEAGE_TAGS } from '@snapcopy/core/driver';
import type { BatchItem } from '@snapcopy/orchestrator';
import { Ec2Simulator } from '@snapcopy/testkit';
import { EcsSimulator } from '@snapcopy/testkit';
import type { SimSnapshot, SimWorld } from '@snapcopy/testkit';

export const AWS_SOURCE = 'us-east-1';
export const AWS_DESTINATIONS = ['eu-west-1', 'us-west-2'] as const;
export const ALI_SOURCE = 'cn-hangzhou';
export const ALI_DESTINATIONS = ['cn-shanghai', 'cn-beijing'] as const;

/** A batch item of a snapshot request. */
export type SnapshotItem = BatchItem & { readonly request: CopyRequestInput };

export interface TwoClouds {
  readonly ec2: Ec2Simulator;
  readonly ecs: EcsSimulator;
  readonly awsSources: readonly SimSnapshot[];
  readonly aliSources: readonly SimSnapshot[];
  /** Both adapters, pointed at the simulators; `retry` is the copiers' own (the orchestrator's tests use one attempt). */
  copiers(
    endpoints?: { aws?: string; alibaba?: string },
    retry?: RetryPolicy,
  ): { aws: SnapshotCopier; alibaba: SnapshotCopier };
  /** `n` AWS requests and `n` Alibaba requests, spread over two destination regions each. */
  items(): SnapshotItem[];
}

/** Sizes cycle through a few values so copies end at different times. */
const sizeOf = (i: number) => [8, 16, 24, 40, 64][i % 5]!;

/** Simulator settings: the fault seed, and EC2's per-region copy limits (snapshots, AMIs). */
export interface TwoCloudsOptions {
  readonly faultSeed?: number;
  readonly ec2CopyLimit?: number;
  readonly ec2ImageCopyLimit?: number;
}

export function twoClouds(clock: Clock, perCloud: number, options: TwoCloudsOptions = {}): TwoClouds {
  const ec2 = new Ec2Simulator({
    clock,
    faultSeed: options.faultSeed ?? 7,
    ...(options.ec2CopyLimit !== undefined ? { copyLimitPerRegion: options.ec2CopyLimit } : {}),
    ...(options.ec2ImageCopyLimit !== undefined
      ? { imageCopyLimitPerRegion: options.ec2ImageCopyLimit }
      : {}),
  });
  ec2.addRegions(AWS_SOURCE, ...AWS_DESTINATIONS);
  const awsAccount = ec2.addAccount({ id: '111111111111' });
  const awsSources = Array.from({ length: perCloud }, (_, i) =>
    ec2.addSnapshot({ account: awsAccount.id, region: AWS_SOURCE, sizeGiB: sizeOf(i), volumeSizeGiB: 100 }),
  );

  const ecs = new EcsSimulator({ clock, faultSeed: (options.faultSeed ?? 7) + 1 });
  ecs.addRegions(ALI_SOURCE, ...ALI_DESTINATIONS);
  const aliAccount = ecs.addAccount({ id: '1234567890123456' });
  const aliSources = Array.from({ length: perCloud }, (_, i) =>
    ecs.addSnapshot({ account: aliAccount.id, region: ALI_SOURCE, sizeGiB: sizeOf(i), diskSizeGiB: 100 }),
  );

  return {
    ec2,
    ecs,
    awsSources,
    aliSources,
    copiers(endpoints = {}, retry = undefined) {
      const aliCreds = ecs.credentials(aliAccount.id);
      return {
        aws: createAwsEbsCopier({
          credentials: ec2.credentials(awsAccount.id),
          clock,
          ...(retry ? { retry } : {}),
          ...(endpoints.aws ? { endpoint: endpoints.aws } : {}),
        }),
        alibaba: createAlibabaEcsCopier({
          credentials: { accessKeyId: aliCreds.accessKeyId, accessKeySecret: aliCreds.accessKeySecret },
          clock,
          ...(retry ? { retry } : {}),
          ...(endpoints.alibaba ? { endpoint: endpoints.alibaba, protocol: 'http' as const } : {}),
        }),
      };
    },
    items() {
      const aws = awsSources.map(
        (s, i): SnapshotItem => ({
          copier: 'aws',
          request: {
            source: { region: AWS_SOURCE, snapshotId: s.id },
            destination: { region: AWS_DESTINATIONS[i % 2]! },
          } satisfies CopyRequestInput,
        }),
      );
      const ali = aliSources.map(
        (s, i): SnapshotItem => ({
          copier: 'alibaba',
          request: {
            source: { region: ALI_SOURCE, snapshotId: s.id },
            destination: { region: ALI_DESTINATIONS[i % 2]! },
            name: `copy-${i}`,
            description: 'snapcopy chaos test',
          } satisfies CopyRequestInput,
        }),
      );
      return [...aws, ...ali];
    },
  };
}

/** The client token a simulated copy was made with, from the cloud's own records. */
export function tokenOf(s: SimSnapshot): string | undefined {
  return s.copy?.clientToken ?? s.tags.get(LINEAGE_TAGS.clientToken);
}

/** Every copy the simulated cloud holds (deleted ones excluded), grouped by client token. */
export function copiesByToken(world: SimWorld): Map<string, SimSnapshot[]> {
  const out = new Map<string, SimSnapshot[]>();
  for (const s of world.snapshots.values()) {
    if (!s.copy) continue;
    const token = tokenOf(s) ?? '(none)';
    out.set(token, [...(out.get(token) ?? []), s]);
  }
  return out;
}
