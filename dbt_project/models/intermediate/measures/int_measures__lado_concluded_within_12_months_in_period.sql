-- lado_concluded_within_12_months_in_period (measures.md §3): of the allegations concluded
-- in the period, those whose outcome came within twelve calendar months of referral (the
-- family's rule: macros/measure_families.sql lado_concluded_within).
{{ lado_concluded_within(12) }}
