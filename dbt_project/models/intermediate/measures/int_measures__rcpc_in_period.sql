-- rcpc_in_period (measures.md §3): review conferences held in the period, counted per
-- child and plan (the family's rule: macros/measure_families.sql cp_conferences_measure).
{{ cp_conferences_measure('rcpc_in_period', ['review']) }}
