/**
 * The redactor reads hostile text (webhook bodies, error messages), so each
 * of its patterns must run in time linear in the text. A clock can't show
 * that reliably, so this counts instead: recheck models the JavaScript
 * backtracking engine and counts its steps. For a pattern without lookarounds
 * it decides from the pattern's automaton; for the others it runs a seeded
 * fuzzer that grows inputs and flags step counts that grow faster than the
 * input. Every time limit is off, so the verdict depends on no clock.
 */
import t from 'tap';
import { checkSync } from 'recheck';
import { Redactor } from '../../lib/failures/index.ts';
import { REDACTOR_PATTERNS } from '../../lib/failures/redact.ts';

const redactor = new Redactor({ key: 'test-redaction-key-0123456789abcdef0123456789' });
const NO_CLOCK = { randomSeed: 1, timeout: null, attackTimeout: null, incubationTimeout: null, seedingTimeout: null };

t.test('every pattern the redactor reads text with runs in linear time (counted in engine steps, not timed)', async (t) => {
  t.ok(REDACTOR_PATTERNS.length >= 10, 'the list holds the text patterns and the whole-value patterns');
  for (const re of REDACTOR_PATTERNS) {
    const verdict = checkSync(re.source, re.flags, NO_CLOCK);
    const attack = verdict.status === 'vulnerable' ? ` (grows ${verdict.complexity.summary} on ${verdict.attack.pattern})` : '';
    t.equal(verdict.status, 'safe', `/${re.source.slice(0, 60)}…/ is linear${attack}`);
  }
});

t.test('the shapes that made the redactor slow are redacted as before', async (t) => {
  const m = (kind: Parameters<Redactor['mask']>[0], v: string) => redactor.mask(kind, v);
  const groups = (n: number, group: string, sep: string) => Array(n).fill(group).join(sep);
  const untouched = [
    groups(16_000, '12', '-'), groups(16_000, '12', '.'), groups(16_000, '123', '.'), 'eyJ-'.repeat(12_000),
    `password is ${'\t'.repeat(48_000)}"`, `"note": ${' '.repeat(48_000)}x`,
  ];
  for (const line of untouched) t.ok(redactor.text(line) === line, `${JSON.stringify(line.slice(0, 16))}… (${line.length} characters) is left alone`);
  const run = groups(16_000, '12', '-');
  t.ok(redactor.text(`${run}-jane@example.com`) === m('email', `${run}-jane@example.com`), 'an address at the end of a long run is the whole run, as before');
  t.ok(redactor.text(`${run} jane@example.com`) === `${run} ${m('email', 'jane@example.com')}`, 'an address after a long run');
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  t.ok(redactor.text(`${'eyJ-'.repeat(12_000)} ${jwt}`) === `${'eyJ-'.repeat(12_000)} ${m('token', jwt)}`, 'a JWT after a long run of its own prefix');
  t.equal(redactor.text(`ref-${jwt}`), `ref-${m('token', jwt)}`, 'a JWT after a dash');
  t.equal(redactor.text('my password is\t\thunter22'), `my password is\t\t${m('secret', 'hunter22')}`, 'a secret named in words, after tabs');
});
