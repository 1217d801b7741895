// Case bodies the snapshot and image suites share: the same contract checked on either kind
// of copy. A case file keeps its own ids, groups and names and hands its kind to these.
import {
  type CopyHandle,
  type CopyRequestInput,
  type ImageCopyHandle,
  type ImageCopyRequestInput,
  type ImageRef,
  isSnapcopyError,
  type SnapshotRef,
} from '@snapcopy/core';
import type { ZodType } from 'zod';
import type { ConformanceContext, GroupedCase } from './case.js';
import type { Awaitable, ConformanceFaults, ConformanceHarness, SourceFixture } from './harness.js';
import type { ImageConformanceHarness, SourceImageFixture } from './image-harness.js';
import {
  expectNoImageCopyOf,
  imageGone,
  mustExistImage,
  plainImageCopy,
  waitForImage,
} from './image-support.js';
import {
  type CopyingHarness,
  check,
  expectCode,
  expectNoCopyOf,
  expectNoRequestsSince,
  expectThrottled,
  freshToken,
  mustExist,
  plainCopy,
  type RequestLogHolder,
  recorded,
  refusedUnless,
  rejection,
  requestMark,
  requestsSince,
  startCopy,
  waitFor,
} from './support.js';

/** What the shared cases need of a harness, whatever kind of copier it holds. */
export interface KindHarness<Req, Handle, Ref> extends RequestLogHolder {
  readonly copier: {
    readonly capabilities: { readonly cancelByDelete: boolean };
    copy(request: Req): Promise<Handle>;
    cancel(ref: Ref, options?: { readonly force?: boolean }): Promise<{ readonly takesEffect: string }>;
  };
  readonly faults: ConformanceFaults;
  readonly fixtures: { readonly regions: readonly [string, string, ...string[]] };
}

/** What every copy handle says. */
interface Handle {
  readonly region: string;
  readonly reused: boolean;
}

/** A kind of copy as the shared cases see it: how to make one and how to read the cloud. */
export interface CopyKind<H, Req, Hd extends Handle, Ref, Source> {
  /** How messages name one copy, several, a copy call's result, and a missing source. */
  readonly one: string;
  readonly many: string;
  readonly copyPhrase: string;
  readonly noun: string;
  /** Prefix of the client-token labels, so the two suites' tokens never meet. */
  readonly tokenPrefix: string;
  /** A source (of `sizeGiB` when given) and the plainest request that copies it, with the token. */
  plainCopy(
    h: H,
    sizeGiB: number | undefined,
    extra?: { readonly clientToken: string },
  ): Promise<{ source: Source; request: Req }>;
  idOf(handle: Hd): string;
  waitFor(
    h: H,
    ctx: ConformanceContext,
    handle: Hd,
    extra?: { readonly timeoutMs?: number },
  ): Promise<unknown>;
  copiesWithToken(h: H, clientToken: string): Awaitable<readonly { readonly id: string }[]>;
  expectNoCopyOf(h: H, source: Source, what: string): Promise<void>;
  /** A well-formed ref the cloud does not have. */
  missingRef(h: H, region: string): Ref;
  /** The copy `handle` names is in the cloud (else the case fails, saying `what`). */
  expectExists(h: H, handle: Hd, what: string): Promise<void>;
  /** The cloud still copies what `handle` names, untouched (else the case fails, saying `what`). */
  expectRunning(h: H, handle: Hd, what: string): Promise<void>;
  /** Whether the cloud no longer has the copy `handle` names. */
  gone(h: H, handle: Hd): Promise<boolean>;
  /** How messages say a forced cancel gets rid of a completed copy. */
  readonly removing: string;
  /** The copy is still in the cloud, untouched, after a cancel with bad credentials was refused. */
  expectKeptAfterRefusedCancel(h: H, handle: Hd): Promise<void>;
}

/** Snapshots, as the SnapshotCopier suite copies them. */
export const SNAPSHOT_KIND: CopyKind<
  ConformanceHarness,
  CopyRequestInput,
  CopyHandle,
  SnapshotRef,
  SourceFixture
