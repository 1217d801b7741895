export { AWS_EBS_CAPABILITIES, AWS_MAX_TAGS_PER_RESOURCE } from './capabilities.js';
export * from './rules/index.js';
