import { ContainerModule, type ServiceIdentifier } from 'inversify';
import type { Capabilities } from './capabilities.js';
import { type Clock, systemClock } from './clock.js';
import type { SnapshotCopier } from './copier.js';
import { SnapcopyError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';

/**
 * Re-exported so that a composition root (the CLI, an application) builds its container
 * with the same inversify copy that core's modules were made with, without depending on
 * inversify itself.
 */
export { Container, ContainerModule } from 'inversify';

/** Builds copiers for one provider. Each provider package binds one under {@link TOKENS.CopierProvider}. */
export interface CopierProvider<Options = Record<string, unknown>> {
  readonly provider: string;
  /** The manifest, available without creating a copier or loading an SDK. */
  readonly capabilities: Capabilities;
  create(options: Options): SnapshotCopier;
}

/** All providers known to a composition root. */
export class CopierRegistry {
  readonly #providers: ReadonlyMap<string, CopierProvider>;

  constructor(providers: readonly CopierProvider[]) {
    const map = new Map<string, CopierProvider>();
    for (const p of providers) {
      if (map.has(p.provider)) throw new TypeError(`provider "${p.provider}" is registered twice`);
      map.set(p.provider, p);
    }
    this.#providers = map;
  }

  /** Provider names in registration order. */
  names(): string[] {
    return [...this.#providers.keys()];
  }

  /** The provider named `name`, or an `UNSUPPORTED` error listing the known ones. */
  get(name: string): CopierProvider {
    const p = this.#providers.get(name);
    if (!p) {
      throw new SnapcopyError(
        'UNSUPPORTED',
        `unknown provider "${name}" (known: ${this.names().join(', ') || 'none'})`,
      );
    }
    return p;
  }
}

/** Inversify service identifiers. Symbols are registered globally so package copies agree. */
export const TOKENS = Object.freeze({
  Clock: Symbol.for('snapcopy.Clock') as ServiceIdentifier<Clock>,
  Logger: Symbol.for('snapcopy.Logger') as ServiceIdentifier<Logger>,
  CopierProvider: Symbol.for('snapcopy.CopierProvider') as ServiceIdentifier<CopierProvider>,
  CopierRegistry: Symbol.for('snapcopy.CopierRegistry') as ServiceIdentifier<CopierRegistry>,
});

/**
 * Core bindings: the clock, the logger and the registry that collects every bound
 * {@link CopierProvider}. Provider packages contribute their own modules; the one
 * composition root (the CLI, or your application) loads them together.
 */
export function coreContainerModule(options: { clock?: Clock; logger?: Logger } = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TOKENS.Clock).toConstantValue(options.clock ?? systemClock);
    bind(TOKENS.Logger).toConstantValue(options.logger ?? silentLogger);
    bind(TOKENS.CopierRegistry)
      .toResolvedValue(
        (providers: CopierProvider[] | undefined) => new CopierRegistry(providers ?? []),
        [{ serviceIdentifier: TOKENS.CopierProvider, isMultiple: true, optional: true }],
      )
      .inSingletonScope();
  });
}
