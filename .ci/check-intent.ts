// CI: refuse row locks outside the LOCKED_MUTATION helper (seed 002 Phase-2.1).
import path from 'node:path';
import { scanTree } from './intent-guard.ts';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
const findings = scanTree(['lib', 'tasks', 'bin', 'sql'].map((d) => path.join(root, d)));
if (findings.length === 0) {
  console.log('intent guard: no row locks outside LOCKED_MUTATION');
} else {
  console.log(`FORBIDDEN PATTERNS DETECTED: ${findings.length} (row locks belong in db.lockedMutation(tx => tx.lockRows(...)))`);
  for (const f of findings) console.log(`- ${path.relative(root, f.file)}:${f.line}: ${f.text}`);
  process.exit(1);
}
