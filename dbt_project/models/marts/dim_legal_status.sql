-- Legal status codes (SSDA903) from the contract's code sets, with the short-break flag
-- (var short_break_legal_statuses: V3/V4 are not counted as looked after).
select
    code as legal_status,
    description,
    code in {{ sql_list(var('short_break_legal_statuses')) }} as is_short_break,
    code_order
from {{ ref('code_sets') }}
where code_set = 'legal_status'
