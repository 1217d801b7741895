import { CAPABILITY_KEYS } from '@snapcopy/core';
import { loadCapabilities, loadImageCapabilities } from '../composition-root.js';
import { EXIT_CODES } from '../exit-codes.js';
import { imageCapabilitiesTable } from '../output/image-tables.js';
import { Output, type OutputFlags } from '../output/output-mode.js';
import { capabilitiesTable } from '../output/tables.js';
import { PROVIDER_NAMES } from '../providers.js';

/** Every provider's manifests, snapshot and image, loaded without creating a copier (no SDK is imported). */
export async function loadAllManifests() {
  return Promise.all(
    PROVIDER_NAMES.map(async (name) => ({
      name,
      capabilities: await loadCapabilities(name),
      imageCapabilities: await loadImageCapabilities(name),
    })),
  );
}

/**
 * `snapcopy capabilities`: each provider's snapshot manifest and its image manifest. JSON:
 * one document, `{ <provider>: <snapshot manifest>, images: { <provider>: <image manifest> } }`
 * (the snapshot manifests where they always were); text: the snapshot table, then the image
 * table, providers side by side.
 */
export async function run(flags: OutputFlags): Promise<number> {
  const output = Output.for(flags);
  const manifests = await loadAllManifests();
  output.document({
    ...Object.fromEntries(manifests.map((m) => [m.name, m.capabilities])),
    images: Object.fromEntries(manifests.map((m) => [m.name, m.imageCapabilities])),
  });
  output.line(capabilitiesTable(output.mode, manifests, CAPABILITY_KEYS));
  output.line();
  output.line(
    imageCapabilitiesTable(
      output.mode,
      manifests.map((m) => ({ name: m.name, capabilities: m.imageCapabilities })),
    ),
  );
  return EXIT_CODES.success;
}
