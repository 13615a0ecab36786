-- cla_placed_over_20_miles_at_period_end (measures.md §3): of the children looked after
-- at period end (short breaks excluded), those whose current placement is more than 20
-- miles (var placement_distance_miles) from home; a distance of 999.9 (var
-- placement_distance_unknown), none recorded, or no placement in force is unknown and
-- outside both numerator and denominator.
with

children as (

    select * from {{ ref('int_cla_at_period_end') }}
    where not is_short_break
        and placement_distance is not null
        and placement_distance <> {{ var('placement_distance_unknown') }}

),

population as (

    select
        la_code,
        period_type,
        period_label,
        placement_distance > {{ var('placement_distance_miles') }} as in_numerator
    from children

),

cells as (

    {{ measure_percentages('cla_placed_over_20_miles_at_period_end', 'population') | indent(4) }}

)

select * from cells
