#!/usr/bin/env node
// Every published package runs this as its `prepublishOnly` script. Packages are published
// with pnpm (`pnpm -r publish`), which turns the `workspace:` and `catalog:` ranges of the
// manifests into the versions the workspace uses; `npm publish` would ship those ranges
// unchanged and no one could install the package. pnpm runs lifecycle scripts with a user
// agent naming itself, which is what is checked here.
const agent = process.env.npm_config_user_agent ?? '';
if (!agent.startsWith('pnpm/')) {
  console.error(
    `publish-guard: publish with pnpm ("pnpm -r publish" at the repository root), not "${agent.split(' ')[0] || 'unknown'}": ` +
      'only pnpm rewrites the workspace: and catalog: ranges of package.json into versions',
  );
  process.exit(1);
}
