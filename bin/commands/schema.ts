/** `ballast schema dump [--check]`: the committed schema dump and its drift check. */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../lib/config/index.ts';
import { resolveDatabase } from '../../lib/embedded/index.ts';
import { describeDrift, dumpSchema, SCHEMA_FILE } from '../../lib/schema/index.ts';

export async function commandSchemaDump(opts: { check?: boolean; file?: string }): Promise<void> {
  const file = path.resolve(opts.file ?? SCHEMA_FILE);
  const config = loadConfig();
  const handle = await resolveDatabase(config);
  let fresh: string;
  try {
    fresh = await dumpSchema(handle.embedded ? handle.embedded.adminUrl : handle.url, config.PG_DUMP);
  } finally {
    await handle.release();
  }
  if (!opts.check) {
    fs.writeFileSync(file, fresh);
    console.log(`wrote ${path.relative(process.cwd(), file)} (${fresh.split('\n').length} lines)`);
    return;
  }
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const drift = describeDrift(committed, fresh);
  if (!drift) {
    console.log(`${path.relative(process.cwd(), file)} matches the migrations`);
    return;
  }
  console.error(`${path.relative(process.cwd(), file)} is out of date with sql/migrations (committed -, migrations +):\n${drift}\n` +
    'Regenerate it with `npx ballast schema dump` (DATABASE_URL on a server pg_dump can read) and commit it.');
  process.exitCode = 1;
}
