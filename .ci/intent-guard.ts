/**
 * The CI check of seed 002 Phase-2.1: a row-locking clause (`FOR UPDATE`,
 * `FOR NO KEY UPDATE`, `FOR SHARE`, `FOR KEY SHARE`, any case or spacing) may
 * appear only in SQL handed to `tx.lockRows(...)` inside a LOCKED_MUTATION.
 * Comments are ignored. A line ending in `-- intent: locked-mutation` (SQL)
 * or `// intent: locked-mutation` is an explicit, reviewable exception.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROW_LOCK } from '../lib/db/index.ts';

export interface RowLockFinding { file: string; line: number; text: string }

const EXEMPT = /(--|\/\/)\s*intent:\s*locked-mutation/i;

/** Blanks comments (keeping newlines and string contents) so matches map back to lines. */
function stripComments(src: string, sql: boolean): string {
  const re = sql ? /--[^\n]*|\/\*[\s\S]*?\*\//g : /\/\/[^\n]*|\/\*[\s\S]*?\*\//g;
  return src.replace(re, (m) => m.replace(/[^\n]/g, ' '));
}

/** Is offset `at` inside the first argument of a `lockRows(` call? */
function insideLockRows(src: string, at: number): boolean {
  const call = src.lastIndexOf('lockRows', at);
  if (call < 0) return false;
  const open = src.indexOf('(', call);
  if (open < 0 || open > at) return false;
  let depth = 0;
  for (let i = open; i < at; i++) {
    if (src[i] === '(') depth++;
    else if (src[i] === ')') depth--;
    else if (src[i] === ',' && depth === 1) return false; // past the first argument
    if (depth === 0) return false;
  }
  return true;
}

/** Is offset `at` inside `const NAME = ...` whose NAME this file passes to `lockRows(`? */
function namedForLockRows(src: string, at: number): boolean {
  const before = src.slice(0, at);
  const decl = [...before.matchAll(/\bconst\s+([A-Za-z_$][\w$]*)\s*=/g)].pop();
  if (!decl) return false;
  return new RegExp(`lockRows(?:<[^>]*>)?\\(\\s*${decl[1]}\\b`).test(src);
}

/** Row-lock findings in one file's text. */
export function scanSource(file: string, text: string): RowLockFinding[] {
  const sql = file.endsWith('.sql');
  const src = stripComments(text, sql);
  const lines = text.split('\n');
  const out: RowLockFinding[] = [];
  const re = new RegExp(ROW_LOCK.source, 'gi');
  for (let m = re.exec(src); m; m = re.exec(src)) {
    const line = src.slice(0, m.index).split('\n').length;
    if (EXEMPT.test(lines[line - 1] ?? '')) continue;
    if (!sql && (insideLockRows(src, m.index) || namedForLockRows(src, m.index))) continue;
    out.push({ file, line, text: (lines[line - 1] ?? '').trim() });
  }
  return out;
}

/** Scans `.ts` and `.sql` files under `roots` (tests are not scanned: they exercise the guard). */
export function scanTree(roots: string[]): RowLockFinding[] {
  const out: RowLockFinding[] = [];
  const walk = (p: string) => {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      if (path.basename(p) === 'node_modules') return;
      for (const f of fs.readdirSync(p).sort()) walk(path.join(p, f));
    } else if (/\.(ts|sql)$/.test(p)) {
      out.push(...scanSource(p, fs.readFileSync(p, 'utf8')));
    }
  };
  roots.forEach(walk);
  return out;
}