> = {
  one: 'copy',
  many: 'copies',
  copyPhrase: 'copy',
  noun: 'snapshot',
  tokenPrefix: '',
  plainCopy: (h, sizeGiB, extra) => plainCopy(h, sizeGiB === undefined ? {} : { sizeGiB }, extra),
  idOf: (handle) => handle.snapshotId,
  waitFor,
  copiesWithToken: (h, clientToken) => h.truth.copiesWithToken(clientToken),
  expectNoCopyOf,
  missingRef: (h, region) => ({ region, snapshotId: h.fixtures.missingSnapshotId(region) }),
  async expectExists(h, handle, what) {
    await mustExist(h, handle.region, handle.snapshotId, what);
  },
  async expectRunning(h, handle, what) {
    const copy = await mustExist(h, handle.region, handle.snapshotId, what);
    check(
      copy.state === 'pending' && !copy.deletePending,
      `${what} the copy is ${copy.state}${copy.deletePending ? ' and being deleted' : ''}`,
    );
  },
  gone: async (h, handle) => (await h.truth.snapshot(handle.region, handle.snapshotId)) === undefined,
  removing: 'deleting',
  async expectKeptAfterRefusedCancel(h, handle) {
    const copy = await mustExist(h, handle.region, handle.snapshotId, 'after a refused cancel');
    check(!copy.deletePending, 'a refused cancel marked the copy for deletion');
  },
};

/** Images, as the ImageCopier suite copies them. */
export const IMAGE_KIND: CopyKind<
  ImageConformanceHarness,
  ImageCopyRequestInput,
  ImageCopyHandle,
  ImageRef,
  SourceImageFixture
> = {
  one: 'image',
  many: 'images',
  copyPhrase: 'image copy',
  noun: 'image',
  tokenPrefix: 'img-',
  plainCopy: (h, sizeGiB, extra) =>
    plainImageCopy(h, sizeGiB === undefined ? {} : { disks: [{ sizeGiB }] }, extra),
  idOf: (handle) => handle.imageId,
  waitFor: waitForImage,
  copiesWithToken: (h, clientToken) => h.truth.imageCopiesWithToken(clientToken),
  expectNoCopyOf: expectNoImageCopyOf,
  missingRef: (h, region) => ({ region, imageId: h.fixtures.missingImageId(region) }),
  async expectExists(h, handle, what) {
    await mustExistImage(h, handle.region, handle.imageId, what);
  },
  async expectRunning(h, handle, what) {
    const image = await mustExistImage(h, handle.region, handle.imageId, what);
    check(image.state === 'pending', `${what} the copy is ${image.state}, not still running`);
  },
  gone: (h, handle) => imageGone(h, handle.region, handle.imageId),
  removing: 'removing',
  async expectKeptAfterRefusedCancel(h, handle) {
    await mustExistImage(h, handle.region, handle.imageId, 'after a refused cancel');
  },
};

/** How a capability case makes its request and judges the copy when the flag is true. */
export interface FlagCaseSpec<H extends FlagHarness<Req, Hd>, Req, Hd, P extends { readonly request: Req }> {
  /** The flag of the harness's manifest the case is about. */
  flag(caps: H['copier']['capabilities']): boolean;
  /** What the refusal is called in messages when the flag is false. */
  readonly refusal: string;
  /** A source and the request that needs the flag (with whatever `verify` needs). */
  prepare(h: H): Promise<P>;
  /** The copy's effect in the cloud, once the request was copied with the flag true. */
  verify(h: H, ctx: ConformanceContext, handle: Hd, prepared: P): Promise<void>;
}

/** A harness (of either kind) whose copier has a manifest and plans and copies `Req`. */
type FlagHarness<Req, Hd> = CopyingHarness<Req> & {
  readonly copier: { readonly capabilities: object; copy(request: Req): Promise<Hd> };
};

/**
 * A capability case of either kind for a flag the request alone shows: with the flag false,
 * `plan` and `copy` are UNSUPPORTED and the cloud sees zero requests (asserted, never
 * skipped); with it true the copy is started and its effect checked in the cloud. The kind
 * only fixes the harness's types; the group's list gives the group.
 */
