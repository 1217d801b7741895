import type { SimSnapshot } from '../../sim/world.js';
import type { EcsState } from '../ecs-state.js';
import { type EcsImage, isCopying } from './ecs-image-model.js';
import { startImageCopy } from './image-copy-task.js';

/** Image copy tasks that run at once per account and destination region ("up to five"). */
export const ECS_IMAGE_COPY_CONCURRENCY = 5;

/**
 * The custom images of the ECS simulator and their copy tasks. A region runs a few copy
 * tasks at a time; the others wait (`Waiting`) and start, in order, when a running one
 * ends — at that virtual time, so a long clock jump runs the queue exactly.
 */
export class EcsImageStore {
  readonly images = new Map<string, EcsImage>();
  readonly #copying = new Set<string>();
  readonly #tokens = new Map<string, { readonly imageId: string; readonly request: string }>();

  constructor(
    readonly state: EcsState,
    /** Copy tasks running at once per account and destination region. */
    readonly copyConcurrency: number = ECS_IMAGE_COPY_CONCURRENCY,
  ) {}

  add(image: EcsImage): EcsImage {
    this.images.set(image.id, image);
    if (isCopying(image)) this.#copying.add(image.id);
    return image;
  }

  /** Removes an image; a copy in progress loses its partial snapshots, and the queue moves on. */
  remove(image: EcsImage): void {
    if (isCopying(image)) {
      for (const d of image.disks) if (d.snapshotId !== undefined) this.state.world.remove(d.snapshotId);
    }
    this.images.delete(image.id);
    this.#copying.delete(image.id);
    this.advance();
  }

  /** Images (not copies in progress) whose disks include a snapshot. */
  usersOf(snapshotId: string): EcsImage[] {
    const out: EcsImage[] = [];
    for (const image of this.images.values()) {
      if (image.disks.some((d) => d.snapshotId === snapshotId)) out.push(image);
    }
    return out;
  }

  /** Copy tasks of `account` into `region` that run now. */
  running(account: string, region: string): number {
    let n = 0;
    for (const id of this.#copying) {
      const i = this.images.get(id);
      if (i?.status === 'Creating' && i.account === account && i.region === region) n++;
    }
    return n;
  }

  tokenUse(account: string, token: string) {
    return this.#tokens.get(`${account}/${token}`);
  }

  rememberToken(account: string, token: string, imageId: string, request: string): void {
    this.#tokens.set(`${account}/${token}`, { imageId, request });
  }

  /**
   * Brings copy tasks up to the clock: while a region's queue waits and a running task
   * ended, the next one starts at that end time; then every task's status follows its
   * snapshot copies (all completed → `Available`, one failed or gone → `CreateFailed`).
   */
  advance(): void {
    if (this.#copying.size === 0) return;
    const now = this.state.world.clock.now();
    const groups = new Map<string, EcsImage[]>();
    for (const id of this.#copying) {
      const image = this.images.get(id);
      if (!image || !isCopying(image)) {
        this.#copying.delete(id);
        continue;
      }
      const key = `${image.account}/${image.region}`;
      const group = groups.get(key) ?? [];
      if (group.length === 0) groups.set(key, group);
      group.push(image);
    }
    for (const group of groups.values()) this.#runQueue(group, now);
    for (const id of this.#copying) {
      const image = this.images.get(id);
      if (!image) continue;
      this.#refresh(image);
      if (!isCopying(image)) this.#copying.delete(id);
    }
  }

  #runQueue(group: readonly EcsImage[], now: number): void {
    const running = group.filter((i) => i.status === 'Creating');
    const waiting = group.filter((i) => i.status === 'Waiting');
    for (let guard = group.length + 1; waiting.length > 0 && guard > 0; guard--) {
      if (running.length < this.copyConcurrency) {
        const next = waiting.shift()!;
        startImageCopy(this.state, next, now);
        running.push(next);
        continue;
      }
      let earliest: { index: number; end: number } | undefined;
      running.forEach((image, index) => {
        const end = this.#plannedEnd(image, now);
        if (!earliest || end < earliest.end) earliest = { index, end };
      });
      if (!earliest || earliest.end > now) break;
      running.splice(earliest.index, 1);
      const next = waiting.shift()!;
      startImageCopy(this.state, next, Math.max(earliest.end, next.copy?.queuedAt ?? earliest.end));
      running.push(next);
    }
  }

  /** When a running task ends: its first snapshot failure, else its last snapshot completion. */
  #plannedEnd(image: EcsImage, now: number): number {
    let failAt: number | undefined;
    let end = 0;
    for (const d of image.disks) {
      const task =
        d.snapshotId === undefined ? undefined : this.state.world.snapshots.get(d.snapshotId)?.copy;
      if (!task) return now;
      if (task.failAt !== undefined) failAt = Math.min(failAt ?? task.failAt, task.failAt);
      end = Math.max(end, task.startedAt + task.durationMs);
    }
    return failAt ?? end;
  }

  #refresh(image: EcsImage): void {
    if (image.status !== 'Creating') return;
    const ids = image.disks.flatMap((d) => (d.snapshotId === undefined ? [] : [d.snapshotId]));
    this.state.world.advance(ids);
    const snapshots: (SimSnapshot | undefined)[] = ids.map((id) => this.state.world.snapshots.get(id));
    if (
      snapshots.length < image.disks.length ||
      snapshots.some((s) => s === undefined || s.state === 'error')
    ) {
      image.status = 'CreateFailed';
    } else if (snapshots.every((s) => s?.state === 'completed')) {
      image.status = 'Available';
    }
  }
}
