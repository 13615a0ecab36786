"""Children, their families and their personal details (names, dates of birth, UPNs, postcodes).

Everything here is fake but shaped like the real thing, so that tests can check
personal data never leaks into marts, reports or logs.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import draw
from .dates import add_years, age_on
from .world import World

BOYS = (
    "Oliver George Harry Jack Jacob Noah Charlie Muhammad Thomas Oscar William James Leo Alfie Henry "
    "Joshua Freddie Archie Ethan Isaac Alexander Joseph Edward Samuel Max Logan Lucas Daniel Theo Arthur "
    "Mohammed Harrison Benjamin Mason Finley Sebastian Adam Dylan Zachary Riley Teddy Theodore David "
    "Elijah Jaxon Toby Louie Reuben Kai Tyler Kian Callum Bailey Connor Ryan Jayden Declan Kacper "
    "Ibrahim Yusuf Amir Tomasz Emmanuel Kwame Tariq Rory Lewis Jamie"
).split()
GIRLS = (
    "Olivia Amelia Isla Ava Emily Isabella Mia Poppy Ella Lily Evie Grace Sophia Sophie Charlotte Freya "
    "Daisy Alice Ruby Florence Sienna Phoebe Harper Willow Millie Ivy Matilda Evelyn Layla Rosie "
    "Scarlett Chloe Esme Maisie Zara Aria Hannah Lola Erin Jessica Holly Megan Paige Courtney Leah "
    "Kayla Tia Amber Nevaeh Aaliyah Maryam Fatima Zainab Ayesha Hafsa Oliwia Zuzanna Chantelle Precious "
    "Abigail Kelsey Shannon Jade Demi Bethany Niamh Caitlin"
).split()
SURNAMES = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson "
    "Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin "
    "Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips "
    "Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey "
    "Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh "
    "Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews "
    "Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray "
    "Dixon Harvey Kowalski Nowak Okafor Mensah Ahmed Rahman Akhtar Mahmood O'Brien McDonald Doherty "
    "Kaur Gill Ndlovu Osei Boateng Abdi Hassan Farah Lungu Popescu Stanciu Byrne Whitfield Pemberton"
).split()
ADULT_FORENAMES = (
    "Sarah Claire Helen Joanne Rachel Emma Nicola Lisa Karen Michelle Amanda Louise Victoria Rebecca "
    "Laura Samantha Kerry Dawn Angela Julie Paul Mark David Andrew Richard Stephen Simon Gareth Craig "
    "Neil Darren Lee Jason Martin Ian Wayne Shaun Nadia Priya Farzana Grace Adebayo Chinedu Tendai "
    "Agnieszka Marek Sunita Rajesh Imran Shabana Bernadette Siobhan Fiona Gail"
).split()

# Postcode areas of a fictional northern council and its neighbours (format only: nothing real).
_AREAS = ("LS", "BD", "HX", "WF", "HD", "DN", "S", "NE", "SR", "TS", "DL", "M", "OL", "BL", "WN", "PR")
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Ethnicity of children in care in England, roughly (percent); empty = not recorded at all.
_ETHNICITY = draw.codes("ethnicity", {
    "WBRI": 66.0, "WIRI": 0.4, "WIRT": 0.5, "WROM": 0.7, "WOTH": 5.0, "MWBC": 2.8, "MWBA": 1.2,
    "MWAS": 1.5, "MOTH": 3.2, "AIND": 0.7, "APKN": 1.6, "ABAN": 0.6, "AOTH": 2.4, "BCRB": 1.2,
    "BAFR": 3.8, "BOTH": 1.6, "CHNE": 0.1, "OOTH": 3.5, "REFU": 0.3, "NOBT": 1.0,
})
# Unaccompanied asylum-seeking children.
_ETHNICITY_UASC = draw.codes("ethnicity", {"BAFR": 30, "OOTH": 30, "AOTH": 20, "WOTH": 10, "BOTH": 10})
_SEX = draw.codes("sex", {"M": 52.0, "F": 47.8, "U": 0.2})


@dataclass(slots=True, eq=False)
class Family:
    id: str
    surname: str
    ethnicity: str | None
    postcode: str
    members: list[Person] = field(default_factory=list)
    recorded: bool = True  # has ssd_family rows


@dataclass(slots=True, eq=False)
class Person:
    id: str
    family: Family
    forename: str
    surname: str
    sex: str
    ethnicity: str | None
    dob: date  # the real birth date (hidden by snapshots until it has happened)
    expected_dob: date | None = None  # known before birth: an unborn child
    death: date | None = None
    upn: str | None = None

    def age(self, on: date) -> int:
        return age_on(self.dob, on)

    @property
    def eighteenth(self) -> date:
        return add_years(self.dob, 18)


class Population:
    """Creates families and children; keeps them in creation order (which fixes their ids)."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.people: list[Person] = []
        self.families: list[Family] = []
        self._area = rng.choice(_AREAS)
        self._la_number = rng.randint(800, 940)  # the LA part of a UPN

    # --- personal details -------------------------------------------------------------
    def postcode(self) -> str:
        r = self.rng
        district = r.randint(1, 29)
        inward = f"{r.randint(1, 9)}{r.choice(_INWARD_LETTERS)}{r.choice(_INWARD_LETTERS)}"
        area = self._area if r.random() < 0.8 else r.choice(_AREAS)
        return f"{area}{district} {inward}"

    def adult_name(self) -> str:
        return f"{self.rng.choice(ADULT_FORENAMES)} {self.rng.choice(SURNAMES)}"

    def _upn(self, dob: date) -> str:
        # Letter + LA number + school + year + serial: a letter and 12 digits.
        r = self.rng
        year = (dob.year + 5) % 100
        return (f"{r.choice(string.ascii_uppercase)}{self._la_number:03d}{r.randint(2000, 7999):04d}"
                f"{year:02d}{r.randint(1, 999):03d}")

    # --- people -------------------------------------------------------------------------
    def family(self, *, recorded: bool = True, uasc: bool = False) -> Family:
        r = self.rng
        ethnicity = _ETHNICITY_UASC(r) if uasc else (None if r.random() < 0.025 else _ETHNICITY(r))
        fam = Family(self.world.next_id("family"), r.choice(SURNAMES), ethnicity, self.postcode(),
                     recorded=recorded)
        self.families.append(fam)
        return fam

    def child(self, family: Family, dob: date, *, unborn: bool = False) -> Person:
        """A child of `family` born on `dob`; `unborn` children are known before birth."""
        r = self.rng
        sex = _SEX(r)
        forename = r.choice(BOYS if sex == "M" else GIRLS if sex == "F" else BOYS + GIRLS)
        surname = family.surname if r.random() < 0.8 else r.choice(SURNAMES)
        ethnicity = family.ethnicity if r.random() < 0.9 else _ETHNICITY(r)
        # Babies arrive within a fortnight or so of the expected date.
        expected = dob + timedelta(days=r.randint(-14, 14)) if unborn else None
        upn = self._upn(dob) if r.random() < 0.93 else None
        person = Person(self.world.next_id("ssd_person"), family, forename, surname, sex, ethnicity, dob,
                        expected, None, upn)
        family.members.append(person)
        self.people.append(person)
        return person

    def any_child(self, on: date) -> Person | None:
        """Some child already born and under 18 on `on` (for allegations naming a child)."""
        for _ in range(20):
            p = self.rng.choice(self.people)
            if p.dob < on and p.age(on) < 18 and (p.death is None or p.death > on):
                return p
        return None

    # --- records --------------------------------------------------------------------------
    def write_records(self, world: World) -> None:
        """ssd_person and ssd_family rows; a snapshot shows them only with the child's other rows."""
        school_age_by = world.params.last_extract
        for p in self.people:
            unborn_first = p.expected_dob is not None
            rec = world.add("ssd_person", date.min, {
                "pers_person_id": p.id,
                "pers_forename": p.forename,
                "pers_surname": p.surname,
                # Sex is often not known before birth.
                "pers_sex": "U" if unborn_first else p.sex,
                "pers_ethnicity": p.ethnicity,
                "pers_dob": p.dob,
                "pers_expected_dob": p.expected_dob,
                "pers_death_date": p.death,
                # Only children who reached school age have a UPN.
                "pers_upn": p.upn if age_on(p.dob, school_age_by) >= 5 else None,
            })
            if unborn_first:
                rec.change(p.dob, pers_sex=p.sex)
        for fam in self.families:
            if not fam.recorded:
                continue
            for p in fam.members:
                world.add("ssd_family", date.min, {"fami_family_id": fam.id, "fami_person_id": p.id})