export function flagCase<
  H extends FlagHarness<Req, Hd> & KindHarness<Req, Hd, Ref>,
  Req,
  Hd extends Handle,
  Ref,
  Src,
  P extends { readonly request: Req },
>(
  _kind: CopyKind<H, Req, Hd, Ref, Src>,
  label: Omit<GroupedCase<H>, 'run'>,
  spec: FlagCaseSpec<H, Req, Hd, P>,
): GroupedCase<H> {
  return {
    ...label,
    async run(h, ctx) {
      const prepared = await spec.prepare(h);
      const flag = spec.flag(h.copier.capabilities);
      if (await refusedUnless(flag, h, ctx, prepared.request, spec.refusal)) return;
      await spec.verify(h, ctx, await startCopy(h, ctx, prepared.request), prepared);
    },
  };
}

/**
 * A case body over any kind: the kind, a fresh harness of that kind, the case's context, and
 * whatever options `Options` lists.
 */
type KindCase<Options extends unknown[] = []> = <
  H extends KindHarness<Req, Hd, Ref>,
  Req extends { readonly clientToken?: string },
  Hd extends Handle,
  Ref,
  Src,
>(
  kind: CopyKind<H, Req, Hd, Ref, Src>,
  h: H,
  ctx: ConformanceContext,
  ...options: Options
) => Promise<void>;

/** A plain copy of 20 GiB under a fresh token (labelled `label`), asked for twice: both answers. */
export async function copiedTwice<
  H extends KindHarness<Req, Hd, Ref>,
  Req extends { readonly clientToken?: string },
  Hd extends Handle,
  Ref,
  Src,
>(kind: CopyKind<H, Req, Hd, Ref, Src>, h: H, ctx: ConformanceContext, label: string) {
  const clientToken = freshToken(`${kind.tokenPrefix}${label}`);
  const { request } = await kind.plainCopy(h, 20, { clientToken });
  const first = await startCopy(h, ctx, request);
  const second = await startCopy(h, ctx, request);
  return { clientToken, request, first, second };
}

/**
 * The same token asked for twice while the copy runs, then again once it completed: every
 * call names one copy, which the cloud holds once. With `checkReused`, the first two calls
 * also say reused as they must (see {@link checkReusedFlags}).
 */
export const sameTokenTwiceCase: KindCase<[options: { readonly checkReused: boolean }]> = async (
  kind,
  h,
  ctx,
  options,
) => {
  const { clientToken, request, first, second } = await copiedTwice(kind, h, ctx, 'twice');
  const firstId = kind.idOf(first);
  check(kind.idOf(second) === firstId, `the second copy call made ${kind.idOf(second)}, not ${firstId}`);
  if (options.checkReused) checkReusedFlags(first, second);
  await kind.waitFor(h, ctx, first);
  const third = await startCopy(h, ctx, request);
  check(kind.idOf(third) === firstId, `a call after completion made another ${kind.one}`);
  const copies = await kind.copiesWithToken(h, clientToken);
  check(copies.length === 1, `the cloud holds ${copies.length} ${kind.many} for one token`);
  check(copies[0]!.id === firstId, `the one ${kind.one} in the cloud is not the one the handle names`);
};

/** A new copy says reused: false; a call whose token found the earlier copy says reused: true. */
export function checkReusedFlags(first: Handle, second: Handle): void {
  check(!first.reused, 'a first copy must report reused: false');
  check(second.reused, 'a call that found the copy made for its token must report reused: true');
}

/** A copy whose response was lost, retried with the same token, yields exactly one copy. */
export const droppedResponseCase: KindCase = async (kind, h, ctx) => {
  const clientToken = freshToken(`${kind.tokenPrefix}dropped`);
  const { request } = await kind.plainCopy(h, 20, { clientToken });
  h.faults.dropResponseAfterNext('copy');
  const handle = await h.copier.copy(request).then(
    (made) => made,
    (err: unknown) => {
      ctx.errors.push(err);
      check(isSnapcopyError(err), `a lost response must surface as a SnapcopyError, got ${String(err)}`);
      return undefined;
    },
  );
  const again = await startCopy(h, ctx, request);
  if (handle)
    check(kind.idOf(again) === kind.idOf(handle), `the retry after a lost response made another ${kind.one}`);
  const copies = await kind.copiesWithToken(h, clientToken);
  check(
    copies.length === 1,
    `the cloud holds ${copies.length} ${kind.many} for one token after a lost response`,
  );
  check(copies[0]!.id === kind.idOf(again), `the handle does not name the one ${kind.one} in the cloud`);
};

