"""Children looked after: who comes into care, for how long, and how each period of care unfolds.

A period of care is planned when the child comes in (route, legal statuses,
adoption milestones, end and reason), so the number in care can be steered
towards the target; its episodes, placements and legal-status rows are built
afterwards for the periods that reach into the simulated history.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import draw
from .dates import age_on
from .people import Person, Population
from .world import Rec, World

# --- who comes into care --------------------------------------------------------------------

# Age at entry, in bands of completed years (roughly England's).
_ENTRY_AGE = draw.Weighted({(0, 1): 20, (1, 5): 14, (5, 10): 16, (10, 16): 38, (16, 18): 12})
_SIBLINGS = draw.Weighted({1: 62, 2: 24, 3: 10, 4: 4})

# How a period of care ends up, by age band at entry. "proceedings_home": care proceedings that end
# with the child going home; "longterm": stays long-term, often to 18.
_ROUTES = {
    0: draw.Weighted({"adoption": 30, "sgo": 17, "cao": 3, "home": 32, "longterm": 8, "proceedings_home": 10}),
    1: draw.Weighted({"adoption": 18, "sgo": 17, "cao": 5, "home": 38, "longterm": 12, "proceedings_home": 10}),
    5: draw.Weighted({"adoption": 3, "sgo": 14, "cao": 5, "home": 45, "longterm": 25, "proceedings_home": 8}),
    10: draw.Weighted({"home": 52, "sgo": 4, "cao": 2, "longterm": 30, "remand": 5, "proceedings_home": 7}),
    16: draw.Weighted({"home": 45, "remand": 8, "longterm": 47}),
}

# --- how it ends ---------------------------------------------------------------------------------

_CEASED_HOME = draw.codes("episode_ceased_reason",
                          {"E4A": 68, "E4B": 8, "E13": 12, "E8": 6, "E3": 3, "E16": 1, "E9": 2})
_CEASED_AT_18 = draw.codes("episode_ceased_reason",
                           {"E17": 25, "E5": 45, "E6": 5, "E8": 15, "E4A": 5, "E7": 2, "E13": 3})
_CEASED_LONGTERM_EARLY = draw.codes("episode_ceased_reason",
                                    {"E46": 30, "E4A": 25, "E13": 15, "E5": 15, "E8": 10, "E3": 5})
_CEASED_SGO = draw.codes("episode_ceased_reason", {"E45": 40, "E47": 45, "E46": 8, "E48": 7})
_CEASED_ADOPTED = draw.codes("episode_ceased_reason", {"E11": 60, "E12": 40})
_CEASED_REMAND = draw.codes("episode_ceased_reason", {"E14": 75, "E9": 15, "E4A": 10})
_CEASED_UASC = draw.codes("episode_ceased_reason", {"E5": 50, "E6": 10, "E8": 25, "E17": 15})
_CEASED_SHORT_BREAKS = draw.codes("episode_ceased_reason", {"E8": 70, "E4A": 30})
# Reasons that only make sense for young people of 16 or more.
_ADULT_REASONS = frozenset({"E5", "E6", "E7", "E17", "E15"})

_NEED = draw.codes("primary_need", {"N1": 55, "N2": 3, "N3": 4, "N4": 10, "N5": 17, "N6": 3, "N7": 0.3,
                                    "N8": 2})
_NEED_FROM_CP = draw.codes("primary_need", {"N1": 85, "N4": 5, "N5": 10})
_NEED_REMAND = draw.codes("primary_need", {"N6": 70, "N5": 30})

# --- placements -------------------------------------------------------------------------------

_PLACEMENT_BY_AGE = {
    0: draw.codes("placement_type", {"U6": 55, "U3": 14, "U5": 5, "R3": 8, "U4": 5, "P1": 4, "U1": 4,
                                     "T4": 1}),
    1: draw.codes("placement_type", {"U6": 50, "U3": 15, "U4": 12, "U1": 8, "U5": 3, "P1": 6, "T0": 1}),
    5: draw.codes("placement_type", {"U6": 42, "U4": 22, "U3": 12, "U1": 9, "K2": 4, "P1": 7, "Z1": 1,
                                     "R2": 0.5}),
    10: draw.codes("placement_type", {"U6": 32, "U4": 20, "U3": 8, "U1": 5, "K2": 18, "P1": 5, "S1": 2,
                                      "K1": 1, "R1": 2, "H5": 3, "Z1": 1, "R2": 0.5, "T0": 0.5}),
    16: draw.codes("placement_type", {"H5": 30, "U6": 18, "U4": 15, "K2": 12, "P2": 8, "U3": 5, "P1": 4,
                                      "R5": 2, "P3": 0.5, "U1": 3, "Z1": 1}),
}
_PLACEMENT_REMAND = draw.codes("placement_type", {"R5": 35, "K1": 25, "U6": 25, "K2": 15})
_PLACEMENT_SHORT_BREAKS = draw.codes("placement_type", {"K2": 45, "U6": 35, "R1": 10, "U4": 10})
# A change of placement type with the same carers (reason T), e.g. fostering becoming long-term.
_SAME_CARER_NEXT = {"U6": "U4", "U3": "U1", "U5": "U4", "T0": "U6", "T4": "U6"}


def _providers(weights: dict[str, float]) -> draw.Weighted[str]:
    return draw.codes("placement_provider", weights)


_FOSTER = _providers({"PR1": 60, "PR4": 33, "PR5": 5, "PR2": 2})
_PROVIDER_BY_TYPE = {
    **{t: _providers({"PR1": 97, "PR2": 3}) for t in ("U1", "U2", "U3")},
    **{t: _FOSTER for t in ("U4", "U5", "U6", "T0", "T3", "T4")},
    "K2": _providers({"PR4": 75, "PR1": 15, "PR5": 5, "PR2": 5}),
    "K1": _providers({"PR2": 70, "PR3": 20, "PR4": 10}),
    "H5": _providers({"PR4": 60, "PR5": 25, "PR1": 15}),
    "P1": _providers({"PR0": 1}),
    "P2": _providers({"PR1": 50, "PR4": 30, "PR5": 20}),
    "P3": _providers({"PR4": 1}),
    **{t: _providers({"PR1": 50, "PR2": 30, "PR5": 20}) for t in ("A3", "A4", "A5", "A6")},
    "R3": _providers({"PR3": 40, "PR4": 40, "PR5": 20}),
    "R5": _providers({"PR3": 1}),
    "S1": _providers({"PR4": 60, "PR3": 40}),
    "R1": _providers({"PR4": 70, "PR5": 30}),
    "R2": _providers({"PR3": 1}),
    "T1": _providers({"PR3": 1}),
    "T2": _providers({"PR1": 1}),
    "Z1": _providers({"PR4": 50, "PR1": 50}),
}
# Median miles from home by provider; institutions further afield.
_MILES = {"PR0": 2.0, "PR1": 4.5, "PR2": 14.0, "PR3": 16.0, "PR4": 13.0, "PR5": 12.0}
_INSTITUTIONS = frozenset({"K1", "K2", "S1", "R1", "R5"})
_REGISTERED = frozenset({"K1", "K2", "S1", "R1", "H5"})  # settings with their own Ofsted URN
_CHANGE_REASON = draw.codes("placement_change_reason", {
    "CARPL": 35, "CLOSE": 4, "ALLEG": 3, "STAND": 4, "APPRR": 2, "CREQB": 16, "CREQO": 12, "CHILD": 10,
    "LAREQ": 6, "PLACE": 3, "CUSTOD": 1, "OTHER": 4,
})
# Placement moves a year, by age band at the move.
_MOVES_PER_YEAR = {0: 0.45, 1: 0.45, 5: 0.5, 10: 0.9, 16: 0.8}


def _band(age: int) -> int:
    return 0 if age < 1 else 1 if age < 5 else 5 if age < 10 else 10 if age < 16 else 16


@dataclass(slots=True, eq=False)
class Period:
    """One period of care as planned when the child came in."""
    cla_id: str
    child: Person
    start: date
    end: date  # may lie after the horizon: still open on the last extract
    reason: str  # REC of the last episode
    route: str
    legal: list[tuple[date, str]]  # (start, legal status), the first at `start`
    need: str
    referral: str
    adm: date | None = None  # agency decision maker: should be placed for adoption
    placement_order: date | None = None
    matched: date | None = None
    placed_for_adoption: date | None = None
    reversed: date | None = None
    episodes: list[tuple[date, date, Rec]] = field(default_factory=list)  # (start, end, row)
    placements: list[tuple[date, date, str]] = field(default_factory=list)  # (start, end, type)

    @property
    def short_breaks(self) -> bool:
        return self.route == "short_breaks"


@dataclass(slots=True)
class OwnHome:
    """A children's home the council runs itself (placements there; monthly reg 33/44 visits)."""
    urn: str
    opened: date
    closed: date | None


