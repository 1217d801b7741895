import {
  type CancelResult,
  CAPABILITY_KEYS,
  type CopyHandle,
  type CopyPlan,
  type CopyStatus,
  type ImageCancelResult,
  type ImageCopier,
  type ImageCopyHandle,
  type ImageCopyPlan,
  type ImageCopyStatus,
  isSnapcopyError,
  type SnapcopyError,
  type SnapshotCopier,
} from '@snapcopy/core';
import type { LedgerEntry } from '@snapcopy/testkit';
import {
  createCliRegistry,
  createCopier,
  loadCapabilities,
  loadImageCapabilities,
} from '../composition-root.js';
import { PROVIDER_NAMES, type ProviderName } from '../providers.js';
import { encryptionWords, gib, ref, seconds } from '../output/format.js';
import type { Output } from '../output/output-mode.js';
import { createProgressBoard, type ProgressBoard } from '../output/progress-board.js';
import { capabilitiesTable, rowsTable } from '../output/tables.js';
import type { RunningSandbox } from '../sandbox-loader.js';
import type { DemoScenario } from './demo-scenarios.js';
import { createDemoImageCopiers, imageLedger, imagePlanLines, isImagePlan, planView } from './image-demo.js';
import { imageCapabilitiesTable } from '../output/image-tables.js';

/** What happened to one scenario, and whether that is what the demo promised. */
export interface DemoOutcome {
  readonly scenario: DemoScenario;
  readonly plan?: CopyPlan | ImageCopyPlan;
  /** Why planning, copying or waiting stopped. */
  readonly error?: SnapcopyError;
  readonly handle?: CopyHandle | ImageCopyHandle;
  readonly status?: CopyStatus | ImageCopyStatus;
  readonly cancel?: CancelResult | ImageCancelResult;
  /** What the simulated cloud billed for the copy (an image copy: its snapshot copies, summed). */
  readonly ledger?: Pick<LedgerEntry, 'transferGiB' | 'storageGiB'>;
  /** Copy calls (CopySnapshot, CopyImage) the cloud received for this scenario (0 for a refusal). */
  readonly copyCalls: number;
  /** An image copy's backing snapshot copies, as its statuses named them. */
  readonly backingSnapshotIds?: readonly string[];
  /** The outcome is the one the scenario promises. */
  readonly asExpected: boolean;
  /**
   * For a completed copy: the cloud billed exactly the GiB the plan said. `null` when
   * there is nothing to compare (refused, failed or cancelled copies).
   */
  readonly billMatchesPlan: boolean | null;
}

/** A scenario after planning: its plan, or why it was refused. */
interface PlannedScenario {
  readonly scenario: DemoScenario;
  readonly plan?: CopyPlan | ImageCopyPlan;
  readonly error?: SnapcopyError;
  /** Copy calls the cloud received while this scenario was planned. */
  readonly copyCallsDuringPlan: number;
}

/** Settings of one demo run. */
export interface DemoRunOptions {
  readonly sandbox: RunningSandbox;
  readonly scenarios: readonly DemoScenario[];
  readonly output: Output;
  /** Delay between status polls, ms of real time. */
  readonly pollMs: number;
}

function header(output: Output, title: string): void {
  output.line();
  output.line(output.mode === 'tty' ? `\u001b[1m${title}\u001b[0m` : `== ${title}`);
}

function deltaWords(plan: CopyPlan): string {
  const d = plan.delta;
  if (d === undefined) return '';
  return d.measured === 'changed-blocks'
    ? ` (${d.changedBlocks} changed blocks counted: exactly ${gib(d.gib)})`
    : ` (not measurable: ${gib(d.gib)} is an upper bound)`;
}

function planWords(plan: CopyPlan | ImageCopyPlan): string {
  if (isImagePlan(plan)) {
    return `${plan.snapshots.length} backing snapshots: ${gib(plan.billableGiB.transfer)} transferred, ${gib(plan.billableGiB.storage)} stored`;
  }
  const what =
    plan.transfer === 'none'
      ? 'no data moves (metadata-only copy)'
      : `${plan.transfer} copy billed on the ${plan.sizeBasis} size${deltaWords(plan)}`;
  return `${what}: ${gib(plan.billableGiB.transfer)} transferred, ${gib(plan.billableGiB.storage)} stored; ${encryptionWords(plan)}`;
}

