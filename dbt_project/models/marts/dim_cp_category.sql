-- Categories of abuse of a child protection plan, from the contract's code sets.
select
    code as category,
    description,
    code_order
from {{ ref('code_sets') }}
where code_set = 'cp_category'
