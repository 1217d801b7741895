import type { SimWorld } from '../../sim/world.js';
import { xmlElement, xmlItemSet, xmlTagSet, xmlTimestamp } from '../xml.js';
import type { Ec2BlockDevice, Ec2Image } from './image-model.js';

/** Whether an EBS mapping's snapshot is encrypted (undefined when the snapshot is gone). */
export function deviceEncrypted(world: SimWorld, d: Ec2BlockDevice): boolean | undefined {
  return d.snapshotId === undefined ? undefined : world.snapshots.get(d.snapshotId)?.encrypted;
}

/** `imageLocation`: `owner/name` for EBS-backed AMIs, the S3 manifest for instance-store ones. */
export function imageLocation(image: Ec2Image): string {
  return image.manifestLocation ?? `${image.ownerAlias ?? image.account}/${image.name}`;
}

/** The `<item>`s of a `blockDeviceMapping` list. */
export function renderBlockDeviceMappings(world: SimWorld, image: Ec2Image): string {
  return xmlItemSet(
    'blockDeviceMapping',
    image.blockDevices.map(
      (d) =>
        xmlElement('deviceName', d.deviceName) +
        xmlElement('virtualName', d.virtualName) +
        (d.snapshotId === undefined
          ? ''
          : `<ebs>${
              xmlElement('deleteOnTermination', d.deleteOnTermination ?? true) +
              xmlElement('snapshotId', d.snapshotId) +
              xmlElement('volumeSize', d.volumeSizeGiB) +
              xmlElement('volumeType', d.volumeType ?? 'gp3') +
              xmlElement('encrypted', deviceEncrypted(world, d) ?? false) +
              xmlElement('outpostArn', image.outpostArn)
            }</ebs>`),
    ),
  );
}

/**
 * One `<item>` of `imagesSet`: the members of the EC2 model's `Image` that the simulator
 * keeps (a Linux HVM x86_64 machine image unless the fixture said otherwise).
 */
export function renderImageItem(world: SimWorld, image: Ec2Image): string {
  return (
    xmlElement('imageId', image.id) +
    xmlElement('imageLocation', imageLocation(image)) +
    xmlElement('imageState', image.state) +
    xmlElement('imageOwnerId', image.account) +
    xmlElement('creationDate', xmlTimestamp(image.createdAt)) +
    xmlElement('isPublic', image.public) +
    xmlElement('architecture', image.architecture) +
    xmlElement('imageType', 'machine') +
    xmlElement('platformDetails', 'Linux/UNIX') +
    xmlElement('usageOperation', 'RunInstances') +
    xmlElement('imageOwnerAlias', image.ownerAlias) +
    xmlElement('name', image.name) +
    xmlElement('description', image.description) +
    xmlElement('rootDeviceType', image.rootDeviceType) +
    xmlElement('rootDeviceName', image.rootDeviceName) +
    renderBlockDeviceMappings(world, image) +
    xmlElement('virtualizationType', 'hvm') +
    (image.tags.size > 0 ? xmlTagSet(image.tags) : '') +
    xmlElement('hypervisor', 'xen') +
    xmlElement('enaSupport', true) +
    (image.stateReason
      ? `<stateReason>${xmlElement('code', image.stateReason.code)}${xmlElement('message', image.stateReason.message)}</stateReason>`
      : '') +
    xmlElement('sourceImageId', image.copy?.sourceImageId) +
    xmlElement('sourceImageRegion', image.copy?.sourceRegion) +
    xmlElement('deregistrationProtection', 'disabled')
  );
}
