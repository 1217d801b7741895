/** An AbortSignal that fires on SIGINT or SIGTERM, so a command can stop cleanly. */
export function onInterrupt(): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
    },
  };
}

/**
 * Runs `fn` with a signal that SIGINT or SIGTERM aborts: the provider call in flight ends
 * at once with `CANCELLED` (exit 130) instead of the process dying mid-call without a word.
 */
export async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = onInterrupt();
  try {
    return await fn(interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}
