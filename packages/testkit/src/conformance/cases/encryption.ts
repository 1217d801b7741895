import type { Capabilities, CopyRequestInput } from '@snapcopy/core';
import { caseGroup, type ConformanceCase } from '../case.js';
import type { ConformanceHarness, SourceFixture } from '../harness.js';
import {
  check,
  copyInCloud,
  encryptedRoute,
  expectNoCopyOf,
  expectNoMutationSince,
  expectRefusedWithoutMutation,
  mustExist,
  plainCopy,
  recorded,
  requestMark,
} from '../support.js';

/** One way to ask for a copy's encryption, when the manifest allows it. */
interface KeyScenario {
  readonly id: string;
  readonly allowed: (caps: Capabilities) => boolean;
  readonly build: (h: ConformanceHarness) => Promise<{ source: SourceFixture; request: CopyRequestInput }>;
}

const hasEncryptedRoute = (caps: Capabilities) => caps.crossRegionCopy || caps.sameRegionEncryptedCopy;

/** A copy of an encrypted source with no key named, on whichever route the manifest allows. */
async function encryptedSourceNoKey(h: ConformanceHarness, key: 'default' | 'customer', shared = false) {
  const { from, to } = encryptedRoute(h);
  const source = await h.fixtures.createSource({
    region: from,
    key,
    ...(shared ? { ownership: 'shared' as const } : {}),
  });
  const request: CopyRequestInput =
    from === to
      ? { source: source.ref, destination: { region: to }, encryption: { encrypted: true } }
      : { source: source.ref, destination: { region: to } };
  return { source, request };
}

async function encryptUnencrypted(h: ConformanceHarness, withKey: boolean) {
  const { from, to } = encryptedRoute(h);
  const source = await h.fixtures.createSource({ region: from, key: 'none' });
  const encryption = withKey
    ? { encrypted: true, kmsKeyId: h.fixtures.keys(to).customer }
    : { encrypted: true };
  return { source, request: { source: source.ref, destination: { region: to }, encryption } };
}

/** Every encryption request shape the suite plans and copies. */
const KEY_SCENARIOS: readonly KeyScenario[] = [
  { id: 'plain copy, provider default encryption', allowed: () => true, build: (h) => plainCopy(h) },
  {
    id: 'customer-key source, no key named',
    allowed: hasEncryptedRoute,
    build: (h) => encryptedSourceNoKey(h, 'customer'),
  },
  {
    id: 'default-key source, no key named',
    allowed: hasEncryptedRoute,
    build: (h) => encryptedSourceNoKey(h, 'default'),
  },
  {
    id: 'unencrypted source, encrypted with the default key',
    allowed: (c) => c.encryptOnCopy && hasEncryptedRoute(c),
    build: (h) => encryptUnencrypted(h, false),
  },
  {
    id: 'unencrypted source, encrypted with a customer key',
    allowed: (c) => c.encryptOnCopy && hasEncryptedRoute(c),
    build: (h) => encryptUnencrypted(h, true),
  },
  {
    id: 'default-key source re-keyed to a customer key',
    allowed: (c) => c.changeKeyOnCopy && hasEncryptedRoute(c),
    build: async (h) => {
      const { from, to } = encryptedRoute(h);
      const source = await h.fixtures.createSource({ region: from, key: 'default' });
      return {
        source,
        request: {
          source: source.ref,
          destination: { region: to },
          encryption: { encrypted: true, kmsKeyId: h.fixtures.keys(to).customer },
        },
      };
    },
  },
  {
    id: 'shared customer-key source, no key named',
    allowed: (c) => c.crossAccountCopy && hasEncryptedRoute(c),
    build: (h) => encryptedSourceNoKey(h, 'customer', true),
  },
];

