import type { SimSnapshot } from '../sim/world.js';
import type { EcsState } from './ecs-state.js';
import { newSnapshotGroupId } from './ids.js';
import type { EcsOperationContext } from './operation-context.js';
import { EcsApiError, ecsErrors } from './rpc-errors.js';
import { ecsStatus, snapshotToWire } from './snapshot-wire.js';
import { ecsTime } from './time-format.js';
import { isValidClientToken, isValidDescription, isValidSnapshotName, readTags } from './validation.js';

/*
 * Snapshot-consistent groups (ECS API 2014-05-26): one snapshot per disk of an instance
 * (or of listed disks in one zone), taken at one point in time.
 * CreateSnapshotGroup  https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-createsnapshotgroup
 * DescribeSnapshotGroups https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-describesnapshotgroups
 * DeleteSnapshotGroup  https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-deletesnapshotgroup
 * ModifySnapshotGroup  https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-modifysnapshotgroup
 * Codes marked [inferred] are not in the reference pages; the simulator uses ECS's
 * generic ones with a plain message.
 */

/** Disks per group and their total size, as CreateSnapshotGroup documents. */
export const SNAPSHOT_GROUP_MAX_DISKS = 16;
export const SNAPSHOT_GROUP_MAX_TOTAL_GIB = 32 * 1024;

/** A disk attached to a simulated instance. */
export interface EcsAttachedDisk {
  readonly diskId: string;
  /** The system disk. */
  readonly system: boolean;
  /** GiB of data on the disk: its first snapshot's size. */
  readonly usedGiB: number;
  /** GiB that change between two snapshots. */
  readonly changeGiB: number;
}

/** An ECS instance as far as snapshot groups care (a fixture: no instance API is served). */
export interface EcsInstance {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly disks: readonly EcsAttachedDisk[];
}

/** A snapshot-consistent group. */
export interface EcsSnapshotGroup {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  name?: string;
  description?: string;
  readonly instanceId?: string;
  readonly snapshotIds: readonly string[];
  readonly tags: Map<string, string>;
  readonly createdAt: number;
  readonly clientToken?: string;
}

/** What a group is taken of. */
export interface SnapshotGroupSpec {
  readonly account: string;
  readonly region: string;
  readonly instanceId?: string;
  readonly disks: readonly EcsAttachedDisk[];
  readonly name?: string;
  readonly description?: string;
  readonly tags?: ReadonlyMap<string, string>;
  /** Tags each snapshot of the group also gets (seeds: a common "set" tag). */
  readonly snapshotTags?: ReadonlyMap<string, string>;
  readonly clientToken?: string;
  /** Fixed ids (seeds). */
  readonly id?: string;
  readonly snapshotIds?: readonly string[];
  /** Accomplished at once (a pre-made group in a seed). */
  readonly completed?: boolean;
}

/** The instance a disk is attached to, if any. */
function instanceOfDisk(state: EcsState, diskId: string): string | undefined {
  for (const i of state.instances.values()) if (i.disks.some((d) => d.diskId === diskId)) return i.id;
  return undefined;
}

/** Takes the snapshots of a group (one start time) and records the group. */
export function takeSnapshotGroup(state: EcsState, spec: SnapshotGroupSpec): EcsSnapshotGroup {
  const { world } = state;
  const now = world.clock.now();
  const snapshots: SimSnapshot[] = spec.disks.map((d, i) => {
    const disk = world.volumes.get(d.diskId);
    if (!disk) throw new Error(`disk ${d.diskId} is not in the world`);
    const earlier = state.ownedInRegion(spec.account, spec.region).some((e) => {
      const s = world.snapshots.get(e.id);
      return s !== undefined && s.volumeId === d.diskId && !s.copy;
    });
    const fixedId = spec.snapshotIds?.[i];
    const instanceId = spec.instanceId ?? instanceOfDisk(state, d.diskId);
    const s = state.creations.take(world, disk, { ...d, earlier }, spec.completed, {
      ...(fixedId !== undefined ? { id: fixedId } : {}),
      region: spec.region,
      account: spec.account,
      ...(disk.diskType !== undefined ? { diskType: disk.diskType } : {}),
      tags: Object.fromEntries(spec.snapshotTags ?? []),
      extra: { ...(instanceId !== undefined ? { instanceId } : {}) },
    });
    state.register(s);
    return s;
  });
  const group: EcsSnapshotGroup = {
    id: spec.id ?? newSnapshotGroupId(),
    account: spec.account,
    region: spec.region,
    ...(spec.name !== undefined ? { name: spec.name } : {}),
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    ...(spec.instanceId !== undefined ? { instanceId: spec.instanceId } : {}),
    snapshotIds: snapshots.map((s) => s.id),
    tags: new Map(spec.tags ?? []),
    createdAt: now,
    ...(spec.clientToken !== undefined ? { clientToken: spec.clientToken } : {}),
  };
  for (const s of snapshots) s.extra.snapshotGroupId = group.id;
  state.snapshotGroups.set(group.id, group);
  return group;
}

