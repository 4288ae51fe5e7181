-- The audit triggers' helpers as PL/pgSQL. As SQL functions they were not
-- inlined (their row argument is used more than once), and a SQL function that
-- is not inlined is planned again on every call: about 0.1 ms per call, three
-- calls per audited row. PL/pgSQL keeps its plans, so each call costs a few
-- microseconds. Same results (test/audit/ledger.test.ts).

create or replace function audit.key_of(j jsonb, keys text[]) returns text
  language plpgsql immutable parallel safe as $$
begin
  if cardinality(keys) = 1 then
    return j ->> keys[1];
  end if;
  return array_to_string(array(select j ->> k from unnest(keys) k), ',');
end $$;

-- Personal data and secrets are kept as a short hash: enough to see that a value changed.
create or replace function audit.redact(j jsonb, cols text[]) returns jsonb
  language plpgsql immutable parallel safe as $$
declare
  c text;
begin
  if j is null or cardinality(cols) = 0 then
    return j;
  end if;
  foreach c in array cols loop
    if jsonb_typeof(j -> c) <> 'null' then
      j := jsonb_set(j, array[c], to_jsonb('sha256:' || left(encode(sha256(convert_to((j -> c)::text, 'UTF8')), 'hex'), 16)));
    end if;
  end loop;
  return j;
end $$;

-- Called once per statement that changes a decision; same reason.
create or replace function search.wake_sync(trace text, correlation text) returns void
  language plpgsql as $$
begin
  perform graphile_worker.add_job(
    'search_sync',
    json_build_object('trace_id', trace, 'correlation_id', correlation),
    job_key => 'search_sync', job_key_mode => 'preserve_run_at', max_attempts => 25);
end $$;
