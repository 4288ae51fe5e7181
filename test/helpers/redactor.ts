/** The redactor tests run with: the one this checkout's config gives (the key in `.ballast/redaction-key`), as the search runtime's. */
import { loadConfig } from '../../lib/config/index.ts';
import { redactorFromConfig } from '../../lib/failures/index.ts';

export const redactor = redactorFromConfig(loadConfig());
