import {
  type Capabilities,
  type FieldIssue,
  isSnapcopyError,
  SnapcopyError,
  type SnapshotCopier,
} from '@snapcopy/core';
import { compileDescriptionRegex } from '@snapcopy/core/driver';
import type { PolicyDestination, PolicyDocument } from './document.js';
import { POLICY_TAG_COUNT, POLICY_TAGS } from './policy-tags.js';
import { maxRetentionDays, retentionWords } from './retention.js';

/** One reason a policy cannot run on the copiers it was given. */
export interface PolicyRefusal extends FieldIssue {
  /** `UNSUPPORTED`: a provider never does this (its manifest says so); `INVALID_REQUEST`: fix the document. */
  readonly code: 'UNSUPPORTED' | 'INVALID_REQUEST';
  /** The capability flag that refuses it, for `UNSUPPORTED`. */
  readonly capability?: keyof Capabilities;
}

/** How a destination keeps its copies for their retention. */
export type RetentionMode = 'native' | 'swept' | 'forever';

/** What a destination will do, as checked. */
export interface CheckedDestination {
  readonly provider: string;
  readonly region: string;
  /** `native`: the provider releases the copy (ECS `RetentionDays`); `swept`: an expiry tag and the pass deletes it. */
  readonly retention: RetentionMode;
  readonly retentionWords?: string;
}

/** The result of {@link checkPolicy}. */
export interface PolicyCheck {
  readonly refusals: readonly PolicyRefusal[];
  /** What will work for some snapshots and not others, in words. */
  readonly warnings: readonly string[];
  readonly destinations: readonly CheckedDestination[];
}

/**
 * Well-formed snapshot ids of the clouds snapcopy knows, tried in turn so that a copier's
 * own field rules (which check the id before the tags) can be asked about tags alone.
 */
const PROBE_SNAPSHOT_IDS = ['snap-0123456789abcdef0', 's-0123456789abcdef0', 'snap-ref000000000000'];

/**
 * The provider's own tag rules (reserved prefixes, lengths, counts counting snapcopy's
 * own tags) on `tags` for a copy into `region`, asked through `copier.validate` (no
 * provider call): the issues on `tags…`, or none when the copier could not be asked.
 */
export function providerTagIssues(
  copier: SnapshotCopier,
  region: string,
  tags: Readonly<Record<string, string>>,
  ownTags: Readonly<Record<string, string>>,
): FieldIssue[] {
  for (const snapshotId of PROBE_SNAPSHOT_IDS) {
    try {
      copier.validate({
        source: { region, snapshotId },
        destination: { region },
        encryption: { encrypted: true },
        tags: { ...tags },
        snapcopyTags: { ...ownTags },
      });
      return [];
    } catch (err) {
      if (!isSnapcopyError(err) || err.code !== 'INVALID_REQUEST') return [];
      const tagIssues = err.issues.filter((i) => i.path === 'tags' || i.path.startsWith('tags.'));
      if (tagIssues.length > 0) return tagIssues;
      if (err.issues.some((i) => i.path === 'source.snapshotId')) continue;
      return [];
    }
  }
  return [];
}

/** The policy tags one copy into `d` carries at most, with placeholder values of their real length. */
export function samplePolicyTags(policyId: string, retention: RetentionMode): Record<string, string> {
  return {
    [POLICY_TAGS.policy]: policyId,
    [POLICY_TAGS.group]: 'group',
    ...(retention === 'swept' ? { [POLICY_TAGS.expiresAt]: '2026-01-01T00:00:00.000Z' } : {}),
  };
}

function retentionMode(d: PolicyDestination, caps: Capabilities): RetentionMode | 'impossible' {
  if (d.retention === undefined) return 'forever';
  if (caps.retentionPeriod && caps.retentionDaysRange !== null) {
    const [, max] = caps.retentionDaysRange;
    if (maxRetentionDays(d.retention) <= max) return 'native';
  }
  return caps.cancelByDelete ? 'swept' : 'impossible';
}

/**
 * Checks a policy against the copiers that will run it, before any provider call: what a
 * provider's manifest says it never does is refused (`UNSUPPORTED`, naming the flag), as
 * are provider field rules the document breaks (`INVALID_REQUEST`); what works for some
 * snapshots only is a warning.
 */
