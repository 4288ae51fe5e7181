import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { freePort } from '../../lib/embedded/index.ts';
import { isDatabaseUnavailable } from '../../lib/failures/index.ts';
import { testDatabase } from '../helpers/db.ts';

const failureOf = async (fn: () => Promise<unknown>): Promise<unknown> => {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
};

t.test('no server listening is unavailable: refused TCP, a missing Unix socket', async (t) => {
  const port = await freePort();
  const refused = await failureOf(async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'x', database: 'x' });
    await c.connect();
  });
  t.match(refused, { code: 'ECONNREFUSED' });
  t.ok(isDatabaseUnavailable(refused));

  const gone = await failureOf(async () => {
    const c = new pg.Client({ host: path.join(os.tmpdir(), 'ballast-no-such-socket-dir'), port, user: 'x', database: 'x' });
    await c.connect();
  });
  t.match(gone, { code: 'ENOENT', syscall: 'connect' });
  t.ok(isDatabaseUnavailable(gone), 'the socket file is gone while the server restarts');
});

t.test('a connection the server ends is unavailable; a statement the server refuses is not', async (t) => {
  const { url, db } = await testDatabase(t);
  const victim = new pg.Client({ connectionString: url });
  victim.on('error', () => undefined);
  await victim.connect();
  const { rows: [{ pid }] } = await victim.query('select pg_backend_pid() as pid');
  const running = failureOf(() => victim.query('select pg_sleep(30)'));
  await db.query('select pg_terminate_backend($1)', [pid]);
  const terminated = await running;
  t.ok(isDatabaseUnavailable(terminated), `admin shutdown of the connection: ${(terminated as Error).message}`);
  const after = await failureOf(() => victim.query('select 1'));
  t.ok(isDatabaseUnavailable(after), `the dead client afterwards: ${(after as Error).message}`);
  await victim.end().catch(() => undefined);

  t.notOk(isDatabaseUnavailable(await failureOf(() => db.query('selec 1'))), 'a syntax error');
  t.notOk(isDatabaseUnavailable(await failureOf(() => db.query('select 1/0'))), 'division by zero');
  t.notOk(isDatabaseUnavailable(await failureOf(() => db.query('insert into app.agents (agent_id) values (null)'))), 'a constraint');
});

t.test('EPIPE, whose code looks like an SQLSTATE, and socket errors on a live connection', async (t) => {
  // The shape node gives a write to a socket the server closed (seen in the restart test).
  t.ok(isDatabaseUnavailable(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', errno: -32, syscall: 'write' })), 'EPIPE');
  const reset = await failureOf(() => new Promise((_resolve, reject) => {
    const srv = net.createServer((s) => s.resetAndDestroy()).listen(0, '127.0.0.1', async () => {
      const c = new pg.Client({ host: '127.0.0.1', port: (srv.address() as net.AddressInfo).port, user: 'x', database: 'x' });
      await c.connect().catch(reject).finally(() => srv.close());
    });
  }));
  t.ok(isDatabaseUnavailable(reset), `a reset during connect: ${(reset as Error).message}`);
  t.notOk(isDatabaseUnavailable(new Error('something else')), 'any other error');
  t.notOk(isDatabaseUnavailable(null), 'not an error');
});
