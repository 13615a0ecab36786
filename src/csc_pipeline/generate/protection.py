"""Child protection: section 47 enquiries, initial conferences (brothers and sisters together),
child protection plans and their review conferences.

Families arrive at a rate steered so that about 0.8 children per child looked
after are on a plan at a time. Some plans end with the children coming into
care: those entries are handed to the care simulation.
"""

from __future__ import annotations

import heapq
import random
from datetime import date, timedelta

from . import draw
from .casework import participation
from .dates import add_months, add_years, age_on
from .people import Family, Person, Population
from .staff import Staff
from .world import Rec, World

CP_PER_CLA = 0.8
_CHILDREN = draw.Weighted({1: 45, 2: 28, 3: 15, 4: 8, 5: 4})
_ELDEST_AGE = draw.Weighted({(0, 1): 22, (1, 5): 28, (5, 10): 25, (10, 16): 22, (16, 17): 3})
_CATEGORY = draw.codes("cp_category", {"NEG": 48, "EMO": 36, "PHY": 7, "SAB": 4, "MUL": 5})


class ProtectionSim:
    def __init__(self, world: World, rng: random.Random, pop: Population, staff: Staff) -> None:
        self.world = world
        self.rng = rng
        self.pop = pop
        self.staff = staff
        self.wd = world.working_days
        self.care_entries: dict[date, list[list[Person]]] = {}
        self._repeats: dict[date, list[Family]] = {}
        self._on_plan: list[date] = []  # heap of plan ends, for steering

    def run(self) -> dict[date, list[list[Person]]]:
        """Simulate from three years before the history; returns children coming into care by date."""
        p, r = self.world.params, self.rng
        target = CP_PER_CLA * p.target_cla
        # Enquiries a working day if each led to 0.7 children on a plan for 330 days.
        base = target / (0.7 * 330) * 7 / 5
        day = add_years(p.history_start, -3)
        while day < p.horizon:
            while self._on_plan and self._on_plan[0] <= day:
                heapq.heappop(self._on_plan)
            factor = draw.steer(target, len(self._on_plan))
            # Strategy discussions happen on working days, bar the odd out-of-hours one.
            rate = base * factor * (1.0 if self.wd.is_working(day) else 0.03)
            for family in self._repeats.pop(day, ()):
                self._case(day, family)
            for _ in range(draw.poisson(r, rate)):
                self._case(day, None)
            day += timedelta(days=1)
        return self.care_entries

    def _new_family(self, d0: date, birth_after: date) -> tuple[Family, list[Person]]:
        r = self.rng
        family = self.pop.family()
        children: list[Person] = []
        n = _CHILDREN(r)
        unborn = r.random() < 0.10
        if unborn and n == 1 and r.random() < 0.5:
            n = 0  # the unborn baby is the only child
        lo, hi = _ELDEST_AGE(r)
        eldest = r.randint(max(1, lo * 365), hi * 365 - 1)
        for i in range(n):
            age = eldest if i == 0 else max(1, eldest - r.randint(1, 6) * 365 + r.randint(-100, 100))
            children.append(self.pop.child(family, d0 - timedelta(days=age)))
        if unborn:
            dob = max(birth_after, d0 + timedelta(days=r.randint(30, 120)))
            children.append(self.pop.child(family, dob, unborn=True))
        return family, children

    def _case(self, d0: date, family: Family | None) -> None:
        """One family's journey from a strategy discussion (or a transfer-in conference) onwards."""
        r, w, wd = self.rng, self.world, self.wd
        repeat = family is not None
        transfer_in = not repeat and r.random() < 0.04
        go_to_conference = transfer_in or r.random() < (0.6 if repeat else 0.45)
        target = wd.add(d0, 15)
        held = wd.add(d0, r.randint(6, 15) if r.random() < 0.78 else r.randint(16, 35))
        if family is None:
            family, children = self._new_family(d0, birth_after=held + timedelta(days=7))
        else:
            children = [c for c in family.members if c.dob < d0 - timedelta(days=30) and c.age(d0) < 17]
        if not children:
            return
        referral = {c.id: w.next_id("referral") for c in children}
        s47_ids: dict[str, str | None] = {c.id: None for c in children}
        if not transfer_in:
            s47_end = (max(d0, held - timedelta(days=r.randint(0, 3))) if go_to_conference
                       else wd.add(d0, r.randint(3, 30)))
            nfa = not go_to_conference and r.random() < 0.85
            for c in children:
                rec = w.add("ssd_s47_enquiry", d0, {
                    "s47e_person_id": c.id, "s47e_referral_id": referral[c.id], "s47e_s47_start_date": d0,
                    "s47e_s47_end_date": s47_end, "s47e_s47_nfa": nfa,
                })
                s47_ids[c.id] = str(rec.values["s47e_s47_enquiry_id"])
            if not go_to_conference:
                for c in children:
                    self.staff.allocate(c, "cp", d0, s47_end + timedelta(days=r.randint(0, 60)),
                                        referral=referral[c.id], median_days=330, closing_reason="Case closed")
                return
        plan = r.random() < (0.95 if transfer_in else 0.87)
        meeting = w.next_id("meeting")
        on_plan = [c for c in children if plan and (len(children) == 1 or r.random() > 0.05)]
        plans: dict[str, Rec] = {}
        category = _CATEGORY(r)
        for c in on_plan:
            plans[c.id] = w.add("ssd_cp_plans", held, {
                "cppl_person_id": c.id, "cppl_referral_id": referral[c.id], "cppl_cp_plan_start_date": held,
                "cppl_cp_plan_initial_category": category, "cppl_cp_plan_latest_category": category,
                "cppl_cp_plan_ola": transfer_in,
            })
        for c in children:
            icpc = w.add("ssd_initial_cp_conference", held, {
                "icpc_person_id": c.id, "icpc_s47_enquiry_id": s47_ids[c.id], "icpc_icpc_meeting_id": meeting,
                "icpc_cp_plan_id": plans[c.id].values["cppl_cp_plan_id"] if c.id in plans else None,
                "icpc_referral_id": referral[c.id],
                "icpc_icpc_transfer_in": transfer_in, "icpc_icpc_target_date": target, "icpc_icpc_date": held,
                "icpc_icpc_outcome_cp_flag": c.id in plans,
            })
            if c.id in plans:
                plans[c.id].values["cppl_icpc_id"] = icpc.values["icpc_icpc_id"]
        family_end = self._plans_and_reviews(on_plan, plans, held) if on_plan else held
        for c in children:
            sw_end = plans[c.id].values["cppl_cp_plan_end_date"] if c.id in plans else held
            self.staff.allocate(c, "cp", d0, sw_end + timedelta(days=r.randint(0, 90)),  # type: ignore[operator]
                                referral=referral[c.id], median_days=330, closing_reason="Case closed")
        went_into_care = any(plans[c.id].meta for c in on_plan)
        if on_plan and not went_into_care and r.random() < 0.2:
            # Re-referred later: a repeat plan for some of the same children.
            back = family_end + timedelta(days=r.randint(120, 1000))
            self._repeats.setdefault(back, []).append(family)

    def _plans_and_reviews(self, on_plan: list[Person], plans: dict[str, Rec], held: date) -> date:
        """Review conferences for the family (3 months, then 6-monthly) until the plans end; some
        end with the children coming into care. Returns the day the family's plans ended."""
        r, w, wd = self.rng, self.world, self.wd
        horizon = w.params.horizon
        intended = held + timedelta(days=draw.lognormal_days(r, 270, 0.6, lo=60, hi=1200))
        into_care = None
        if r.random() < 0.12:
            into_care = held + timedelta(days=r.randint(20, max(21, (intended - held).days)))
            if any(c.dob >= into_care - timedelta(days=7) for c in on_plan):
                into_care = None  # not with a baby still to be born
        # A baby on a pre-birth plan is sometimes taken into care at birth.
        at_birth = {c.id: c.dob + timedelta(days=r.randint(0, 3)) for c in on_plan
                    if c.expected_dob and r.random() < 0.25}
        ends = {c.id: min(c.eighteenth, at_birth.get(c.id, date.max), into_care or date.max) for c in on_plan}
        due = add_months(held, 3)
        change_category = r.random() < 0.08
        while True:
            h = (wd.between(r, due - timedelta(days=10), due) if r.random() < 0.9
                 else wd.between(r, due + timedelta(days=1), due + timedelta(days=25)))
            if h >= horizon or (into_care and h >= into_care):
                break
            final = h >= intended
            meeting = w.next_id("meeting")
            for c in on_plan:
                if ends[c.id] <= h:
                    continue
                w.add("ssd_cp_reviews", h, {
                    "cppr_person_id": c.id, "cppr_cp_plan_id": plans[c.id].values["cppl_cp_plan_id"],
                    "cppr_cp_review_due": due, "cppr_cp_review_date": h, "cppr_cp_review_meeting_id": meeting,
                    "cppr_cp_review_outcome_continue_cp": not final,
                    "cppr_cp_review_quorate": r.random() < 0.95,
                    "cppr_cp_review_participation": participation(r, age_on(c.dob, h) if c.dob < h else 0),
                })
                if change_category and not final:
                    plans[c.id].change(h, cppl_cp_plan_latest_category=_CATEGORY(r))
            change_category = change_category and r.random() < 0.5
            if final:
                ends = {k: min(v, h) for k, v in ends.items()}
                break
            due = add_months(h, 6)
        last = held
        for c in on_plan:
            end = max(ends[c.id], held + timedelta(days=1))
            plans[c.id].values["cppl_cp_plan_end_date"] = end
            heapq.heappush(self._on_plan, min(end, horizon))
            last = max(last, min(end, horizon))
            if end < horizon and end in (into_care, at_birth.get(c.id)) and c.age(end) < 17:
                plans[c.id].meta = {"into_care": end}
                self.care_entries.setdefault(end, []).append([c])
        return last
