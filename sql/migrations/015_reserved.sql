-- Placeholder: 015 is another change's migration, made in parallel with 016
-- (postgres-migrations needs consecutive numbers). Delete this file when that
-- change's 015 is merged.
select 1;
