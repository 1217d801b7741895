import type { Capabilities } from './capabilities.js';
import { checkRequestAgainstCapabilities } from './capability-check.js';
import { CopyFacade, type CopyKindTypes } from './copy-facade.js';
import type { CallOptions, KeyAccess, ShareResult } from './copier.js';
import { defineCopyKind } from './copy-kind.js';
import { invalidRequest, SnapcopyError } from './errors.js';
import { LINEAGE_TAGS, type TokenLineage } from './lineage.js';
import {
  listSnapshotPages,
  type NormalizedListQuery,
  normalizeListQuery,
  type ProviderListPage,
  type SnapshotListPage,
  type SnapshotListQuery,
} from './listing.js';
import type { CopyPlan } from './plan.js';
import { type CopyRequest, type CopyRequestInput, parseCopyRequest, type SnapshotRef } from './request.js';
import type { CancelResult, CopyHandle, CopyStatus } from './status.js';

/** A request after parsing, with its client token always set. */
export type NormalizedCopyRequest = CopyRequest & { readonly clientToken: string };

/** The snapshot kind of the copy protocol: the types {@link AbstractSnapshotCopier} works on. */
export interface SnapshotKind extends CopyKindTypes {
  readonly capabilities: Capabilities;
  readonly input: CopyRequestInput;
  readonly request: NormalizedCopyRequest;
  readonly plan: CopyPlan;
  readonly ref: SnapshotRef;
  readonly handle: CopyHandle;
  readonly status: CopyStatus;
  readonly cancel: CancelResult;
}

/** The snapshot kind: refs, handles and statuses name `snapshotId`. */
const SNAPSHOT_KIND = defineCopyKind<NormalizedCopyRequest, Capabilities>(
  'snapshot',
  LINEAGE_TAGS.sourceSnapshot,
  parseCopyRequest,
  checkRequestAgainstCapabilities,
);

/** Where a snapshot copy carries its client token and source (the token-reuse check reads them). */
export const snapshotLineage: (request: NormalizedCopyRequest) => TokenLineage = SNAPSHOT_KIND.lineage;

/** Checks one snapshot ref: a region id (as in a request) and a non-empty snapshot id. */
export const checkSnapshotRef: (ref: unknown, index: number) => { region: string; id: string } =
  SNAPSHOT_KIND.checkRef;

/**
 * The facade every snapshot adapter extends: the copy protocol of {@link CopyFacade}
 * (parsing, the capability pre-check, token lookups, duplicate convergence, batched status,
 * `wait`, a guarded cancel) for block-storage snapshots. An adapter implements the driver
 * methods (`_plan`, `_findByToken`, `_startCopy`, `_describe`, `_delete`, `_mapError`, and
 * optionally `_validate` and `_tagCopy`).
 */
export abstract class AbstractSnapshotCopier extends CopyFacade<SnapshotKind> {
  protected readonly kind = SNAPSHOT_KIND;

  // ---- the read side and sharing: optional driver methods behind capability flags ----

  /** One provider call for one page of a listing (`cursor` is what the last page returned). */
  protected _listPage?(
    query: NormalizedListQuery,
    cursor: string | undefined,
    options: CallOptions,
  ): Promise<ProviderListPage>;
  /** Provider limits on a query that need no call (e.g. a smallest page size). Throws `INVALID_REQUEST`. */
  protected _validateList?(query: NormalizedListQuery): void;
  /** Grants `accounts` the use of a snapshot of the caller's. */
  protected _share?(
    region: string,
    snapshotId: string,
    accounts: readonly string[],
    options: CallOptions,
  ): Promise<void>;
  /** Whether the caller may use a key. */
  protected _keyAccess?(region: string, keyId: string, options: CallOptions): Promise<KeyAccess>;

  #refuse(what: string, flag: 'listSnapshots' | 'shareSnapshot' | 'keyAccessCheck'): SnapcopyError {
    return new SnapcopyError(
      'UNSUPPORTED',
      `${this.provider} cannot ${what} (capability "${flag}" is false)`,
      {
        provider: this.provider,
        details: { scope: 'capability', capability: flag },
      },
    );
  }

  /**
   * The snapshots the caller can see in one region that match `query`, page by page. The
   * query is parsed and checked now (before any call); pages are read as they are asked
   * for, each with the copier's retries.
   */
  list(query: SnapshotListQuery, options: CallOptions = {}): AsyncIterable<SnapshotListPage> {
    const { query: normalized, regex } = normalizeListQuery(this.provider, this.capabilities, query);
    const driverPage = this._listPage?.bind(this);
    if (driverPage === undefined) throw this.#refuse('list snapshots', 'listSnapshots');
    this._validateList?.(normalized);
    return listSnapshotPages(
      {
        provider: this.provider,
        page: (cursor, signal) =>
          this.retrying(() => driverPage(normalized, cursor, signal ? { signal } : {}), options, 'list'),
      },
      normalized,
      regex,
      options.signal,
    );
  }

  /** Lets `accounts` use (and copy) the caller's snapshot `ref`. */
  async share(
    ref: SnapshotRef,
    accounts: readonly string[],
    options: CallOptions = {},
  ): Promise<ShareResult> {
    const { region, id } = checkSnapshotRef(ref, 0);
    if (!this.capabilities.shareSnapshot || this._share === undefined)
      throw this.#refuse('share a snapshot with another account', 'shareSnapshot');
    if (
      !Array.isArray(accounts) ||
      accounts.length === 0 ||
      accounts.some((a) => typeof a !== 'string' || a === '')
    ) {
      throw invalidRequest([{ path: 'accounts', message: 'name at least one account id' }], this.provider);
    }
    const unique = [...new Set(accounts)];
    const share = this._share.bind(this);
    await this.retrying(
      () => share(region, id, unique, options.signal ? { signal: options.signal } : {}),
      options,
      'share',
    );
    return { region, snapshotId: id, accounts: unique };
  }

  /** Whether the caller may use the KMS key `keyId` in `region`. Changes nothing. */
  async keyAccess(region: string, keyId: string, options: CallOptions = {}): Promise<KeyAccess> {
    if (!this.capabilities.keyAccessCheck || this._keyAccess === undefined)
      throw this.#refuse('tell whether a key is usable', 'keyAccessCheck');
    if (typeof region !== 'string' || region === '' || typeof keyId !== 'string' || keyId === '') {
      throw invalidRequest([{ path: 'keyId', message: 'needs a region and a key id' }], this.provider);
    }
    const check = this._keyAccess.bind(this);
    return this.retrying(
      () => check(region, keyId, options.signal ? { signal: options.signal } : {}),
      options,
      'keyAccess',
    );
  }
}
