/** Nightly reconciliation of the provider's reported usage with ballast's billed usage (issue 15 part 5). */
export { parseDay, usageFromRows, yesterday, type ProviderUsage, type ReadProgress, type UsageProvider } from './provider.ts';
export { httpUsageProvider, type HttpProviderOptions } from './http-provider.ts';
export { fileUsageProvider, parseCsv } from './file-provider.ts';
export { reconcileUsage, type ReconcileUsageOptions, type ReconcileUsageResult } from './reconcile.ts';
export { usageProviderFromConfig, type ProviderChoice } from './choose.ts';
