import type { BillableGiB, CopyPlan, ImageCopier, ImageCopyPlan } from '@snapcopy/core';
import type { LedgerEntry } from '@snapcopy/testkit';
import { PROVIDER_NAMES, PROVIDERS, type ProviderName } from '../providers.js';
import { gib } from '../output/format.js';
import type { RunningSandbox } from '../sandbox-loader.js';

/** What the demo's summary shows of a plan, whatever it copies. */
export interface PlanView {
  readonly transfer: string;
  readonly sizeBasis: string;
  readonly encrypted: boolean;
  readonly billableGiB: BillableGiB;
}

/** True for the plan of an image copy (it has one entry per backing snapshot). */
export function isImagePlan(plan: CopyPlan | ImageCopyPlan): plan is ImageCopyPlan {
  return 'snapshots' in plan;
}

const distinct = (values: readonly string[]) => [...new Set(values)].join('+') || 'none';

/** A plan in the summary's words; an image plan joins its snapshots' (`full`, `full+incremental`). */
export function planView(plan: CopyPlan | ImageCopyPlan): PlanView {
  if (!isImagePlan(plan)) {
    return {
      transfer: plan.transfer,
      sizeBasis: plan.sizeBasis,
      encrypted: plan.encryption.encrypted,
      billableGiB: plan.billableGiB,
    };
  }
  return {
    transfer: distinct(plan.snapshots.map((s) => s.transfer)),
    sizeBasis: distinct(plan.snapshots.map((s) => s.sizeBasis)),
    encrypted: plan.snapshots.length > 0 && plan.snapshots.every((s) => s.encryption.encrypted),
    billableGiB: plan.billableGiB,
  };
}

/** An image plan in one line per backing snapshot, for the plans section. */
export function imagePlanLines(plan: ImageCopyPlan): string[] {
  return plan.snapshots.map(
    (s) =>
      `${s.deviceName} ${s.source.snapshotId}: ${s.transfer} copy on the ${s.sizeBasis} size, ${gib(s.billableGiB.transfer)} transferred, ${s.encryption.encrypted ? `encrypted, ${s.encryption.kmsKeyId ?? 'default key'} (${s.encryption.keySource})` : 'unencrypted'}`,
  );
}

/**
 * What the simulated cloud billed for an image copy: its backing snapshot copies (as the
 * copy's statuses named them: a cancelled image is gone from the cloud), summed.
 */
export function imageLedger(
  sandbox: RunningSandbox,
  provider: ProviderName,
  snapshotIds: readonly string[],
): Pick<LedgerEntry, 'transferGiB' | 'storageGiB'> | undefined {
  const world = provider === 'aws' ? sandbox.ec2.world : sandbox.ecs.world;
  const entries = snapshotIds.flatMap((id) => world.ledger.forSnapshot(id) ?? []);
  if (entries.length === 0) return undefined;
  const sum = (f: (e: LedgerEntry) => number) =>
    Math.round(entries.reduce((t, e) => t + f(e), 0) * 1e6) / 1e6;
  return { transferGiB: sum((e) => e.transferGiB), storageGiB: sum((e) => e.storageGiB) };
}

/** An image copier per provider, on the sandbox's endpoints and accounts. */
export async function createDemoImageCopiers(
  sandbox: RunningSandbox,
): Promise<Record<ProviderName, ImageCopier>> {
  const aws = sandbox.aws.accounts[0];
  const ali = sandbox.alibaba.accounts[0];
  if (!aws || !ali) throw new Error('the sandbox has no accounts');
  const options: Record<ProviderName, Record<string, unknown>> = {
    aws: {
      endpoint: sandbox.aws.endpoint,
      credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
    },
    alibaba: {
      endpoint: sandbox.alibaba.endpoint,
      credentials: { accessKeyId: ali.accessKeyId, accessKeySecret: ali.secretAccessKey },
    },
  };
  const entries = await Promise.all(
    PROVIDER_NAMES.map(
      async (name) => [name, (await PROVIDERS[name].loadImages()).create(options[name] as never)] as const,
    ),
  );
  return Object.fromEntries(entries) as Record<ProviderName, ImageCopier>;
}
