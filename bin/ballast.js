#!/usr/bin/env node
// Entry point for `ballast` / `npx ballast`: loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./ballast.ts');
await main();
