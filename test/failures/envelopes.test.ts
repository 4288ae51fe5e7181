import t from 'tap';
import { buildEnvelope, classify, layerAllows, LayerViolationError, recordFailure, InvalidInputError } from '../../lib/failures/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';

const { db: pool } = await testDatabase(t);
const db = { db: pool, redactor };
const trace = { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', correlation_id: 'telephony:msg_1' };
const envelope = (over: Partial<Parameters<typeof buildEnvelope>[1]> = {}) => buildEnvelope(redactor, {
  err: new InvalidInputError('payload.n: expected number', { cause: new Error('root cause') }),
  classification: classify(new InvalidInputError('x')), component: 'tasks.normalize_event', severity: 'error',
  input: { n: 'seven', secret: 'hunter2' }, trace, ...over,
});

t.test('an envelope has the seed fields, an input hash and a sanitized chain, never the input', async (t) => {
  const e = envelope();
  t.match(e, { error_id: /^err_[0-9a-f]{12}$/, layer: 'L4', error_class: 'domain.input_invalid', severity: 'error',
    correlation_id: 'telephony:msg_1', trace_id: trace.trace_id, input_hash: /^[0-9a-f]{16}$/, exception_type: 'InvalidInputError' });
  t.same(e.exception_chain, ['InvalidInputError: payload.n: expected number', 'Error: root cause']);
  t.notMatch(JSON.stringify(e), /hunter2|seven/, 'the raw input is not in the envelope');
  t.equal(envelope().input_hash, e.input_hash, 'the same input hashes the same');
});

t.test('the layer rules refuse a class its layer may not emit, in TypeScript and in SQL', async (t) => {
  t.notOk(layerAllows('L5', 'domain.input_invalid'));
  t.notOk(layerAllows('L4', 'infra.network'));
  t.ok(layerAllows('L4', 'system.unexpected'));
  t.throws(() => envelope({ classification: { layer: 'L5', errorClass: 'domain.input_invalid' } }), LayerViolationError);
  const forged = { ...envelope(), layer: 'L2', error_class: 'domain.input_invalid' };
  await t.rejects(recordFailure(db, { envelope: forged as never }), /LAYER_VIOLATION: layer L2 may not emit domain.input_invalid/);
  await t.rejects(pool.query(`insert into ballast.error_envelopes (error_id, layer, component, error_class, severity, message)
    values ('err_000000000001', 'L3', 'x', 'infra.Not A Class', 'error', 'm')`), /check constraint/, 'classes outside the taxonomy are refused');
});

t.test('envelopes are append-only: no update, no delete, no truncate; a re-insert is a no-op', async (t) => {
  const e = envelope();
  await recordFailure(db, { envelope: e });
  await recordFailure(db, { envelope: { ...e, message: 'a second write of the same id' } });
  const { rows } = await pool.query('select message from ballast.error_envelopes where error_id = $1', [e.error_id]);
  t.same(rows, [{ message: e.message }], 'first write wins');
  await t.rejects(pool.query(`update ballast.error_envelopes set message = 'x' where error_id = $1`, [e.error_id]), /append-only/);
  await t.rejects(pool.query(`delete from ballast.error_envelopes where error_id = $1`, [e.error_id]), /only by ballast.cleanup_old_errors/);
  await t.rejects(pool.query('truncate ballast.error_envelopes'), /cannot be truncated/);
  // A role that may DELETE and sets the retention flag itself still cannot.
  await pool.query(`do $$ begin create role ballast_test_deleter nologin; exception when duplicate_object then null; end $$`);
  await pool.query('grant usage on schema ballast to ballast_test_deleter; grant select, delete on ballast.error_envelopes to ballast_test_deleter');
  await t.rejects(pool.atomicWrite(async (tx) => {
    await tx.query('set local role ballast_test_deleter');
    await tx.query(`select set_config('ballast.retention', 'error_envelopes', true)`);
    await tx.query('delete from ballast.error_envelopes where error_id = $1', [e.error_id]);
  }), /only by ballast.cleanup_old_errors/, 'setting the flag by hand does not open the door');
});

t.test('only the retention function deletes, and only old rows a verified archive holds', async (t) => {
  const old = envelope();
  await recordFailure(db, { envelope: old });
  await pool.query(`alter table ballast.error_envelopes disable trigger error_envelopes_guard`);
  // Ageing it moves it to another partition (a delete and an insert), which takes a reason.
  await pool.atomicWrite((tx) => tx.query(`update ballast.error_envelopes set created_at = now() - interval '100 days' where error_id = $1`, [old.error_id]),
    { reason: 'test: age an envelope' });
  await pool.query(`alter table ballast.error_envelopes enable trigger error_envelopes_guard`);
  const cleanup = async () => (await pool.atomicWrite((tx) => tx.query('select ballast.cleanup_old_errors(90) as n'), { reason: 'retention test' })).rows[0].n;
  t.equal(await cleanup(), 0, 'kept while no verified archive holds it (014_retention.sql)');
  await pool.query(`insert into ballast.archives (table_name, partition_name, range_from, range_to, store, key, row_count, bytes,
                      file_sha256, content_hash, schema_version, status, exported_at, manifest)
                    values ('ballast.error_envelopes', 'ballast.error_envelopes_test', now() - interval '1 year', now() - interval '90 days',
                            'local', 'test', 1, 1, 'test', 'test', 'test', 'verified', now(), '{}')`);
  t.equal(await cleanup(), 1);
  t.equal((await pool.query('select count(*)::int as n from ballast.error_envelopes where error_id = $1', [old.error_id])).rows[0].n, 0);
  t.ok((await pool.query('select count(*)::int as n from ballast.error_envelopes')).rows[0].n > 0, 'recent envelopes stay');
});

t.test('query functions: by correlation, component, class, counts, timeline', async (t) => {
  const { rows: byCorr } = await pool.query(`select error_id from ballast.errors_by_correlation('telephony:msg_1')`);
  t.ok(byCorr.length >= 1);
  t.ok((await pool.query(`select * from ballast.errors_by_component('tasks.normalize_event')`)).rows.length >= 1);
  t.ok((await pool.query(`select * from ballast.errors_by_class('domain')`)).rows.length >= 1, 'a class prefix matches its children');
  const { rows: counts } = await pool.query(`select * from ballast.error_counts_by_class()`);
  t.match(counts[0], { error_class: 'domain.input_invalid', errors: Number });
  t.ok((await pool.query(`select * from ballast.error_counts_by_component()`)).rows.length >= 1);
  const { rows: timeline } = await pool.query(`select * from ballast.error_timeline(now() - interval '1 hour', '5 minutes')`);
  t.ok(timeline.length >= 1);
});

t.test('diagnostics are bounded: repeats within the window are counted, not written again', async (t) => {
  for (let i = 0; i < 5; i++) {
    await recordFailure(db, { diagnostic: { function_name: 'segment_interaction', function_version: '1.0.0', log_level: 'warn',
      code: 'DOWNSTREAM_CALL_FAILED', message: `attempt ${i} failed`, metadata: { i } } });
  }
  const { rows } = await pool.query(`select occurrences, message from ballast.diagnostic_logs where function_name = 'segment_interaction'`);
  t.same(rows, [{ occurrences: 5, message: 'attempt 0 failed' }]);
  await t.rejects(pool.query(`select ballast.log_diagnostic('f', '1', 'error', 'NOT_A_CODE', 'm')`), /check constraint/, 'the taxonomy is closed');
});
