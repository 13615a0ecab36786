"""The statutory casework around each period of care: IRO and social worker allocation, reviews,
health checks, care plans, personal education plans, permanence decisions and IRO escalations."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from . import draw, iro
from .care import Period
from .dates import add_months, age_on
from .staff import Staff
from .world import World

_PARTICIPATION = draw.codes("participation", {"PN1": 45, "PN2": 5, "PN3": 5, "PN4": 5, "PN5": 10,
                                              "PN6": 15, "PN7": 15})
_PLAN_LABEL = {
    "adoption": "Adoption", "sgo": "Special guardianship", "cao": "Child arrangements order",
    "home": "Return to family", "proceedings_home": "Return to family", "remand": "Return to family",
    "longterm": "Long-term foster care", "uasc": "Independence", "short_breaks": "Short breaks",
}


def participation(rng: random.Random, age: int) -> str:
    return "PN0" if age < 4 else _PARTICIPATION(rng)


class Casework:
    def __init__(self, world: World, rng: random.Random, staff: Staff) -> None:
        self.world = world
        self.rng = rng
        self.staff = staff
        self.wd = world.working_days

    def build(self, period: Period) -> None:
        self._allocations(period)
        reviews = self._reviews(period)
        self._care_plans(period, reviews)
        self._health(period)
        self._peps(period)
        self._permanence(period)

    # --- who is allocated ------------------------------------------------------------------
    def _allocations(self, period: Period) -> None:
        r, child = self.rng, period.child
        u = r.random()
        # Most children have an IRO within days; some wait weeks; a very few never get one.
        if u < 0.93:
            iro_from = period.start + timedelta(days=r.randint(0, 5))
        elif u < 0.985:
            iro_from = period.start + timedelta(days=r.randint(21, 90))
        else:
            iro_from = None
        iros = []
        if iro_from is not None:
            iros = self.staff.allocate(child, "iro", iro_from, period.end, referral=period.referral,
                                       median_days=700, closing_reason="Ceased to be looked after")
        team = "lc" if age_on(child.dob, period.start) >= 16 else "cic"
        self.staff.allocate(child, team, period.start, period.end, referral=period.referral,
                            median_days=330, closing_reason="Ceased to be looked after")
        iro.escalations(self.world, r, child, iros, period.start, period.end)

    # --- reviews ---------------------------------------------------------------------------
    def _reviews(self, period: Period) -> list[date]:
        """Statutory reviews: within 20 working days of the start, then 3 months, then every 6
        months; a late review resets the clock. Returns the dates held."""
        r, wd, w = self.rng, self.wd, self.world
        s, limit = period.start, min(period.end, w.params.horizon)
        due = wd.add(s, 20)
        held_dates: list[date] = []
        episodes = period.episodes
        while True:
            if r.random() < 0.9:
                slack = 10 if not held_dates else 20
                held = wd.between(r, due - timedelta(days=slack), due)
            else:
                held = wd.between(r, due + timedelta(days=1), due + timedelta(days=45))
            held = max(held, wd.on_or_after(s + timedelta(days=1)))
            recorded_due = due if r.random() < 0.94 else due + timedelta(days=r.choice((-14, -7, -1, 1, 3, 7, 14)))
            if r.random() < 0.03 and held < limit:
                # Cancelled (the date it was booked for is not always kept); held again later.
                w.add("ssd_cla_reviews", held - timedelta(days=2), {
                    "clar_cla_id": period.cla_id, "clar_cla_person_id": period.child.id,
                    "clar_cla_review_due_date": recorded_due,
                    "clar_cla_review_date": held if r.random() < 0.5 else None,
                    "clar_cla_review_cancelled": True,
                })
                held = wd.between(r, held + timedelta(days=5), held + timedelta(days=30))
            if held >= limit:
                return held_dates
            w.add("ssd_cla_reviews", held, {
                "clar_cla_id": period.cla_id, "clar_cla_person_id": period.child.id,
                "clar_cla_review_due_date": recorded_due, "clar_cla_review_date": held,
                "clar_cla_review_cancelled": False,
                "clar_cla_review_participation": participation(r, age_on(period.child.dob, held)),
            })
            # The IRO's last contact, as the episode in force shows it.
            for start, end, rec in episodes:
                if start <= held < end:
                    rec.change(held, clae_cla_last_iro_contact_date=held)
                    break
            held_dates.append(held)
            due = add_months(held, 3 if len(held_dates) == 1 else 6)

    # --- care plans --------------------------------------------------------------------------
    def _care_plans(self, period: Period, reviews: list[date]) -> None:
        """A care plan within days of the start (a few are late), renewed at each review."""
        r, w = self.rng, self.world
        if r.random() < 0.88:
            first = self.wd.add(period.start, r.randint(0, 9))
        else:
            first = period.start + timedelta(days=r.randint(15, 45))
        if first >= period.end:
            return
        starts = [first] + [d for d in reviews if d > first]
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else period.end
            w.add("ssd_cla_care_plan", start, {
                "lacp_person_id": period.child.id,
                "lacp_cla_care_plan_start_date": start,
                "lacp_cla_care_plan_end_date": end,
                "lacp_cla_care_plan_json": json.dumps({"permanence_plan": self._plan_label(period, start)},
                                                      sort_keys=True),
            })

    @staticmethod
    def _plan_label(period: Period, on: date) -> str:
        if period.adm and on >= period.adm and not (period.reversed and on >= period.reversed):
            return "Adoption"
        if period.route in ("adoption", "sgo", "cao") and on < period.start + timedelta(days=120):
            return "Return to family"
        if period.route == "longterm" and age_on(period.child.dob, on) >= 16:
            return "Independence"
        return _PLAN_LABEL[period.route]

    # --- health --------------------------------------------------------------------------------
    def _health(self, period: Period) -> None:
        """Health assessments (first within 20 working days, then 6-monthly under 5 and yearly after)
        and dental checks; each is booked a few weeks ahead, so future ones show as Planned."""
        r, wd, child = self.rng, self.wd, period.child
        s, end = period.start, period.end
        horizon = self.world.params.horizon
        due = wd.add(s, 20)
        while True:
            d = (wd.between(r, due - timedelta(days=25), due) if r.random() < 0.85
                 else wd.between(r, due + timedelta(days=1), due + timedelta(days=60)))
            d = max(d, wd.on_or_after(s + timedelta(days=1)))
            if d >= end or d >= horizon:
                break
            status = self._check(period, "Health Assessment", d)
            if status == "Cancelled":
                due = d + timedelta(days=21)
                continue
            due = add_months(d, 6 if age_on(child.dob, d) < 5 else 12)
        d = s + timedelta(days=r.randint(30, 120))
        while d < end and d < horizon:
            d = wd.between(r, d, d + timedelta(days=6))
            if age_on(child.dob, d) >= 1 and d < end:
                self._check(period, "Dental Check", d)
            d = add_months(d, 12 if r.random() < 0.6 else 6) + timedelta(days=r.randint(-20, 40))

    def _check(self, period: Period, kind: str, on: date) -> str:
        r = self.rng
        older = age_on(period.child.dob, on) >= 10
        u = r.random()
        status = "Refused" if older and u < 0.04 else "Cancelled" if u > 0.95 else "Completed"
        booked = max(period.start, on - timedelta(days=r.randint(14, 42)))
        rec = self.world.add("ssd_cla_health", booked, {
            "clah_person_id": period.child.id, "clah_health_check_type": kind,
            "clah_health_check_date": on, "clah_health_check_status": "Planned",
        })
        rec.change(on, clah_health_check_status=status)
        return status

    # --- education -------------------------------------------------------------------------------
    def _peps(self, period: Period) -> None:
        """Personal education plans for children of 3 to 17: soon after coming in, then termly."""
        r, wd, child = self.rng, self.wd, period.child
        limit = min(period.end, self.world.params.horizon)
        d = (wd.add(period.start, r.randint(5, 20)) if r.random() < 0.85
             else period.start + timedelta(days=r.randint(30, 75)))
        while d < limit:
            d = wd.between(r, d, d + timedelta(days=6))
            if d >= limit:
                break
            if 3 <= age_on(child.dob, d) < 18 and r.random() > 0.07:
                self.world.add("loc_cla_pep", d, {"pep_person_id": child.id, "pep_date": d})
            d += timedelta(days=r.randint(85, 130))

    # --- permanence ---------------------------------------------------------------------------------
    def _permanence(self, period: Period) -> None:
        child, end = period.child, period.end
        if period.adm:
            adopted = period.reason in ("E11", "E12")
            self.world.add("ssd_permanence", period.adm, {
                "perm_person_id": child.id, "perm_cla_id": period.cla_id,
                "perm_adm_decision_date": period.adm,
                "perm_placement_order_date": period.placement_order,
                "perm_matched_date": period.matched,
                "perm_placed_for_adoption_date": period.placed_for_adoption,
                "perm_decision_reversed_date": period.reversed,
                "perm_permanence_order_date": end if adopted else None,
                "perm_permanence_order_type": "Adoption" if adopted else None,
            })
        elif period.reason in ("E41", "E45", "E46", "E47", "E48"):
            self.world.add("ssd_permanence", end, {
                "perm_person_id": child.id, "perm_cla_id": period.cla_id,
                "perm_permanence_order_date": end,
                "perm_permanence_order_type": ("Child Arrangements Order/ Residence Order" if period.reason == "E41"
                                               else "Special Guardianship"),
            })
