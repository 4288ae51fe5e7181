/**
 * How `ballast up` spaces the restarts of its embedded PostgreSQL and when it
 * gives up (restartDelay, with the clock passed in). The restarts themselves,
 * with real processes: test/fleet/up-pg-restart.test.ts.
 */
import t from 'tap';
import { DEFAULT_RESTART_POLICY, restartDelay } from '../../lib/embedded/index.ts';

const policy = DEFAULT_RESTART_POLICY;
const minute = 60_000;

t.test('the delay doubles with each restart in the window, up to the longest delay', async (t) => {
  t.equal(restartDelay([], 0, policy), 1000, 'the first restart after 1 s');
  t.equal(restartDelay([0], 1000, policy), 2000);
  t.equal(restartDelay([0, 1000, 3000], 7000, policy), 8000);
  t.equal(restartDelay([0, 1], 2, { ...policy, firstDelayMs: 20_000 }), 30_000, 'never more than 30 s');
});

t.test('one restart more than allowed within the window gives up', async (t) => {
  const five = [0, 1000, 3000, 7000, 15_000];
  t.equal(restartDelay(five.slice(0, 4), 15_000, policy), 16_000, 'the fifth is still made');
  t.equal(restartDelay(five, 31_000, policy), null, 'a sixth within 10 min is not');
});

t.test('restarts older than the window no longer count', async (t) => {
  const five = [0, 1000, 3000, 7000, 15_000];
  t.equal(restartDelay(five, 10 * minute + 3001, policy), 4000, 'three of five have left the window');
  t.equal(restartDelay(five, 10 * minute + 15_000, policy), 1000, 'a server that ran for 10 min starts over');
});
