import { AWS_MANAGED_EBS_ALIAS, awsManagedEbsKey, defaultEbsKey } from '../kms.js';
import type { QueryParams } from '../query-params.js';
import type { Ec2RequestContext } from '../state.js';
import { xmlElement } from '../xml.js';

/** GetEbsEncryptionByDefault for the caller's account in the serving region. */
export function getEbsEncryptionByDefault(ctx: Ec2RequestContext, _p: QueryParams): string {
  const on = ctx.state.world.isEncryptionByDefault(ctx.account, ctx.region);
  return xmlElement('ebsEncryptionByDefault', on) + xmlElement('sseType', on ? 'sse-kms' : 'none');
}

/**
 * GetEbsDefaultKmsKeyId: the ARN of the key set as default, or — while the AWS-managed
 * key is the default — the alias ARN `arn:aws:kms:<region>:<account>:alias/aws/ebs`.
 */
export function getEbsDefaultKmsKeyId(ctx: Ec2RequestContext, _p: QueryParams): string {
  const { world } = ctx.state;
  const key = defaultEbsKey(world, ctx.account, ctx.region);
  const managed = awsManagedEbsKey(world, ctx.account, ctx.region);
  const shown =
    key && key !== managed ? key.arn : `arn:aws:kms:${ctx.region}:${ctx.account}:${AWS_MANAGED_EBS_ALIAS}`;
  return xmlElement('kmsKeyId', shown) + xmlElement('sseType', 'sse-kms');
}
