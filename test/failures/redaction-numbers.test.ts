/**
 * The redactor's number shapes, as pure functions: decimal numbers (floats,
 * durations with long fractions) are not card or phone numbers, while card and phone
 * numbers stay masked wherever they appear, decimals beside them included (also
 * in a real log line); and validation messages name the E.164 format without a phone-shaped example.
 */
import { Writable } from 'node:stream';
import t from 'tap';
import { Redactor } from '../../lib/failures/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { e164 } from '../../lib/ingest/telephony.ts';

const redactor = new Redactor({ key: 'test-redaction-key-0123456789abcdef0123456789' });
const m = (kind: Parameters<Redactor['mask']>[0], v: string) => redactor.mask(kind, v);
const CARD = '4111 1111 1111 1111';

t.test('a decimal number is left alone, however long its fraction', async (t) => {
  // Each holds a Luhn-valid run of 13 or more digits: alone, that run is masked as a card number.
  const decimals: [string, string][] = [
    ['Cron hit an error; restarting in 527.7223370620578ms', '7223370620578'],
    ['ratio 0.21849118366906817', '21849118366906817'],
    ['took 368.41733096832917 s', '41733096832917'],
    ['{"elapsed_ms":16.94995221147422,"ok":false}', '94995221147422'],
    ['delta -0.01131204432897559', '01131204432897559'],
    ['at 1764290000009.325 (ms since the epoch)', '1764290000009'],
  ];
  for (const [line, digits] of decimals) {
    t.match(redactor.text(digits), /^\[redacted:card:[0-9a-f]{12}\]$/, `${digits} alone is a card-number candidate`);
    t.equal(redactor.text(line), line, `${line} is left alone`);
    t.same(redactor.value({ msg: line }), { msg: line }, 'also as a value in a log object');
  }
});

t.test('card numbers stay masked: groupings, JSON strings, URLs, query strings, and beside a decimal', async (t) => {
  const cases: [string, string][] = [
    [`card ${CARD}`, `card ${m('card', CARD)}`],
    ['card 4111-1111-1111-1111.', `card ${m('card', '4111-1111-1111-1111')}.`],
    ['amex 3782 822463 10005', `amex ${m('card', '3782 822463 10005')}`],
    ['visa 4222222222222 (13 digits)', `visa ${m('card', '4222222222222')} (13 digits)`],
    ['discover 6011 0000 0000 0000 001 (19 digits)', `discover ${m('card', '6011 0000 0000 0000 001')} (19 digits)`],
    ['{"card":"5555555555554444","amount":12.50}', `{"card":"${m('card', '5555555555554444')}","amount":12.50}`],
    ['https://pay.example.test/charge?number=4111111111111111&amount=894.62', `https://pay.example.test/charge?number=${m('card', '4111111111111111')}&amount=894.62`],
    ['card=4111-1111-1111-1111&ratio=0.21849118366906817', `card=${m('card', '4111-1111-1111-1111')}&ratio=0.21849118366906817`],
    [`took 527.7223370620578ms to charge ${CARD}`, `took 527.7223370620578ms to charge ${m('card', CARD)}`],
    [`total 12.5 ${CARD}`, `total 12.5 ${m('card', CARD)}`],
    ['4111111111111111 2.5', `${m('card', '4111111111111111')} 2.5`],
    ['order 1732700000001 is not Luhn-valid', 'order 1732700000001 is not Luhn-valid'],
  ];
  for (const [line, masked] of cases) t.equal(redactor.text(line), masked, line);
  t.same(redactor.value({ note: `paid with ${CARD} in 0.21849118366906817 s`, card_number: CARD }),
    { note: `paid with ${m('card', CARD)} in 0.21849118366906817 s`, card_number: m('card', CARD) }, 'in a JSON value and under a key name');
});

t.test('a card number beside other numbers is masked, not passed over with them', async (t) => {
  const cases: [string, string][] = [
    [`my card is ${CARD} 12/27 cvv 123`, `my card is ${m('card', CARD)} 12/27 cvv 123`],
    ['card 4111111111111111 12/27', `card ${m('card', '4111111111111111')} 12/27`],
    [`room 12 ${CARD}`, `room 12 ${m('card', CARD)}`],
    [`cards ${CARD} 5555 5555 5555 4444`, `cards ${m('card', CARD)} ${m('card', '5555 5555 5555 4444')}`],
  ];
  for (const [line, masked] of cases) t.equal(redactor.text(line), masked, line);
});

t.test('phone numbers stay masked, beside a decimal too', async (t) => {
  for (const phone of ['+15555550123', '+1 555 555 0123', '(555) 010-9999', '555.123.4567', '555-1234']) {
    t.equal(redactor.text(`call ${phone} now`), `call ${m('phone', phone)} now`, phone);
  }
  t.equal(redactor.text('retry in 527.7223370620578ms, then call +15555550123'), `retry in 527.7223370620578ms, then call ${m('phone', '+15555550123')}`);
});

t.test('a decimal number is not a phone number, while phone numbers in every spelling stay masked', async (t) => {
  const decimals = [
    'request took 123.4567 ms', 'took 555.1234 s', 'delta +3.14159265 rad', 'ratio 0.555 123 4567 units', 'at 555-123-4567.25',
    'Completed task 7 (summarize_interaction, 894.6227863000001ms, success)', 'restarting in 527.7223370620578ms',
    '{"elapsed_ms":123.4567,"ok":true}',
  ];
  for (const line of decimals) t.equal(redactor.text(line), line, `${line} is left alone`);
  t.same(redactor.value({ msg: 'took 123.4567 ms', duration: '894.6227863000001ms', elapsed: 123.4567 }),
    { msg: 'took 123.4567 ms', duration: '894.6227863000001ms', elapsed: 123.4567 }, 'also as values in a log object');
  t.equal(redactor.value({ secret: '123.4567' }).secret, m('secret', '123.4567'), 'a decimal under a sensitive key is masked as a secret, not a phone');
  const phones = ['+15555550123', '+1 555 555 0123', '+1-555-555-0123', '+1 (555) 555-0123', '(555) 010-9999', '555.123.4567', '555 123 4567', '555-1234'];
  for (const phone of phones) {
    t.equal(redactor.text(`call ${phone}. Thanks`), `call ${m('phone', phone)}. Thanks`, `${phone} at the end of a sentence`);
    t.equal(redactor.text(`took 123.4567 ms, call ${phone}`), `took 123.4567 ms, call ${m('phone', phone)}`, `${phone} beside a decimal`);
  }
});

t.test('a log line keeps its durations readable and masks the phone number beside them', async (t) => {
  const lines: string[] = [];
  const log = createLogger('info', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }), redactor);
  log.info({ duration: '894.6227863000001ms', elapsed_ms: 894.6227863000001, took: '123.4567 ms', phone: '+15555550123' },
    'request took 123.4567 ms; callback 555-123-4567');
  const line = JSON.parse(lines[0]!);
  t.match(line, { duration: '894.6227863000001ms', elapsed_ms: 894.6227863000001, took: '123.4567 ms', phone: m('phone', '+15555550123'),
    msg: `request took 123.4567 ms; callback ${m('phone', '555-123-4567')}` });
});

t.test('a payload validation message names the E.164 format without a phone-shaped example', async (t) => {
  const result = e164.safeParse('5550100');
  t.notOk(result.success);
  const message = result.error!.issues[0]!.message;
  t.match(message, /E\.164/);
  t.equal(redactor.text(message), message, 'the redactor finds nothing to mask in it');
});