/** Two different tokens for the same source yield two copies. */
export const distinctTokensCase: KindCase = async (kind, h, ctx) => {
  const { request } = await kind.plainCopy(h, undefined, { clientToken: freshToken(`${kind.tokenPrefix}a`) });
  const first = await startCopy(h, ctx, request);
  await kind.waitFor(h, ctx, first);
  const second = await recorded(ctx, () =>
    h.copier.copy({ ...request, clientToken: freshToken(`${kind.tokenPrefix}b`) }),
  );
  check(kind.idOf(second) !== kind.idOf(first), 'a new token returned the earlier copy');
  check(!second.reused, 'a new token must not report reused');
};

/** Copy calls throttled beyond the retries: THROTTLED and no copy; then one copy for the token. */
export const throttledCopyCase: KindCase = async (kind, h, ctx) => {
  const clientToken = freshToken(`${kind.tokenPrefix}throttle`);
  const { source, request } = await kind.plainCopy(h, undefined, { clientToken });
  h.faults.throttleNext('copy', ctx.options.throttleCount);
  await expectThrottled(ctx, () => h.copier.copy(request), `${kind.copyPhrase} while throttled`);
  await kind.expectNoCopyOf(h, source, `a throttled ${kind.copyPhrase}`);
  h.faults.clear();
  const handle = await startCopy(h, ctx, request);
  const copies = await kind.copiesWithToken(h, clientToken);
  check(
    copies.length === 1 && copies[0]!.id === kind.idOf(handle),
    `after throttling, the cloud holds ${copies.length} ${kind.many} for one token`,
  );
};

/** With cancelByDelete false, cancel is UNSUPPORTED. */
export async function expectCancelRefused<Ref>(
  h: KindHarness<unknown, unknown, Ref>,
  ctx: ConformanceContext,
  ref: Ref,
): Promise<void> {
  await expectCode(ctx, () => h.copier.cancel(ref), 'UNSUPPORTED', 'cancel with cancelByDelete false');
}

/** With cancelByDelete false, cancel is UNSUPPORTED and the cloud sees zero requests. */
export async function expectCancelUnsupported<Ref>(
  h: KindHarness<unknown, unknown, Ref>,
  ctx: ConformanceContext,
  ref: Ref,
): Promise<void> {
  const mark = await requestMark(h);
  await expectCancelRefused(h, ctx, ref);
  await expectNoRequestsSince(h, mark, 'cancel with cancelByDelete false');
}

/** A cancel's answer names the copy it was asked about and takes effect as the manifest says. */
export function checkCancelAnswer(
  answer: { readonly region: string; readonly takesEffect: string },
  ids: { readonly answered: string; readonly asked: string; readonly region: string },
  noun: string,
  manifest: string,
): void {
  check(ids.answered === ids.asked && answer.region === ids.region, `cancel answered for another ${noun}`);
  check(
    answer.takesEffect === manifest,
    `cancel of a running copy says "${answer.takesEffect}", the manifest "${manifest}"`,
  );
}

/** A check over any kind on a copy the case started: the kind, the harness, the context, its handle. */
type HandleCheck = <H extends KindHarness<Req, Hd, Ref>, Req, Hd extends Handle & Ref, Ref, Src>(
  kind: CopyKind<H, Req, Hd, Ref, Src>,
  h: H,
  ctx: ConformanceContext,
  handle: Hd,
) => Promise<void>;

/** With cancelByDelete false, cancelling a copy is UNSUPPORTED with zero requests and the copy stays. */
export const expectCancelRefusedCopyKept: HandleCheck = async (kind, h, ctx, handle) => {
  await expectCancelUnsupported(h, ctx, handle);
  await kind.expectExists(h, handle, 'a copy whose cancel was refused');
};

