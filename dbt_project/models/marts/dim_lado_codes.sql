-- The LADO code sets (referral source, employment sector, harm category, outcome) from
-- the contract's code sets.
select
    code_set,
    code,
    description,
    code_order
from {{ ref('code_sets') }}
where code_set in ('lado_referral_source', 'lado_employment_sector', 'lado_harm_category', 'lado_outcome')
