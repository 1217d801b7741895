import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', 'src');

/**
 * Modules loaded at run time by importing `entry`: static value imports, followed through
 * relative paths, and built-in modules fetched with process.getBuiltinModule (counted
 * wherever the call is, so a lazy one counts too).
 */
function runtimeGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    // `import type …` and `export type …` vanish at run time; dynamic import() is lazy.
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
    for (const m of text.matchAll(/getBuiltinModule\(\s*['"]([^'"]+)['"]/g)) packages.add(m[1]!);
  };
  visit(join(src, entry));
  return { files, packages };
}

describe('entry weight', () => {
  // The main entry (users) and ./runner (authors of another copy runner).
  const entries = ['index.ts', 'runner.ts'];

  it.each(entries)('%s loads SQLite (node:sqlite) only when a SQLite journal is opened', (entry) => {
    const { files, packages } = runtimeGraph(entry);
    expect(packages.has('node:sqlite')).toBe(false);
    expect([...files].some((f) => f.endsWith('sqlite-journal.ts'))).toBe(false);
    expect(runtimeGraph('journal/sqlite-journal.ts').packages.has('node:sqlite')).toBe(true);
  });

  it.each(entries)(
    "%s depends on core and heap-js (the due queue's heap; no dependencies of its own), nothing else at run time",
    (entry) => {
      const { packages } = runtimeGraph(entry);
      // A subpath (`@snapcopy/core/driver`) is the same package.
      const names = new Set(
        [...packages]
          .filter((p) => !p.startsWith('node:'))
          .map((p) =>
            p
              .split('/')
              .slice(0, p.startsWith('@') ? 2 : 1)
              .join('/'),
          ),
      );
      expect([...names].sort()).toEqual(['@snapcopy/core', 'heap-js']);
      const heapJs = JSON.parse(
        readFileSync(join(import.meta.dirname, '..', 'node_modules', 'heap-js', 'package.json'), 'utf8'),
      );
      expect(heapJs.dependencies ?? {}).toEqual({});
    },
  );
});
