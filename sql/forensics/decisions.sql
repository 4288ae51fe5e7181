-- name: decisions
-- The decisions made for one interaction, newest first, with engine version and code hash.
-- $1: interaction id
select d.id as decision_id, d.task, d.task_version, d.engine_version, left(d.engine_code_hash, 12) as code_hash,
       d.input_redacted, d.output_hash = d.live_output_hash as baseline_is_live, d.trace_id, d.decided_at
  from replay.decisions d
 where d.interaction_id = $1
 order by d.id desc;