/**
 * A completed copy is a finished backup: its cancel is INVALID_REQUEST without force and the
 * copy stays; with force it takes effect at once and the copy is gone from the cloud.
 */
export const expectForcedCancelOnly: HandleCheck = async (kind, h, ctx, handle) => {
  await expectCode(
    ctx,
    () => h.copier.cancel(handle),
    'INVALID_REQUEST',
    'cancel of a completed copy without force',
  );
  await kind.expectExists(h, handle, 'a completed copy whose cancel was refused');
  const result = await recorded(ctx, () => h.copier.cancel(handle, { force: true }));
  check(result.takesEffect === 'immediate', `${kind.removing} a completed copy says "${result.takesEffect}"`);
  check(await kind.gone(h, handle), 'the completed copy is still in the cloud');
};

/**
 * A wait that times out rejects TIMEOUT and leaves the copy alone: no copy or delete request
 * since the wait began, and the cloud still copies it.
 */
export const expectTimedOutWaitLeavesCopy: HandleCheck = async (kind, h, ctx, handle) => {
  const mark = await requestMark(h);
  await expectCode(
    ctx,
    () => kind.waitFor(h, ctx, handle, { timeoutMs: ctx.options.pollDelayMs * 2 }),
    'TIMEOUT',
    'wait with a short timeout',
  );
  check(
    (await requestsSince(h, mark, ['delete', 'copy'])).length === 0,
    'a timed-out wait sent a copy or delete',
  );
  await kind.expectRunning(h, handle, 'after a timed-out wait');
};

/** Cancelling what the cloud does not have answers already-gone (or is UNSUPPORTED, silently). */
export const cancelAlreadyGoneCase: KindCase = async (kind, h, ctx) => {
  const ref = kind.missingRef(h, h.fixtures.regions[1]);
  if (!h.copier.capabilities.cancelByDelete) return expectCancelUnsupported(h, ctx, ref);
  const result = await recorded(ctx, () => h.copier.cancel(ref));
  check(
    result.takesEffect === 'already-gone',
    `cancelling a missing ${kind.noun} says "${result.takesEffect}"`,
  );
};

/** A copier (of any kind) whose credentials the cloud rejects. */
interface BadCopier<Req, Ref> {
  plan(request: Req): Promise<unknown>;
  copy(request: Req): Promise<unknown>;
  status(refs: readonly Ref[]): Promise<unknown>;
}

/** plan, copy and status with bad credentials are ACCESS_DENIED carrying the provider's code. */
async function expectAccessDenied<Req, Ref>(
  ctx: ConformanceContext,
  bad: BadCopier<Req, Ref>,
  request: Req,
  ref: Ref,
): Promise<void> {
  for (const [what, work] of [
    ['plan', () => bad.plan(request)],
    ['copy', () => bad.copy(request)],
    ['status', () => bad.status([ref])],
  ] as const) {
    const err = await expectCode(ctx, work, 'ACCESS_DENIED', `${what} with bad credentials`);
    check(
      isSnapcopyError(err) && err.providerCode !== undefined,
      `${what}: ACCESS_DENIED must carry the provider's error code`,
    );
  }
}

/** A harness that can make its copier again with credentials the cloud rejects. */
type BadCredentialsHarness<Req, Hd, Ref> = KindHarness<Req, Hd, Ref> & {
  makeCopierWithBadCredentials(): Awaitable<
    BadCopier<Req, Ref> & {
      readonly capabilities: { readonly cancelByDelete: boolean };
      cancel(ref: Hd): Promise<unknown>;
      wait(ref: Ref, options: { timeoutMs: number }): Promise<unknown>;
    }
  >;
};

/**
 * plan, copy and status with bad credentials are ACCESS_DENIED with the provider's code (and,
 * with `alsoWait`, wait is refused too); no copy is made; a cancel of a running copy with bad
 * credentials is ACCESS_DENIED and leaves the copy alone.
 */
export async function badCredentialsCase<
  H extends BadCredentialsHarness<Req, Hd, Ref>,
  Req extends { readonly clientToken?: string },
  Hd extends Handle,
  Ref,
  Src extends { readonly ref: Ref },
