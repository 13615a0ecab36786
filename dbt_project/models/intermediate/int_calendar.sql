-- The working-day calendar (measures.md §2): one row per day of the bank-holiday seed's
-- years with weekends, England and Wales bank holidays, working days and the working-day
-- index that turns "N working days after D" into an index lookup (macros
-- join_working_days_after / _before). Analysed after it is built, so joins on it are
-- planned with real statistics.
{{ config(materialized='table', indexes=[], meta={'all_councils': true},
          post_hook='analyze {{ this }}') }}

{{ calendar_days() }}
