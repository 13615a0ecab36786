"""Every code set of the extract contract (extract-contract.md §3, §4 and §6).

Descriptions are the DfE ones the contract accepts in place of the code
(SystemC-based extracts write descriptions). Code sets whose descriptions the
contract does not list in §6 (`accept_descriptions=False`) take only the code,
or a council's own label through its mapping file.
"""

from __future__ import annotations

from .model import CodeSet

_SETS = [
    CodeSet(
        "sex",
        {"M": "Male", "F": "Female", "U": "Unknown"},
        "Sex of the child.",
        aliases={"1": "M", "2": "F"},
    ),
    CodeSet(
        "ethnicity",
        {
            "WBRI": "White British",
            "WIRI": "White Irish",
            "WIRT": "Traveller of Irish heritage",
            "WROM": "Gypsy/Roma",
            "WOTH": "Any other White background",
            "MWBC": "White and Black Caribbean",
            "MWBA": "White and Black African",
            "MWAS": "White and Asian",
            "MOTH": "Any other Mixed background",
            "AIND": "Indian",
            "APKN": "Pakistani",
            "ABAN": "Bangladeshi",
            "AOTH": "Any other Asian background",
            "BCRB": "Caribbean",
            "BAFR": "African",
            "BOTH": "Any other Black background",
            "CHNE": "Chinese",
            "OOTH": "Any other ethnic group",
            "REFU": "Refused",
            "NOBT": "Information not yet obtained",
        },
        "DfE ethnicity codes.",
    ),
    CodeSet(
        "legal_status",
        {
            "C1": "Interim care order",
            "C2": "Full care order",
            "D1": "Freeing order granted",
            "E1": "Placement order granted",
            "J1": "Remanded to local authority accommodation or to youth detention accommodation",
            "J2": "Placed in local authority accommodation under the Police and Criminal "
            "Evidence Act 1984, including secure accommodation",
            "J3": "Sentenced to Youth Rehabilitation Order",
            "L1": "Under police protection and in local authority accommodation",
            "L2": "Emergency protection order (EPO)",
            "L3": "Under child assessment order and in local authority accommodation",
            "V2": "Single period of accommodation under section 20 (Children Act 1989)",
            "V3": "Accommodated under an agreed series of short-term breaks, when individual "
            "episodes of care are recorded",
            "V4": "Accommodated under an agreed series of short-term breaks, when agreements "
            "are recorded (NOT individual episodes of care)",
        },
        "Legal status (SSDA903). Any other value is a local status: kept, warned, never blocking.",
        open_set=True,
    ),
    CodeSet(
        "episode_start_reason",
        {
            "S": "Started to be looked after",
            "L": "Change of legal status only",
            "P": "Change of placement and carer(s) only",
            "T": "Change of placement (but same carer(s)) only",
            "B": "Change of legal status and placement and carer(s) at the same time",
            "U": "Change of legal status and change of placement (but same carer(s)) at the same time",
        },
        "Reason for new episode (RNE).",
    ),
    CodeSet(
        "primary_need",
        {
            "N1": "Abuse or neglect",
            "N2": "Child's disability",
            "N3": "Parental illness or disability",
            "N4": "Family in acute stress",
            "N5": "Family dysfunction",
            "N6": "Socially unacceptable behaviour",
            "N7": "Low income",
            "N8": "Absent parenting",
        },
        "Category of need (CIN code).",
        accept_descriptions=False,
    ),
    CodeSet(
        "episode_ceased_reason",
        {
            "X1": "Episode ceases, and new episode begins on same day, for any reason",
            "E11": "Adopted - application for an adoption order unopposed",
            "E12": "Adopted - consent dispensed with by the court",
            "E2": "Died",
            "E3": "Care taken over by another local authority in the UK",
            "E4A": "Returned home to live with parents or others with parental responsibility "
            "as part of the care planning process",
            "E4B": "Returned home to live with parents or others with parental responsibility "
            "not as part of the care planning process",
            "E13": "Left care to live with parents or others with no parental responsibility",
            "E41": "Residence order or child arrangement order granted",
            "E45": "Special guardianship order made to former foster carers who are relatives or friends",
            "E46": "Special guardianship order made to former foster carers, other than relatives or friends",
            "E47": "Special guardianship order made to carers, other than former foster carers, "
            "who are relatives or friends",
            "E48": "Special guardianship order made to carers, other than former foster carers, "
            "other than relatives or friends",
            "E5": "Moved into independent living with formalised advice and support",
            "E6": "Moved into independent living without formalised advice and support",
            "E7": "Transferred to residential care funded by adult social care services",
            "E9": "Sentenced to custody",
            "E14": "Accommodation on remand ended",
            "E15": "Age assessment determined child is aged 18 or over",
            "E16": "Child moved abroad",
            "E17": "Aged 18 or over and remained with current carers",
            "E8": "Period of care ceased for any other reason",
        },
        "Reason episode ceased (REC). Descriptions only through the council's mapping file.",
        accept_descriptions=False,
    ),
    CodeSet(
        "placement_type",
        {
            "A3": "Placed for adoption with parental consent with current foster carer(s)",
            "A4": "Placed for adoption with parental consent not with current foster carer(s)",
            "A5": "Placed for adoption with placement order with current foster carer(s)",
            "A6": "Placed for adoption with placement order not with current foster carer(s)",
            "H5": "Semi-independent living accommodation not subject to children's homes regulations",
            "K1": "Secure children's homes",
            "K2": "Children's Homes subject to Children's Homes Regulations",
            "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
            "P2": "Independent living",
            "P3": "Residential employment",
            "R1": "Residential care home",
            "R2": "NHS/Health Trust or other establishment providing medical or nursing care",
            "R3": "Family centre or mother and baby unit",
            "R5": "Young offender institution or prison",
            "S1": "All residential schools, except where dual-registered as a school and children's home",
            "T0": "Temporary placement: all types",
            "T1": "Temporary periods in hospital",
            "T2": "Temporary absences of the child on holiday",
            "T3": "Temporary accommodation whilst normal foster carer(s) is/are on holiday",
            "T4": "Temporary accommodation of seven days or less",
            "U1": "Foster placement with relative(s) or friend(s) - long term fostering",
            "U2": "Fostering placement with relative(s) or friend(s) who is/are also an approved adopter",
            "U3": "Fostering placement with relative(s) or friend(s) - not long term or FFA",
            "U4": "Foster placement with other foster carer(s) - long term fostering",
            "U5": "Foster placement with other foster carer(s) who is/are also an approved adopter",
            "U6": "Foster placement with other foster carer(s) - not long term or FFA",
            "Z1": "Other placements",
        },
        "Placement type (PL).",
        accept_descriptions=False,
    ),
    CodeSet(
        "placement_provider",
        {
            "PR0": "Parents or other person with parental responsibility",
            "PR1": "Own provision (by the local authority)",
            "PR2": "Other local authority provision",
            "PR3": "Other public provision",
            "PR4": "Private provision",
            "PR5": "Voluntary/third sector provision",
        },
        "Placement provider (PR).",
        accept_descriptions=False,
    ),
    CodeSet(
        "placement_change_reason",
        {
            "CARPL": "Change to the care plan",
            "CLOSE": "Resignation or closure of provision",
            "ALLEG": "Allegation (s47)",
            "STAND": "Standards of care concern",
            "APPRR": "Approval removed",
            "CREQB": "Carer requests placement end due to child's behaviour",
            "CREQO": "Carer requests placement end, other than due to child's behaviour",
            "CHILD": "Child requests placement end",
            "LAREQ": "Responsible or area authority requests placement end",
            "PLACE": "Change in the status of the placement only",
            "CUSTOD": "Custody arrangement",
            "OTHER": "Other",
        },
        "Reason for placement change.",
        accept_descriptions=False,
    ),
    CodeSet(
        "participation",
        {
            "PN0": "Child aged under 4 at the time of the review",
            "PN1": "Child physically attends and speaks for him or herself (Attendance)",
            "PN2": "Child physically attends and an advocate speaks on his or her behalf",
            "PN3": "Child attends and conveys his or her view symbolically (non-verbally)",
            "PN4": "Child physically attends but does not speak for him or herself, does not "
            "convey his or her view symbolically (non-verbally) and does not ask an advocate "
            "to speak for him or her",
            "PN5": "Child does not attend physically but briefs an advocate to speak for him or her",
            "PN6": "Child does not attend but conveys his or her feelings to the review by a "
            "facilitative medium",
            "PN7": "Child does not attend nor are his or her views conveyed to the review",
        },
        "Participation of the child in the review.",
    ),
    CodeSet(
        "health_check_status",
        {"Planned": "", "Refused": "", "Cancelled": "", "Completed": ""},
        "Status of a health check.",
    ),
    CodeSet(
        "permanence_order_type",
        {
            "Adoption": "",
            "Special Guardianship": "",
            "Child Arrangements Order/ Residence Order": "",
        },
        "Type of permanence order.",
        aliases={"Child Arrangements Order/Residence Order": "Child Arrangements Order/ Residence Order"},
    ),
    CodeSet(
        "cp_category",
        {
            "NEG": "Neglect",
            "PHY": "Physical abuse",
            "SAB": "Sexual abuse",
            "EMO": "Emotional abuse",
            "MUL": "Multiple",
        },
        "Category of abuse of a child protection plan.",
        prefix_descriptions=("Multiple",),
    ),
    CodeSet(
        "lado_referral_source",
        {
            "SCH": "School or college",
            "EMP": "Other employer",
            "POL": "Police",
            "OFS": "Ofsted",
            "CSC": "Children's social care",
            "HEA": "Health",
            "PAR": "Parent or carer",
            "CHI": "Child",
            "ANO": "Anonymous",
            "OLA": "Other authority",
            "OTH": "Other",
        },
        "Who referred the allegation to the LADO.",
    ),
    CodeSet(
        "lado_employment_sector",
        {
            "EDU": "Education",
            "EYR": "Early years/childminding",
            "FOS": "Foster carer",
            "RES": "Residential care",
            "HEA": "Health",
            "POL": "Police",
            "SOC": "Social care",
            "FAI": "Faith",
            "SPT": "Sport/leisure",
            "TRN": "Transport",
            "VOL": "Voluntary/youth",
            "OTH": "Other",
        },
        "Employment sector of the person the allegation is about.",
    ),
    CodeSet(
        "lado_harm_category",
        {
            "PHY": "Physical",
            "SEX": "Sexual",
            "EMO": "Emotional",
            "NEG": "Neglect",
            "SUI": "Suitability/transferable risk",
        },
        "Category of harm alleged.",
    ),
    CodeSet(
        "lado_outcome",
        {
            "SUB": "Substantiated",
            "UNS": "Unsubstantiated",
            "UNF": "Unfounded",
            "FAL": "False",
            "MAL": "Malicious",
        },
        "Outcome of a LADO allegation; NULL while open.",
    ),
    CodeSet(
        "escalation_stage",
        {
            "INF": "Informal",
            "AOC": "Alert of concern",
            "TM": "Team manager",
            "SM": "Service manager",
            "SD": "Service director",
            "CAF": "Referred to Cafcass",
        },
        "Highest stage an IRO escalation reached, in order.",
    ),
    CodeSet(
        "escalation_issue_category",
        {
            "CPLAN": "Care plan",
            "DELAY": "Drift/delay",
            "PLACE": "Placement",
            "EDU": "Education/PEP",
            "HEALTH": "Health",
            "CONTACT": "Family time",
            "OTHER": "Other",
        },
        "What an IRO escalation is about.",
    ),
    CodeSet(
        "escalation_resolution",
        {
            "RES": "Resolved",
            "ESC": "Escalated further",
            "CAF": "Referred to Cafcass",
            "WDN": "Withdrawn",
        },
        "How an IRO escalation was resolved; NULL while open.",
    ),
    CodeSet(
        "foster_carer_review_outcome",
        {
            "CONT": "Approval continues",
            "TERM": "Terms changed",
            "DEREG": "Deregistered",
        },
        "Outcome of a foster carer review.",
    ),
]

CODE_SETS: dict[str, CodeSet] = {s.name: s for s in _SETS}

# Y/N columns also accept Yes/No, True/False and 1/0 (extract-contract.md §2).
YES_NO_LABELS: dict[str, str] = {
    "y": "Y", "yes": "Y", "true": "Y", "1": "Y",
    "n": "N", "no": "N", "false": "N", "0": "N",
}

# Values that mean NULL in any column (SSD placeholders, §2).
NULL_PLACEHOLDERS: tuple[str, ...] = ("", "SSD_PH")
NULL_PLACEHOLDER_DATES: tuple[str, ...] = ("1900-01-01", "1900/01/01")
