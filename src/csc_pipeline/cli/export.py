"""`csc export ees`: a council's published figures as open data for Explore Education Statistics.

    csc export ees --la-code E06000028                   every complete financial year and quarter
    csc export ees --la-code E06000028 --from 2019-20    from 2019-20 on
    csc export ees ... --out DIR                         into DIR (default: the state folder's open-data/)

Writes csc_measures_<LA>_financial_year.csv and csc_measures_<LA>_financial_quarter.csv, each with
its EES metadata file (<name>.meta.csv) beside it (docs/open-data.md). Published values only (c, z, x
as the marts publish them), complete periods only. The council's region and old LA number come from
the deployment file (councils.<LA>.region_code, region_name, old_la_code). Exit codes: 0 written;
1 the warehouse failed, or the files broke a rule of EES (nothing written, the rules listed);
2 bad usage (geography not set, an unknown council or no complete period: the message says which).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from csc_pipeline import deployment

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def add_export_commands(subparsers) -> None:
    """Add `export` (with its one format, `ees`) to the `csc` subcommands."""
    p = subparsers.add_parser("export", help="a council's published figures as open data (EES format)")
    formats = p.add_subparsers(title="formats")
    e = formats.add_parser(
        "ees", help="Explore Education Statistics: data and metadata CSVs per time type",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    e.add_argument("--la-code", required=True, type=str.upper, help="GSS code of the council, e.g. E06000028")
    e.add_argument("--from", dest="first_year", type=_financial_year, default=None, metavar="YEAR",
                   help="first financial year to include, e.g. 2019-20 (default: every complete one)")
    e.add_argument("--out", type=Path, default=None,
                   help="folder for the files (default: the state folder's open-data/)")
    e.set_defaults(func=cmd_export_ees)

    def no_format(_args: argparse.Namespace) -> int:  # `csc export` alone: name a format
        p.print_help()
        return 2

    p.set_defaults(func=no_format)


def _financial_year(text: str) -> str:
    match = _YEAR.match(text.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise argparse.ArgumentTypeError(f"{text!r} is not a financial year: write it like 2019-20")
    return text.strip()


def cmd_export_ees(args: argparse.Namespace) -> int:
    from csc_pipeline.reports.figures import ReportInputError
    from csc_pipeline.reports.open_data import OpenDataError, export_ees
    from csc_pipeline.warehouse import connection

    try:
        config = deployment.current()
        geography = config.geography_of(args.la_code)
    except deployment.ConfigError as exc:
        print(f"csc export ees: error: {exc}", file=sys.stderr)
        return 2
    out_dir = (args.out or config.state_dir / "open-data").resolve()
    print(f"writing {args.la_code}'s open data (EES) into {out_dir}...", flush=True)
    with connection.connect(connection.warehouse_dsn(config)) as conn:
        try:
            written = export_ees(conn, args.la_code, geography, out_dir, args.first_year)
        except (ReportInputError, deployment.ConfigError) as exc:
            print(f"csc export ees: error: {exc}", file=sys.stderr)
            return 2
        except OpenDataError as exc:
            print(f"csc export ees: error: {exc}", file=sys.stderr)
            return 1
    for file, data, meta in written:
        print(f"  {data.name}  {len(file.data.rows)} rows, {file.periods[0].label} to {file.periods[-1].label}")
        print(f"  {meta.name}")
    return 0
