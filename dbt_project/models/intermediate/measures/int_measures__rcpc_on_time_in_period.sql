-- rcpc_on_time_in_period (measures.md §3): of the review conferences in rcpc_in_period,
-- those held on time: the first within 3 months of the initial conference (the plan's
-- start when it has none), later ones within 6 months of the previous review
-- (int_cp_conferences).
{{ cp_conferences_measure('rcpc_on_time_in_period', ['review'], on_time=true) }}
