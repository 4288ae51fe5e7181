/** Which provider adapter a run reads, from configuration and the run's own choice. */
import type { Config } from '../config/index.ts';
import { InvalidInputError } from '../failures/index.ts';
import { fileUsageProvider } from './file-provider.ts';
import { httpUsageProvider } from './http-provider.ts';
import type { UsageProvider } from './provider.ts';

export interface ProviderChoice {
  /** @defaultValue `file` when `file` is given, else `http` */
  provider?: 'http' | 'file' | undefined;
  /** The export to read (the file adapter). */
  file?: string | undefined;
}

/** The adapter `choice` names; a clear InvalidInputError when its settings are missing. */
export function usageProviderFromConfig(config: Config, choice: ProviderChoice = {}): UsageProvider {
  const kind = choice.provider ?? (choice.file ? 'file' : 'http');
  if (kind === 'file') {
    if (!choice.file) throw new InvalidInputError('the file provider needs a file (--file <path>, or `file` in the task payload)');
    return fileUsageProvider(choice.file);
  }
  if (choice.file) throw new InvalidInputError('a file is read by the file provider only (--provider file)');
  if (!config.BALLAST_USAGE_PROVIDER_URL || !config.BALLAST_USAGE_PROVIDER_ACCOUNT || !config.BALLAST_USAGE_PROVIDER_TOKEN) {
    throw new InvalidInputError('the http provider needs BALLAST_USAGE_PROVIDER_URL, BALLAST_USAGE_PROVIDER_ACCOUNT and BALLAST_USAGE_PROVIDER_TOKEN (docs/reconciliation.md)');
  }
  return httpUsageProvider({
    baseUrl: config.BALLAST_USAGE_PROVIDER_URL, account: config.BALLAST_USAGE_PROVIDER_ACCOUNT,
    token: config.BALLAST_USAGE_PROVIDER_TOKEN, timeoutMs: config.BALLAST_USAGE_PROVIDER_TIMEOUT_MS,
  });
}
