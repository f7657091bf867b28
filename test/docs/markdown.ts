/** Reading the repository's Markdown for the docs tests: files, links, headings, code blocks. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Every Markdown file users read: README.md, docs/**, packages/*, examples/**, bench/README.md. */
export function markdownFiles(repo: string): string[] {
  const out = ['README.md', 'bench/README.md'];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(repo, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) walk(rel);
      else if (e.isFile() && e.name.endsWith('.md')) out.push(rel);
    }
  };
  walk('docs');
  for (const p of readdirSync(path.join(repo, 'packages'))) {
    if (statSync(path.join(repo, 'packages', p, 'README.md'), { throwIfNoEntry: false })) out.push(`packages/${p}/README.md`);
  }
  const examples = (dir: string): void => {
    for (const e of readdirSync(path.join(repo, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') examples(rel);
      else if (e.name === 'README.md') out.push(rel);
    }
  };
  examples('examples');
  return out.sort();
}

/** The text outside fenced code blocks and inline code, line numbers kept. */
function prose(text: string): string {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) { fenced = !fenced; return ''; }
    return fenced ? '' : line.replace(/`+[^`]*`+/g, '');
  }).join('\n');
}

export interface Link { target: string; line: number }

/** Inline links and images `[x](target)`, `<… href="target">` and reference definitions `[x]: target`. */
export function links(text: string): Link[] {
  const out: Link[] = [];
  prose(text).split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1]!, line: i + 1 });
    for (const m of line.matchAll(/href="([^"]+)"/g)) out.push({ target: m[1]!, line: i + 1 });
    const def = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(line);
    if (def) out.push({ target: def[1]!, line: i + 1 });
  });
  return out;
}

/** GitHub's anchors of a Markdown file's headings (lower case, punctuation dropped, spaces to hyphens, repeats numbered). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const h = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const plain = h[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = plain.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

export interface CodeBlock { lang: string; code: string; line: number }

/** Fenced code blocks with their info string's first word and the line of the opening fence. */
export function codeBlocks(text: string): CodeBlock[] {
  const out: CodeBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+)\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(open[2]!); j++) body.push(lines[j]!);
    out.push({ lang: open[3]!, code: body.join('\n'), line: i + 1 });
    i = j;
  }
  return out;
}

/** Whether a block is marked as not runnable as written. */
export const isFragment = (b: CodeBlock): boolean => /^\s*\/\/\s*fragment\b/.test(b.code.split('\n').find((l) => l.trim() !== '') ?? '');

/**
 * What is wrong with a link `target` found in `file` (a path relative to `repo`), or null. Links
 * are relative to the file that holds them: a root-absolute `/docs/x.md` resolves on GitHub but
 * not on the npm page or in an editor, so it is refused with the relative spelling to use.
 */
export function linkProblem(repo: string, file: string, target: string, exists: (abs: string) => boolean, headings: (abs: string) => Set<string>): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // http:, https:, mailto:
  const [rawPath, anchor] = target.split('#') as [string, string | undefined];
  const dir = path.dirname(path.join(repo, file));
  if (rawPath.startsWith('/')) return `root-absolute (write ${path.relative(dir, path.join(repo, rawPath)) || '.'}${anchor === undefined ? '' : `#${anchor}`})`;
  const abs = rawPath === '' ? path.join(repo, file) : path.join(dir, decodeURIComponent(rawPath));
  const rel = path.relative(repo, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return 'outside the repository';
  if (!exists(abs)) return 'no such file';
  if (anchor !== undefined && abs.endsWith('.md') && !headings(abs).has(anchor)) return `no heading #${anchor}`;
  return null;
}
