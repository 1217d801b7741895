// Flaws that break a copier of either kind the same way, as mixins over the reference
// copiers: the snapshot and image suites must each catch every one of them.
import { type CallOptions, is } from '@snapcopy/core';
import type { CopyKindTypes, ObservedCopy } from '@snapcopy/core/driver';
import type { ReferenceCopierMaker } from '../reference/harness.js';
import type { Awaitable } from './harness.js';

type Request = CopyKindTypes['request'];
type Plan = CopyKindTypes['plan'];
type Ref = CopyKindTypes['ref'];

/**
 * The facade's protocol methods a flaw overrides and calls. They are protected on the
 * copiers; a mixin reaches the base's own through its prototype, as `super` would.
 */
interface Protocol {
  _plan(request: Request, options: CallOptions): Promise<Plan>;
  _startCopy(request: Request, plan: Plan, options: CallOptions): Promise<string>;
  _describe(region: string, ids: readonly string[], options: CallOptions): Promise<ObservedCopy[]>;
  kindParse(input: unknown): Omit<Request, 'clientToken'> & { clientToken?: string };
  wait(ref: Ref, options?: object): Promise<unknown>;
  cancel(ref: Ref): Promise<unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: a mixin's base takes whatever its constructor takes
type CopierClass = new (...args: any[]) => object;

const protocolOf = (Base: CopierClass): Protocol => Base.prototype;

/** Reads status with one request per id. */
export function unbatchedStatus<C extends CopierClass>(Base: C): C {
  const base = protocolOf(Base);
  return class UnbatchedStatus extends Base {
    async _describe(region: string, ids: readonly string[], options: CallOptions) {
      const out: ObservedCopy[] = [];
      for (const id of ids) out.push(...(await base._describe.call(this, region, [id], options)));
      return out;
    }
  };
}

/** Reports running copies as completed. */
export function statusSaysCompleted<C extends CopierClass>(Base: C): C {
  const base = protocolOf(Base);
  return class StatusSaysCompleted extends Base {
    async _describe(region: string, ids: readonly string[], options: CallOptions) {
      const real = await base._describe.call(this, region, ids, options);
      return real.map((s) =>
        s.state === 'pending' ? { ...s, state: 'completed' as const, progress: 100 } : s,
      );
    }
  };
}

/** Deletes the copy when a wait times out. */
export function deletesOnTimeout<C extends CopierClass>(Base: C): C {
  const base = protocolOf(Base);
  return class DeletesOnTimeout extends Base {
    async wait(ref: Ref, options: object = {}) {
      try {
        return await base.wait.call(this, ref, options);
      } catch (err) {
        if (is(err, 'TIMEOUT')) await base.cancel.call(this, ref);
        throw err;
      }
    }
  };
}

/** "Warms up" by starting the copy during planning: a plan must never change anything. */
export function planMutates<C extends CopierClass>(Base: C): C {
  const base = protocolOf(Base);
  return class PlanMutates extends Base {
    async _plan(req: Request, options: CallOptions) {
      const plan = await base._plan.call(this, req, options);
      await base._startCopy.call(this, req, plan, options);
      return plan;
    }
  };
}

/** Looks its token up nowhere and sends a fresh token on every attempt: nothing finds the earlier copy. */
export function duplicatesOnRetry<C extends CopierClass>(Base: C): C {
  const base = protocolOf(Base);
  return class DuplicatesOnRetry extends Base {
    async _findByToken(): Promise<ObservedCopy[]> {
      return [];
    }
    _startCopy(req: Request, plan: Plan, options: CallOptions) {
      const clientToken = `${req.clientToken.slice(0, 40)}-${Math.random().toString(36).slice(2, 10)}`;
      return base._startCopy.call(this, { ...req, clientToken }, plan, options);
    }
  };
}

/** Reports the delete as done without sending it. */
export function falseCancel<C extends CopierClass>(Base: C): C {
  return class FalseCancel extends Base {
    async _delete(): Promise<void> {}
  };
}

/** Skips core's capability pre-check: the cloud gets requests the manifest says never work. */
export function skipsCapabilityCheck<C extends CopierClass>(Base: C): C {
  const base = protocolOf(Base);
  return class SkipsCapabilityCheck extends Base {
    normalize(input: unknown): Request {
      const req = base.kindParse.call(this, input);
      return { ...req, clientToken: req.clientToken ?? `tok-${Math.random().toString(36).slice(2)}` };
    }
  };
}

/** Each shared flaw, applied to one reference copier class. */
export function withSharedFlaws<C extends CopierClass>(Base: C) {
  return {
    DuplicatesOnRetry: duplicatesOnRetry(Base),
    FalseCancel: falseCancel(Base),
    UnbatchedStatus: unbatchedStatus(Base),
    DeletesOnTimeout: deletesOnTimeout(Base),
    StatusSaysCompleted: statusSaysCompleted(Base),
    PlanMutates: planMutates(Base),
  };
}

/** A copier with one deliberate flaw, and the cases that must catch it. */
export interface BrokenOf<H> {
  readonly id: string;
  /** The flaw, in words. */
  readonly flaw: string;
  /** Case ids that must fail against it (the meta-test checks each of them fails). */
  readonly caughtBy: readonly string[];
  readonly makeHarness: () => Awaitable<H>;
}

/** Lists broken copiers of one kind: each runs in a fresh reference harness of that kind. */
export function brokenCopierMaker<C, O, H>(
  makeHarness: (options: { makeCopier: ReferenceCopierMaker<C> }) => H,
) {
  return (
    id: string,
    flaw: string,
    caughtBy: readonly string[],
    Copier: new (options: O) => C,
  ): BrokenOf<H> => ({
    id,
    flaw,
    caughtBy,
    makeHarness: () =>
      makeHarness({
        makeCopier: ({ cloud, credentials, runtime }) => new Copier({ ...runtime, cloud, credentials } as O),
      }),
  });
}
