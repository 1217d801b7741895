import { createHash } from 'node:crypto';
import type { FieldIssue } from '@snapcopy/core';

// Field rules of CopyImage, from the EC2 API reference (CopyImage, RegisterImage for the name):
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopyImage.html
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RegisterImage.html

/** `ami-` and 8 (older) or 17 lowercase hex digits. */
export const AWS_IMAGE_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** AMI names: 3-128 letters, digits, parentheses, square brackets, spaces, `.` `/` `-` `'` `@` `_`. */
export const AWS_IMAGE_NAME = /^[A-Za-z0-9()[\]./\-'@_ ]{3,128}$/;

/** An AMI description is at most 255 characters. */
export const AWS_IMAGE_DESCRIPTION_MAX = 255;

/** Issues with an AMI id; empty when valid. */
export function validateAwsImageId(id: string, path = 'source.imageId'): FieldIssue[] {
  return AWS_IMAGE_ID.test(id)
    ? []
    : [{ path, message: 'must be an AMI id: "ami-" and 8 or 17 lowercase hex digits' }];
}

/** Issues with the name of the new AMI; empty when valid. */
export function validateAwsImageName(name: string): FieldIssue[] {
  return AWS_IMAGE_NAME.test(name)
    ? []
    : [
        {
          path: 'name',
          message:
            "must be 3-128 characters: letters, digits, spaces and ( ) [ ] . / - ' @ _ (the EC2 rule for AMI names)",
        },
      ];
}

/** Issues with the description of the new AMI; empty when valid. */
export function validateAwsImageDescription(description: string): FieldIssue[] {
  return [...description].length <= AWS_IMAGE_DESCRIPTION_MAX
    ? []
    : [{ path: 'description', message: `must be at most ${AWS_IMAGE_DESCRIPTION_MAX} characters` }];
}

/**
 * CopyImage needs a name, and EC2 refuses a name already used in the destination
 * (`InvalidAMIName.Duplicate`). Without one in the request, the name is derived from the
 * source and the client token: a retry with the same token sends the same name (EC2 compares
 * a retried request's parameters), another token another name.
 */
export function defaultAwsImageName(sourceImageId: string, clientToken: string): string {
  const digest = createHash('sha256').update(clientToken).digest('hex').slice(0, 12);
  return `snapcopy ${sourceImageId} ${digest}`;
}