/** The group's snapshots that still exist. */
function liveSnapshots(state: EcsState, g: EcsSnapshotGroup): SimSnapshot[] {
  const out: SimSnapshot[] = [];
  for (const id of g.snapshotIds) {
    const s = state.world.snapshots.get(id);
    if (s) out.push(s);
  }
  return out;
}

/** `progressing` while a snapshot is being taken, `failed` if one failed, else `accomplished`. */
export function snapshotGroupStatus(
  snapshots: readonly SimSnapshot[],
): 'progressing' | 'accomplished' | 'failed' {
  const statuses = snapshots.map(ecsStatus);
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('progressing')) return 'progressing';
  return 'accomplished';
}

const notFoundGroup = () =>
  // [inferred] the reference pages list no code for an unknown group id.
  new EcsApiError(
    404,
    'InvalidSnapshotGroupId.NotFound',
    'The specified snapshot-consistent group does not exist.',
  );

function requireRegion(ctx: EcsOperationContext): string {
  const region = ctx.params.require('RegionId');
  if (!ctx.state.world.regions.has(region)) throw ecsErrors.regionNotFound();
  return region;
}

function readNameAndDescription(ctx: EcsOperationContext): { name?: string; description?: string } {
  const name = ctx.params.get('Name');
  const description = ctx.params.get('Description');
  if (name !== undefined && name !== '' && !isValidSnapshotName(name)) {
    throw new EcsApiError(400, 'InvalidName.Malformed', 'The specified Name is not valid.');
  }
  if (description !== undefined && description !== '' && !isValidDescription(description)) {
    throw new EcsApiError(400, 'InvalidDescription.Malformed', 'The specified Description is not valid.');
  }
  return {
    ...(name ? { name } : {}),
    ...(description ? { description } : {}),
  };
}

function ownedGroup(ctx: EcsOperationContext, region: string): EcsSnapshotGroup {
  const id = ctx.params.require('SnapshotGroupId');
  const g = ctx.state.snapshotGroups.get(id);
  if (!g || g.account !== ctx.account.id || g.region !== region) throw notFoundGroup();
  return g;
}

