// Types of dbos-fleet.mjs for the TypeScript tests.
import type { ChildProcess } from 'node:child_process';
import type { BatchItem } from '@snapcopy/orchestrator';
import type { Ec2Simulator, EcsSimulator, ScaledClock, SimSnapshot, SimWorld } from '@snapcopy/testkit';

export declare const AWS_SOURCE: string;
export declare const AWS_DESTINATIONS: readonly string[];
export declare const ALI_SOURCE: string;
export declare const ALI_DESTINATIONS: readonly string[];

export interface ClockSettings {
  readonly scale: number;
  readonly start: number;
  readonly realStart: number;
}

export interface FleetEndpoints {
  readonly aws: {
    readonly endpoint: string;
    readonly credentials: { accessKeyId: string; secretAccessKey: string };
  };
  readonly alibaba: {
    readonly endpoint: string;
    readonly credentials: { accessKeyId: string; accessKeySecret: string };
  };
}

export interface FleetWorld {
  readonly clock: ScaledClock;
  readonly clockSettings: ClockSettings;
  readonly ec2: Ec2Simulator;
  readonly ecs: EcsSimulator;
  readonly items: BatchItem[];
  readonly endpoints: FleetEndpoints;
  close(): Promise<void>;
}

export declare function startFleetWorld(options: {
  perCloud: number;
  scale: number;
  faultSeed?: number;
  sizeOf?: (i: number) => number;
}): Promise<FleetWorld>;

export interface WorkerLine {
  /** The worker that printed it. */
  readonly worker: string;
  readonly event: string;
  readonly [k: string]: unknown;
}

export interface FleetWorkerConfig extends FleetEndpoints {
  readonly executorId: string;
  readonly databaseUrl: string;
  readonly clock: ClockSettings;
  readonly limits?: { aws?: number; alibaba?: number };
  readonly tuning?: Record<string, unknown>;
}

export interface FleetWorker {
  readonly executorId: string;
  readonly child: ChildProcess;
  readonly ready: Promise<WorkerLine>;
  readonly exited: Promise<number | null>;
  readonly lines: WorkerLine[];
  stderr(): string;
}

export declare function spawnWorker(config: FleetWorkerConfig): FleetWorker;
export declare function tokenOf(s: SimSnapshot): string | undefined;
export declare function copiesByToken(world: SimWorld): Map<string, SimSnapshot[]>;
export declare function peakInProgress(world: SimWorld, now: number): Record<string, number>;
export declare function limitRefusals(world: SimWorld): number;
