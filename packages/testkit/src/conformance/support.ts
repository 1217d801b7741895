import { AssertionError } from 'node:assert';
import type { Capabilities, CopyHandle, CopyRequestInput, CopyStatus, ErrorCode } from '@snapcopy/core';
import { isSnapcopyError } from '@snapcopy/core';
import type { ConformanceContext } from './case.js';
import type {
  Awaitable,
  ConformanceHarness,
  ConformanceOperation,
  ConformanceTime,
  SourceFixture,
  SourceSnapshotSpec,
  TruthRequest,
  TruthSnapshot,
} from './harness.js';

/** Any harness whose cloud keeps a request log (snapshot and image harnesses alike). */
export interface RequestLogHolder {
  readonly truth: { requests(): Awaitable<readonly TruthRequest[]> };
}

/** A harness whose copier (of any kind) plans and copies `R` requests. */
export type CopyingHarness<R> = RequestLogHolder & {
  readonly copier: { plan(request: R): Promise<unknown>; copy(request: R): Promise<unknown> };
};

/** Fails the current case with a message that says what the contract wanted. */
export function fail(message: string): never {
  throw new AssertionError({ message });
}

/** Asserts a condition. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}

function describeError(err: unknown): string {
  if (isSnapcopyError(err)) return `SnapcopyError ${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Awaits `work`, which must reject; returns (and records) what it threw. */
export async function rejection(
  ctx: ConformanceContext,
  work: () => Promise<unknown>,
  what: string,
): Promise<unknown> {
  let value: unknown;
  try {
    value = await work();
  } catch (err) {
    ctx.errors.push(err);
    return err;
  }
  return fail(`${what}: expected a rejection, got ${JSON.stringify(value)?.slice(0, 300)}`);
}

/** Awaits `work`, which must reject with a SnapcopyError whose code is one of `codes`. */
export async function expectOneOfCodes(
  ctx: ConformanceContext,
  work: () => Promise<unknown>,
  codes: readonly ErrorCode[],
  what: string,
): Promise<unknown> {
  const err = await rejection(ctx, work, what);
  check(
    isSnapcopyError(err) && codes.includes(err.code),
    `${what}: expected a SnapcopyError with code ${codes.join(' or ')}, got ${describeError(err)}`,
  );
  return err;
}

/** Awaits `work`, which must reject with a SnapcopyError of `code`. */
export function expectCode(
  ctx: ConformanceContext,
  work: () => Promise<unknown>,
  code: ErrorCode,
  what: string,
): Promise<unknown> {
  return expectOneOfCodes(ctx, work, [code], what);
}

/** Awaits `work`, recording a rejection before passing it on (so the secret scan sees it). */
export async function recorded<T>(ctx: ConformanceContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    ctx.errors.push(err);
    throw err;
  }
}

/** Requests the cloud has received so far. */
export async function requestMark(h: RequestLogHolder): Promise<number> {
  return (await h.truth.requests()).length;
}

/** Requests received since `mark`, optionally of some kinds only. */
export async function requestsSince(
  h: RequestLogHolder,
  mark: number,
  kinds?: readonly (ConformanceOperation | 'other')[],
): Promise<readonly TruthRequest[]> {
  const all = (await h.truth.requests()).slice(mark);
  return kinds ? all.filter((r) => kinds.includes(r.kind)) : all;
}

/** Asserts the cloud received nothing since `mark`. */
export async function expectNoRequestsSince(h: RequestLogHolder, mark: number, what: string): Promise<void> {
  const seen = await requestsSince(h, mark);
  check(
    seen.length === 0,
    `${what}: the cloud must see zero requests, saw ${seen.length} (${seen.map((r) => r.operation).join(', ')})`,
  );
}

/** Asserts the cloud received nothing that changes state (copy or delete) since `mark`. */
export async function expectNoMutationSince(h: RequestLogHolder, mark: number, what: string): Promise<void> {
  const seen = await requestsSince(h, mark, ['copy', 'delete']);
  check(
    seen.length === 0,
    `${what}: the cloud must see no copy or delete request, saw ${seen.map((r) => r.operation).join(', ')}`,
  );
}

/** Asserts `made` (the copies of one source the cloud holds, of any kind) is empty. */
export function expectNoneMade(made: readonly { readonly id: string }[], noun: string, what: string): void {
  check(
    made.length === 0,
    `${what}: the cloud must hold no ${noun}, holds ${made.map((c) => c.id).join(', ')}`,
  );
}

/** Asserts the cloud holds no copy made from `source` at all. */
export async function expectNoCopyOf(
  h: ConformanceHarness,
  source: SourceFixture,
  what: string,
): Promise<void> {
  const made = (await h.truth.copies()).filter((c) => c.copyOf?.snapshotId === source.ref.snapshotId);
  expectNoneMade(made, 'copy', what);
}