/** The disks a CreateSnapshotGroup request selects, after ECS's checks. */
function selectDisks(
  ctx: EcsOperationContext,
  region: string,
): { instanceId?: string; disks: EcsAttachedDisk[] } {
  const { params: p, state, account } = ctx;
  const instanceId = p.get('InstanceId') || undefined;
  const diskIds = p.list('DiskId');
  const excluded = p.list('ExcludeDiskId');
  if (diskIds.length > 0 && excluded.length > 0) {
    throw ecsErrors.invalid('DiskId.N', 'cannot be specified together with ExcludeDiskId.N');
  }
  if (instanceId === undefined && diskIds.length === 0) throw ecsErrors.missing('InstanceId');
  if (instanceId === undefined && excluded.length > 0) {
    throw ecsErrors.invalid('ExcludeDiskId.N', 'requires InstanceId');
  }
  const diskNotFound = () =>
    new EcsApiError(404, 'InvalidDiskId.NotFound', 'The specified disk does not exist.');
  let disks: EcsAttachedDisk[];
  if (instanceId !== undefined) {
    const instance = state.instances.get(instanceId);
    if (!instance || instance.account !== account.id || instance.region !== region) {
      throw new EcsApiError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
    }
    for (const id of [...diskIds, ...excluded]) {
      if (!instance.disks.some((d) => d.diskId === id)) {
        const disk = state.world.volumes.get(id);
        if (!disk || disk.account !== account.id || disk.region !== region) throw diskNotFound();
        throw ecsErrors.invalid('DiskId.N', `names ${id}, which is not attached to ${instanceId}`);
      }
    }
    disks =
      diskIds.length > 0
        ? instance.disks.filter((d) => diskIds.includes(d.diskId))
        : instance.disks.filter((d) => !excluded.includes(d.diskId));
  } else {
    disks = [...new Set(diskIds)].map((id) => {
      const disk = state.world.volumes.get(id);
      if (!disk || disk.account !== account.id || disk.region !== region) throw diskNotFound();
      for (const i of state.instances.values()) {
        const attached = i.disks.find((d) => d.diskId === id);
        if (attached) return attached;
      }
      // Snapshots cannot be taken of a disk never attached to an instance.
      throw new EcsApiError(
        403,
        'IncorrectDiskStatus',
        `The disk ${id} has never been attached to an instance.`,
      );
    });
  }
  if (disks.length === 0) throw ecsErrors.invalid('ExcludeDiskId.N', 'leaves no disk to snapshot');
  if (disks.length > SNAPSHOT_GROUP_MAX_DISKS) {
    throw ecsErrors.invalid('DiskId.N', `selects more than ${SNAPSHOT_GROUP_MAX_DISKS} disks`);
  }
  const totalGiB = disks.reduce((n, d) => n + (state.world.volumes.get(d.diskId)?.sizeGiB ?? 0), 0);
  if (totalGiB > SNAPSHOT_GROUP_MAX_TOTAL_GIB) {
    throw ecsErrors.invalid('DiskId.N', 'selects disks larger than 32 TiB in total');
  }
  return { ...(instanceId !== undefined ? { instanceId } : {}), disks };
}

/** CreateSnapshotGroup: answers `SnapshotGroupId`; a repeated `ClientToken` answers the first group. */
export function createSnapshotGroup(ctx: EcsOperationContext): Record<string, unknown> {
  const { params: p, state, account } = ctx;
  const region = requireRegion(ctx);
  const token = p.get('ClientToken') || undefined;
  if (token !== undefined && !isValidClientToken(token)) throw ecsErrors.invalid('ClientToken');
  if (token !== undefined) {
    for (const g of state.snapshotGroups.values()) {
      if (g.account === account.id && g.clientToken === token) return { SnapshotGroupId: g.id };
    }
  }
  const named = readNameAndDescription(ctx);
  const tags = readTags(p, {
    status: 400,
    tooMany: () => new EcsApiError(400, 'InvalidTagCount', 'The number of tags exceeds 20.'),
  });
  const { instanceId, disks } = selectDisks(ctx, region);
  const group = takeSnapshotGroup(state, {
    account: account.id,
    region,
    ...(instanceId !== undefined ? { instanceId } : {}),
    disks,
    ...named,
    tags: new Map(tags),
    ...(token !== undefined ? { clientToken: token } : {}),
  });
  return { SnapshotGroupId: group.id };
}

function encodeGroupToken(index: number): string {
  return Buffer.from(`ssg:${index}`).toString('base64url');
}

function decodeGroupToken(token: string): number {
  const m = /^ssg:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m) throw new EcsApiError(400, 'InvalidParameter.NextToken', 'The specified NextToken is not valid.');
  return Number(m[1]);
}

