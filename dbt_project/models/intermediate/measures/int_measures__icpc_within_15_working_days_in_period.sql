-- icpc_within_15_working_days_in_period (measures.md §3): of the initial conferences in
-- icpc_in_period, those held within 15 working days (var icpc_working_days) of the s47
-- start; a conference with no s47 start date counts as not within (int_cp_conferences).
{{ cp_conferences_measure('icpc_within_15_working_days_in_period', ['initial'], on_time=true) }}
