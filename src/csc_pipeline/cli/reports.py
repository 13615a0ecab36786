"""`csc report`: write a council's annual IRO report data (or quarterly pack) and show revisions.

    csc report --la-code E06999999 --year 2025-26              annual report: HTML, CSV, XLSX
    csc report ... --pdf                                       also a PDF (A4, printed by headless Chromium)
    csc report --la-code E06999999 --year 2025-26 --quarter Q2 quarterly pack for 2025-26 Q2
    csc report ... --out DIR                                   write the files into DIR
    csc report ... --changes                                   also list the council's latest revisions
                                                               of its published figures
    csc report ... --changes --since 2026-10-01                ... every revision published since then

Figures come from marts.performance_measures (published values only) in the
warehouse named by CSC_WAREHOUSE_DSN, or the local one. The first page summarises
the headline figures against the year before and, where the deployment file sets
`targets:` (none by default), says whether each target was met. Exit codes: 0 written,
1 the warehouse failed, 2 bad usage (an unknown council or period: the message
lists those available).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from csc_pipeline import deployment

_YEAR = re.compile(r"^\d{4}-\d{2}$")


def add_report_commands(subparsers) -> None:
    """Add `report` to the `csc` subcommands (argparse subparsers)."""
    p = subparsers.add_parser(
        "report", help="write a council's annual IRO report data or quarterly pack (HTML, CSV, XLSX)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--la-code", required=True, type=str.upper, help="GSS code of the council, e.g. E06999999")
    p.add_argument("--year", required=True, type=_financial_year, help="financial year, e.g. 2025-26")
    p.add_argument("--quarter", choices=("Q1", "Q2", "Q3", "Q4"), type=str.upper,
                   help="write the quarterly pack for this quarter of the year instead (Q1 = Apr–Jun … Q4 = Jan–Mar)")
    p.add_argument("--out", type=Path, default=None,
                   help="folder for the files (default: the state folder's reports/)")
    p.add_argument("--pdf", action="store_true",
                   help="also print the report to PDF (A4) with headless Chromium")
    p.add_argument("--changes", action="store_true",
                   help="also print the council's latest revisions of its published figures (the last night "
                        "that changed them, whatever nights came after)")
    p.add_argument("--since", type=_day, default=None,
                   help="with --changes: every revision published on or after this date (YYYY-MM-DD)")
    p.set_defaults(func=cmd_report)


def _day(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it like 2026-10-01") from None


def _financial_year(text: str) -> str:
    if not _YEAR.match(text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a financial year: write it like 2025-26")
    return text.strip()


def cmd_report(args: argparse.Namespace) -> int:
    from csc_pipeline.warehouse import connection
    from csc_pipeline.reports.figures import ReportInputError
    from csc_pipeline.reports.history import changes, latest_revisions
    from csc_pipeline.reports.pdf import PdfError
    from csc_pipeline.reports.report import render_annual_report, render_quarterly_pack

    config = deployment.current()
    out_dir = (args.out or config.state_dir / "reports").resolve()
    targets = config.targets_for(args.la_code)
    with connection.connect(connection.warehouse_dsn(config)) as conn:
        try:
            if args.quarter:
                label = f"{args.year} {args.quarter}"
                print(f"writing the quarterly pack for {args.la_code}, {label}...", flush=True)
                files = render_quarterly_pack(conn, args.la_code, label, out_dir, targets=targets, pdf=args.pdf)
            else:
                print(f"writing the annual report data for {args.la_code}, {args.year}...", flush=True)
                files = render_annual_report(conn, args.la_code, args.year, out_dir, targets=targets, pdf=args.pdf)
        except ReportInputError as exc:
            print(f"csc report: error: {exc}", file=sys.stderr)
            return 2
        except PdfError as exc:
            print(f"csc report: error: {exc}", file=sys.stderr)
            return 1
        print(f"  HTML  {files.html}")
        print(f"  CSV   {files.csv}")
        print(f"  XLSX  {files.xlsx}")
        if files.pdf:
            print(f"  PDF   {files.pdf}")
        if args.changes:
            if conn.execute("select to_regclass('audit.published_figures')").fetchone()[0] is None:
                print("no publication history: run `csc warehouse init`, then the nightly run records it")
                return 0
            if args.since is not None:
                print(format_changes(changes(conn, args.la_code, args.since), args.la_code,
                                     f"published since {args.since:%Y-%m-%d}"))
            else:
                when, revisions = latest_revisions(conn, args.la_code)
                print(format_changes(revisions, args.la_code, f"published {when:%Y-%m-%d %H:%M}") if when else
                      f"no revisions of {args.la_code}'s published figures since they were first published")
    return 0


def format_changes(revisions: list, la_code: str, when: str) -> str:
    """Revisions as a plain-text table, by the date they were published (never internal ids)."""
    if not revisions:
        return f"no revisions of {la_code}'s published figures {when}"
    header = ("published", "period", "measure", "breakdown", "published value", "extract")
    rows = [
        (f"{r.published_at:%Y-%m-%d %H:%M}", r.period_label, r.measure_id,
         r.breakdown if r.breakdown == "total" else f"{r.breakdown}={r.breakdown_value}",
         f"{_shown(r.old_published_value, 'new')} → {_shown(r.new_published_value, 'withdrawn')}",
         r.source_extract_date.isoformat() if r.source_extract_date else "")
        for r in revisions
    ]
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    lines = [f"{len(revisions)} revision(s) of {la_code}'s published figures {when}:", ""]
    for row in (header, tuple("-" * w for w in widths), *rows):
        lines.append("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def _shown(value: str | None, missing: str) -> str:
    return f"({missing})" if value is None else value
