import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { decisionEngines, exportSnapshot, iterateDecisions, loadDecision, replayDecision, type DecisionSnapshot } from '../../lib/replay/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { stages } from '../../tasks/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { addAgent, AGENT_NUMBER, deliver, startTestReceiver, startTestWorker, waitForEvent } from '../helpers/pipeline.ts';

const { db, url } = await testDatabase(t);
await addAgent(db);
const receiver = await startTestReceiver(t, db);
await startTestWorker(t, url);
const res = await deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }));
await waitForEvent(db, (res.body as { event_id: number }).event_id);
const DECISION_ENGINES = decisionEngines(stages);
const decisions: DecisionSnapshot[] = [];
for (const task of Object.keys(DECISION_ENGINES)) for await (const d of iterateDecisions(db, { task })) decisions.push(d);

t.test('every decision stage stored a snapshot: input, output, engine version and code hash', async (t) => {
  t.same(decisions.map((d) => d.task).sort(), ['detect_striking', 'extract_claims', 'summarize_interaction']);
  for (const d of decisions) t.match(d, { engine_version: /@/, engine_code_hash: /^[0-9a-f]{16,}$/, input: { spans: Array } }, d.task);
});

t.test('replaying with unchanged engines gives identical decisions', async (t) => {
  for (const d of decisions) t.ok(replayDecision(d, DECISION_ENGINES).identical, d.task);
});

t.test('after an engine change the replay reports the difference', async (t) => {
  const changed = { ...DECISION_ENGINES, extract_claims: { ...DECISION_ENGINES.extract_claims!, version: 'rule-claims@2.0.0', decide: () => [] } };
  const claims = decisions.find((d) => d.task === 'extract_claims')!;
  const r = replayDecision(claims, changed);
  t.equal(r.identical, false);
  t.same(r.replayed, []);
  t.match(r.engine, { current: 'rule-claims@2.0.0' });
});

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args], { cwd: ROOT, env });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

t.test('replay works from an exported file with no database at all', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-replay-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  const snap = (await loadDecision(db, decisions[0]!.id))!;
  const file = path.join(dir, 'd.json');
  await fs.writeFile(file, exportSnapshot(snap));
  // A database URL nobody listens on: any attempt to connect would fail the command.
  const env = { ...process.env, DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none', BALLAST_DATA_DIR: dir };
  const same = await run(['replay', 'decision', '--from-file', file], env);
  t.equal(same.code, 0, same.out);
  t.match(same.out, /IDENTICAL/);
  const tampered = JSON.parse(await fs.readFile(file, 'utf8'));
  tampered.decision.output = { tampered: true };
  await fs.writeFile(file, JSON.stringify(tampered));
  const diff = await run(['replay', 'decision', '--from-file', file], env);
  t.equal(diff.code, 1, 'exit 1 when the stored and the new output differ');
  t.match(diff.out, /DIFFERENT/);
});

t.test('replay batch refuses a task that is not a decision stage, naming those that are', async (t) => {
  // Refused before any database is opened: nobody listens on this URL.
  const env = { ...process.env, DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none' };
  for (const task of ['nosuchtask', 'normalize_event', 'constructor']) {
    const r = await run(['replay', 'batch', '--task', task], env);
    t.equal(r.code, 1, `${task}: exit 1`);
    t.match(r.out, `ballast: ${task} is not a decision stage; the decision stages are detect_striking, extract_claims, summarize_interaction`);
    t.notMatch(r.out, /replayed/);
  }
  const ok = await run(['replay', 'batch', '--task', 'extract_claims'], { ...process.env, DATABASE_URL: url });
  t.equal(ok.code, 0, ok.out);
  t.match(ok.out, /extract_claims: replayed 1, identical 1, different 0/);
});
