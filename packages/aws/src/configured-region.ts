import { loadEc2Sdk } from './client-pool.js';

/**
 * The region the AWS CLI would use for a command, read by the AWS SDK itself: `AWS_REGION`,
 * then `AWS_DEFAULT_REGION`, then the `region` of the profile (`profile`, else `AWS_PROFILE`,
 * else `default`) in the shared config file (`~/.aws/config` or `AWS_CONFIG_FILE`).
 * `undefined` when none is set. Loads the EC2 SDK (no request is sent).
 */
export async function awsConfiguredRegion(
  options: { readonly profile?: string } = {},
): Promise<string | undefined> {
  const sdk = await loadEc2Sdk();
  const client = new sdk.EC2Client(options.profile === undefined ? {} : { profile: options.profile });
  try {
    const region = await client.config.region();
    return typeof region === 'string' && region !== '' ? region : undefined;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
