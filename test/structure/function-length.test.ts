import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { root, sourceFiles } from './sources.js';

// No function in packages/*/src is longer than 80 lines, from its first line to its closing
// brace, nested functions counted inside their parents as well as on their own. The one
// exception is the unpickler: its opcode loop is a single dispatch over the pickle protocol,
// and splitting it would only scatter one table across files.

const LIMIT = 80;
const EXCEPTIONS = new Set(['packages/core/src/io/pickle.ts:unpickle']);

interface Span { file: string; name: string; line: number; lines: number }

/** Every function-like node with a body in `source`, with its length in lines. */
function functionSpans(file: string, source: string): Span[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const spans: Span[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : '<anonymous>';
      spans.push({ file, name, line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return spans;
}

describe('function length', () => {
  it(`no function in packages/*/src is over ${LIMIT} lines (the unpickler's opcode loop excepted)`, () => {
    const files = ['core', 'svoc', 'bias'].flatMap((pkg) => sourceFiles(path.join(root, 'packages', pkg, 'src')));
    expect(files.length).toBeGreaterThan(150);
    const spans = files.flatMap((f) => functionSpans(path.relative(root, f), readFileSync(f, 'utf8')));
    expect(spans.length).toBeGreaterThan(1000);
    const long = spans.filter((s) => s.lines > LIMIT && !EXCEPTIONS.has(`${s.file}:${s.name}`));
    expect(long.map((s) => `${s.file}:${s.line} ${s.name} (${s.lines} lines)`)).toEqual([]);
    // The exception still names a function that exists (a rename would otherwise hide a long one).
    for (const e of EXCEPTIONS) expect(spans.some((s) => `${s.file}:${s.name}` === e)).toBe(true);
  });

  it('measures what it should: nested functions, arrows and methods, first line to closing brace', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const src = [
      `export function outer() {\n${body(3)}\n  const inner = () => {\n${body(79)}\n  };\n  return inner;\n}`,
      `class C {\n  method() {\n${body(80)}\n  }\n}`,
    ].join('\n');
    const spans = functionSpans('x.ts', src);
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName.outer).toMatchObject({ line: 1, lines: 3 + 79 + 5 });
    expect(byName['<anonymous>']).toMatchObject({ line: 5, lines: 81 });
    expect(byName.method).toMatchObject({ lines: 82 });
  });
});
