#!/usr/bin/env node
// Entry point for `ballast` / `npx ballast`: loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
const { reportFailure } = await import('../lib/cli/index.ts');
// Loading runs every stage's declaration in tasks/: a bad one is reported as one line, not a stack trace.
const { main } = await import('./ballast.ts').catch((e) => process.exit(reportFailure(e, { loading: true })));
await main();
