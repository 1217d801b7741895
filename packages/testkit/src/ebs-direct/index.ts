export { EBS_DIRECT_SERVICE, ebsDirectFrontEnd } from './front-end.js';
export {
  BLOCK_TOKEN_TTL_MS,
  blockToken,
  DEFAULT_MAX_RESULTS,
  EBS_DIRECT_OPERATIONS,
  listChangedBlocks,
  listSnapshotBlocks,
  PAGE_TOKEN_TTL_MS,
} from './operations.js';
