-- reserved: filled in by the issue that owns it (006_audit)
select 1;
