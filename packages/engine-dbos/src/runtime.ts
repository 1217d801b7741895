import { DBOS } from '@dbos-inc/dbos-sdk';
import type { Clock, Logger, PriceTable } from '@snapcopy/core';
import { isSnapcopyError, SnapcopyError } from '@snapcopy/core';
import type { CopierEntry, CopyKind } from '@snapcopy/orchestrator';
import { type BatchCopier, kindNoun } from '@snapcopy/orchestrator/runner';
import type pg from 'pg';
import type { PgCopyJournal } from './pg-journal.js';
import type { ResolvedSettings } from './settings.js';

/** One copier's copies of one kind (snapshots or images), as a worker runs them. */
export interface EngineCopier {
  readonly name: string;
  readonly kind: CopyKind;
  readonly copier: BatchCopier;
  /** Copies of this kind in flight per destination account and region (the queue partition's limit). */
  readonly limit: number;
  /** How long a copy that may exist is looked for before it is sent again, ms. */
  readonly consistencyWindowMs: number;
  readonly account?: string;
}

/** What the workflows of this process run on: set by the worker before DBOS launches. */
export interface EngineRuntime {
  readonly executorId: string;
  readonly clock: Clock;
  readonly settings: ResolvedSettings;
  readonly pool: pg.Pool;
  readonly journal: PgCopyJournal;
  /** The copier entries the worker was given, by name (a submit validates against them). */
  readonly entries: ReadonlyMap<string, CopierEntry>;
  /** Each name's copiers by kind. */
  readonly copiers: ReadonlyMap<string, Readonly<Partial<Record<CopyKind, EngineCopier>>>>;
  readonly prices?: PriceTable;
  readonly random: () => number;
  readonly logger: Logger;
  readonly gate: StepGate;
  /** Wall-clock ms for `ms` of the engine's clock (DBOS's timers are wall clock). */
  wallMs(ms: number): number;
}

let current: EngineRuntime | undefined;

/** Installs the runtime of this process's worker (DBOS is one per process, and so is a worker). */
export function installRuntime(runtime: EngineRuntime | undefined): void {
  current = runtime;
}

/** The runtime the workflows of this process run on. */
export function engineRuntime(): EngineRuntime {
  if (!current) throw new Error('snapcopy engine: no worker runs in this process');
  return current;
}

/** The copier of `kind` a workflow names, or an error saying this worker lacks it. */
export function copierNamed(rt: EngineRuntime, name: string, kind: CopyKind = 'snapshot'): EngineCopier {
  const kinds = rt.copiers.get(name);
  if (!kinds) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `worker ${rt.executorId} has no copier "${name}" (it has ${[...rt.copiers.keys()].join(', ')})`,
    );
  }
  const c = kinds[kind];
  if (!c) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `worker ${rt.executorId}: copier "${name}" has no ${kindNoun(kind)} copier`,
    );
  }
  return c;
}

/**
 * Errors a step retries: anything thrown that is not a provider's answer — the database
 * went away (a restart, an outage), a connection was reset. The lifecycle steps return
 * provider errors as data, so what they throw is the journal's or the network's.
 */
export function isInfrastructureError(err: unknown): boolean {
  return !isSnapcopyError(err);
}

/** Step retries after a database error: about an hour in all, then the workflow stops (ERROR) and a resubmit continues it. */
const STEP_RETRIES = Object.freeze({ maxAttempts: 40, intervalSeconds: 0.5, backoffRate: 1.25 });

/**
 * Runs workflow steps and lets a worker stop cleanly: once `close()` is called, no step
 * starts (its workflow waits, and is recovered by a peer or this worker's next run), and
 * `close()` resolves when the steps in flight — provider calls with their journal writes —
 * have ended or the bound has passed.
 */
export class StepGate {
  #inFlight = 0;
  #closed = false;
  #idle: (() => void)[] = [];

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Runs `fn` as a DBOS step named `name` (retried on database errors). */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    await this.#parkIfClosed();
    return DBOS.runStep(
      async () => {
        await this.#parkIfClosed();
        this.#inFlight += 1;
        try {
          return await fn();
        } finally {
          this.#inFlight -= 1;
          if (this.#inFlight === 0) for (const wake of this.#idle.splice(0)) wake();
        }
      },
      { name, retriesAllowed: true, ...STEP_RETRIES, shouldRetry: isInfrastructureError },
    );
  }

  async #parkIfClosed(): Promise<void> {
    // Never resolves: the process is stopping, and what this workflow does next is done
    // by whoever recovers it.
    if (this.#closed) await new Promise<never>(() => undefined);
  }

  /** Stops new steps; resolves when none is in flight, or after `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true;
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
