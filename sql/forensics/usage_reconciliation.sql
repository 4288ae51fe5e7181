-- The mismatches of one usage reconciliation run ($1 = run id), with the run's
-- outcome: per agent and unit, the provider's value, ballast's (billed) value,
-- the difference (positive: ballast is missing events) and the provider's rows.
select r.id as run_id, r.usage_day, r.provider, r.source, r.status, r.error,
       m.agent_id, m.subject, m.unit, m.provider_value, m.ballast_value, m.difference, m.evidence
  from app.reconciliation_runs r
  left join app.reconciliation_mismatches m on m.run_id = r.id
 where r.id = $1
 order by m.agent_id nulls last, m.subject, m.unit;