function groupToWire(state: EcsState, g: EcsSnapshotGroup): Record<string, unknown> {
  const snapshots = liveSnapshots(state, g);
  return {
    SnapshotGroupId: g.id,
    Name: g.name ?? '',
    Description: g.description ?? '',
    InstanceId: g.instanceId ?? '',
    CreationTime: ecsTime(g.createdAt),
    Status: snapshotGroupStatus(snapshots),
    // [inferred] the reference gives no values for ProgressStatus.
    ProgressStatus: '',
    ResourceGroupId: '',
    Tags: { Tag: [...g.tags].map(([Key, Value]) => ({ Key, Value })) },
    Snapshots: {
      Snapshot: snapshots.map((s) => {
        const wire = snapshotToWire(state.world, s);
        return {
          SnapshotId: s.id,
          Progress: wire.Progress,
          Available: wire.Available,
          SourceDiskId: s.volumeId,
          SourceDiskType: wire.SourceDiskType,
          InstantAccess: false,
          InstantAccessRetentionDays: 0,
          Tags: { Tag: [...s.tags].map(([Key, Value]) => ({ Key, Value })) },
        };
      }),
    },
  };
}

/** DescribeSnapshotGroups: AND-ed filters, oldest first, `MaxResults`/`NextToken` paging. */
export function describeSnapshotGroups(ctx: EcsOperationContext): Record<string, unknown> {
  const { params: p, state, account } = ctx;
  const region = requireRegion(ctx);
  const ids = p.list('SnapshotGroupId');
  if (ids.length > 10) throw ecsErrors.invalid('SnapshotGroupId.N', 'takes at most 10 ids');
  const statuses = p.list('Status');
  if (statuses.length > 3) throw ecsErrors.invalid('Status.N', 'takes at most 3 values');
  for (const s of statuses) {
    if (s !== 'progressing' && s !== 'accomplished' && s !== 'failed') throw ecsErrors.invalid('Status.N');
  }
  const instanceId = p.get('InstanceId') || undefined;
  const name = p.get('Name') || undefined;
  const tagFilters = p.structs('Tag').map(({ fields }) => fields);
  if (tagFilters.length > 20) throw new EcsApiError(400, 'InvalidTagCount', 'The number of tags exceeds 20.');
  const maxResults =
    p.int('MaxResults', 1, 100, () => ecsErrors.invalid('MaxResults', 'must be from 1 to 100')) ?? 10;
  const nextToken = p.get('NextToken') || undefined;
  const matching = [...state.snapshotGroups.values()].filter((g) => {
    if (g.account !== account.id || g.region !== region) return false;
    if (ids.length > 0 && !ids.includes(g.id)) return false;
    if (instanceId !== undefined && g.instanceId !== instanceId) return false;
    if (name !== undefined && g.name !== name) return false;
    for (const t of tagFilters) {
      if (t.Key === undefined || !g.tags.has(t.Key)) return false;
      if (t.Value !== undefined && g.tags.get(t.Key) !== t.Value) return false;
    }
    if (statuses.length > 0 && !statuses.includes(snapshotGroupStatus(liveSnapshots(state, g)))) return false;
    return true;
  });
  const start = nextToken === undefined ? 0 : decodeGroupToken(nextToken);
  const page = matching.slice(start, start + maxResults);
  const more = start + maxResults < matching.length;
  return {
    NextToken: more ? encodeGroupToken(start + maxResults) : '',
    SnapshotGroups: { SnapshotGroup: page.map((g) => groupToWire(state, g)) },
  };
}

/** DeleteSnapshotGroup: deletes the group and its snapshots; one `OperationProgress` per snapshot. */
export function deleteSnapshotGroup(ctx: EcsOperationContext): Record<string, unknown> {
  const region = requireRegion(ctx);
  const g = ownedGroup(ctx, region);
  const progress = liveSnapshots(ctx.state, g).map((s) => {
    ctx.state.world.remove(s.id);
    return {
      OperationStatus: 'Success',
      RelatedItemSet: { RelatedItem: [{ Name: 'SnapshotId', Value: s.id }] },
    };
  });
  ctx.state.snapshotGroups.delete(g.id);
  return { OperationProgressSet: { OperationProgress: progress } };
}

/** ModifySnapshotGroup: renames or re-describes a group. */
export function modifySnapshotGroup(ctx: EcsOperationContext): Record<string, unknown> {
  const region = requireRegion(ctx);
  const g = ownedGroup(ctx, region);
  const named = readNameAndDescription(ctx);
  if (named.name !== undefined) g.name = named.name;
  if (named.description !== undefined) g.description = named.description;
  return {};
}
