-- dbt never drops a model's table once the model is removed from the project. Models
-- retired here are dropped by name, so that no stale copy of personal data lingers in
-- the intermediate schema. (Removed in commit 675b3a0; replaced by int_cla_at_period_end
-- and int_legal_status_spells.)
drop table if exists intermediate.int_cla_snapshot;
drop table if exists intermediate.int_legal_statuses_at_period_end;