export function checkPolicy(
  policy: PolicyDocument,
  copiers: Readonly<Record<string, SnapshotCopier>>,
): PolicyCheck {
  const refusals: PolicyRefusal[] = [];
  const warnings: string[] = [];
  const refuse = (path: string, message: string, capability?: keyof Capabilities) =>
    refusals.push({
      path,
      message,
      code: capability === undefined ? 'INVALID_REQUEST' : 'UNSUPPORTED',
      ...(capability === undefined ? {} : { capability }),
    });

  /** The copier of a provider, or a refusal naming the ones there are. */
  const copierAt = (at: string, provider: string): SnapshotCopier | undefined => {
    const copier = copiers[provider];
    if (copier === undefined)
      refuse(
        `${at}.provider`,
        `no copier for ${provider} (known: ${Object.keys(copiers).join(', ') || 'none'})`,
      );
    return copier;
  };

  policy.sources.forEach((s, i) => {
    const at = `sources.${i}`;
    const copier = copierAt(at, s.provider);
    if (copier === undefined) return;
    const caps = copier.capabilities;
    if (!caps.listSnapshots || copier.list === undefined) {
      refuse(
        `${at}.provider`,
        `${s.provider} cannot list snapshots, so a policy cannot find what to copy`,
        'listSnapshots',
      );
      return;
    }
    if (s.owner !== 'self') {
      if (!caps.listSharedWithCaller) {
        refuse(
          `${at}.owner`,
          `${s.provider} cannot list snapshots other accounts shared with you: it has no snapshot sharing`,
          'listSharedWithCaller',
        );
      } else if (!caps.crossAccountCopy) {
        refuse(
          `${at}.owner`,
          `${s.provider} cannot copy a snapshot another account shared with you`,
          'crossAccountCopy',
        );
      }
    }
    if (s.descriptionRegex !== undefined) {
      if (caps.listDescriptionRegex === 'none') {
        refuse(
          `${at}.descriptionRegex`,
          `${s.provider} cannot filter by description`,
          'listDescriptionRegex',
        );
      } else {
        try {
          compileDescriptionRegex(s.descriptionRegex, `${at}.descriptionRegex`);
        } catch (err) {
          for (const issue of (err as SnapcopyError).issues) refuse(issue.path, issue.message);
        }
      }
    }
  });

  const destinations: CheckedDestination[] = [];
  policy.destinations.forEach((d, i) => {
    const at = `destinations.${i}`;
    const copier = copierAt(at, d.provider);
    if (copier === undefined) return;
    const caps = copier.capabilities;
    if (!caps.tagsOnCopy) {
      refuse(
        `${at}.provider`,
        `${d.provider} cannot tag a copy; a policy finds and expires its copies by their tags`,
        'tagsOnCopy',
      );
    }
    const regions = new Set(
      policy.sources.filter((s) => s.provider === d.provider).flatMap((s) => s.regions),
    );
    for (const r of regions) {
      if (r !== d.region && !caps.crossRegionCopy) {
        refuse(`${at}.region`, `${d.provider} cannot copy from ${r} to another region`, 'crossRegionCopy');
      }
      if (r === d.region && d.encryption.encrypted && !caps.sameRegionEncryptedCopy) {
        refuse(
          `${at}.region`,
          `${d.provider} cannot make an encrypted copy in the source region ${r}`,
          'sameRegionEncryptedCopy',
        );
      }
      if (r === d.region && !d.encryption.encrypted && !caps.sameRegionStandardCopy) {
        warnings.push(
          `${d.provider} ${d.region}: unencrypted snapshots of ${r} cannot be copied unencrypted into their own region (capability sameRegionStandardCopy is false); they will be refused, encrypted ones copied`,
        );
      }
    }
    if (d.encryption.encrypted && !caps.encryptOnCopy) {
      warnings.push(
        `${d.provider} ${d.region}: ${d.provider} cannot encrypt an unencrypted snapshot on copy; such snapshots will be refused`,
      );
    }
    const mode = retentionMode(d, caps);
    if (mode === 'impossible') {
      refuse(
        `${at}.retention`,
        `${d.provider} keeps no retention on a copy and cannot delete copies, so the retention cannot be kept`,
        'cancelByDelete',
      );
      return;
    }
    if (d.retention !== undefined && mode === 'swept' && caps.retentionPeriod) {
      warnings.push(
        `${d.provider} ${d.region}: ${retentionWords(d.retention)} is beyond ${d.provider}'s own retention range; the copies get an expiry tag and each pass deletes the expired ones`,
      );
    }
    const own = samplePolicyTags(policy.id, mode);
    const room = caps.maxUserTags - POLICY_TAG_COUNT;
    const given = Object.keys(d.tags ?? {}).length;
    if (given > room) {
      refuse(
        `${at}.tags`,
        `at most ${room} tags on ${d.provider}: ${caps.maxUserTags} are left after the lineage tags, and a policy adds ${POLICY_TAG_COUNT}`,
      );
    } else {
      for (const issue of providerTagIssues(copier, d.region, d.tags ?? {}, own)) {
        refuse(`${at}.${issue.path}`, issue.message);
      }
    }
    destinations.push({
      provider: d.provider,
      region: d.region,
      retention: mode,
      ...(d.retention === undefined ? {} : { retentionWords: retentionWords(d.retention) }),
    });
  });
  return { refusals, warnings, destinations };
}

/** Throws when {@link checkPolicy} refused anything: `UNSUPPORTED` if a capability did, else `INVALID_REQUEST`. */
export function assertPolicyRunnable(check: PolicyCheck): void {
  if (check.refusals.length === 0) return;
  const code = check.refusals.some((r) => r.code === 'UNSUPPORTED') ? 'UNSUPPORTED' : 'INVALID_REQUEST';
  const list = check.refusals.map(
    (r) => `${r.path}: ${r.message}${r.capability ? ` (capability "${r.capability}" is false)` : ''}`,
  );
  throw new SnapcopyError(code, `the policy cannot run: ${list.join('; ')}`, {
    issues: check.refusals.map(({ path, message }) => ({ path, message })),
    ...(code === 'UNSUPPORTED'
      ? {
          details: {
            scope: 'capability',
            capabilities: check.refusals.flatMap((r) => (r.capability ? [r.capability] : [])),
          },
        }
      : {}),
  });
}
