/**
 * ECS CopyImage rules, the simulator's own reading of the CopyImage API reference
 * (https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-copyimage),
 * independent of the adapter in packages/alibaba.
 */
export interface EcsImageCopyInput {
  readonly ownedByCaller: boolean;
  readonly sameRegion: boolean;
  /** The source is published as a community image. */
  readonly communityImage: boolean;
  /** The `Encrypted` parameter, undefined when absent. */
  readonly encryptedParam: boolean | undefined;
  readonly kmsKeyGiven: boolean;
  readonly disks: readonly { readonly encrypted: boolean }[];
}

/** Where the key of an encrypted disk copy comes from. */
export type EcsDiskKey = 'given' | 'service' | 'source';

/** The copy's disks, or the refusal with ECS's status and code. */
export type EcsImageCopyDecision =
  | {
      readonly kind: 'refused';
      readonly rule: string;
      readonly status: number;
      readonly code: string;
      readonly message: string;
    }
  | {
      readonly kind: 'copy';
      readonly disks: readonly (
        | { readonly encrypted: false }
        | { readonly encrypted: true; readonly key: EcsDiskKey }
      )[];
    };

const refused = (rule: string, status: number, code: string, message: string): EcsImageCopyDecision => ({
  kind: 'refused',
  rule,
  status,
  code,
  message,
});

/**
 * - `KMSKeyId` needs `Encrypted=true` (`InvalidEncrypted.NotMatchKmsKeyId`);
 * - community images cannot be copied (`OperationDenied.CommunityImage`);
 * - an image shared by another account can be copied only within its region
 *   (`OperationDenied.SameRegionOnly`);
 * - an image with encrypted snapshots cannot be copied unencrypted
 *   (`OperationDeined.EncryptedSnapshot`, ECS's spelling);
 * - `Encrypted=true` encrypts every disk with the given CMK, else the service key; without
 *   the parameter each disk keeps its encryption: an encrypted disk keeps its key when the
 *   copy stays in the region and the caller owns it, else it takes the destination's
 *   service key (KMS keys are regional).
 */
export function decideEcsImageCopy(input: EcsImageCopyInput): EcsImageCopyDecision {
  if (input.kmsKeyGiven && input.encryptedParam !== true) {
    return refused(
      'key-needs-encrypted',
      400,
      'InvalidEncrypted.NotMatchKmsKeyId',
      'The specified parameter Encrypted must be true when KmsKeyId is not empty.',
    );
  }
  if (input.communityImage) {
    return refused(
      'community-image',
      400,
      'OperationDenied.CommunityImage',
      'Community image does not support copy.',
    );
  }
  if (!input.ownedByCaller && !input.sameRegion) {
    return refused(
      'shared-same-region-only',
      403,
      'OperationDenied.SameRegionOnly',
      'The image shared from others can not be copied to another region directly.',
    );
  }
  if (input.encryptedParam === false && input.disks.some((d) => d.encrypted)) {
    return refused(
      'decrypt',
      403,
      'OperationDeined.EncryptedSnapshot',
      'The image contains encrypted snapshots, which do not support copying to non-encrypted ones.',
    );
  }
  return {
    kind: 'copy',
    disks: input.disks.map((d) => {
      if (input.encryptedParam === true)
        return { encrypted: true, key: input.kmsKeyGiven ? 'given' : 'service' };
      if (!d.encrypted) return { encrypted: false };
      return { encrypted: true, key: input.sameRegion && input.ownedByCaller ? 'source' : 'service' };
    }),
  };
}
