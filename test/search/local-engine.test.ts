import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { QdrantClient } from '@qdrant/js-client-rest';
import { startLocalEngine } from '../../lib/search/index.ts';
import { TEST_DATA_DIR } from '../helpers/cluster.ts';

t.test('two workers creating the collection at once: one wins, the other is told it exists (409), nothing breaks', async (t) => {
  const dir = path.join(TEST_DATA_DIR, `qdrant-${randomBytes(4).toString('hex')}`);
  const engine = await startLocalEngine({ dir });
  t.teardown(async () => {
    await engine.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
  const client = new QdrantClient({ url: engine.url, checkCompatibility: false });
  const spec = { vectors: { size: 4, distance: 'Cosine' as const } };
  const results = await Promise.allSettled([client.createCollection('race', spec), client.createCollection('race', spec)]);
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  t.match(String(lost.reason?.status ?? lost.reason), /409|Conflict/);
  await client.upsert('race', { wait: true, points: [{ id: 1, vector: [1, 0, 0, 0], payload: { a: 1 } }] });
  t.equal((await client.count('race')).count, 1);
});
