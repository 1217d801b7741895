import { Ec2ApiError, ec2Errors } from './errors.js';

/** Tags per resource EC2 allows. */
export const MAX_TAGS_PER_RESOURCE = 50;

/** EC2's tag constraints: key 1–127 characters, not `aws:`; value ≤ 256 characters. */
export function validateTag(key: string, value: string): void {
  if (key.length === 0 || key.length > 127) {
    throw ec2Errors.invalidParameterValue(`Tag key must be between 1 and 127 characters: '${key}'`);
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw ec2Errors.invalidParameterValue(`Tag keys starting with 'aws:' are reserved for internal use`);
  }
  if (value.length > 256) {
    throw ec2Errors.invalidParameterValue(`Tag value exceeds the maximum length of 256 characters`);
  }
}

/** `TagLimitExceeded` when a resource would carry more than 50 tags. */
export function checkTagLimit(count: number): void {
  if (count > MAX_TAGS_PER_RESOURCE) {
    throw new Ec2ApiError(
      'TagLimitExceeded',
      `The maximum number of tags for a resource (${MAX_TAGS_PER_RESOURCE}) has been exceeded.`,
    );
  }
}