/** Asserts a truth read (of any kind) found something; returns it. */
export async function mustBeThere<T>(
  read: Awaitable<T | undefined>,
  noun: string,
  region: string,
  id: string,
  what: string,
): Promise<T> {
  const found = await read;
  check(found !== undefined, `${what}: the cloud has no ${noun} ${id} in ${region}`);
  return found;
}

/** Reads a snapshot that must exist. */
export function mustExist(
  h: ConformanceHarness,
  region: string,
  id: string,
  what: string,
): Promise<TruthSnapshot> {
  return mustBeThere(h.truth.snapshot(region, id), 'snapshot', region, id, what);
}

/** What a case may add to a wait: a shorter timeout, an abort signal, a progress callback. */
export interface WaitExtras<S> {
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (s: S) => void;
}

/** The options of every wait the suite makes: polls at the suite's delay, a two-day timeout. */
export function suiteWaitOptions<S>(ctx: ConformanceContext, extra: WaitExtras<S>) {
  return {
    minDelayMs: ctx.options.pollDelayMs,
    maxDelayMs: ctx.options.pollDelayMs * 4,
    timeoutMs: extra.timeoutMs ?? 48 * 3600_000,
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.onProgress ? { onProgress: extra.onProgress } : {}),
  };
}

/** Waits for a copy through the copier, polling at the suite's delay. */
export function waitFor(
  h: ConformanceHarness,
  ctx: ConformanceContext,
  ref: CopyHandle,
  extra: WaitExtras<CopyStatus> = {},
): Promise<CopyStatus> {
  const target = { region: ref.region, snapshotId: ref.snapshotId };
  return recorded(ctx, () => h.copier.wait(target, suiteWaitOptions(ctx, extra)));
}

/** Moves time in steps until `done` holds; fails after the suite's bound. */
export async function advanceUntil(
  h: { readonly time: ConformanceTime },
  ctx: ConformanceContext,
  done: () => Promise<boolean>,
  what: string,
): Promise<void> {
  for (let step = 0; step < ctx.options.maxTimeSteps; step++) {
    if (await done()) return;
    await h.time.advance(ctx.options.timeStepMs);
  }
  if (await done()) return;
  fail(`${what}: not reached after ${ctx.options.maxTimeSteps} steps of ${ctx.options.timeStepMs} ms`);
}

/** A source and a request for the plainest copy the manifest allows (cross-region if it can). */
export interface PlainCopy {
  readonly source: SourceFixture;
  readonly request: CopyRequestInput;
  readonly sameRegion: boolean;
}

/** Which route a plain copy takes under this manifest. */
export function plainRoute(
  caps: Capabilities,
): 'cross-region' | 'same-region-standard' | 'same-region-encrypted' {
  if (caps.crossRegionCopy) return 'cross-region';
  if (caps.sameRegionStandardCopy) return 'same-region-standard';
  if (caps.sameRegionEncryptedCopy) return 'same-region-encrypted';
  return fail(
    'the manifest allows no copy at all (crossRegionCopy, sameRegionStandardCopy and sameRegionEncryptedCopy are all false)',
  );
}

/** Makes a source and the plainest request that copies it. */
export async function plainCopy(
  h: ConformanceHarness,
  spec: SourceSnapshotSpec = {},
  extra: Partial<CopyRequestInput> = {},
): Promise<PlainCopy> {
  const [first, second] = h.fixtures.regions;
  const route = plainRoute(h.copier.capabilities);
  if (route === 'cross-region') {
    const source = await h.fixtures.createSource({ region: first, ...spec });
    return {
      source,
      sameRegion: false,
      request: { source: source.ref, destination: { region: second }, ...extra },
    };
  }
  if (route === 'same-region-standard') {
    const source = await h.fixtures.createSource({ region: first, key: 'none', ...spec });
    const encryption = source.encrypted ? {} : { encryption: { encrypted: false } };
    return {
      source,
      sameRegion: true,
      request: { source: source.ref, destination: { region: first }, ...encryption, ...extra },
    };
  }
  const source = await h.fixtures.createSource({ region: first, key: 'default', ...spec });
  return {
    source,
    sameRegion: true,
    request: {
      source: source.ref,
      destination: { region: first },
      encryption: { encrypted: true },
      ...extra,
    },
  };
}

/**
 * Starts the plainest copy of a new source made to `spec`, as `plain` (`plainCopy`,
 * `plainImageCopy`) makes it for the harness's kind.
 */
export async function startPlain<
  H extends { readonly copier: { copy(request: never): Promise<unknown> } },
  S,
