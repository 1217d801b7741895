import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimHandler } from '../../src/sim/index.js';
import { blockNetwork, type EcsHarness, HANGZHOU, makeHarness, SHANGHAI } from './harness.js';
import { addEcsImageFixtures, PARTNER } from './image-harness.js';

beforeAll(blockNetwork);

/** A `@alicloud/ecs20140526` response model class: wire names and types by property. */
interface ModelClass {
  names(): Record<string, string>;
  types(): Record<string, unknown>;
}

/**
 * Checks a JSON reply body against the SDK's response model: every key must be a wire name
 * of the model (no invented fields), with the model's type; lists must be arrays.
 */
function checkAgainstModel(model: ModelClass, body: unknown, path: string, problems: string[]): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problems.push(`${path}: expected an object`);
    return;
  }
  const byWire = new Map(Object.entries(model.names()).map(([prop, wire]) => [wire, model.types()[prop]]));
  for (const [key, value] of Object.entries(body)) {
    const type = byWire.get(key);
    if (type === undefined) {
      problems.push(`${path}.${key}: not in the model`);
      continue;
    }
    if (typeof type === 'string') {
      if (typeof value !== type) problems.push(`${path}.${key}: ${typeof value}, the model says ${type}`);
    } else if (typeof type === 'function') {
      checkAgainstModel(type as unknown as ModelClass, value, `${path}.${key}`, problems);
    } else {
      const { itemType } = type as { itemType: unknown };
      if (!Array.isArray(value)) {
        problems.push(`${path}.${key}: expected an array`);
        continue;
      }
      value.forEach((item, i) => {
        if (typeof itemType === 'string') {
          if (typeof item !== itemType)
            problems.push(`${path}.${key}[${i}]: ${typeof item}, the model says ${itemType}`);
        } else checkAgainstModel(itemType as ModelClass, item, `${path}.${key}[${i}]`, problems);
      });
    }
  }
}

describe.each(['nock', 'server'] as const)(
  'ECS image replies match the SDK response models (%s)',
  (mounting) => {
    let h: EcsHarness;
    let fx: ReturnType<typeof addEcsImageFixtures>;
    const bodies: { action: string; body: string }[] = [];
    beforeEach(async () => {
      h = await makeHarness(mounting);
      fx = addEcsImageFixtures(h);
      // The mounting calls the front-end's handle(): wrap it to keep every successful reply.
      const frontEnd = h.sim.frontEnd as unknown as SimHandler;
      const original = frontEnd.handle.bind(frontEnd);
      frontEnd.handle = async (req) => {
        const reply = await original(req);
        if ('body' in reply && reply.status === 200)
          bodies.push({ action: req.headers['x-acs-action'] ?? '', body: reply.body });
        return reply;
      };
    });
    afterEach(async () => {
      bodies.length = 0;
      await h.close();
    });

    it('CopyImage, DescribeImages (waiting, creating, available), share permissions, cancel and delete', async () => {
      const c = h.client(HANGZHOU);
      const copy = await c.copyImage(
        new h.mod.CopyImageRequest({
          regionId: HANGZHOU,
          imageId: fx.images.plain.id,
          destinationRegionId: SHANGHAI,
          tag: [{ key: 'k', value: 'v' }],
        }),
      );
      await c.modifyImageSharePermission(
        new h.mod.ModifyImageSharePermissionRequest({
          regionId: HANGZHOU,
          imageId: fx.images.cmk.id,
          addAccount: [PARTNER],
        }),
      );
      await c.describeImageSharePermission(
        new h.mod.DescribeImageSharePermissionRequest({ regionId: HANGZHOU, imageId: fx.images.cmk.id }),
      );
      await h
        .client(SHANGHAI)
        .describeImages(new h.mod.DescribeImagesRequest({ regionId: SHANGHAI, status: 'ALL' }));
      await c.describeImages(new h.mod.DescribeImagesRequest({ regionId: HANGZHOU, status: 'ALL' }));
      await h
        .client(SHANGHAI)
        .cancelCopyImage(
          new h.mod.CancelCopyImageRequest({ regionId: SHANGHAI, imageId: copy.body!.imageId! }),
        );
      await c.deleteImage(
        new h.mod.DeleteImageRequest({ regionId: HANGZHOU, imageId: fx.images.serviceKey.id }),
      );

      const { mod } = h;
      const models: Record<string, ModelClass> = {
        CopyImage: mod.CopyImageResponseBody,
        DescribeImages: mod.DescribeImagesResponseBody,
        CancelCopyImage: mod.CancelCopyImageResponseBody,
        DeleteImage: mod.DeleteImageResponseBody,
        ModifyImageSharePermission: mod.ModifyImageSharePermissionResponseBody,
        DescribeImageSharePermission: mod.DescribeImageSharePermissionResponseBody,
      };
      expect(new Set(bodies.map((b) => b.action))).toEqual(new Set(Object.keys(models)));
      const problems: string[] = [];
      for (const { action, body } of bodies)
        checkAgainstModel(models[action]!, JSON.parse(body), action, problems);
      expect(problems).toEqual([]);
      // Every image field the model names is produced (the detection options, features and
      // secure boot options of marketplace images excepted).
      const described = JSON.parse(bodies.find((b) => b.action === 'DescribeImages')!.body);
      const image = described.Images.Image[0];
      const names = Object.values(
        (mod.DescribeImagesResponseBodyImagesImage as unknown as ModelClass).names(),
      );
      expect(names.filter((n) => !(n in image)).sort()).toEqual([
        'DetectionOptions',
        'Features',
        'SecureBootOptions',
      ]);
    });
  },
);
