import { describe, expect, it } from 'vitest';
import { escapeControlCharacters } from '../src/output/format.js';

// What may reach a terminal from echoed input: Unicode's control characters (category Cc:
// C0, DEL, C1) move the cursor, clear or recolour the screen; the bidirectional formatting
// characters (Unicode Standard Annex #9: U+202A-U+202E, U+2066-U+2069) reorder what is
// shown; U+2028/U+2029 break lines. Each is shown escaped; everything else stays.
describe('escapeControlCharacters', () => {
  it.each([
    ['plain text stays', 'snap-0a000000000000001 us-east-1', 'snap-0a000000000000001 us-east-1'],
    ['non-ASCII letters stay', 'café 快照', 'café 快照'],
    ['an ANSI colour sequence', 'aws\u001b[31mred', 'aws\\x1b[31mred'],
    ['a screen clear', '\u001b[2J', '\\x1b[2J'],
    ['newline, carriage return, tab', 'a\nb\rc\td', 'a\\nb\\rc\\td'],
    ['NUL and BEL', '\u0000\u0007', '\\x00\\x07'],
    ['DEL', 'x\u007fy', 'x\\x7fy'],
    ['a C1 control (CSI)', 'x\u009by', 'x\\x9by'],
    ['a right-to-left override', 'evil\u202etxt.exe', 'evil\\u202etxt.exe'],
    ['a bidirectional isolate', '\u2066x\u2069', '\\u2066x\\u2069'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
  ])('%s', (_rule, input, shown) => {
    expect(escapeControlCharacters(input)).toBe(shown);
  });
});
