import type { SimAccount } from '../sim/world.js';
import { acs3Signature, parseAcs3Authorization, signaturesEqual } from './acs3-signature.js';
import type { EcsState } from './ecs-state.js';
import { EcsApiError } from './rpc-errors.js';
import { rpcV1Signature } from './rpc-v1-signature.js';

/** A request as the signature schemes see it. */
export interface SignedRpcRequest {
  readonly method: string;
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Query and form-body parameters together (the legacy scheme signs both). */
  readonly allParams: ReadonlyArray<readonly [string, string]>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const unknownKey = () =>
  new EcsApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
const mismatch = (scheme: string) =>
  new EcsApiError(
    400,
    'SignatureDoesNotMatch',
    `Specified signature is not matched with our calculation (${scheme}). Check your AccessKeySecret.`,
  );

/**
 * Verifies ACS3-HMAC-SHA256 (the `Authorization` header) or the legacy HMAC-SHA1
 * `Signature` query parameter and returns the caller's account. Timestamps and nonces are
 * not checked: the simulator's clock is virtual, the client's is real.
 */
export function authenticateRpc(state: EcsState, req: SignedRpcRequest): SimAccount {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const auth = parseAcs3Authorization(header);
    if (!auth) {
      throw new EcsApiError(
        400,
        'IncompleteSignature',
        'The Authorization header is not an ACS3-HMAC-SHA256 signature.',
      );
    }
    const account = state.accountByAccessKey(req.headers['x-acs-accesskey-id'] ?? auth.accessKeyId);
    if (!account) throw unknownKey();
    const expected = acs3Signature(req, auth.signedHeaders, account.secretAccessKey);
    if (!signaturesEqual(expected, auth.signature)) throw mismatch('ACS3-HMAC-SHA256');
    return account;
  }
  const params = new Map(req.allParams);
  const signature = params.get('Signature');
  if (signature === undefined) {
    throw new EcsApiError(
      400,
      'IncompleteSignature',
      'The request is not signed: no Authorization header and no Signature.',
    );
  }
  const accessKeyId = params.get('AccessKeyId');
  if (!accessKeyId)
    throw new EcsApiError(400, 'MissingParameter', 'The input parameter "AccessKeyId" is missing.');
  const method = params.get('SignatureMethod') ?? 'HMAC-SHA1';
  if (method !== 'HMAC-SHA1') {
    throw new EcsApiError(400, 'InvalidParameter', `SignatureMethod ${method} is not supported.`);
  }
  const account = state.accountByAccessKey(accessKeyId);
  if (!account) throw unknownKey();
  const expected = rpcV1Signature(req.method, req.allParams, account.secretAccessKey);
  if (!signaturesEqual(expected, signature)) throw mismatch('HMAC-SHA1');
  return account;
}