/** Encryption outcomes, read from the cloud. */
export const encryptionCases: readonly ConformanceCase[] = caseGroup('encryption', [
  {
    id: 'encryption.never-decrypts',
    name: 'a copy of an encrypted source is encrypted unless decryptOnCopy is true and the caller asked for encrypted: false',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      if (!hasEncryptedRoute(caps)) return;
      const shapes: [string, () => ReturnType<typeof encryptedSourceNoKey>][] = [
        ['default-key source', () => encryptedSourceNoKey(h, 'default')],
        ['customer-key source', () => encryptedSourceNoKey(h, 'customer')],
      ];
      if (caps.crossAccountCopy)
        shapes.push(['shared source', () => encryptedSourceNoKey(h, 'customer', true)]);
      for (const [label, build] of shapes) {
        const { request } = await build();
        const copy = await copyInCloud(h, ctx, request, label);
        check(copy.encrypted, `${label}: the copy of an encrypted snapshot is unencrypted`);
      }
      if (!caps.decryptOnCopy) {
        const { source, request } = await encryptedSourceNoKey(h, 'customer');
        const plainRequest: CopyRequestInput = { ...request, encryption: { encrypted: false } };
        await expectRefusedWithoutMutation(
          h,
          ctx,
          source,
          plainRequest,
          ['UNSUPPORTED', 'ENCRYPTION_RULE'],
          'encrypted: false on an encrypted source with decryptOnCopy false',
        );
      }
    },
  },
  {
    id: 'encryption.plan-key-is-copy-key',
    name: 'for every encryption request the manifest allows, the copy has exactly the encryption and key the plan promised',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const scenarios = KEY_SCENARIOS.filter((s) => s.allowed(caps));
      check(scenarios.length > 0, 'no encryption scenario ran');
      for (const scenario of scenarios) {
        const { request } = await scenario.build(h);
        const plan = await recorded(ctx, () => h.copier.plan(request));
        const handle = await recorded(ctx, () => h.copier.copy(request, { plan }));
        const copy = await mustExist(h, handle.region, handle.snapshotId, scenario.id);
        check(
          copy.encrypted === plan.encryption.encrypted,
          `${scenario.id}: plan promised encrypted=${plan.encryption.encrypted}, the copy has encrypted=${copy.encrypted}`,
        );
        if (copy.encrypted) {
          check(
            plan.encryption.kmsKeyId !== undefined,
            `${scenario.id}: an encrypted plan must name its key`,
          );
          check(
            copy.kmsKeyId !== undefined &&
              (await h.truth.sameKey(handle.region, copy.kmsKeyId, plan.encryption.kmsKeyId)),
            `${scenario.id}: plan promised key ${plan.encryption.kmsKeyId}, the copy has ${copy.kmsKeyId}`,
          );
        }
      }
    },
  },
]);

/** What a plan reads, and that it changes nothing. */
export const planCases: readonly ConformanceCase[] = caseGroup('plan', [
  {
    id: 'plan.no-mutation',
    name: 'plan reads the source correctly and changes nothing in the cloud',
    async run(h, ctx) {
      const caps = h.copier.capabilities;
      const shapes: Promise<{ source: SourceFixture; request: CopyRequestInput }>[] = [
        plainCopy(h, { sizeGiB: 3 }),
      ];
      if (hasEncryptedRoute(caps)) shapes.push(encryptedSourceNoKey(h, 'customer'));
      for (const shape of shapes) {
        const { source, request } = await shape;
        const mark = await requestMark(h);
        const plan = await recorded(ctx, () => h.copier.plan(request));
        await expectNoMutationSince(h, mark, 'plan');
        await expectNoCopyOf(h, source, 'plan');
        check(plan.provider === h.copier.provider, 'plan.provider differs from the copier');
        check(plan.source.snapshotId === source.ref.snapshotId, 'plan.source names another snapshot');
        check(
          plan.source.encrypted === source.encrypted,
          `plan.source.encrypted is ${plan.source.encrypted}, the cloud says ${source.encrypted}`,
        );
        check(
          plan.source.sizeGiB === source.sizeGiB,
          `plan.source.sizeGiB is ${plan.source.sizeGiB}, the cloud says ${source.sizeGiB}`,
        );
        check(
          plan.destination.region === (request.destination as { region: string }).region,
          'plan.destination names another region',
        );
        check(plan.reasons.length > 0, 'a plan explains its decisions in reasons[]');
      }
    },
  },
]);
