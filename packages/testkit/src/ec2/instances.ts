/** A volume attached to a simulated instance. */
export interface Ec2Attachment {
  readonly volumeId: string;
  /** Device name, e.g. `/dev/xvda`. */
  readonly device: string;
  /** The root (boot) volume. */
  readonly boot: boolean;
  /** GiB of data on the volume: the size of its first snapshot. */
  readonly usedGiB: number;
  /** GiB that change between two snapshots of the volume. */
  readonly changeGiB: number;
}

/**
 * An EC2 instance as far as snapshots care: who owns it, where it runs and which volumes
 * are attached (the root volume first). Instances are fixtures: the simulator serves no
 * instance API, only `CreateSnapshots` over them.
 */
export interface Ec2Instance {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  readonly attachments: readonly Ec2Attachment[];
  readonly tags: ReadonlyMap<string, string>;
}

/** Device names in attachment order: `/dev/xvda` for the root, then `/dev/sdf`, `/dev/sdg`, …. */
export function defaultDeviceName(index: number, boot: boolean): string {
  if (boot) return '/dev/xvda';
  return `/dev/sd${String.fromCharCode('f'.charCodeAt(0) + Math.max(0, index - 1))}`;
}
