"""`csc extract`: one council's drop straight from its SSD database, from the command line."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path


def add_extract_command(sub) -> None:
    e = sub.add_parser(
        "extract", help="extract a council's drop from its case system's SSD database",
        description="Read every extract-contract table from the council's SSD schema in one consistent "
                    "snapshot and write an ordinary drop (CSVs, manifest.json last) to "
                    "ROOT/<la_code>/<extract_date>/. Exit 1 with one line naming the source, table or "
                    "column when the source is unreachable, not ready, or lacks a table or column.",
    )
    e.add_argument("--la-code", required=True, help="the council's GSS code, e.g. E06000028")
    e.add_argument("--source-dsn", required=True,
                   help="postgresql://user:pw@host:5432/db, mssql://user:pw@host:1433/db?TrustServerCertificate=yes, "
                        "or an ODBC string Server=...;Database=...;UID=...;PWD=...")
    e.add_argument("--schema", default="ssd_development", help="schema of the SSD tables (default ssd_development)")
    e.add_argument("--landing", type=Path, required=True, metavar="ROOT",
                   help="the extract root the drop is written under (never the read-only landing root)")
    e.add_argument("--extract-date", type=date.fromisoformat, default=None,
                   help="date the snapshot is labelled with, YYYY-MM-DD (default: today, Europe/London)")
    e.add_argument("--la-name", default=None, help="the council's name for the manifest (default: its code)")
    e.set_defaults(func=cmd_extract)


def cmd_extract(args: argparse.Namespace) -> int:
    from csc_pipeline.contract.delivery import LA_CODE_PATTERN
    from csc_pipeline.extract.extractor import extract_drop
    from csc_pipeline.extract.readiness import london_now
    from csc_pipeline.extract.sources import spec_from_dsn

    la_code = args.la_code.strip().upper()
    if not LA_CODE_PATTERN.match(la_code):
        raise ValueError(f"--la-code {args.la_code!r} is not an English local-authority GSS code")
    source = spec_from_dsn(args.source_dsn, schema=args.schema)
    extract_date = args.extract_date or london_now().date()
    print(f"extracting {la_code} for {extract_date} from {source.label} (schema {source.schema})", flush=True)
    extract_drop(source, la_code=la_code, extract_date=extract_date, root=args.landing.resolve(),
                 la_name=args.la_name, progress=lambda m: print(f"  {m}", flush=True))
    return 0