class CareSim:
    def __init__(self, world: World, rng: random.Random, pop: Population, homes: list[OwnHome]) -> None:
        self.world = world
        self.rng = rng
        self.pop = pop
        self.homes = homes
        self.periods: list[Period] = []
        self._reentries: dict[date, list[list[Person]]] = {}
        self._agencies = [f"SC{rng.randint(40000, 99999):06d}" for _ in range(8)]  # fostering agencies

    # --- who comes in, when ------------------------------------------------------------------
    def run(self, entries_from_cp: dict[date, list[list[Person]]]) -> None:
        """Day by day from the warm-up start: forced entries (from child protection, re-entries) plus
        new arrivals at a rate steered so that about `target_cla` children are in care at a time."""
        p, r = self.world.params, self.rng
        target = p.target_cla
        base = target / 1200.0 / 1.5  # groups a day if a child stayed 1200 days, 1.5 children a group
        short_breaks_rate = 0.03 * target / 900.0
        ends: list[date] = []  # heap of the period ends of the children in care (the stock)
        day = p.warm_start
        while day < p.horizon:
            while ends and ends[0] <= day:
                heapq.heappop(ends)
            arrivals = [(g, "cp") for g in entries_from_cp.get(day, ())]
            arrivals += [(g, "") for g in self._reentries.pop(day, ())]
            # Steer: more arrivals below target, fewer above (gatekeeping, in effect).
            factor = draw.steer(target, len(ends), strength=30.0)
            for _ in range(draw.poisson(r, base * factor)):
                arrivals.append(self._new_group(day))
            for group, how in arrivals:
                for child in group:
                    heapq.heappush(ends, self._plan(child, day, how=how).end)
            for _ in range(draw.poisson(r, short_breaks_rate)):
                heapq.heappush(ends, self._plan(self._new_child(day, (5, 16)), day, how="short_breaks").end)
            day += timedelta(days=1)

    def _new_child(self, day: date, age_band: tuple[int, int], family=None, uasc: bool = False) -> Person:
        r = self.rng
        fam = family or self.pop.family(recorded=r.random() < 0.6, uasc=uasc)
        lo, hi = age_band
        dob = day - timedelta(days=r.randint(lo * 365 + (1 if lo == 0 else 0), hi * 365 - 1))
        return self.pop.child(fam, dob)

    def _new_group(self, day: date) -> tuple[list[Person], str]:
        """A child, or brothers and sisters, coming into care together; or an unaccompanied
        asylum-seeking young person."""
        r = self.rng
        lo, hi = _ENTRY_AGE(r)
        if hi == 18 and r.random() < 0.35:
            return [self._new_child(day, (16, 18), uasc=True)], "uasc"
        if lo == 10 and r.random() < 0.05:
            return [self._new_child(day, (14, 16), uasc=True)], "uasc"
        n = 1 if hi == 18 else _SIBLINGS(r)
        first = self._new_child(day, (lo, hi))
        group = [first]
        if n > 1:
            first.family.recorded = True  # siblings are always grouped in a family
        for _ in range(n - 1):
            age = min(15, max(0, age_on(first.dob, day) + r.choice((-6, -4, -3, -2, -1, 1, 2, 3, 4))))
            group.append(self._new_child(day, (age, age + 1), family=first.family))
        return group, ""

    # --- planning a period ---------------------------------------------------------------------
    def _plan(self, child: Person, start: date, *, how: str) -> Period:
        """Plan a period of care starting on `start`; `how`: "cp" (from a child protection plan),
        "uasc", "short_breaks" or "" (any other way in)."""
        r = self.rng
        age = age_on(child.dob, start)
        from_cp, short_breaks = how == "cp", how == "short_breaks"
        if how in ("uasc", "short_breaks"):
            route = how
        else:
            route = _ROUTES[_band(age)](r)
            if from_cp and route in ("remand", "home") and age < 16:
                route = "proceedings_home"
        period = Period(self.world.next_id("cla"), child, start, start, "E8", route, [], "N1",
                        self.world.next_id("referral"))
        self._timeline(period, age)
        eighteenth = child.eighteenth
        if period.end >= eighteenth:
            period.end = eighteenth
            period.reason = _CEASED_UASC(r) if route == "uasc" else _CEASED_AT_18(r)
        elif age_on(child.dob, period.end) < 16 and period.reason in _ADULT_REASONS:
            period.reason = "E4A"
        if r.random() < 0.001:  # a child who died while looked after
            period.reason = "E2"
            child.death = period.end
        period.legal = [(d, code) for d, code in period.legal if d < period.end] or period.legal[:1]
        period.need = ("N2" if short_breaks else "N8" if route == "uasc" else _NEED_REMAND(r)
                       if route == "remand" else _NEED_FROM_CP(r) if from_cp else _NEED(r))
        self.periods.append(period)
        # Some children who go home come back into care.
        if (period.reason in ("E4A", "E4B", "E13") and age_on(child.dob, period.end) < 16
                and r.random() < 0.12 and child.death is None):
            back = period.end + timedelta(days=r.randint(60, 720))
            self._reentries.setdefault(back, []).append([child])
        return period

    def _timeline(self, period: Period, age: int) -> None:
        """Legal statuses, adoption milestones, end and reason of a period, by its route."""
        r, s, route = self.rng, period.start, period.route
        days = lambda lo, hi: timedelta(days=r.randint(lo, hi))  # noqa: E731
        legal = period.legal
        if route in ("adoption", "sgo", "cao", "proceedings_home") or (route == "longterm" and (
                age < 10 or r.random() < 0.4)):
            # Care proceedings: sometimes an emergency or s20 start, then an interim care order until
            # the final hearing.
            t, u = s, r.random()
            if u < 0.10:
                legal.append((t, "L2"))
                t += days(3, 8)
            elif u < 0.16:
                legal.append((t, "L1"))
                t += days(1, 3)
            elif u < 0.40:
                legal.append((t, "V2"))
                t += days(10, 120)
            legal.append((t, "C1"))
            final = t + days(180, 400)
            if route == "adoption" and r.random() < 0.08:
                # The plan for adoption is reversed; the child stays in long-term care.
                legal.append((final, "C2"))
                period.adm = max(s + timedelta(days=30), final - days(30, 150))
                period.reversed = period.adm + days(60, 400)
                period.route = "longterm"
                self._longterm_end(period, final)
            elif route == "adoption":
                if r.random() < 0.6:
                    po = final
                else:
                    legal.append((final, "C2"))
                    po = final + days(20, 120)
                legal.append((po, "E1"))
                period.placement_order = po
                period.adm = max(s + timedelta(days=20), po - days(30, 150))
                period.matched = po + days(60, 300)
                period.placed_for_adoption = period.matched + days(10, 45)
                period.end = period.placed_for_adoption + days(70, 300)  # the adoption order
                period.reason = _CEASED_ADOPTED(r)
            elif route in ("sgo", "cao", "proceedings_home"):
                period.end = final
                period.reason = (_CEASED_SGO(r) if route == "sgo" else "E41" if route == "cao" else "E4A")
            else:
                legal.append((final, "C2"))
                self._longterm_end(period, final)
        elif route == "remand":
            code = draw.Weighted({"J1": 80, "J2": 10, "J3": 10})(r)
            legal.append((s, code))
            if code == "J2":  # PACE transfer, then remanded
                legal.append((s + days(1, 2), "J1"))
            period.end = s + days(7, 150)
            period.reason = _CEASED_REMAND(r)
        elif route == "short_breaks":
            legal.append((s, "V3" if r.random() < 0.4 else "V4"))
            period.end = s + days(300, 1800)
            period.reason = _CEASED_SHORT_BREAKS(r)
        elif route == "uasc":
            legal.append((s, "V2"))
            u = r.random()
            if u < 0.08:  # age assessment finds the young person is an adult
                period.end, period.reason = s + days(20, 120), "E15"
            elif u < 0.10:
                period.end, period.reason = s + days(60, 600), "E16"
            else:
                period.end = period.child.eighteenth
        elif route == "longterm":
            legal.append((s, "V2"))
            self._longterm_end(period, s)
        else:  # home: accommodated with parents' agreement, then home again
            legal.append((s, "V2"))
            period.end = s + timedelta(days=draw.lognormal_days(r, 120, 1.2, lo=1, hi=4 * 365))
            period.reason = _CEASED_HOME(r)
        if period.end <= s:
            period.end = s + timedelta(days=1)

    def _longterm_end(self, period: Period, after: date) -> None:
        r = self.rng
        eighteenth = period.child.eighteenth
        if r.random() < 0.6 or eighteenth <= after + timedelta(days=540):
            period.end = eighteenth
        else:
            period.end = draw.day_between(r, after + timedelta(days=540), eighteenth)
            period.reason = _CEASED_LONGTERM_EARLY(r)

    # --- episodes, placements and legal statuses of a planned period ----------------------------
    def build(self, period: Period) -> None:
        r, w = self.rng, self.world
        s, end = period.start, period.end
        limit = min(end, w.params.horizon)
        child = period.child
        # Change points: date -> [new legal status or None, placement change "P"/"T" or None, forced type]
        points: dict[date, list] = {}
        for d, code in period.legal[1:]:
            points.setdefault(d, [None, None, None])[0] = code
        if period.placed_for_adoption and period.placed_for_adoption < end:
            with_carer = r.random() < 0.35
            points.setdefault(period.placed_for_adoption, [None, None, None])[1:] = [
                "T" if with_carer else "P", "A5" if with_carer else "A6"]
        legal_dates = sorted(points)
        t = s
        while True:
            rate = _MOVES_PER_YEAR[_band(age_on(child.dob, t))] * (0.4 if period.short_breaks else 1.0)
            t += timedelta(days=max(7, round(r.expovariate(rate / 365.0))))
            if t >= limit or (period.placed_for_adoption and t >= period.placed_for_adoption):
                break
            # A move within a few days of a legal change happens with it (reasons B and U).
            near = [d for d in legal_dates if timedelta(0) <= t - d <= timedelta(days=3)]
            at = near[0] if near else t
            slot = points.setdefault(at, [None, None, None])
            if slot[1] is None:
                slot[1] = "T" if r.random() < 0.12 else "P"
        # An emergency start (EPO, police protection) usually means a move when the interim order comes.
        if period.legal[0][1] in ("L1", "L2") and len(period.legal) > 1 and r.random() < 0.6:
            slot = points[period.legal[1][0]]
            slot[1] = slot[1] or "P"

        legal_code = period.legal[0][1]
        legal_rec = self._legal_row(child, legal_code, s)
        placement = self._placement(period, s, None)
        episode = self._episode(period, s, "S", placement)
        for d in sorted(points):
            if d <= s or d >= end:
                continue
            new_legal, move, forced_type = points[d]
            if move == "T" and not forced_type and placement.values["clap_cla_placement_type"] not in _SAME_CARER_NEXT:
                move = "P"
            if move:
                self._end_placement(period, placement, d, r)
                placement = self._placement(period, d, placement if move == "T" else None, forced_type)
            legal_changes = bool(new_legal) and new_legal != legal_code
            if legal_changes:
                legal_rec.values["lega_legal_status_end_date"] = d
                legal_code = new_legal
                legal_rec = self._legal_row(child, legal_code, d)
            elif not move:
                continue
            # Reason for the new episode: what changed (legal status, placement, carers).
            reason = ("B" if move == "P" else "U" if move == "T" else "L") if legal_changes else move
            self._end_episode(period, episode, d, "X1")
            episode = self._episode(period, d, reason, placement)
        legal_rec.values["lega_legal_status_end_date"] = end
        self._end_placement(period, placement, end, None)
        self._end_episode(period, episode, end, period.reason)

    def _legal_row(self, child: Person, code: str, start: date) -> Rec:
        return self.world.add("ssd_legal_status", start, {
            "lega_person_id": child.id, "lega_legal_status": code, "lega_legal_status_start_date": start,
        })

    def _episode(self, period: Period, start: date, reason: str, placement: Rec) -> Rec:
        rec = self.world.add("ssd_cla_episodes", start, {
            "clae_person_id": period.child.id,
            "clae_cla_id": period.cla_id,
            "clae_cla_episode_start_date": start,
            "clae_cla_episode_start_reason": reason,
            "clae_cla_primary_need_code": period.need,
            "clae_entered_care_date": period.start,
            "clae_cla_placement_id": placement.values["clap_cla_placement_id"],
            "clae_referral_id": period.referral,
        })
        period.episodes.append((start, start, rec))
        return rec

    def _end_episode(self, period: Period, rec: Rec, end: date, reason: str) -> None:
        rec.values["clae_cla_episode_ceased_date"] = end
        rec.values["clae_cla_episode_ceased_reason"] = reason
        start, _, _ = period.episodes[-1]
        period.episodes[-1] = (start, end, rec)

    def _placement(self, period: Period, start: date, same_carer: Rec | None, forced_type: str | None = None) -> Rec:
        """A new placement; with `same_carer` only its type changes (reason T)."""
        r = self.rng
        age = age_on(period.child.dob, start)
        if same_carer is not None:
            prev = same_carer.values
            ptype = forced_type or _SAME_CARER_NEXT[str(prev["clap_cla_placement_type"])]
            values = {k: prev[k] for k in ("clap_cla_placement_provider", "clap_cla_placement_postcode",
                                           "clap_cla_placement_distance", "clap_cla_placement_urn")}
        else:
            if forced_type:
                ptype = forced_type
            elif period.route == "remand":
                ptype = _PLACEMENT_REMAND(r)
            elif period.short_breaks:
                ptype = _PLACEMENT_SHORT_BREAKS(r)
            else:
                ptype = _PLACEMENT_BY_AGE[_band(age)](r)
                legal_now = [code for d, code in period.legal if d <= start][-1]
                if ptype == "P1" and legal_now not in ("C1", "C2"):
                    ptype = "U6"  # placement with parents needs a care order
            provider = _PROVIDER_BY_TYPE.get(ptype, _FOSTER)(r)
            values = self._where(period, ptype, provider, start)
        values.update({
            "clap_cla_id": period.cla_id,
            "clap_person_id": period.child.id,
            "clap_cla_placement_start_date": start,
            "clap_cla_placement_type": ptype,
        })
        period.placements.append((start, start, ptype))
        return self.world.add("ssd_cla_placement", start, values)

    def _where(self, period: Period, ptype: str, provider: str, start: date) -> dict:
        r = self.rng
        miles = _MILES[provider] * (2.5 if ptype in _INSTITUTIONS else 1.0)
        distance = 999.9 if r.random() < 0.04 else round(min(350.0, draw.lognormal_days(r, miles * 10, 0.8) / 10), 1)
        urn = None
        if ptype == "K2" and provider == "PR1":
            open_homes = [h for h in self.homes if h.opened <= start and (h.closed is None or h.closed > start)]
            if open_homes:
                urn = r.choice(open_homes).urn
                distance = round(r.uniform(0.5, 9.0), 1)
        elif ptype in _REGISTERED:
            urn = f"SC{r.randint(10000, 99999):06d}"
        elif ptype.startswith("U") and provider in ("PR4", "PR5"):
            urn = r.choice(self._agencies)
        postcode = (period.child.family.postcode if provider == "PR0"
                    else None if r.random() < 0.04 else self.pop.postcode())
        return {"clap_cla_placement_provider": provider, "clap_cla_placement_postcode": postcode,
                "clap_cla_placement_distance": distance, "clap_cla_placement_urn": urn}

    def _end_placement(self, period: Period, rec: Rec, end: date, r: random.Random | None) -> None:
        rec.values["clap_cla_placement_end_date"] = end
        # The reason is recorded when the child moves on within the period, not when care ends.
        rec.values["clap_cla_placement_change_reason"] = _CHANGE_REASON(r) if r is not None else None
        start, _, ptype = period.placements[-1]
        period.placements[-1] = (start, end, ptype)