>(
  plain: (h: H, spec: S) => Promise<{ readonly request: Parameters<H['copier']['copy']>[0] }>,
  h: H,
  ctx: ConformanceContext,
  spec: S,
): Promise<Awaited<ReturnType<H['copier']['copy']>>> {
  const { request } = await plain(h, spec);
  return recorded(ctx, () => h.copier.copy(request as never)) as Promise<
    Awaited<ReturnType<H['copier']['copy']>>
  >;
}

/** Asserts a wait (of any kind of copy) ended completed; `label` prefixes the message. */
export function expectCompleted(
  done: { readonly state: string; readonly message?: string | undefined },
  label = 'the copy',
): void {
  check(done.state === 'completed', `${label} ended ${done.state}: ${done.message ?? ''}`);
}

/** A region other than `region` among the fixtures' regions. */
export function otherRegion(h: ConformanceHarness, region: string): string {
  return h.fixtures.regions.find((r) => r !== region) ?? fail('the fixtures need two regions');
}

/** A client token unique to this run. */
export function freshToken(label: string): string {
  return `conf-${label}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Starts a copy (of any kind) through the copier, recording any rejection. */
export function startCopy<R = CopyRequestInput, H = CopyHandle>(
  h: { readonly copier: { copy(request: R): Promise<H> } },
  ctx: ConformanceContext,
  request: R,
  copier: { copy(request: R): Promise<H> } = h.copier,
): Promise<H> {
  return recorded(ctx, () => copier.copy(request));
}

/** Starts a snapshot copy and reads the copy from the cloud, in the region its handle names. */
export async function copyInCloud(
  h: ConformanceHarness,
  ctx: ConformanceContext,
  request: CopyRequestInput,
  what: string,
): Promise<TruthSnapshot> {
  const handle = await startCopy(h, ctx, request);
  return mustExist(h, handle.region, handle.snapshotId, what);
}

/**
 * Unless `flag` is set, the request must be `UNSUPPORTED` in `plan` and `copy` with zero
 * requests; answers whether it was (the case has nothing more to check then).
 */
export async function refusedUnless<R>(
  flag: boolean,
  h: CopyingHarness<R>,
  ctx: ConformanceContext,
  request: R,
  what: string,
): Promise<boolean> {
  if (flag) return false;
  await expectUnsupportedWithZeroRequests(h, ctx, request, what);
  return true;
}

/**
 * A request the manifest says is never supported: `plan` and `copy` both fail with
 * `UNSUPPORTED` and the cloud sees zero requests. Any kind of copier (snapshots, images).
 */
export async function expectUnsupportedWithZeroRequests<R>(
  h: CopyingHarness<R>,
  ctx: ConformanceContext,
  request: R,
  what: string,
): Promise<void> {
  const mark = await requestMark(h);
  await expectCode(ctx, () => h.copier.plan(request), 'UNSUPPORTED', `${what} (plan)`);
  await expectCode(ctx, () => h.copier.copy(request), 'UNSUPPORTED', `${what} (copy)`);
  await expectNoRequestsSince(h, mark, what);
}

/**
 * A request refused because of what the source is (only known after reading it): `plan`
 * and `copy` fail with one of `codes`, the cloud sees no copy or delete request, and no
 * copy of the source exists.
 */
export async function expectRefusedWithoutMutation(
  h: ConformanceHarness,
  ctx: ConformanceContext,
  source: SourceFixture,
  request: CopyRequestInput,
  codes: readonly ErrorCode[],
  what: string,
): Promise<void> {
  await expectRefusedWithoutRequests(h, ctx, request, codes, what);
  await expectNoCopyOf(h, source, what);
}

/**
 * `plan` and `copy` (of any kind of copier) both fail with one of `codes` and the cloud
 * sees no copy or delete request meanwhile.
 */
export async function expectRefusedWithoutRequests<R>(
  h: CopyingHarness<R>,
  ctx: ConformanceContext,
  request: R,
  codes: readonly ErrorCode[],
  what: string,
): Promise<void> {
  const mark = await requestMark(h);
  await expectOneOfCodes(ctx, () => h.copier.plan(request), codes, `${what} (plan)`);
  await expectOneOfCodes(ctx, () => h.copier.copy(request), codes, `${what} (copy)`);
  await expectNoMutationSince(h, mark, what);
}

/** Awaits `work`, which must reject `THROTTLED` and retryable. */
export async function expectThrottled(
  ctx: ConformanceContext,
  work: () => Promise<unknown>,
  what: string,
): Promise<void> {
  const err = await expectCode(ctx, work, 'THROTTLED', what);
  check(isSnapcopyError(err) && err.retryable, `${what}: THROTTLED must be retryable`);
}

/** The destination region and whether it is the source's, for a copy that changes encryption. */
export function encryptedRoute(h: ConformanceHarness): { from: string; to: string } {
  const [first, second] = h.fixtures.regions;
  const caps = h.copier.capabilities;
  if (caps.crossRegionCopy) return { from: first, to: second };
  return { from: first, to: first };
}
