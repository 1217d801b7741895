import { randomUUID } from 'node:crypto';
import { type FaultInjector, GARBAGE_REPLY } from '../sim/faults.js';
import type { SimHandler, SimHttpRequest, SimHttpResponse } from '../sim/mount.js';
import { Ec2ApiError, ec2Errors } from './errors.js';
import { copyImage } from './images/copy-image.js';
import { deregisterImage } from './images/deregister-image.js';
import { describeImages } from './images/describe-images.js';
import { describeImageAttribute, modifyImageAttribute } from './images/image-attribute.js';
import { copySnapshot } from './operations/copy-snapshot.js';
import { createSnapshots } from './operations/create-snapshots.js';
import { deleteSnapshot } from './operations/delete-snapshot.js';
import { describeSnapshots } from './operations/describe-snapshots.js';
import { describeVolumes } from './operations/describe-volumes.js';
import { getEbsDefaultKmsKeyId, getEbsEncryptionByDefault } from './operations/ebs-encryption.js';
import {
  describeSnapshotAttribute,
  modifySnapshotAttribute,
  resetSnapshotAttribute,
} from './operations/snapshot-attributes.js';
import { createTags, deleteTags } from './operations/tags.js';
import { QueryParams } from './query-params.js';
import { SigV4Verifier } from './sigv4.js';
import type { Ec2RequestContext, Ec2State } from './state.js';
import type { Ec2Throttle } from './throttling.js';
import { throttleBucketName } from './throttling.js';
import { renderError, renderSuccess } from './xml.js';
import { requestRecorder } from '../sim/request-log.js';

type Operation = (ctx: Ec2RequestContext, params: QueryParams) => string;

/** The EC2 actions the simulator serves. */
export const EC2_OPERATIONS: Readonly<Record<string, Operation>> = Object.freeze({
  CopySnapshot: copySnapshot,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  GetEbsEncryptionByDefault: getEbsEncryptionByDefault,
  GetEbsDefaultKmsKeyId: getEbsDefaultKmsKeyId,
  DescribeVolumes: describeVolumes,
  CopyImage: copyImage,
  DescribeImages: describeImages,
  DeregisterImage: deregisterImage,
  DescribeImageAttribute: describeImageAttribute,
  ModifyImageAttribute: modifyImageAttribute,
  ModifySnapshotAttribute: modifySnapshotAttribute,
  DescribeSnapshotAttribute: describeSnapshotAttribute,
  ResetSnapshotAttribute: resetSnapshotAttribute,
  CreateSnapshots: createSnapshots,
});

/** Parameters never written to the request log. */
const SECRET_PARAMS: ReadonlySet<string> = new Set(['PresignedUrl']);

/**
 * The EC2 Query API front-end (version 2016-11-15): form-encoded POSTs signed with SigV4,
 * XML replies with `<requestId>` and an `x-amzn-requestid` header, EC2's error envelope.
 * The serving region is the region of the credential scope, so one endpoint serves all
 * regions. Each request is logged in the world's request log, signature and presigned
 * URL left out.
 */
export class Ec2QueryFrontEnd implements SimHandler {
  readonly #verifier: SigV4Verifier;

  constructor(
    private readonly state: Ec2State,
    private readonly faults: FaultInjector,
    /** Per-action token buckets; undefined turns throttling off. */
    private readonly throttle: Ec2Throttle | undefined,
  ) {
    this.#verifier = new SigV4Verifier((akid) => state.world.accountByAccessKey(akid)?.secretAccessKey);
  }

  async handle(request: SimHttpRequest): Promise<SimHttpResponse> {
    const { world } = this.state;
    const requestId = randomUUID();
    const at = world.clock.now();
    let params = new QueryParams([]);
    let action = '';
    let account: string | undefined;
    let region: string | undefined;
    let fault: { kind: string; latencyMs: number } | undefined;
    const log = requestRecorder(world.requests, { at, cloud: 'ec2', requestId }, () => ({
      operation: action,
      region,
      account,
      params: params.toRecord(SECRET_PARAMS),
      fault,
    }));
    const latency = () => (fault?.latencyMs ? { latencyMs: fault.latencyMs } : {});
    try {
      params = QueryParams.parse(request.url, request.body);
      action = params.get('Action') ?? '';
      const identity = this.#verifier.verify(request);
      region = identity.region;
      account = world.accountByAccessKey(identity.accessKeyId)?.id;
      if (account === undefined) throw new Ec2ApiError('AuthFailure', 'Unknown access key', 401);
      if (!world.regions.has(region)) {
        throw new Ec2ApiError('AuthFailure', `The region '${region}' is not enabled for this account.`, 401);
      }
      if (action === '')
        throw new Ec2ApiError('MissingAction', 'The request must contain the parameter Action');
      const operation = EC2_OPERATIONS[action];
      if (!operation) {
        throw new Ec2ApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
      }
      this.state.advanceCopies();
      fault = this.faults.pick(action);
      if (fault?.kind === 'reset') {
        log(0);
        return { drop: true };
      }
      if (fault?.kind === 'hang') {
        log(0);
        await this.faults.hang();
        return { drop: true };
      }
      if (fault?.kind === 'throttle') throw ec2Errors.requestLimitExceeded();
      if (fault?.kind === 'server-error') throw ec2Errors.internalError();
      const filteredOrPaginated =
        params.indexes('Filter').length > 0 || params.has('MaxResults') || params.has('NextToken');
      const bucket = throttleBucketName(action, filteredOrPaginated);
      if (this.throttle && !this.throttle.take(account, region, bucket, world.clock.now())) {
        throw ec2Errors.requestLimitExceeded();
      }
      if (params.bool('DryRun') === true) throw ec2Errors.dryRun();
      const body = operation({ state: this.state, account, region }, params);
      log(200);
      if (fault?.kind === 'drop-after') return { drop: true, ...latency() };
      if (fault?.kind === 'hang-after') return { hang: true };
      if (fault?.kind === 'garbage') return { ...GARBAGE_REPLY, ...latency() };
      return {
        status: 200,
        headers: this.#headers(requestId),
        body: renderSuccess(action, requestId, body),
        ...latency(),
      };
    } catch (err) {
      // A bug in the simulator surfaces as EC2's InternalError, with the cause in the message.
      const e =
        err instanceof Ec2ApiError
          ? err
          : new Ec2ApiError(
              'InternalError',
              `An internal error has occurred (simulator: ${String(err)})`,
              500,
            );
      log(e.status, e.code);
      if (fault?.kind === 'hang-after') return { hang: true };
      // A proxy in the way answers the same page whatever EC2 said.
      if (fault?.kind === 'garbage') return { ...GARBAGE_REPLY, ...latency() };
      return {
        status: e.status,
        headers: this.#headers(requestId),
        body: renderError(e.code, e.message, requestId),
        ...latency(),
      };
    }
  }

  #headers(requestId: string): Record<string, string> {
    return {
      'content-type': 'text/xml;charset=UTF-8',
      'x-amzn-requestid': requestId,
      // Real time on purpose: the SDK corrects its clock skew from this header.
      date: new Date().toUTCString(),
      server: 'AmazonEC2',
    };
  }
}
