/**
 * Run as root, the embedded server runs as the `postgres` user. A data
 * directory that user cannot reach is refused up front, with what to do,
 * instead of initdb failing with "Permission denied".
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startEmbedded } from '../../lib/embedded/index.ts';

t.test('a data directory behind a parent the postgres user cannot enter is refused, naming that parent', { skip: process.getuid?.() !== 0 && 'only as root does the server run as another user' }, async (t) => {
  const top = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-reach-'));
  t.teardown(() => fs.rm(top, { recursive: true, force: true }));
  await fs.chmod(top, 0o755);
  const locked = path.join(top, 'locked');
  await fs.mkdir(locked, { mode: 0o700 });
  await fs.chmod(locked, 0o700);
  const dataDir = path.join(locked, 'data');
  await fs.mkdir(dataDir);

  const err = await startEmbedded({ dataDir, database: 'postgres' }).then(() => null, (e: Error) => e);
  t.match(err?.message, `cannot enter ${locked}`, 'the parent it cannot enter is named');
  t.match(err?.message, /BALLAST_DATA_DIR/, 'and what to do');
  t.notOk(await fs.access(path.join(dataDir, 'pg', 'PG_VERSION')).then(() => true, () => false), 'initdb never ran');
});