function asError(err: unknown): SnapcopyError {
  if (isSnapcopyError(err)) return err;
  throw err;
}

function ledgerMatchesPlan(
  plan: CopyPlan | ImageCopyPlan | undefined,
  ledger: DemoOutcome['ledger'],
): boolean {
  if (!plan || !ledger) return false;
  return ledger.transferGiB === plan.billableGiB.transfer && ledger.storageGiB === plan.billableGiB.storage;
}

function billMatches(o: Omit<DemoOutcome, 'asExpected' | 'billMatchesPlan'>): boolean | null {
  if (o.status?.state !== 'completed') return null;
  return ledgerMatchesPlan(o.plan, o.ledger);
}

function judge(o: Omit<DemoOutcome, 'asExpected' | 'billMatchesPlan'>): boolean {
  switch (o.scenario.expect) {
    case 'completed':
      return o.status?.state === 'completed';
    case 'refused':
      return (
        o.error?.code === (o.scenario.refusedWith ?? 'UNSUPPORTED') &&
        o.copyCalls === 0 &&
        o.handle === undefined
      );
    case 'fails-later':
      return o.handle !== undefined && o.status?.state === 'failed';
    case 'cancelled':
      return o.status?.state === 'cancelled' && o.cancel?.takesEffect === 'immediate';
  }
}

function outcomeWords(o: DemoOutcome): string {
  if (o.error) return `${o.handle ? 'stopped' : 'refused'}: ${o.error.code}`;
  return o.status?.state ?? 'unknown';
}

/** Plans, runs and tracks every scenario against the running sandbox; prints as it goes. */
export async function runDemoScenarios(options: DemoRunOptions): Promise<DemoOutcome[]> {
  const { sandbox, scenarios, output } = options;

  header(output, 'What each provider can do (capability manifests)');
  const manifests = await Promise.all(
    PROVIDER_NAMES.map(async (name) => ({ name, capabilities: await loadCapabilities(name) })),
  );
  output.line(capabilitiesTable(output.mode, manifests, CAPABILITY_KEYS));
  header(output, 'What each provider can do with machine images (image manifests)');
  const imageManifests = await Promise.all(
    PROVIDER_NAMES.map(async (name) => ({ name, capabilities: await loadImageCapabilities(name) })),
  );
  output.line(imageCapabilitiesTable(output.mode, imageManifests));

  const registry = await createCliRegistry(['aws', 'alibaba']);
  const awsAccount = sandbox.aws.accounts[0];
  const aliAccount = sandbox.alibaba.accounts[0];
  if (!awsAccount || !aliAccount) throw new Error('the sandbox has no accounts');
  const copiers: Record<ProviderName, SnapshotCopier> = {
    aws: createCopier(registry, 'aws', {
      endpoint: sandbox.aws.endpoint,
      credentials: { accessKeyId: awsAccount.accessKeyId, secretAccessKey: awsAccount.secretAccessKey },
    }),
    alibaba: createCopier(registry, 'alibaba', {
      endpoint: sandbox.alibaba.endpoint,
      credentials: { accessKeyId: aliAccount.accessKeyId, accessKeySecret: aliAccount.secretAccessKey },
    }),
  };
  const imageCopiers = await createDemoImageCopiers(sandbox);
  const simOf = (p: ProviderName) => (p === 'aws' ? sandbox.ec2 : sandbox.ecs);

  header(output, 'Plans: what each copy will do and cost, before anything is sent');
  const planned: PlannedScenario[] = [];
  for (const scenario of scenarios) {
    if (scenario.before !== undefined) {
      // The earlier copy this scenario builds on, made and finished first.
      const earlier = await copiers[scenario.provider].copy(scenario.before);
      await copiers[scenario.provider].wait(earlier, {
        minDelayMs: options.pollMs,
        maxDelayMs: options.pollMs,
        timeoutMs: 120_000,
      });
      output.line(
        `${scenario.label}  (before: copied ${scenario.before.source.snapshotId} to ${scenario.before.destination.region} as ${earlier.snapshotId})`,
      );
    }
    const requests = simOf(scenario.provider).world.requests;
    const since = requests.size;
    const copyCallsDuringPlan = () =>
      requests.count('CopySnapshot', since) + requests.count('CopyImage', since);
    try {
      const plan =
        scenario.kind === 'image'
          ? await imageCopiers[scenario.provider].plan(scenario.request)
          : await copiers[scenario.provider].plan(scenario.request);
      output.line(`${scenario.label}  ${scenario.title}`);
      output.line(`    plan: ${planWords(plan)}`);
      if (isImagePlan(plan)) for (const line of imagePlanLines(plan)) output.line(`    * ${line}`);
      for (const reason of plan.reasons) output.line(`    - ${reason}`);
      planned.push({ scenario, plan, copyCallsDuringPlan: copyCallsDuringPlan() });
    } catch (err) {
      const error = asError(err);
      output.line(`${scenario.label}  ${scenario.title}`);
      output.line(`    refused: ${error.code}: ${error.message}`);
      planned.push({ scenario, error, copyCallsDuringPlan: copyCallsDuringPlan() });
    }
  }

  header(output, 'Copies: started together, tracked until each ends');
  const board = createProgressBoard(output);
  let outcomes: DemoOutcome[];
  try {
    outcomes = await Promise.all(
      planned.map((p) =>
        runOne(
          p,
          p.scenario.kind === 'image' ? imageCopiers[p.scenario.provider] : copiers[p.scenario.provider],
          board,
          options,
        ),
      ),
    );
  } finally {
    board.stop();
  }
  return outcomes.map((o) => {
    const ledger = !o.handle
      ? undefined
      : 'imageId' in o.handle
        ? imageLedger(sandbox, o.scenario.provider, o.backingSnapshotIds ?? [])
        : simOf(o.scenario.provider).world.ledger.forSnapshot(o.handle.snapshotId);
    const done = { ...o, ...(ledger ? { ledger } : {}) };
    return { ...done, asExpected: judge(done), billMatchesPlan: billMatches(done) };
  });
}

