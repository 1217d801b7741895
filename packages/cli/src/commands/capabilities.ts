import { CAPABILITY_KEYS } from '@snapcopy/core';
import { loadCapabilities } from '../composition-root.js';
import { PROVIDER_NAMES } from '../providers.js';
import { EXIT_CODES } from '../exit-codes.js';
import { Output, type OutputFlags } from '../output/output-mode.js';
import { capabilitiesTable } from '../output/tables.js';

/** Every provider's manifest, loaded without creating a copier (no SDK is imported). */
export async function loadAllManifests() {
  return Promise.all(
    PROVIDER_NAMES.map(async (name) => ({ name, capabilities: await loadCapabilities(name) })),
  );
}

/** `snapcopy capabilities`: both manifests side by side. */
export async function run(flags: OutputFlags): Promise<number> {
  const output = Output.for(flags);
  const manifests = await loadAllManifests();
  output.document(Object.fromEntries(manifests.map((m) => [m.name, m.capabilities])));
  output.line(capabilitiesTable(output.mode, manifests, CAPABILITY_KEYS));
  return EXIT_CODES.success;
}
