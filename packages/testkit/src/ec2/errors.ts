/**
 * An EC2 API error as the Query front-end returns it: the `<Code>` the SDK turns into the
 * error's `name`, the message, and the HTTP status real EC2 uses for that code.
 */
export class Ec2ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'Ec2ApiError';
  }
}

/** Shorthands for the codes the simulator emits, so messages stay consistent. */
export const ec2Errors = {
  missingParameter: (name: string) =>
    new Ec2ApiError('MissingParameter', `The request must contain the parameter ${name}`),
  invalidParameterValue: (message: string) => new Ec2ApiError('InvalidParameterValue', message),
  invalidParameterCombination: (message: string) => new Ec2ApiError('InvalidParameterCombination', message),
  snapshotNotFound: (ids: readonly string[]) =>
    new Ec2ApiError(
      'InvalidSnapshot.NotFound',
      ids.length === 1
        ? `The snapshot '${ids[0]}' does not exist.`
        : `The snapshots '${ids.join(', ')}' do not exist.`,
    ),
  snapshotMalformed: (id: string) =>
    new Ec2ApiError('InvalidSnapshotID.Malformed', `Invalid id: "${id}" (expecting "snap-...")`),
  volumeNotFound: (ids: readonly string[]) =>
    new Ec2ApiError('InvalidVolume.NotFound', `The volume '${ids.join(', ')}' does not exist.`),
  volumeMalformed: (id: string) =>
    new Ec2ApiError('InvalidVolumeID.Malformed', `Invalid id: "${id}" (expecting "vol-...")`),
  invalidNextToken: () =>
    new Ec2ApiError('InvalidNextToken', 'The token provided is invalid or has expired.'),
  requestLimitExceeded: () => new Ec2ApiError('RequestLimitExceeded', 'Request limit exceeded.', 503),
  internalError: () =>
    new Ec2ApiError('InternalError', 'An internal error has occurred. Please try again later.', 500),
  dryRun: () =>
    new Ec2ApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412),
} as const;
