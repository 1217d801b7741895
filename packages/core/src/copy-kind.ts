import { estimateCopyCost, type PriceTable } from './cost.js';
import { invalidRequest, type SnapcopyError } from './errors.js';
import { LINEAGE_TAGS, type TokenLineage } from './lineage.js';
import type { BillableGiB, KmsCharges } from './plan.js';
import { REGION_ID, REGION_ID_MESSAGE } from './request-fields.js';

/**
 * One kind of copied resource (snapshots, images) as the copy protocol sees it: how its
 * refs, handles and statuses name the copy and its source, which lineage tag carries the
 * source, and how its requests are parsed and checked against its manifest. The facade
 * builds every ref, handle and status from it. Made by {@link defineCopyKind}.
 */
export interface CopyKind<Request, Caps> {
  /** `snapshot` or `image`, for messages. */
  readonly noun: string;
  /** The id field of a ref, a status, a cancel result and a request's source: `snapshotId`, `imageId`. */
  readonly idField: string;
  /** The handle's field naming the source: `sourceSnapshotId`, `sourceImageId`. */
  readonly sourceIdField: string;
  /** The lineage tag naming a copy's source. */
  readonly sourceTag: string;
  /** Parses and checks an untrusted request (the token may be missing). Only `INVALID_REQUEST`. */
  parse(input: unknown): Omit<Request, 'clientToken'> & { clientToken?: string };
  /** Refuses what the manifest says the provider never does (before any call). */
  checkCapabilities(provider: string, capabilities: Caps, request: Request): SnapcopyError | undefined;
  /**
   * Checks one ref: a region id (as in a request) and a non-empty id under `idField`
   * (`INVALID_REQUEST` naming `refs.<index>`). The provider checks the id's own format
   * (the facade's `_validateCopyId`).
   */
  checkRef(ref: unknown, index: number): { region: string; id: string };
  /** Where a copy carries its client token and source (the token-reuse check reads them). */
  lineage(request: Request): TokenLineage;
  /** The id of the source a request copies. */
  sourceIdOf(request: Request): string;
}

/**
 * A kind named `noun`: its ids are `<noun>Id` (`source<Noun>Id` on a handle) and
 * `sourceTag` carries a copy's source.
 */
export function defineCopyKind<Request extends { readonly source: object }, Caps>(
  noun: string,
  sourceTag: string,
  parse: CopyKind<Request, Caps>['parse'],
  checkCapabilities: CopyKind<Request, Caps>['checkCapabilities'],
): CopyKind<Request, Caps> {
  const idField = `${noun}Id`;
  const article = /^[aeiou]/.test(noun) ? 'an' : 'a';
  const sourceIdOf = (request: Request) => (request.source as Record<string, string>)[idField]!;
  return Object.freeze({
    noun,
    idField,
    sourceIdField: `source${noun[0]!.toUpperCase()}${noun.slice(1)}Id`,
    sourceTag,
    parse,
    checkCapabilities,
    sourceIdOf,
    lineage: (request: Request): TokenLineage => ({
      tokenTag: LINEAGE_TAGS.clientToken,
      sourceTag,
      sourceId: sourceIdOf(request),
      sourceRegionTag: LINEAGE_TAGS.sourceRegion,
    }),
    checkRef(ref: unknown, index: number): { region: string; id: string } {
      const r = ref as Record<string, unknown> | null;
      const id = typeof r === 'object' && r !== null ? r[idField] : undefined;
      if (typeof r?.region !== 'string' || r.region === '' || typeof id !== 'string' || id === '') {
        throw invalidRequest([
          { path: `refs.${index}`, message: `needs a region and ${article} ${idField}` },
        ]);
      }
      if (!REGION_ID.test(r.region)) {
        throw invalidRequest([{ path: `refs.${index}.region`, message: REGION_ID_MESSAGE }]);
      }
      return { region: r.region, id };
    },
  });
}

/** What a plan of any kind carries for its cost: billable quantities, key charges, regions. */
export interface PricedPlanFields {
  readonly billableGiB: BillableGiB;
  readonly kms: KmsCharges;
  readonly source: { readonly region: string };
  readonly destination: { readonly region: string };
}

/** The plan with its money, from a price table. */
export function withPlanCost<P extends PricedPlanFields>(plan: P, prices: PriceTable): P {
  const cost = estimateCopyCost(
    {
      billableGiB: plan.billableGiB,
      kms: plan.kms,
      sourceRegion: plan.source.region,
      destinationRegion: plan.destination.region,
    },
    prices,
  );
  return { ...plan, cost };
}
