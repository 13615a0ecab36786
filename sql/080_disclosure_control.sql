-- Statistical disclosure control of the published performance measures: the rule of
-- measures.md §1, implemented once, here. dbt's int_measures_suppressed calls it over
-- int_measures_unioned (the cells) and int_measure_disclosure_sets (the additive sets,
-- derived from the measure catalogue); published_value comes from here and nowhere else.
--
-- The rule (measures.md §1). A reader knows that a `c` count is at least 1 (true zeros are
-- published) and combines the published figures through the listed additive sets; in no set
-- may a `c` cell be worked out exactly.
--   1. Primary: every count from suppression_min to suppression_max (1–5) is `c`; a
--      percentage is `c` when its numerator, its denominator or their difference (the
--      complement) is 1–5. A percentage with denominator 0 is `z`; an unavailable measure `x`.
--   2. Secondary, applied in a fixed order until nothing changes: in any set where a `c` cell
--      can be worked out, suppress the smallest non-zero published member of the set, the
--      set's sum included (ties: the first in breakdown-value order, the sum last). A 0 is
--      never suppressed.
-- "Can be worked out" is judged as the reader would, across sets: every unknown gets the
-- interval of values the published figures allow, narrowed set by set (an unknown member is
-- at most the sum less the least the other members can be, and at least the sum less the most
-- they can be; a sum lies between its members' totals) until no interval narrows. A single
-- `c` in a set, or `c` cells whose sum equals their number, are the cases one set gives away
-- by itself; across sets, a band that is the sum of two `c` years is at least 2, which can pin
-- a `c` cell of another set. A `c` cell is worked out when its interval is one value. The set
-- the rule is applied in is one whose own bound meets that interval: first one that gives the
-- cell away by itself, then the first in the fixed order; while some cell is given away by one
-- set alone, only those cells are dealt with in a round.
-- A cell's parts: a count has its value; a percentage its numerator, denominator and
-- complement (numerator + complement = denominator, a set of its own), published or
-- suppressed together (a percentage published with its denominator publishes its numerator
-- for every set). Protected: a `c` count (at least 1), and the numerator and complement of a
-- `c` percentage (at least 0 each); a `c` percentage's denominator is unknown (at least 1) but
-- not protected, so that a published count equal to it (the conferences a timeliness
-- percentage is of) stays published. `x` cells are unknown (at least 0), never protected,
-- never suppressed.
-- The fixed order: sets by `phase`, then set id. Each round works the intervals out afresh
-- (for the groups of sets a suppression touched) from what is published then, and every
-- worked-out cell dealt with gets one suppression, in the set chosen as above; rounds go on
-- until one suppresses nothing. The result depends only on the cells and the sets, not on the
-- order of the rows: it is deterministic.
-- A set that does not add up in the data (a definition that does not hold for this data) is
-- no set a reader can use: it is left out, with a warning naming it.
--
-- cells: a relation with la_code, period_type, period_label, measure_id, breakdown,
--   breakdown_value, unit (count|percent), value, numerator, denominator, is_available.
-- set_members: a relation with set_id, phase, the six key columns of a cell, part
--   (value|numerator|denominator|complement), is_sum (the set's sum: exactly one per set) and
--   member_order (the tie order), is_derived (the member is a derived part, a sum no cell
--   publishes, keyed like a cell). A member with no cell in `cells` that is not derived is
--   absent (0 rows), as when a measure named in a set is not built; a set without its sum, or
--   with no member, is dropped.
-- Returns every cell's key with published_value and suppression (primary, secondary or NULL).
create or replace function private.disclosure_control(
    cells regclass,
    set_members regclass,
    suppression_min numeric default 1,
    suppression_max numeric default 5
) returns table (
    la_code text, period_type text, period_label text, measure_id text, breakdown text,
    breakdown_value text, published_value text, suppression text
)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
    round_no integer := 0;
    step integer := 0;
    iteration integer;
    narrowed bigint;
    suppressed bigint;
    not_adding_up text;
    view_name text;
    search_depth integer;
    left_worked_out bigint;
begin
    drop view if exists pg_temp.dc_derived, pg_temp.dc_alone;
    drop table if exists pg_temp.dc_cell, pg_temp.dc_member, pg_temp.dc_quantity, pg_temp.dc_set,
        pg_temp.dc_unusable, pg_temp.dc_focus, pg_temp.dc_search, pg_temp.dc_meets,
        pg_temp.dc_said;

    execute format($sql$
        create temp table dc_cell on commit drop as
        select
            row_number() over (order by la_code, period_type, period_label, measure_id, breakdown,
                               breakdown_value) as cell_id,
            la_code::text, period_type::text, period_label::text, measure_id::text, breakdown::text,
            breakdown_value::text, unit::text, value::numeric, numerator::numeric,
            denominator::numeric, is_available::boolean,
            null::text as status, null::text as suppression, null::integer as suppressed_in
        from %s
    $sql$, cells);
    create unique index on pg_temp.dc_cell (la_code, period_type, period_label, measure_id, breakdown, breakdown_value);
    create unique index on pg_temp.dc_cell (cell_id);

    -- 1. primary suppression, and what is not a number
    update pg_temp.dc_cell set status = case
        when not coalesce(is_available, false) then 'x'
        when unit = 'count' and value is null then 'x'
        when unit = 'percent' and denominator = 0 then 'z'
        when unit = 'percent' and (value is null or numerator is null or denominator is null) then 'x'
        when unit = 'count' and value between suppression_min and suppression_max then 'c'
        when unit = 'percent' and (numerator between suppression_min and suppression_max
            or denominator between suppression_min and suppression_max
            or denominator - numerator between suppression_min and suppression_max) then 'c'
        else 'published'
    end;
    update pg_temp.dc_cell set suppression = 'primary' where status = 'c';

    -- derived parts (is_derived: sums of cells no cell publishes, e.g. two quarters together)
    -- are unknowns of their own, never protected or suppressed
    execute format($sql$
        insert into pg_temp.dc_cell (cell_id, la_code, period_type, period_label, measure_id, breakdown,
            breakdown_value, unit, is_available, status)
        select
            (select coalesce(max(cell_id), 0) from pg_temp.dc_cell)
                + row_number() over (order by la_code, period_type, period_label, measure_id, breakdown,
                                     breakdown_value),
            la_code, period_type, period_label, measure_id, breakdown, breakdown_value,
            unit, false, 'derived'
        from (
            select la_code::text, period_type::text, period_label::text, measure_id::text, breakdown::text,
                breakdown_value::text, case when bool_and(part = 'value') then 'count' else 'percent' end as unit
            from %s
            where is_derived
            group by 1, 2, 3, 4, 5, 6
        ) as derived
    $sql$, set_members);

    -- the sets on cell ids; and each percentage's own set, numerator + complement = denominator
    execute format($sql$
        create temp table dc_member on commit drop as
        select s.set_id::text as set_name, s.phase::integer as phase, c.cell_id, s.part::text as part,
            s.is_sum::boolean as is_sum, s.member_order::integer as member_order
        from %s as s
        inner join pg_temp.dc_cell as c
            on c.la_code = s.la_code and c.period_type = s.period_type
            and c.period_label = s.period_label and c.measure_id = s.measure_id
            and c.breakdown = s.breakdown and c.breakdown_value = s.breakdown_value
    $sql$, set_members);
    if exists (select from pg_temp.dc_member as m join pg_temp.dc_cell as c using (cell_id)
               where m.part not in ('value', 'numerator', 'denominator', 'complement')
                  or (m.part = 'value') <> (c.unit = 'count')) then
        raise exception 'disclosure_control: a count takes part in a set by its value, a percentage by its '
            'numerator, denominator or complement';
    end if;
    insert into pg_temp.dc_member (set_name, phase, cell_id, part, is_sum, member_order)
    select 'percentage|' || c.cell_id, 0, c.cell_id, p.part, p.part = 'denominator', p.member_order
    from pg_temp.dc_cell as c
    cross join (values ('numerator', 1), ('complement', 2), ('denominator', 0)) as p (part, member_order)
    where c.unit = 'percent' and c.cell_id in (select m.cell_id from pg_temp.dc_member as m);

    -- every part of a cell a set names: its amount, and the least a reader knows it is when `c`
    create temp table dc_quantity with (fillfactor = 50) on commit drop as
    select
        row_number() over (order by m.cell_id, m.part) as quantity_id, m.cell_id, m.part,
        case m.part
            when 'value' then c.value
            when 'numerator' then c.numerator
            when 'denominator' then c.denominator
            when 'complement' then c.denominator - c.numerator
        end as amount,
        case m.part when 'value' then 1 when 'denominator' then 1 else 0 end::numeric as least_when_c,
        m.part <> 'denominator' as is_protected_part,
        false as is_unknown, null::numeric as lo, null::numeric as hi
    from (select distinct cell_id, part from pg_temp.dc_member) as m
    inner join pg_temp.dc_cell as c using (cell_id);
    create unique index on pg_temp.dc_quantity (cell_id, part);
    create unique index on pg_temp.dc_quantity (quantity_id);
    alter table pg_temp.dc_member add column quantity_id bigint;
    update pg_temp.dc_member as m set quantity_id = q.quantity_id
    from pg_temp.dc_quantity as q where q.cell_id = m.cell_id and q.part = m.part;

    -- sets that are no sets: without exactly one sum or with no member (a year or band not
    -- published), or not adding up in the data
    create temp table dc_unusable on commit drop as
    select m.set_name,
        count(*) filter (where m.is_sum) = 1 and count(*) filter (where not m.is_sum) > 0 as is_well_formed
    from pg_temp.dc_member as m
    inner join pg_temp.dc_quantity as q using (quantity_id)
    group by m.set_name
    having not (count(*) filter (where m.is_sum) = 1 and count(*) filter (where not m.is_sum) > 0)
        or (not bool_or(q.amount is null) and sum(case when m.is_sum then q.amount else -q.amount end) <> 0);
    select string_agg(set_name, ', ' order by set_name) into not_adding_up
    from pg_temp.dc_unusable where is_well_formed;
    if not_adding_up is not null then
        raise warning 'disclosure_control: sets that do not add up in the data are left out: %', left(not_adding_up, 2000);
    end if;
    delete from pg_temp.dc_member where set_name in (select set_name from pg_temp.dc_unusable);

    -- the fixed order of the sets
    create temp table dc_set on commit drop as
    select set_name, dense_rank() over (order by phase, set_name collate "C") as set_id
    from (select distinct set_name, phase from pg_temp.dc_member) as s;
    alter table pg_temp.dc_member add column set_id bigint;
    update pg_temp.dc_member as m set set_id = s.set_id from pg_temp.dc_set as s where s.set_name = m.set_name;
    create index on pg_temp.dc_member (set_id);
    create index on pg_temp.dc_member (quantity_id);
    analyze pg_temp.dc_cell;
    analyze pg_temp.dc_member;
    analyze pg_temp.dc_quantity;

    -- groups of parts tied together by sets: a suppression can only change what is known
    -- within its own group, so a round works out again only the groups that changed
    alter table pg_temp.dc_quantity add column component bigint, add column narrowed_in integer,
        add column reset_in integer not null default 1;
    update pg_temp.dc_quantity set component = quantity_id;
    loop
        update pg_temp.dc_quantity as q set component = x.component
        from (
            select m.quantity_id, min(s.component) as component
            from pg_temp.dc_member as m
            inner join (select m2.set_id, min(q2.component) as component
                        from pg_temp.dc_member as m2
                        inner join pg_temp.dc_quantity as q2 using (quantity_id)
                        group by m2.set_id) as s using (set_id)
            group by m.quantity_id
        ) as x
        where x.quantity_id = q.quantity_id and x.component < q.component;
        exit when not found;
    end loop;
    create index on pg_temp.dc_quantity (component);
    -- what is published stays known: its interval is its amount
    alter table pg_temp.dc_quantity add column base_lo numeric, add column base_hi numeric;
    update pg_temp.dc_quantity as q set lo = q.amount, hi = q.amount, base_lo = q.amount, base_hi = q.amount
    from pg_temp.dc_cell as c where c.cell_id = q.cell_id and c.status not in ('c', 'x', 'derived');
    analyze pg_temp.dc_quantity;

    -- What each set in focus (dc_focus) says of each of its parts given the intervals of the
    -- others, lo_s and hi_s (NULL: no bound): dc_derived from the intervals worked out so far,
    -- dc_alone from what alone is known of each unknown (a `c` count is at least 1, …), the
    -- rule's "a single `c`, or `c` cells whose sum equals their number" within the one set.
    create temp table dc_focus (set_id bigint primary key) on commit drop;
    create temp table dc_search (origin bigint, quantity_id bigint, depth integer,
        primary key (origin, quantity_id)) on commit drop;
    create temp table dc_meets (origin bigint, set_id bigint, by_itself boolean, cell_id bigint) on commit drop;
    create temp table dc_said (set_id bigint, quantity_id bigint, lo_s numeric, hi_s numeric,
        alone_lo_s numeric, alone_hi_s numeric) on commit drop;
    foreach view_name in array array['dc_derived', 'dc_alone'] loop
        execute format($sql$
            create temp view %1$I as
            with bounds as (
                select m.set_id, m.quantity_id, m.is_sum, q.%2$I as lo, q.%3$I as hi
                from pg_temp.dc_focus as f
                inner join pg_temp.dc_member as m using (set_id)
                inner join pg_temp.dc_quantity as q using (quantity_id)
            ),
            totals as (
                select
                    set_id,
                    sum(lo) filter (where not is_sum) as members_lo,
                    coalesce(sum(hi) filter (where not is_sum), 0) as members_hi,
                    count(*) filter (where not is_sum and hi is null) as members_unbounded,
                    max(lo) filter (where is_sum) as sum_lo,
                    max(hi) filter (where is_sum) as sum_hi
                from bounds
                group by set_id
            )
            select
                b.set_id,
                b.quantity_id,
                case
                    when b.is_sum then t.members_lo
                    when t.members_unbounded - (b.hi is null)::integer = 0
                        then t.sum_lo - (t.members_hi - coalesce(b.hi, 0))
                end as lo_s,
                case
                    when b.is_sum then case when t.members_unbounded = 0 then t.members_hi end
                    else t.sum_hi - (t.members_lo - b.lo)
                end as hi_s
            from bounds as b
            inner join totals as t using (set_id)
        $sql$, view_name, case view_name when 'dc_derived' then 'lo' else 'base_lo' end,
               case view_name when 'dc_derived' then 'hi' else 'base_hi' end);
    end loop;

    -- 2. secondary suppression, round by round
    loop
        round_no := round_no + 1;
        step := step + 1;
        -- the unknowns of the groups to work out again start from what alone is known of them
        update pg_temp.dc_quantity as q set
            lo = case c.status when 'c' then q.least_when_c else 0 end,
            hi = null,
            base_lo = case c.status when 'c' then q.least_when_c else 0 end,
            base_hi = null,
            narrowed_in = step
        from pg_temp.dc_cell as c
        where c.cell_id = q.cell_id and c.status in ('c', 'x', 'derived') and q.reset_in = round_no;

        -- narrow the intervals until none narrows, looking again only at the sets holding an
        -- interval that narrowed (intervals always hold the true value, so this ends)
        iteration := 0;
        loop
            iteration := iteration + 1;
            truncate pg_temp.dc_focus;
            insert into pg_temp.dc_focus
            select distinct m.set_id
            from pg_temp.dc_quantity as q inner join pg_temp.dc_member as m using (quantity_id)
            where q.narrowed_in = step;
            analyze pg_temp.dc_focus;  -- its size changes a lot: plan each step for it
            step := step + 1;
            update pg_temp.dc_quantity as q set
                lo = greatest(q.lo, b.lo),
                hi = least(q.hi, b.hi),
                narrowed_in = step
            from (select quantity_id, max(lo_s) as lo, min(hi_s) as hi
                  from pg_temp.dc_derived group by quantity_id) as b
            where b.quantity_id = q.quantity_id and (q.hi is null or q.lo < q.hi)
                and (b.lo > q.lo or b.hi < q.hi or (q.hi is null and b.hi is not null));
            get diagnostics narrowed = row_count;
            exit when narrowed = 0;
            if iteration >= 1000 then
                raise warning 'disclosure_control: intervals still narrowing after % steps (round %)', iteration, round_no;
                exit;
            end if;
        end loop;

        -- Where a worked-out cell is worked out: the sets whose own bound meets its interval.
        -- Sets that give it away by themselves come first (the rule as measures.md words it),
        -- and while any cell is given away by one set alone, only those are dealt with this
        -- round: their suppression often also hides the cells worked out through them. When no
        -- such set has anything to suppress (its other members 0, `c` or derived), the search
        -- goes on, a set at a time up to four sets away, to the sets that work out its pinned
        -- derived parts.
        truncate pg_temp.dc_search;
        insert into pg_temp.dc_search (origin, quantity_id, depth)
        select q.quantity_id, q.quantity_id, 0
        from pg_temp.dc_quantity as q
        inner join pg_temp.dc_cell as c on c.cell_id = q.cell_id
        where c.status = 'c' and q.is_protected_part and q.lo = q.hi;
        suppressed := 0;
        for search_depth in 0..4 loop
            truncate pg_temp.dc_focus;
            insert into pg_temp.dc_focus
            select distinct m.set_id
            from pg_temp.dc_search as s inner join pg_temp.dc_member as m using (quantity_id)
            where s.depth = search_depth;
            exit when not found;
            analyze pg_temp.dc_focus;
            -- what the sets say, kept (the views are joined, not only read)
            truncate pg_temp.dc_said;
            insert into pg_temp.dc_said
            select d.set_id, d.quantity_id, d.lo_s, d.hi_s, alone.lo_s, alone.hi_s
            from pg_temp.dc_derived as d
            inner join (select * from pg_temp.dc_alone) as alone using (set_id, quantity_id);
            analyze pg_temp.dc_said;
            truncate pg_temp.dc_meets;
            insert into pg_temp.dc_meets (origin, set_id, by_itself, cell_id)
            with meets as (
                select
                    s.origin,
                    s.quantity_id,
                    said.set_id,
                    search_depth = 0
                        and coalesce(said.alone_hi_s = q.hi and greatest(said.alone_lo_s, q.base_lo) = q.lo, false)
                        as by_itself
                from pg_temp.dc_search as s
                inner join pg_temp.dc_quantity as q using (quantity_id)
                inner join pg_temp.dc_said as said using (quantity_id)
                where s.depth = search_depth and (said.lo_s = q.lo or said.hi_s = q.hi)
            ),
            candidates as (
                select distinct on (m.set_id) m.set_id, q.cell_id
                from pg_temp.dc_member as m
                inner join pg_temp.dc_quantity as q using (quantity_id)
                inner join pg_temp.dc_cell as c on c.cell_id = q.cell_id
                where m.set_id in (select set_id from meets)
                    and c.status = 'published' and q.amount >= 0
                    and coalesce(c.denominator, c.value) > 0
                -- a member that is 0 in this set but is a percentage of something (0% or 100%)
                -- is taken only when there is no other: a 0 itself is never suppressed
                order by m.set_id, q.amount = 0, q.amount, m.is_sum, m.member_order, q.cell_id
            )
            select meets.origin, meets.set_id, meets.by_itself, candidates.cell_id
            from meets left join candidates using (set_id);

            with chosen as (
                select distinct on (origin) origin, by_itself, cell_id
                from pg_temp.dc_meets
                where cell_id is not null
                order by origin, by_itself desc, set_id
            )
            update pg_temp.dc_cell as c set status = 'c', suppression = 'secondary', suppressed_in = round_no
            where c.status = 'published' and c.cell_id in (
                select cell_id from chosen
                where by_itself or not exists (select from chosen as other where other.by_itself));
            get diagnostics suppressed = row_count;
            exit when suppressed > 0;
            -- nothing to suppress at this depth: on to the pinned derived parts of these sets
            insert into pg_temp.dc_search (origin, quantity_id, depth)
            select distinct meets.origin, q.quantity_id, search_depth + 1
            from pg_temp.dc_meets as meets
            inner join pg_temp.dc_member as m using (set_id)
            inner join pg_temp.dc_quantity as q using (quantity_id)
            inner join pg_temp.dc_cell as c on c.cell_id = q.cell_id
            where c.status = 'derived' and q.lo = q.hi
            on conflict do nothing;
        end loop;
        exit when suppressed = 0;
        -- next round: the groups of the cells just suppressed
        update pg_temp.dc_quantity as q set reset_in = round_no + 1
        where q.component in (
            select q2.component from pg_temp.dc_quantity as q2
            inner join pg_temp.dc_cell as c on c.cell_id = q2.cell_id
            where c.suppressed_in = round_no);
    end loop;

    select count(*) into left_worked_out
    from pg_temp.dc_quantity as q inner join pg_temp.dc_cell as c using (cell_id)
    where c.status = 'c' and q.is_protected_part and q.lo = q.hi;
    if left_worked_out > 0 then
        raise warning 'disclosure_control: % suppressed parts can still be worked out: no set holding them has a non-zero published member',
            left_worked_out;
    end if;

    return query
    select
        c.la_code, c.period_type, c.period_label, c.measure_id, c.breakdown, c.breakdown_value,
        case c.status
            when 'published' then
                case when c.unit = 'count' then cast(c.value as numeric(12, 0))::text
                     else cast(c.value as numeric(12, 1))::text end
            else c.status
        end,
        c.suppression
    from pg_temp.dc_cell as c
    where c.status <> 'derived';
end
$$;
