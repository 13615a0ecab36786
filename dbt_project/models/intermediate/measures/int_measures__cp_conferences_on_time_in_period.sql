-- cp_conferences_on_time_in_period (measures.md §3): initial conferences within 15
-- working days plus review conferences on time, over cp_conferences_in_period.
{{ cp_conferences_measure('cp_conferences_on_time_in_period', ['initial', 'review'], on_time=true) }}
