/**
 * `ballast agents ...` run as the operator runs it: add, activate, suspend,
 * retire and list, as the owner, audited with the user name and the note,
 * and refusals that say what to do.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';

const run = promisify(execFile);

t.test('provision an agent from pending to retired with the CLI', async (t) => {
  const { db, url } = await testDatabase(t);
  const ballast = async (...args: string[]) => (await run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', USER: 'ops' } })).stdout;
  const fails = (...args: string[]) => ballast(...args).then(() => { throw new Error('expected a failure'); }, (e) => e as { code: number; stderr: string });

  t.match(await ballast('agents', 'add', '--user', 'u7', '--number', '+15555550701', '--nickname', 'front desk', '--note', 'new line'),
    /added pending-u7 pending \+15555550701 \(user u7, org default, "front desk"\)\nactivate it with its real id: ballast agents activate pending-u7 --id <agent id>/);
  t.match((await fails('agents', 'add', '--user', 'u8', '--number', '+15555550701')).stderr, /already held by an agent that is not retired/);
  t.match((await fails('agents', 'add', '--user', 'u8', '--number', '5550701')).stderr, /not an E.164 number/);
  t.match((await fails('agents', 'activate', 'pending-u7')).stderr, /give the id the provider assigned with --id/);
  t.match(await ballast('agents', 'activate', 'pending-u7', '--id', 'agent_701'), /activated agent_701 active/);
  t.match((await fails('agents', 'suspend', 'agent_701')).stderr, /required option '--note <text>'/);
  t.match(await ballast('agents', 'suspend', 'agent_701', '--note', 'billing hold'), /suspended agent_701 .*quarantined as agent_suspended/);
  t.match(JSON.parse(await ballast('agents', 'list', '--json')), [{ agent_id: 'agent_701', status: 'suspended', is_active: false }]);
  t.match(await ballast('agents', 'retire', 'agent_701', '--note', 'line closed'), /retired agent_701 .*\+15555550701 is free/);
  t.match((await fails('agents', 'activate', 'agent_701')).stderr, /retired; add a new agent/);
  t.match(await ballast('agents', 'list', '--status', 'retired'), /agent_701.*retired/);
  t.match((await fails('agents', 'list', '--status', 'gone')).stderr, /Allowed choices are pending, active, suspended, retired/);

  const { rows } = await db.query(`select entity_id, actor, db_role, reason, after_data->>'status' as status
                                     from audit.ledger where entity_type = 'app.agents' order by id`);
  t.same(rows, [
    { entity_id: 'pending-u7', actor: 'cli:ops', db_role: 'ballast_owner', reason: 'new line', status: 'pending' },
    { entity_id: 'agent_701', actor: 'cli:ops', db_role: 'ballast_owner', reason: 'activation', status: 'active' },
    { entity_id: 'agent_701', actor: 'cli:ops', db_role: 'ballast_owner', reason: 'billing hold', status: 'suspended' },
    { entity_id: 'agent_701', actor: 'cli:ops', db_role: 'ballast_owner', reason: 'line closed', status: 'retired' },
  ], 'every change is audited, as the owner, with the operator and the note');
});