/** The id a handle or status names, whatever the kind. */
const idOf = (x: CopyHandle | ImageCopyHandle | CopyStatus | ImageCopyStatus): string =>
  'imageId' in x ? x.imageId : x.snapshotId;

async function runOne(
  p: PlannedScenario,
  copier: SnapshotCopier | ImageCopier,
  board: ProgressBoard,
  options: DemoRunOptions,
): Promise<DemoOutcome> {
  const { scenario } = p;
  if (!p.plan) {
    return {
      scenario,
      ...(p.error ? { error: p.error } : {}),
      copyCalls: p.copyCallsDuringPlan,
      asExpected: false,
      billMatchesPlan: null,
    };
  }
  // One flow for both kinds: the copier's methods take the kind's request, plan and handle.
  const flow = copier as unknown as {
    copy(request: unknown, options: { plan: unknown }): Promise<CopyHandle | ImageCopyHandle>;
    wait(
      handle: unknown,
      options: Record<string, unknown> & { onProgress: (s: CopyStatus | ImageCopyStatus) => void },
    ): Promise<CopyStatus | ImageCopyStatus>;
    cancel(handle: unknown): Promise<CancelResult | ImageCancelResult>;
  };
  let handle: CopyHandle | ImageCopyHandle;
  try {
    handle = await flow.copy(scenario.request, { plan: p.plan });
  } catch (err) {
    return {
      scenario,
      plan: p.plan,
      error: asError(err),
      copyCalls: 1,
      asExpected: false,
      billMatchesPlan: null,
    };
  }
  const label = `${scenario.label} ${ref(handle.region, idOf(handle))}`;
  const forBoard = (s: CopyStatus | ImageCopyStatus): CopyStatus => ({ ...s, snapshotId: idOf(s) });
  let backingSnapshotIds: string[] | undefined;
  const seen = (s: CopyStatus | ImageCopyStatus) => {
    const ids =
      'snapshots' in s ? (s.snapshots ?? []).flatMap((b) => (b.snapshotId ? [b.snapshotId] : [])) : [];
    if (ids.length > 0) backingSnapshotIds = ids;
    board.update(scenario.label, forBoard(s));
  };
  board.add(scenario.label, label);
  let cancelling: Promise<CancelResult | ImageCancelResult> | undefined;
  try {
    const status = await flow.wait(handle, {
      minDelayMs: options.pollMs,
      maxDelayMs: options.pollMs,
      timeoutMs: 120_000,
      onProgress: (s) => {
        seen(s);
        if (
          scenario.cancelAtPercent !== undefined &&
          cancelling === undefined &&
          s.progress >= scenario.cancelAtPercent
        ) {
          cancelling = flow.cancel(handle);
        }
      },
    });
    seen(status);
    const cancel = cancelling ? await cancelling : undefined;
    return {
      scenario,
      plan: p.plan,
      handle,
      status,
      ...(cancel ? { cancel } : {}),
      ...(backingSnapshotIds ? { backingSnapshotIds } : {}),
      copyCalls: 1,
      asExpected: false,
      billMatchesPlan: null,
    };
  } catch (err) {
    const error = asError(err);
    board.fail(scenario.label, `${error.code}: ${error.message}`);
    return { scenario, plan: p.plan, handle, error, copyCalls: 1, asExpected: false, billMatchesPlan: null };
  }
}

