import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { root, sourceFiles } from './sources.js';

// bias throws only typed errors: its own (AnalysisError, EstimateError, OutputFolderError),
// core's and svoc's classes, or the built-in argument errors (RangeError, TypeError). A plain
// `Error` has no exit code of its own and cannot be caught by class, so none is constructed.

/** Each `new Error(…)` or `Error(…)` call in `source`, as `file:line`. */
function plainErrors(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'Error') {
      found.push(`${file}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('typed errors in bias', () => {
  it('packages/bias/src constructs no plain Error', () => {
    const files = sourceFiles(path.join(root, 'packages/bias/src'));
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((f) => plainErrors(path.relative(root, f), readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('finds what it should: new Error and Error() in any position, not the typed ones', () => {
    const src = [
      "throw new Error('a');",
      "const e = cond ? Error('b') : null;",
      "throw new RangeError('c'); throw new UsageError('d'); class X extends Error {}",
      "if (err instanceof Error) throw new core.CheckpointError(null, 'e');",
    ].join('\n');
    expect(plainErrors('x.ts', src)).toEqual(['x.ts:1', 'x.ts:2']);
  });
});
