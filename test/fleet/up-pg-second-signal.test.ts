/**
 * `ballast up` sent a second SIGTERM (to it alone, as `kill` or a supervisor
 * that signals one pid does): it exits at once, and the embedded PostgreSQL it
 * started shuts down too instead of outliving it unwatched.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { alive, postmasterPid, startedChildren, upOnFreshDataDir } from '../helpers/up.ts';
import { waitFor } from '../helpers/wait.ts';

t.test('a second SIGTERM to `up` alone exits at once, and its embedded PostgreSQL shuts down too instead of outliving it', async (t) => {
  const { up, dataDir } = await upOnFreshDataDir(t);
  const postmaster = postmasterPid(dataDir);
  t.ok(alive(postmaster));
  // The worker is frozen, so the graceful stop the first signal starts waits on it (up to its grace period):
  // the second signal lands while up is still stopping, whatever the machine's speed.
  const worker = startedChildren(up).find((c) => c.child === 'worker-1')!;
  process.kill(worker.pid, 'SIGSTOP');
  t.teardown(() => { if (alive(worker.pid)) process.kill(worker.pid, 'SIGKILL'); });
  up.child.kill('SIGTERM');
  await waitFor('up to start its graceful stop', async () => up.output().includes('stopping: receiver closing'), { timeoutMs: 60_000, intervalMs: 50 });
  up.child.kill('SIGTERM');
  const [code] = await once(up.child, 'exit');
  t.equal(code, 1, 'the second signal exits at once');
  t.match(up.output(), /second signal: exiting now; the embedded PostgreSQL shuts down \(fast\) on its own/);
  await waitFor('the postmaster to exit', async () => !alive(postmaster), { timeoutMs: 60_000, intervalMs: 100 });
  t.notOk(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'a clean shutdown: its pid file is gone');
});
