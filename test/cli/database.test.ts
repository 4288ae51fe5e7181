/**
 * What `ballast` says when it cannot get a database connection: which server
 * and database (never the user or password), why, and whether it is a
 * configuration error (exit 78) or an outage (exit 1).
 */
import t from 'tap';
import { readCluster, withDatabase } from '../helpers/cluster.ts';
import { ballast, closedPort, oneLine } from '../helpers/cli.ts';

t.test('a DATABASE_URL whose server is down names the server and DATABASE_URL, never the password (exit 1)', async (t) => {
  const port = await closedPort();
  const env = { DATABASE_URL: `postgres://ops:s3cret-pw@127.0.0.1:${port}/ballast` };
  for (const args of [['trace', 'abc'], ['migrate']]) {
    const out = await ballast(args, env);
    oneLine(t, out, 1, new RegExp(`^ballast: the database at 127\\.0\\.0\\.1:${port}/ballast \\(DATABASE_URL\\) is unavailable: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`), args.join(' '));
    t.notMatch(out.stdout + out.stderr, /s3cret-pw/, `${args.join(' ')}: no password`);
  }
});

t.test('a DATABASE_URL with a wrong password or database is refused by the server: a configuration error (exit 78), no password shown', async (t) => {
  const cluster = await readCluster();
  const real = new URL(cluster.adminUrl);
  const wrong = new URL(cluster.adminUrl);
  wrong.password = 'wr0ng-pw';
  const where = `${real.hostname}:${real.port || '5432'}`.replace(/\./g, '\\.');
  for (const [url, db, why] of [
    [wrong.toString(), real.pathname.slice(1), `password authentication failed for user "${real.username}"`],
    [withDatabase(cluster.adminUrl, 'ballast_no_such_db'), 'ballast_no_such_db', 'database "ballast_no_such_db" does not exist'],
  ] as const) {
    for (const args of [['dlq', 'list'], ['migrate']]) {
      const out = await ballast(args, { DATABASE_URL: url });
      oneLine(t, out, 78, new RegExp(`^ballast: the database at ${where}/${db} \\(DATABASE_URL\\) refused the connection: ${why}\\n$`), `${why}: ${args.join(' ')}`);
      for (const secret of ['wr0ng-pw', decodeURIComponent(real.password)].filter(Boolean)) {
        t.notOk((out.stdout + out.stderr).includes(secret), `${why}: ${args.join(' ')}: no password`);
      }
    }
  }
});