/** The closing table: plan against outcome and billable GiB, the plan's and the cloud's. */
export function printDemoSummary(output: Output, outcomes: readonly DemoOutcome[], wallMs: number): void {
  header(output, 'What happened: plan against outcome and bill');
  const fmt = (t: number | undefined, s: number | undefined) =>
    t === undefined || s === undefined ? '-' : `${t} / ${s}`;
  output.line(
    rowsTable(
      output.mode,
      [
        'scenario',
        'plan',
        'outcome',
        'plan GiB\nxfer / stored',
        'billed GiB\n(cloud ledger)',
        'bill =\nplan',
        'as\npromised',
      ],
      outcomes.map((o) => [
        o.scenario.label,
        o.plan
          ? `${planView(o.plan).transfer} (${planView(o.plan).sizeBasis}${!isImagePlan(o.plan) && o.plan.delta ? `, ${o.plan.delta.measured}` : ''}), ${planView(o.plan).encrypted ? 'encrypted' : 'plain'}`
          : 'refused',
        outcomeWords(o),
        fmt(o.plan?.billableGiB.transfer, o.plan?.billableGiB.storage),
        o.ledger ? fmt(o.ledger.transferGiB, o.ledger.storageGiB) : o.handle ? '-' : 'nothing',
        o.billMatchesPlan === null ? '-' : o.billMatchesPlan ? 'yes' : 'NO',
        o.asExpected ? 'yes' : 'NO',
      ]),
    ),
  );
  output.line();
  for (const o of outcomes) {
    const why =
      o.error?.message ?? (o.status && o.status.state !== 'completed' ? o.status.message : undefined);
    output.line(
      `${o.scenario.label}: ${o.scenario.point}.${why ? `\n    ${o.cancel ? `cancel: ${o.cancel.message}; ` : ''}${why}` : ''}`,
    );
  }
  for (const o of outcomes) {
    if (o.billMatchesPlan === false) {
      output.line(
        `warning: ${o.scenario.label}: the plan said ${fmt(o.plan?.billableGiB.transfer, o.plan?.billableGiB.storage)} GiB but the simulated cloud billed ${fmt(o.ledger?.transferGiB, o.ledger?.storageGiB)} GiB (transfer / storage)`,
      );
    }
  }
  output.line();
  const good = outcomes.filter((o) => o.asExpected).length;
  output.line(
    `demo finished in ${seconds(wallMs)}: ${good} of ${outcomes.length} scenarios ended as promised.`,
  );
}

/** The demo's JSON document. */
export function demoDocument(outcomes: readonly DemoOutcome[], wallMs: number): Record<string, unknown> {
  return {
    ok: outcomes.every((o) => o.asExpected),
    node: process.version,
    wallTimeMs: wallMs,
    scenarios: outcomes.map((o) => ({
      label: o.scenario.label,
      title: o.scenario.title,
      provider: o.scenario.provider,
      kind: o.scenario.kind ?? 'snapshot',
      expect: o.scenario.expect,
      asExpected: o.asExpected,
      billMatchesPlan: o.billMatchesPlan,
      request: o.scenario.request,
      ...(o.plan ? { plan: o.plan } : {}),
      ...(o.handle ? { handle: o.handle } : {}),
      ...(o.status ? { status: o.status } : {}),
      ...(o.cancel ? { cancel: o.cancel } : {}),
      ...(o.error ? { error: o.error.toJSON() } : {}),
      billableGiB: {
        plan: o.plan ? { transfer: o.plan.billableGiB.transfer, storage: o.plan.billableGiB.storage } : null,
        ledger: o.ledger ? { transfer: o.ledger.transferGiB, storage: o.ledger.storageGiB } : null,
      },
      copyCalls: o.copyCalls,
    })),
  };
}
