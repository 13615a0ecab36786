-- DfE ethnicity codes from the contract's code sets, with their group (var ethnicity_groups).
select
    code as ethnicity,
    description,
    {{ ethnicity_group('code') }} as ethnicity_group,
    code_order
from {{ ref('code_sets') }}
where code_set = 'ethnicity'
