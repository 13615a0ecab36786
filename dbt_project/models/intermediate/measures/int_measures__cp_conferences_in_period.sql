-- cp_conferences_in_period (measures.md §3): icpc_in_period + rcpc_in_period (the family's
-- rule: macros/measure_families.sql cp_conferences_measure).
{{ cp_conferences_measure('cp_conferences_in_period', ['initial', 'review']) }}
