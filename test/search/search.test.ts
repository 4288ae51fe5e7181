import t from 'tap';
import { loadConfig } from '../../lib/config/index.ts';
import { searchDecisions, searchRuntime } from '../../lib/search/index.ts';
import searchSync from '../../tasks/search_sync.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { addDecisions, searchTarget, waitForOutboxDrained } from './helpers.ts';

const { db, url } = await testDatabase(t);
await searchTarget(t);
await startTestWorker(t, url, { stages: [searchSync] });
const rt = await searchRuntime(loadConfig());

const refund = await addDecisions(db, { org: 'org_a', summary: 'The customer requests a refund for the double charge.',
  claims: [{ kind: 'refund_request', text: 'refund for the double charge' }] });
await addDecisions(db, { org: 'org_a', summary: 'The caller wants to reschedule the appointment to Friday.' });
await addDecisions(db, { org: 'org_b', summary: 'Another org also asks for a refund of a double charge.' });
await waitForOutboxDrained(db);

t.test('search returns the nearest decisions of the org, with score and producer stamps', async (t) => {
  const hits = await searchDecisions(db, rt, { text: 'refund request double charge', org: 'org_a', limit: 3 });
  t.ok(hits.length >= 2);
  t.ok(hits.every((h) => h.org_id === 'org_a'), 'only the org asked for');
  t.ok(hits[0]!.text.includes('refund'), 'the refund decisions rank first');
  t.ok(hits[0]!.score >= hits[hits.length - 1]!.score, 'ordered by score');
  t.match(hits[0], { produced_by: String, producer_version: '1.0.0', trace_id: /^[0-9a-f]{32}$/, stale: false });
});

t.test('a filter narrows by payload field', async (t) => {
  const hits = await searchDecisions(db, rt, { text: 'refund', org: 'org_a', filter: { entity: 'claim', kind: 'refund_request' } });
  t.same(hits.map((h) => [h.entity, h.kind, h.interaction_id]), [['claim', 'refund_request', refund.interactionId]]);
});
