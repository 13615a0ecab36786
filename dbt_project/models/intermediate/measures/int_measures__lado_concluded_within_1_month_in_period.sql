-- lado_concluded_within_1_month_in_period (measures.md §3): of the allegations concluded in
-- the period, those whose outcome came within one calendar month of referral (the family's
-- rule: macros/measure_families.sql lado_concluded_within).
{{ lado_concluded_within(1) }}
