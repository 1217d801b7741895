import { Ec2ApiError } from '../errors.js';

/** The EC2 error codes of the image operations, with EC2's wording where it is public. */
export const imageErrors = {
  malformed: (id: string) =>
    new Ec2ApiError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`),
  notFound: (ids: readonly string[]) =>
    new Ec2ApiError(
      'InvalidAMIID.NotFound',
      ids.length === 1
        ? `The image id '[${ids[0]}]' does not exist`
        : `The image ids '[${ids.join(', ')}]' do not exist`,
    ),
  unavailable: (id: string) =>
    new Ec2ApiError(
      'InvalidAMIID.Unavailable',
      `The image '${id}' has been deregistered or is in a transitional state; it must be 'available'.`,
    ),
  nameMalformed: () =>
    new Ec2ApiError(
      'InvalidAMIName.Malformed',
      "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '[', ']', ' ', '.', '/', '-', ''', '@' and '_'",
    ),
  nameDuplicate: (name: string) =>
    new Ec2ApiError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI in this Region`),
  attributeItemValue: (value: string) =>
    new Ec2ApiError(
      'InvalidAMIAttributeItemValue',
      `Invalid attribute item value "${value}" for userId item type.`,
    ),
  idempotentMismatch: () =>
    new Ec2ApiError(
      'IdempotentParameterMismatch',
      'The client token you have provided is associated with a resource that is already created with different parameters.',
    ),
} as const;

/** AMI names: 3–128 of letters, digits, `( ) [ ] . / - ' @ _` and spaces (RegisterImage's constraint). */
export const IMAGE_NAME_RE = /^[A-Za-z0-9()[\]./\-'@_ ]{3,128}$/;

/** Descriptions of an AMI: at most 255 characters. */
export const IMAGE_DESCRIPTION_MAX = 255;
