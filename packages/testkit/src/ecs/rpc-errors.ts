/**
 * An ECS API error: the code, HTTP status and message a real endpoint returns. Thrown by
 * operations and rendered by the front-end into the JSON error envelope.
 */
export class EcsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EcsApiError';
  }
}

/** Shorthand constructors for the errors several operations share. */
export const ecsErrors = {
  missing: (name: string) =>
    new EcsApiError(
      400,
      'MissingParameter',
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    ),
  invalid: (name: string, why = 'is not valid') =>
    new EcsApiError(400, 'InvalidParameter', `The specified parameter "${name}" ${why}.`),
  throttled: () => new EcsApiError(400, 'Throttling.User', 'Request was denied due to user flow control.'),
  internal: () =>
    new EcsApiError(
      500,
      'InternalError',
      'The request processing has failed due to some unknown error, exception or failure.',
    ),
  unavailable: () =>
    new EcsApiError(
      503,
      'ServiceUnavailable',
      'The request has failed due to a temporary failure of the server.',
    ),
  unknownAction: (action: string) =>
    new EcsApiError(
      404,
      'InvalidAction.NotFound',
      `Specified api "${action}" is not found, please check your url and method.`,
    ),
  regionNotFound: () =>
    new EcsApiError(404, 'InvalidRegionId.NotFound', 'The specified RegionId does not exist.'),
} as const;
