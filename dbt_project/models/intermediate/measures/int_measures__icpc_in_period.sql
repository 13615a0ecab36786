-- icpc_in_period (measures.md §3): initial conferences held in the period, counted per
-- child (one row per child per conference), transfer-ins excluded (the family's rule:
-- macros/measure_families.sql cp_conferences_measure).
{{ cp_conferences_measure('icpc_in_period', ['initial']) }}
