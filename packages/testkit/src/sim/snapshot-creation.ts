import { type SimSnapshot, type SimVolume, type SimWorld, snapshotOfVolume } from './world.js';

interface Creation {
  readonly startedAt: number;
  readonly doneAt: number;
}

/**
 * Snapshots a cloud is still taking (EC2 `CreateSnapshots`, ECS `CreateSnapshotGroup`):
 * `pending` from the request until `doneAt`, then `completed` at that time. Copies are
 * not tracked here; their task lives on the snapshot. Each advance touches only the
 * snapshots still being taken, whatever the time elapsed.
 */
export class SnapshotCreations {
  readonly #pending = new Map<string, Creation>();

  /** Starts tracking `s` (already in the world as `pending`) until `doneAt`. */
  add(s: SimSnapshot, doneAt: number): void {
    this.#pending.set(s.id, { startedAt: s.startedAt, doneAt });
  }

  /**
   * Adds a snapshot of `volume` taken now (EC2 CreateSnapshots, ECS CreateSnapshotGroup): it
   * holds the volume's used data the first time, only the change once an `earlier` snapshot
   * exists; `pending` and tracked here until taken, unless `completed`.
   */
  take(
    world: SimWorld,
    volume: SimVolume,
    data: { readonly usedGiB: number; readonly changeGiB: number; readonly earlier: boolean },
    completed: boolean | undefined,
    fields: Omit<Parameters<SimWorld['addSnapshot']>[0], keyof ReturnType<typeof snapshotOfVolume>>,
  ): SimSnapshot {
    const changedGiB = data.earlier ? data.changeGiB : data.usedGiB;
    const s = world.addSnapshot({
      ...fields,
      ...snapshotOfVolume(volume, data.usedGiB, changedGiB, completed),
    });
    if (!completed) this.add(s, world.clock.now() + creationDurationMs(world, changedGiB));
    return s;
  }

  /** Snapshots still being taken. */
  get size(): number {
    return this.#pending.size;
  }

  /** Completes what is due at the world's now and updates the progress of the rest. */
  advance(world: SimWorld): void {
    if (this.#pending.size === 0) return;
    const now = world.clock.now();
    for (const [id, c] of this.#pending) {
      const s = world.snapshots.get(id);
      if (s?.state !== 'pending') {
        this.#pending.delete(id);
        continue;
      }
      if (now >= c.doneAt) {
        s.state = 'completed';
        s.progress = 100;
        s.completedAt = c.doneAt;
        this.#pending.delete(id);
      } else {
        const span = Math.max(1, c.doneAt - c.startedAt);
        s.progress = Math.min(99, Math.floor(((now - c.startedAt) / span) * 100));
      }
    }
  }
}

/**
 * How long taking a snapshot of `changedGiB` lasts at the world's throughput: never less
 * than the world's shortest copy.
 */
export function creationDurationMs(world: SimWorld, changedGiB: number): number {
  return Math.max(world.minCopyMs, Math.ceil(((changedGiB * 1024) / world.throughputMiBps) * 1000));
}
