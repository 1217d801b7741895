import type { SigV4ErrorFactory } from '../ec2/sigv4.js';
import { AwsServiceError } from '../sim/aws-json-front-end.js';

/** How KMS refuses a signature (the common errors of AWS JSON services; all HTTP 400). */
export const kmsSigV4Errors: SigV4ErrorFactory = (failure, message) => {
  switch (failure) {
    case 'missing':
      return new AwsServiceError('MissingAuthenticationTokenException', message);
    case 'incomplete':
      return new AwsServiceError('IncompleteSignatureException', message);
    case 'unknown-key':
      return new AwsServiceError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    case 'mismatch':
      return new AwsServiceError('InvalidSignatureException', message);
  }
};
