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
import { cardsIn, REDACTOR_PATTERNS } from '../../lib/failures/redact.ts';

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

t.test('card numbers in a run of digit groups: the same windows as checking each one by its digits', async (t) => {
  // The reference: every window of whole groups, leftmost then longest, its Luhn sum computed from its own digits.
  const luhn = (digits: string) => [...digits].reverse().reduce((sum, c, i) => {
    const d = Number(c) * (i % 2 === 1 ? 2 : 1);
    return sum + (d > 9 ? d - 9 : d);
  }, 0) % 10 === 0;
  const reference = (run: string, mask: (s: string) => string) => {
    const groups = [...run.matchAll(/\d+/g)].map((g) => ({ from: g.index, to: g.index + g[0].length }));
    let out = '';
    let done = 0;
    for (let i = 0; i < groups.length; i++) {
      let end = -1;
      for (let j = i, digits = 0; j < groups.length; j++) {
        digits += groups[j]!.to - groups[j]!.from;
        if (digits > 19) break;
        if (digits >= 13 && luhn(run.slice(groups[i]!.from, groups[j]!.to).replace(/\D/g, ''))) end = j;
      }
      if (end < 0) continue;
      out += run.slice(done, groups[i]!.from) + mask(run.slice(groups[i]!.from, groups[end]!.to));
      done = groups[end]!.to;
      i = end;
    }
    return out + run.slice(done);
  };
  // A seeded generator, so a failure names a run that can be replayed.
  let seed = 42;
  const next = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  const mask = (s: string) => `<${s}>`;
  let masked = 0;
  for (let k = 0; k < 3000; k++) {
    const run = Array.from({ length: 1 + next(14) }, () => String(next(10 ** (1 + next(6))))).join(next(2) ? ' ' : '-');
    const expected = reference(run, mask);
    if (expected !== run) masked++;
    if (cardsIn(run, mask) !== expected) { t.equal(cardsIn(run, mask), expected, run); break; }
  }
  t.ok(masked > 50, `the runs hold cards to find (${masked} of 3000)`);
  t.equal(cardsIn('4111 1111 1111 1111 12 27', mask), '<4111 1111 1111 1111> 12 27');
  t.equal(cardsIn('4111-1111-1111-1112', mask), '4111-1111-1111-1112', 'a failed check is left alone');
});
