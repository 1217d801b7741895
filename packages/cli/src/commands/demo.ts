import type { SandboxFlags } from '../cli-flags.js';
import { DEMO_SCENARIOS } from '../demo/demo-scenarios.js';
import { DEMO_SEED } from '../demo/demo-seed.js';
import { demoDocument, printDemoSummary, runDemoScenarios } from '../demo/run-demo.js';
import { EXIT_CODES } from '../exit-codes.js';
import { Output, outputModeFor } from '../output/output-mode.js';
import { startTestkitSandbox } from '../sandbox-loader.js';

/** Virtual seconds per real second: copies of tens of GiB take a few real seconds. */
export const DEMO_TIME_SCALE = 20;

/**
 * `snapcopy demo`: the sandbox in-process, both manifests, then every kind of copy
 * planned, run with progress and billed. Exits 0 when every scenario ended as promised.
 */
export async function run(flags: SandboxFlags): Promise<number> {
  const started = Date.now();
  const output = new Output(outputModeFor(flags.json));
  output.line(
    `snapcopy demo on Node ${process.version}: simulated EC2 and ECS on 127.0.0.1, driven by the real AWS and Alibaba SDKs.`,
  );
  const sandbox = await startTestkitSandbox({
    seed: DEMO_SEED,
    timeScale: flags.timeScale ?? DEMO_TIME_SCALE,
  });
  try {
    const outcomes = await runDemoScenarios({ sandbox, scenarios: DEMO_SCENARIOS, output, pollMs: 250 });
    const wallMs = Date.now() - started;
    printDemoSummary(output, outcomes, wallMs);
    const { runPolicyDemo } = await import('../demo/run-policy-demo.js');
    const policy = await runPolicyDemo({ sandbox, output });
    const doc = demoDocument(outcomes, Date.now() - started);
    output.document({
      ...doc,
      ok: doc.ok === true && policy.asExpected,
      policy: {
        asExpected: policy.asExpected,
        why: policy.why,
        passes: policy.passes,
        copiesAfter: policy.copiesAfter,
      },
    });
    return outcomes.every((o) => o.asExpected) && policy.asExpected
      ? EXIT_CODES.success
      : EXIT_CODES.internal;
  } finally {
    await sandbox.close();
  }
}
