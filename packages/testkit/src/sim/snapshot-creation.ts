import type { SimSnapshot, SimWorld } from './world.js';

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
