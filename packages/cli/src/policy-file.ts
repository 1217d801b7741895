import { readFileSync } from 'node:fs';
import { type Clock, type PriceTable, SnapcopyError, type SnapshotCopier, systemClock } from '@snapcopy/core';
import type { PolicyDocument, PolicyFormat } from '@snapcopy/policy';
import { awsRegionFromEnvironment } from './aws-region.js';
import type { PolicyFlags } from './cli-flags.js';
import { createCliRegistry, createCopier } from './composition-root.js';
import { adapterOptions, endpointFor } from './connect.js';
import { pricesFor, readPriceFile } from './prices-file.js';
import { isProviderName, type ProviderName, providerChoices } from './providers.js';

/** A policy file as the policy commands read it. */
export interface LoadedPolicy {
  readonly policy: PolicyDocument;
  readonly format: PolicyFormat;
  /** For a DLM document: the region it runs in and where that came from. */
  readonly region?: { readonly region: string; readonly source: string };
}

/**
 * Reads a policy file: a snapcopy policy, or an AWS DLM event-based policy (its region from
 * `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile, as the AWS CLI would).
 */
export async function readPolicyFile(file: string, flags: PolicyFlags): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `cannot read the policy file ${file}: ${(err as Error).message}`,
    );
  }
  const { parsePolicyText, looksLikeDlm } = await import('@snapcopy/policy');
  let isDlm = false;
  try {
    isDlm = looksLikeDlm(JSON.parse(text));
  } catch {
    // parsePolicyText says what is wrong with it.
  }
  const region = isDlm ? awsRegionFromEnvironment(flags) : undefined;
  const { policy, format } = parsePolicyText(text, {
    ...(region === undefined ? {} : { region: region.region }),
    ...(flags.id === undefined ? {} : { id: flags.id }),
  });
  return { policy, format, ...(region === undefined ? {} : { region }) };
}

/**
 * One copier per provider the policy names, through the composition root. With
 * `orchestrated`, the copiers make one attempt per call: the orchestrator retries.
 */
export async function copiersForPolicy(
  policy: PolicyDocument,
  flags: PolicyFlags,
  orchestrated: boolean,
): Promise<Record<string, SnapshotCopier>> {
  const names = [...new Set([...policy.sources, ...policy.destinations].map((x) => x.provider))];
  const unknown = names.filter((n) => !isProviderName(n));
  if (unknown.length > 0) {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `the policy names unknown provider(s) ${unknown.join(', ')}: choose ${providerChoices()}`,
    );
  }
  const providers = names as ProviderName[];
  const registry = await createCliRegistry(providers);
  const copiers: Record<string, SnapshotCopier> = {};
  for (const name of providers) {
    copiers[name] = createCopier(registry, name, {
      ...adapterOptions(endpointFor(name, flags[`${name}Endpoint`], `--${name}-endpoint`), flags),
      ...(orchestrated ? { retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } } : {}),
    });
  }
  return copiers;
}

/**
 * The `--prices` tables by provider, for the providers the policy names: a file of one table
 * prices them all; a file of tables per provider must hold each one's.
 */
export function policyPrices(
  policy: PolicyDocument,
  flags: PolicyFlags,
): Readonly<Record<string, PriceTable>> | undefined {
  if (flags.prices === undefined) return undefined;
  const file = readPriceFile(flags.prices);
  const names = [...new Set([...policy.sources, ...policy.destinations].map((x) => x.provider))];
  return Object.fromEntries(names.map((n) => [n, pricesFor(file, n, flags.prices as string)]));
}

/**
 * The clock a pass runs on. Against the sandbox (`SNAPCOPY_SANDBOX_CONTROL` set, as
 * `snapcopy sandbox --env` exports it) "now" is the sandbox's virtual time, read at the
 * start of the pass, so that retention and expiry follow `snapcopy sandbox --advance`;
 * otherwise the system clock.
 */
export async function passClock(env: NodeJS.ProcessEnv = process.env): Promise<Clock> {
  const control = env.SNAPCOPY_SANDBOX_CONTROL;
  if (!control) return systemClock;
  let body: { now?: unknown };
  try {
    const res = await fetch(new URL('/clock', control), { signal: AbortSignal.timeout(5_000) });
    body = (await res.json()) as { now?: unknown };
  } catch (err) {
    throw new SnapcopyError(
      'PROVIDER_ERROR',
      `cannot read the sandbox's clock at ${control}/clock (SNAPCOPY_SANDBOX_CONTROL): ${(err as Error).message}`,
    );
  }
  const base = typeof body.now === 'string' ? Date.parse(body.now) : Number.NaN;
  if (!Number.isFinite(base))
    throw new SnapcopyError('PROVIDER_ERROR', `the sandbox's clock answered ${JSON.stringify(body)}`);
  const started = Date.now();
  return { now: () => base + (Date.now() - started), sleep: (ms, signal) => systemClock.sleep(ms, signal) };
}
