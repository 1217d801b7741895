import { type KeyAccess, SnapcopyError } from '@snapcopy/core';
import { timeAwsCall } from './call-report.js';
import { mapAwsError } from './error-mapping.js';
import type { AwsKeyRead } from './rules/keys.js';
import { type AwsServiceClients, loadKmsSdk } from './service-clients.js';

interface SdkError {
  readonly name?: unknown;
  readonly message?: unknown;
}

/** IAM's access-denied messages name the policy type that refused ("… because no resource-based policy allows …"). */
const KEY_POLICY_REFUSED = /resource-based policy/i;

/**
 * AWS KMS DescribeKey, as a plan reads it: one key reference (key id, key ARN, alias name
 * or alias ARN) in one region, answered as a fact ({@link AwsKeyRead}) rather than an
 * error when the key is missing or access is refused. Throttling, server faults and the
 * network throw, mapped onto snapcopy's closed set (the plan is retried).
 */
export class AwsKmsCalls {
  readonly #clients: AwsServiceClients;

  constructor(clients: AwsServiceClients) {
    this.#clients = clients;
  }

  async describeKey(region: string, keyId: string, signal?: AbortSignal): Promise<AwsKeyRead> {
    try {
      const [sdk, client] = await Promise.all([loadKmsSdk(), this.#clients.kms(region)]);
      const res = await timeAwsCall('DescribeKey', region, () =>
        client.send(new sdk.DescribeKeyCommand({ KeyId: keyId }), signal ? { abortSignal: signal } : {}),
      );
      const m = res.KeyMetadata;
      if (!m?.Arn || !m.KeyId) {
        throw new SnapcopyError(
          'PROVIDER_ERROR',
          `aws: DescribeKey in ${region}: the endpoint did not answer like KMS (no KeyMetadata); check the endpoint`,
          { provider: 'aws', retryable: true, providerCode: 'MalformedReply' },
        );
      }
      return {
        kind: 'found',
        keyId: m.KeyId,
        arn: m.Arn,
        account: m.AWSAccountId ?? '',
        state: m.KeyState ?? (m.Enabled ? 'Enabled' : 'Disabled'),
        ...(m.KeyManager === undefined ? {} : { manager: m.KeyManager }),
        ...(m.KeySpec === undefined ? {} : { keySpec: m.KeySpec }),
        ...(m.KeyUsage === undefined ? {} : { keyUsage: m.KeyUsage }),
      };
    } catch (err) {
      const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
      const message = typeof e.message === 'string' ? e.message : 'no message';
      if (e.name === 'NotFoundException' || e.name === 'InvalidArnException') {
        return { kind: 'not-found', message: `${e.name}: ${message}` };
      }
      if (e.name === 'AccessDeniedException') {
        return {
          kind: 'denied',
          byKeyPolicy: KEY_POLICY_REFUSED.test(message),
          message: `${e.name}: ${message}`,
        };
      }
      throw mapAwsError(err, { operation: 'DescribeKey', region });
    }
  }

  /**
   * Whether the caller may use `keyId` in `region` for a copy: the key must exist for it,
   * its key policy must let it in, and it must be `Enabled`. When KMS refuses the caller
   * itself (its own IAM policy, not the key's), nothing is known: the key is reported
   * usable with that reason, so the copy is tried rather than blocked on a guess.
   */
  async keyAccess(region: string, keyId: string, signal?: AbortSignal): Promise<KeyAccess> {
    const read = await this.describeKey(region, keyId, signal);
    if (read.kind === 'found') {
      if (read.state === 'Enabled') return { region, keyId, usable: true, keyState: read.state };
      return {
        region,
        keyId,
        usable: false,
        keyState: read.state,
        reason: `the key is ${read.state}: only an Enabled key can be used`,
      };
    }
    if (read.kind === 'denied' && !read.byKeyPolicy) {
      return { region, keyId, usable: true, reason: `KMS could not be read (${read.message}); not verified` };
    }
    return { region, keyId, usable: false, reason: read.message };
  }
}
