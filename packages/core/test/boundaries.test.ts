import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const SDK = /from\s+['"](@aws-sdk\/|@alicloud\/|@smithy\/)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('package boundaries', () => {
  it('core depends on no provider SDK, in package.json or in any import', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'core', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(
      Object.keys(pkg.dependencies).filter((d) => d.startsWith('@aws-sdk/') || d.startsWith('@alicloud/')),
    ).toEqual([]);
    const offenders = sources(join(root, 'core', 'src')).filter((f) => SDK.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it.each(['aws', 'alibaba'])('the %s rules are pure: no SDK import under src/rules', (pkg) => {
    const offenders = sources(join(root, pkg, 'src', 'rules')).filter((f) =>
      SDK.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('testkit simulators do not import the adapters (they check each other)', () => {
    const offenders = sources(join(root, 'testkit', 'src')).filter((f) =>
      /from\s+['"]@snapcopy\/(aws|alibaba)/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
