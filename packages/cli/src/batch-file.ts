import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SnapcopyError } from '@snapcopy/core';
import type { AnyCopyRequestInput } from '@snapcopy/orchestrator';
import { isProviderName, type ProviderName, providerChoices } from './providers.js';

/**
 * One line of a batch file: the provider, the profile of its own config (if any), and the
 * request: a snapshot's (`source.snapshotId`) or an image's (`source.imageId`).
 */
export interface BatchFileItem {
  readonly provider: ProviderName;
  /** A profile of the provider's config files for this line (else `--profile`, else the default). */
  readonly profile?: string;
  readonly request: AnyCopyRequestInput;
}

/**
 * The name of the copier a line runs on: the provider, and `@profile` when it names one
 * (a copier is one provider and one set of credentials). The journal records it.
 */
export function copierKey(provider: string, profile: string | undefined): string {
  return profile === undefined ? provider : `${provider}@${profile}`;
}

/** The provider and profile a copier key names. */
export function parseCopierKey(key: string): { provider: string; profile?: string } {
  const at = key.indexOf('@');
  return at < 0 ? { provider: key } : { provider: key.slice(0, at), profile: key.slice(at + 1) };
}

function invalid(where: string, message: string): SnapcopyError {
  return new SnapcopyError('INVALID_REQUEST', `${where}: ${message}`);
}

function toItem(value: unknown, where: string): BatchFileItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(
      where,
      'expected an object such as {"provider": "aws", "source": {...}, "destination": {...}}',
    );
  }
  const { provider, profile, request, ...rest } = value as Record<string, unknown>;
  if (typeof provider !== 'string') throw invalid(where, `missing "provider" (${providerChoices()})`);
  if (!isProviderName(provider))
    throw invalid(where, `unknown provider "${provider}": choose ${providerChoices()}`);
  if (profile !== undefined && (typeof profile !== 'string' || !/^[\w.+=,@-]{1,64}$/.test(profile))) {
    throw invalid(where, '"profile" must be a profile name (letters, digits and ._-+=,@, at most 64)');
  }
  // Either {provider, request: {...}} or the request's fields next to "provider".
  const body = request !== undefined ? request : rest;
  if (typeof body !== 'object' || body === null) throw invalid(where, '"request" must be an object');
  return { provider, ...(profile === undefined ? {} : { profile }), request: body as AnyCopyRequestInput };
}

/**
 * Reads a batch file: a JSON array of items, or NDJSON (one item per line; blank lines
 * and lines starting with `#` are skipped). The requests themselves are validated by
 * the orchestrator, each on its own, so one bad request does not stop the others.
 */
export function readBatchFile(path: string): BatchFileItem[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code})`}`,
    );
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (err) {
      throw invalid(path, `not valid JSON (${(err as Error).message})`);
    }
    const items = (doc as unknown[]).map((v, i) => toItem(v, `${path} item ${i}`));
    if (items.length === 0) throw invalid(path, 'no requests');
    return items;
  }
  const items: BatchFileItem[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) continue;
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch {
      throw invalid(
        `${path}:${i + 1}`,
        'not a JSON object (expected a JSON array, or one JSON object per line)',
      );
    }
    items.push(toItem(value, `${path}:${i + 1}`));
  }
  if (items.length === 0) throw invalid(path, 'no requests');
  return items;
}

/** A batch id derived from the requests, so that running the same file again resumes it. */
export function batchIdFor(items: readonly BatchFileItem[]): string {
  return `batch-${createHash('sha256').update(JSON.stringify(items)).digest('hex').slice(0, 16)}`;
}
