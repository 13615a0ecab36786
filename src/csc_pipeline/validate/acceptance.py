"""Which blocking rules an operator may accept for a quarantined drop, and the report it then has.

Rules that would break the load itself (a missing column, a duplicate or missing key, an
unreadable file, ...: `Rule.acceptable` is False) cannot be accepted: the extract must be fixed.
"""

from __future__ import annotations

from dataclasses import replace

from csc_pipeline.contract.rules import RULES
from csc_pipeline.issues import ValidationReport


class AcceptRefused(RuntimeError):
    """The drop cannot be accepted; the message says why and what to do."""


def rules_to_accept(report: ValidationReport, requested: list[str] | None) -> list[str]:
    """The rules accepted: the report's blocking rules, or those named, which must cover them all."""
    blocking = sorted({i.rule for i in report.blocking})
    accepted = sorted(set(requested or blocking))
    unknown = [r for r in accepted if r not in RULES]
    if unknown:
        raise AcceptRefused(f"no rule {', '.join(unknown)} (see `csc validation rules`)")
    not_covered = [r for r in blocking if r not in accepted]
    if not_covered:
        raise AcceptRefused(f"the drop also breaks {', '.join(not_covered)}: accept those too or fix the extract")
    refused = [r for r in accepted if not RULES[r].acceptable]
    if refused:
        raise AcceptRefused(f"{', '.join(refused)} cannot be accepted: the drop could not be loaded as it is; "
                            "fix the extract and send it again")
    return accepted


def as_accepted(report: ValidationReport, accepted: list[str]) -> ValidationReport:
    """The report with the accepted rules' problems downgraded to warnings."""
    issues = [replace(i, severity="warning", message=i.message + " (accepted by the operator)")
              if i.severity == "blocking" and i.rule in accepted else i for i in report.issues]
    return ValidationReport.from_issues(issues)


def with_stored_landing_issues(stored: ValidationReport, fresh: ValidationReport,
                               accepted: list[str]) -> ValidationReport:
    """Landing problems as stored (the files were read then), the rest as checked again."""
    landing = [i for i in stored.issues if RULES[i.rule].level == "landing"]
    return ValidationReport.from_issues(as_accepted(ValidationReport.from_issues(landing), accepted).issues
                                        + fresh.issues)
