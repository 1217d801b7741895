import type * as EcsModule from '@alicloud/ecs20140526';
import type * as OpenApiModule from '@alicloud/openapi-core';

/** The `@alicloud/ecs20140526` client class. */
export type EcsClientClass = typeof EcsModule.default.default;
/** An `@alicloud/ecs20140526` client: the native escape hatch. */
export type EcsClient = InstanceType<EcsClientClass>;
/** The client configuration class of `@alicloud/openapi-core` (`$OpenApiUtil.Config`). */
export type EcsClientConfig = InstanceType<typeof OpenApiModule.$OpenApiUtil.Config>;
/** Runtime options of one SDK call (`$dara.RuntimeOptions`, typed from the SDK's signature). */
export type EcsRuntimeOptions = Parameters<EcsClient['describeSnapshotsWithOptions']>[1];

/** The request model classes the adapter builds (the SDK validates model instances). */
export interface EcsModels {
  readonly CopySnapshotRequest: typeof EcsModule.CopySnapshotRequest;
  readonly CopySnapshotRequestTag: typeof EcsModule.CopySnapshotRequestTag;
  readonly DescribeSnapshotsRequest: typeof EcsModule.DescribeSnapshotsRequest;
  readonly DescribeSnapshotsRequestTag: typeof EcsModule.DescribeSnapshotsRequestTag;
  readonly DeleteSnapshotRequest: typeof EcsModule.DeleteSnapshotRequest;
  readonly DescribeSnapshotGroupsRequest: typeof EcsModule.DescribeSnapshotGroupsRequest;
  readonly CopyImageRequest: typeof EcsModule.CopyImageRequest;
  readonly CopyImageRequestTag: typeof EcsModule.CopyImageRequestTag;
  readonly DescribeImagesRequest: typeof EcsModule.DescribeImagesRequest;
  readonly DescribeImagesRequestTag: typeof EcsModule.DescribeImagesRequestTag;
  readonly CancelCopyImageRequest: typeof EcsModule.CancelCopyImageRequest;
  readonly DeleteImageRequest: typeof EcsModule.DeleteImageRequest;
}

/** The model classes the adapter builds, by name (each resolved from the CommonJS module). */
const MODEL_NAMES = [
  'CopySnapshotRequest',
  'CopySnapshotRequestTag',
  'DescribeSnapshotsRequest',
  'DescribeSnapshotsRequestTag',
  'DeleteSnapshotRequest',
  'DescribeSnapshotGroupsRequest',
  'CopyImageRequest',
  'CopyImageRequestTag',
  'DescribeImagesRequest',
  'DescribeImagesRequestTag',
  'CancelCopyImageRequest',
  'DeleteImageRequest',
] as const satisfies readonly (keyof EcsModels)[];

/** What the adapter needs from the SDK, resolved once. */
export interface EcsSdk {
  readonly Client: EcsClientClass;
  readonly Config: typeof OpenApiModule.$OpenApiUtil.Config;
  readonly models: EcsModels;
}

type Loose = Record<string, unknown> & { default?: unknown };

/**
 * Finds the export a CommonJS module put on `exports.default` (or on `exports`), whichever
 * way it was imported. Under plain Node, `import()` of a CJS module yields
 * `{ default: module.exports }`, so the class is at `.default.default`; bundlers and
 * vitest hand over `module.exports` itself or the class at `.default`: resolve both.
 */
export function resolveCjsDefault<T>(mod: unknown, isWanted: (candidate: unknown) => boolean): T {
  const m = mod as Loose | undefined;
  const inner = m?.default as Loose | undefined;
  for (const candidate of [inner?.default, inner, m]) {
    if (candidate !== undefined && isWanted(candidate)) return candidate as T;
  }
  throw new TypeError('could not find the expected export of a CommonJS module');
}

/** Finds a named export of a CommonJS module, on the namespace or on `module.exports`. */
export function resolveCjsNamed<T>(mod: unknown, name: string): T {
  const m = mod as Loose | undefined;
  const fromNamespace = m?.[name];
  if (fromNamespace !== undefined) return fromNamespace as T;
  const fromExports = (m?.default as Loose | undefined)?.[name];
  if (fromExports !== undefined) return fromExports as T;
  throw new TypeError(`the module has no export named "${name}"`);
}

const isClientClass = (c: unknown): boolean =>
  typeof c === 'function' &&
  typeof (c as { prototype?: Loose }).prototype?.copySnapshotWithOptions === 'function';

let loading: Promise<EcsSdk> | undefined;

/**
 * Imports the ECS SDK on first use: importing `@snapcopy/alibaba` loads no SDK (it costs
 * ~0.8 s), and a run that never calls Alibaba never pays for it.
 */
export function loadEcsSdk(): Promise<EcsSdk> {
  if (loading) return loading;
  const pending = (async (): Promise<EcsSdk> => {
    const [ecs, core] = await Promise.all([
      import('@alicloud/ecs20140526'),
      import('@alicloud/openapi-core'),
    ]);
    const util = resolveCjsNamed<typeof OpenApiModule.$OpenApiUtil>(core, '$OpenApiUtil');
    return {
      Client: resolveCjsDefault<EcsClientClass>(ecs, isClientClass),
      Config: util.Config,
      models: Object.fromEntries(
        MODEL_NAMES.map((name) => [name, resolveCjsNamed(ecs, name)]),
      ) as unknown as EcsModels,
    };
  })().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  loading = pending;
  return pending;
}
