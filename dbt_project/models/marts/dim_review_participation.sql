-- Participation of the child in a review (PN0–PN7), from the contract's code sets.
-- counts_as_participation: PN1–PN6 count as participating and PN7 not; PN0 (under 4)
-- is outside the participation rate (measures.md §3 cla_review_participation_rate).
select
    code as participation,
    description,
    case
        when code in {{ sql_list(var('review_participation_excluded_codes')) }} then null
        else code in {{ sql_list(var('review_participated_codes')) }}
    end as counts_as_participation,
    code_order
from {{ ref('code_sets') }}
where code_set = 'participation'
