-- Age bands (the contract's bands, csc_pipeline/contract/measures.py AGE_BANDS), with Unborn and
-- Not known: every value of the age_band breakdown and of the facts' age bands, in order.
{%- set bands = {} %}
{%- for band in contract_age_bands() %}{% do bands.update({band['label']: band}) %}{% endfor %}
select
    v.age_band,
    v.age_band_order,
    v.min_years,
    v.max_years
from (
    values
    {%- for value in age_band_breakdown_values() %}
        ('{{ value }}'::text, {{ loop.index }}::integer,
         {{ bands[value]['min_years'] if value in bands else 'null' }}::integer,
         {{ bands[value]['max_years'] if value in bands and bands[value]['max_years'] is not none else 'null' }}::integer)
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
) as v (age_band, age_band_order, min_years, max_years)
