-- reserved: filled in by the issue that owns it (004_failures)
select 1;