>(
  kind: CopyKind<H, Req, Hd, Ref, Src>,
  h: H,
  ctx: ConformanceContext,
  options: { readonly alsoWait: boolean },
): Promise<void> {
  const bad = await h.makeCopierWithBadCredentials();
  const { source, request } = await kind.plainCopy(h, undefined);
  await expectAccessDenied(ctx, bad, request, source.ref);
  if (options.alsoWait)
    await rejection(ctx, () => bad.wait(source.ref, { timeoutMs: 1 }), 'wait with bad credentials');
  await kind.expectNoCopyOf(h, source, 'bad credentials');
  if (bad.capabilities.cancelByDelete) {
    const handle = await startCopy(h, ctx, request);
    await expectCode(ctx, () => bad.cancel(handle), 'ACCESS_DENIED', 'cancel with bad credentials');
    await kind.expectKeptAfterRefusedCancel(h, handle);
  }
}

/** Every failure path of a bad-credentials copier, recorded for the secret scan. */
export async function failWithBadCredentials<Req, Ref>(
  ctx: ConformanceContext,
  bad: BadCopier<Req, Ref> & { wait(ref: Ref, options: { timeoutMs: number }): Promise<unknown> },
  request: Req,
  ref: Ref,
): Promise<void> {
  await rejection(ctx, () => bad.plan(request), 'plan with bad credentials');
  await rejection(ctx, () => bad.copy(request), 'copy with bad credentials');
  await rejection(ctx, () => bad.status([ref]), 'status with bad credentials');
  await rejection(ctx, () => bad.wait(ref, { timeoutMs: 1 }), 'wait with bad credentials');
}

function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

/** A manifest has exactly core's keys of its kind, passes its schema, and its copier names a provider. */
export function checkManifestKeys(
  copier: { readonly provider: string; readonly capabilities: object },
  keys: readonly string[],
  schema: ZodType,
  label: string,
  schemaName: string,
): void {
  const caps = copier.capabilities as Record<string, unknown>;
  const missing = keys.filter((k) => !(k in caps) || caps[k] === undefined);
  const extra = Object.keys(caps).filter((k) => !keys.includes(k));
  check(missing.length === 0, `${label} is missing ${missing.join(', ')}`);
  check(extra.length === 0, `${label} has keys core does not know: ${extra.join(', ')}`);
  const parsed = schema.safeParse(caps);
  check(parsed.success, `${label} fails ${schemaName}: ${parsed.error?.message ?? ''}`);
  check(
    typeof copier.provider === 'string' && copier.provider.length > 0,
    'provider must be a non-empty name',
  );
}

/** A manifest is deeply frozen and a write leaves it as it was; returns its JSON text. */
export function checkManifestFrozen(caps: { readonly crossRegionCopy: boolean }, label: string): string {
  check(isDeepFrozen(caps), `${label} must be deeply frozen`);
  const before = JSON.stringify(caps);
  try {
    (caps as unknown as Record<string, unknown>).crossRegionCopy = !caps.crossRegionCopy;
  } catch {
    // Strict-mode code throws on a frozen object; either way the value must not change.
  }
  check(JSON.stringify(caps) === before, `a write to the ${label} changed it`);
  return before;
}

/** The consistency rules both kinds of manifest share: cancel, time-based copy, status batching. */
export function checkSharedManifestRules(caps: {
  readonly cancelByDelete: boolean;
  readonly cancelTakesEffect: string;
  readonly timeBasedCopy: boolean;
  readonly completionDurationMinutes: unknown;
  readonly maxIdsPerStatusCall: number;
}): void {
  check(
    caps.cancelByDelete === (caps.cancelTakesEffect !== 'never'),
    'cancelByDelete and cancelTakesEffect disagree',
  );
  check(
    !caps.timeBasedCopy || caps.completionDurationMinutes !== null,
    'timeBasedCopy needs completionDurationMinutes',
  );
  check(caps.maxIdsPerStatusCall >= 1, 'maxIdsPerStatusCall must be at least 1');
}
