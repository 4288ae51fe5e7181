-- reserved: filled in by the issue that owns it (005_search)
select 1;
