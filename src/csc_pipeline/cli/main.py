"""`csc`: the command line of the children's social care reporting pipeline.

    csc generate   write a synthetic council's nightly drops into a landing folder (--councils: many)
    csc extract    write a council's drop straight from its case system's SSD database
    csc run        run the real csc_nightly DAG (through Airflow) for each pending night
    csc warehouse  start, stop, show or initialise the local PostgreSQL warehouse
    csc contract   re-derive (render) or check the files derived from the contract: dbt sources,
                   staging models, macros and seeds, sql/040_parsing.sql, docs, the GX suites
    csc docs       the dbt docs (models, columns, tests, lineage) as one self-contained HTML page
    csc report     the annual IRO report or a quarterly pack (HTML, CSV, XLSX, --pdf); --changes for revisions
    csc validation list, show and explain validation reports; check a council's label mapping file
    csc accept     publish a quarantined drop after review (audited: who, why, which rules)
    csc demo       all of the above on a synthetic council, then print its figures

Exit codes: 0 success; 1 the pipeline failed (a DAG run, dbt, the warehouse); 2 bad usage;
3 (`csc run`) a drop was quarantined: the other drops were published, the quarantined one needs
fixing and resending, or `csc accept`; 4 (`csc run`) another run holds the warehouse.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from csc_pipeline import deployment, paths
from csc_pipeline.deployment import ENV_WAREHOUSE_DSN

DEMO_LA_CODE = "E06999999"
EXIT_QUARANTINED = 3  # `csc run`: a drop was quarantined (documented in the module docstring)
EXIT_RUN_IN_PROGRESS = 4  # `csc run`: another run holds the warehouse's run lock


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one clear line for the user; tracebacks are for --debug
        if os.environ.get("CSC_DEBUG"):
            raise
        print(f"csc: error: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="csc", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(title="commands")

    g = sub.add_parser("generate", help="write a synthetic council's nightly drops (or many councils')",
                       description="Write one synthetic council's nightly drops, or with --councils many "
                                   "councils' (England-like sizes, one council at a time; see "
                                   "csc_pipeline.generate.national for the codes, sizes and seeds).")
    g.add_argument("--landing", type=Path, default=None, help="landing root (default: the state folder's landing/)")
    g.add_argument("--seed", type=int, default=1, help="random seed; same seed, same files (default 1)")
    g.add_argument("--size", type=int, default=None,
                   help="children looked after on any day (default 300; not with --councils, whose sizes are drawn)")
    g.add_argument("--nights", type=int, default=4, help="number of nightly drops (default 4; each council's)")
    g.add_argument("--last-extract-date", type=date.fromisoformat, default=date(2026, 11, 24),
                   help="extract date of the last drop, YYYY-MM-DD (default 2026-11-24)")
    g.add_argument("--years", type=int, default=8, help="years of history before the first drop (default 8)")
    g.add_argument("--flavour", choices=["mosaic", "systemc"], default="mosaic",
                   help="mosaic writes codes; systemc writes DfE descriptions in coded columns")
    which = g.add_mutually_exclusive_group()
    which.add_argument("--la-code", default=None, help=f"GSS code (default {DEMO_LA_CODE}, no real council)")
    which.add_argument("--councils", type=_councils_arg, default=None, metavar="N|CODE,CODE,...",
                       help="many councils: a number (synthetic codes E06900001, E08900001, ...; 153 is "
                            "England's count) or a comma-separated list of GSS codes")
    g.add_argument("--la-name", default=None, help="the council's name (default 'Demo Council (synthetic)'; "
                                                   "not with --councils)")
    g.add_argument("--max-size", type=int, default=None,
                   help="with --councils: cap every council's children looked after at this (quick runs)")
    g.set_defaults(func=cmd_generate)

    r = sub.add_parser("run", help="run csc_nightly through Airflow for each pending night")
    r.add_argument("--landing", type=Path, default=None, help="landing root to read drops from")
    r.add_argument("--up-to", type=date.fromisoformat, default=None, help="ignore drops after this date")
    r.add_argument("--verbose", action="store_true", help="show Airflow's own task logs")
    r.set_defaults(func=cmd_run)

    t = sub.add_parser("transform", help="build the marts from the loaded data (dbt) and publish them, now")
    t.add_argument("--full-refresh", action="store_true",
                   help="rebuild every council, whatever changed (the schedule does this weekly: "
                        "full_refresh_day); by default only the councils whose data moved since the "
                        "last build are rebuilt")
    t.set_defaults(func=cmd_transform)

    w = sub.add_parser("warehouse", help="the local PostgreSQL warehouse")
    w.add_argument("action", choices=["start", "stop", "status", "init", "dsn", "bi-password", "bi-role"],
                   help="bi-password: set the password of csc_bi, the hub's BI role, which reads every "
                        "council's marts (from CSC_BI_PASSWORD, or asked for); bi-role --la-code CODE: "
                        "create a council's BI role, csc_bi_<code>, which reads only that council's rows")
    w.add_argument("--la-code", default=None, help="bi-role: the council whose rows the role reads")
    w.set_defaults(func=cmd_warehouse)

    c = sub.add_parser("contract", help="derived files of the extract contract")
    c.add_argument("action", choices=["render", "check"],
                   help="render: rewrite the derived files; check: list those out of date (exit 1 if any)")
    c.set_defaults(func=cmd_contract)

    o = sub.add_parser("docs", help="write the dbt docs (models, columns, tests, lineage) as one HTML page")
    o.add_argument("--out", type=Path, default=None, help="folder (default: the state folder's dbt-docs/)")
    o.set_defaults(func=cmd_docs)

    from .reports import add_report_commands
    from .validation import add_commands as add_validation_commands
    from .extract import add_extract_command
    from .export import add_export_commands

    add_extract_command(sub)
    add_report_commands(sub)
    add_validation_commands(sub)
    add_export_commands(sub)

    d = sub.add_parser("demo", help="generate a synthetic council, run the nightly DAG over it, print its figures")
    d.add_argument("--size", type=int, default=300)
    d.add_argument("--nights", type=int, default=4)
    d.add_argument("--seed", type=int, default=1)
    d.set_defaults(func=cmd_demo)
    return p


def _say(message: str) -> None:
    print(message, flush=True)


def _councils_arg(text: str):
    from csc_pipeline.generate.national import parse_councils

    try:
        return parse_councils(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_generate(args) -> int:
    councils = getattr(args, "councils", None)
    if councils is not None:
        return _generate_many(args, councils)
    from csc_pipeline.generate import generate_council

    if getattr(args, "max_size", None) is not None:
        return _generate_usage("--max-size is for --councils; give one council's size with --size")
    landing = (args.landing or deployment.current().landing_root).resolve()
    drops = generate_council(
        landing, la_code=args.la_code or DEMO_LA_CODE, la_name=args.la_name or "Demo Council (synthetic)",
        seed=args.seed, children_looked_after=300 if args.size is None else args.size,
        last_extract_date=args.last_extract_date, nights=args.nights, years=args.years, flavour=args.flavour,
        progress=_say,
    )
    _say(f"wrote {len(drops)} drop(s) under {landing}")
    return 0


def _generate_usage(message: str) -> int:
    """Bad `csc generate` options: argparse's form and exit code."""
    print(f"csc generate: error: {message}", file=sys.stderr)
    return 2


def _generate_many(args, councils) -> int:
    import time

    from csc_pipeline.generate.national import CouncilWritten, generate_councils, plan_councils

    if args.size is not None:
        return _generate_usage("--size is for one council; with --councils sizes are drawn "
                               "(cap them with --max-size)")
    if args.la_name is not None:
        return _generate_usage("--la-name is for one council; with --councils names are synthetic")
    if args.nights < 1 or args.years < 1:
        return _generate_usage("--nights and --years must be at least 1")
    if args.max_size is not None and args.max_size < 1:
        return _generate_usage(f"--max-size must be at least 1, not {args.max_size}")
    plan = plan_councils(councils, seed=args.seed, max_cla=args.max_size)
    landing = (args.landing or deployment.current().landing_root).resolve()
    width = len(str(len(plan)))
    started = time.monotonic()

    def report(done: CouncilWritten) -> None:
        c = done.council
        _say(f"{done.number:>{width}}/{done.of} {c.la_code} {c.la_name}: {c.children_looked_after:,} children "
             f"looked after, {len(done.drops)} drop(s), {done.rows:,} rows, {done.bytes / 1e6:,.1f} MB")

    _say(f"generating {len(plan)} council(s), {args.nights} night(s) each, under {landing}")
    total = generate_councils(landing, plan, last_extract_date=args.last_extract_date, nights=args.nights,
                              years=args.years, flavour=args.flavour, progress=report)
    _say(f"wrote {total.councils} council(s), {total.drops} drop(s), {total.rows:,} rows, "
         f"{total.bytes / 1e6:,.1f} MB under {landing} in {time.monotonic() - started:,.0f} s")
    return 0


def cmd_warehouse(args) -> int:
    from csc_pipeline.warehouse import connection, schema

    config = deployment.current()
    server = connection.local_server(config)
    if args.action == "start":
        if config.warehouse_dsn:
            _say(f"{ENV_WAREHOUSE_DSN} is set: using that server, not starting a local one.")
            return 0
        dsn = server.start()
        with connection.connect(dsn) as conn:
            schema.initialise(conn, config)
        _say(f"local warehouse running: {dsn}")
    elif args.action == "stop":
        _say("local warehouse stopped" if server.stop() else "local warehouse was not running")
    elif args.action == "status":
        running = server.is_running()
        _say(f"local warehouse: {'running at ' + connection.redacted(server.dsn()) if running else 'not running'}"
             f" (data in {server.data_dir})")
        return 0 if running else 1
    elif args.action == "init":
        with connection.connect(connection.warehouse_dsn(config)) as conn:
            schema.initialise(conn, config)
        _say("warehouse schemas, audit tables, loaded tables and roles are up to date")
    elif args.action == "dsn":
        _say(connection.warehouse_dsn(config))
    elif args.action == "bi-password":
        import getpass

        from psycopg import sql

        password = os.environ.get("CSC_BI_PASSWORD") or getpass.getpass("password for csc_bi: ")
        if len(password) < 12:
            raise ValueError("the BI password must be at least 12 characters")
        with connection.connect(connection.warehouse_dsn(config)) as conn:
            conn.execute(sql.SQL("alter role csc_bi password {}").format(sql.Literal(password)))
        _say("csc_bi can now log in; it reads the marts schema and nothing else")
    elif args.action == "bi-role":
        import getpass

        from csc_pipeline.warehouse.roles import create_council_role

        if not args.la_code:
            raise ValueError("bi-role needs --la-code CODE (the council whose rows the role reads)")
        password = os.environ.get("CSC_BI_PASSWORD") or getpass.getpass(f"password for {args.la_code}'s BI role: ")
        with connection.connect(connection.warehouse_dsn(config)) as conn:
            role = create_council_role(conn, args.la_code.upper(), password)
        _say(f"{role} can now log in; it reads only {args.la_code.upper()}'s rows of the marts")
    return 0


def cmd_contract(args) -> int:
    from csc_pipeline.contract.render import render_all
    from csc_pipeline.validate.suites import suites_out_of_date, write_suites

    if args.action == "check":  # everything `csc contract render` writes, the GX suites included
        stale = [*render_all(check=True), *suites_out_of_date()]
        for path in stale:
            _say(f"out of date: {path.relative_to(paths.PROJECT_ROOT)}")
        if not stale:
            _say("every file derived from the contract is up to date")
        return 1 if stale else 0
    changed = render_all()
    before = {p: p.read_bytes() for p in paths.EXPECTATIONS_DIR.rglob("*.json")}
    suites = write_suites()
    changed += [p for p in suites if before.get(p) != p.read_bytes()]
    for path in changed:
        _say(f"wrote {path.relative_to(paths.PROJECT_ROOT)}")
    _say(f"{len(changed)} file(s) rewritten; the others were up to date")
    return 0


def cmd_docs(args) -> int:
    from csc_pipeline.transform.dbt_runner import docs_site
    from csc_pipeline.warehouse.connection import warehouse_dsn

    config = deployment.current()
    out = (args.out or config.state_dir / "dbt-docs").resolve()
    _say(f"generating the dbt docs from {paths.DBT_PROJECT_DIR} ...")
    _say(f"wrote {docs_site(warehouse_dsn(config), out)}")
    return 0


def cmd_run(args) -> int:
    from csc_pipeline.warehouse import connection
    from csc_pipeline.warehouse.run_lock import RunInProgress, run_lock

    config = deployment.current()
    if args.landing:
        config = replace(config, landing_root=args.landing.resolve())
    try:
        with run_lock(connection.warehouse_dsn(config)):
            return _run_nights(args, config)
    except RunInProgress as exc:
        print(f"csc run: {exc}", file=sys.stderr)
        return EXIT_RUN_IN_PROGRESS


def cmd_transform(args) -> int:
    from csc_pipeline.flows import nightly
    from csc_pipeline.warehouse import connection, schema
    from csc_pipeline.warehouse.run_lock import RunInProgress, run_lock

    config = deployment.current()
    dsn = connection.warehouse_dsn(config)
    try:
        with run_lock(dsn), deployment.using(config):
            with connection.connect(dsn) as conn:
                schema.initialise(conn, config)
            started = time.monotonic()
            try:
                built = nightly.transform(full_refresh=args.full_refresh)
            except nightly.TransformFailed as exc:
                print(f"csc transform: {exc}", file=sys.stderr)
                return 1
            _say(f"dbt build ({built['build']}): {time.monotonic() - started:.1f} s")
            for la, info in nightly.publish_marts(built).items():
                _say(f"  {la}: {info['rows']} rows of marts.performance_measures from the "
                     f"{info['source_extract_date']} extract (publication {info['publication_id']})")
    except RunInProgress as exc:
        print(f"csc transform: {exc}", file=sys.stderr)
        return EXIT_RUN_IN_PROGRESS
    return 0


def _run_nights(args, config) -> int:
    from csc_pipeline.drops.finder import find_drops
    from csc_pipeline.flows.airflow_runner import (
        QUARANTINED, DagRunFailed, configure_airflow, load_dag, migrate_airflow_db, run_night,
    )
    from csc_pipeline.transform.dbt_runner import failed_nodes, last_build_dir
    from csc_pipeline.load import audit
    from csc_pipeline.transform.publication import marts_behind_raw
    from csc_pipeline.warehouse import connection, schema

    from .validation import run_lines

    # A replay at the terminal should not sit out a scheduled run's five-minute retry delay.
    if not os.environ.get("CSC_RETRY_DELAY_SECONDS"):
        config = replace(config, retry_delay_seconds=15)
    dsn = connection.warehouse_dsn(config)
    with connection.connect(dsn) as conn:
        schema.initialise(conn, config)
        pending = audit.pending_drops(conn, find_drops(config.landing_root, up_to=args.up_to))
        behind = marts_behind_raw(conn)
        latest = conn.execute("select max(extract_date) from audit.loads where status = any(%s)",
                              ([str(s) for s in audit.GOOD],)).fetchone()[0]
    nights = sorted({d.extract_date for d in pending})
    if not nights and behind and latest:
        # An earlier run loaded data but did not publish its marts (it failed or was killed).
        _say("the published marts are behind the loaded data: building and publishing them")
        nights = [latest]
    if not nights:
        _say(f"no pending drops under {config.landing_root}: nothing to do")
        return 0
    configure_airflow(config, quiet=not getattr(args, "verbose", False))
    _say("preparing Airflow's metadata database...")
    migrate_airflow_db(connection.airflow_metadata_dsn(config))
    quarantined_nights = []
    with deployment.using(config):  # the DAG and its tasks run in this process, with this deployment
        dag = load_dag()
        for i, night in enumerate(nights, 1):
            _say(f"[{i}/{len(nights)}] csc_nightly for the {night} extract...")
            try:
                state = run_night(dag, night)
            except DagRunFailed as exc:
                failed = failed_nodes(last_build_dir(config.state_dir)) if "dbt_build" in str(exc) else []
                raise DagRunFailed(str(exc) + (f"; dbt: {', '.join(failed)} failed (compiled SQL and "
                                   f"run_results.json in {last_build_dir(config.state_dir)})" if failed else "")) from None
            with connection.connect(dsn) as conn:
                outcomes = audit.drop_outcomes(conn, extract_date=night)
            if state == QUARANTINED:
                quarantined_nights.append(night)
                bad = [o for o in outcomes if o.status == audit.LoadStatus.QUARANTINED]
                _say(f"[{i}/{len(nights)}] {night}: QUARANTINED {len(bad)} drop(s); the others published")
            else:
                _say(f"[{i}/{len(nights)}] {night}: success")
            for outcome in outcomes:
                _say(f"      {outcome.line}")
                for line in run_lines(config, outcome):  # its Data Docs page; for a quarantine, what next
                    _say(f"        {line}")
    if quarantined_nights:
        _say(f"csc run: drops were quarantined on {len(quarantined_nights)} night(s) "
             f"({', '.join(map(str, quarantined_nights))}): `csc validation list --status quarantined`; "
             "exit code 3")
        return EXIT_QUARANTINED
    return 0


def cmd_demo(args) -> int:
    config = deployment.current()
    if config.warehouse_dsn:
        _say(f"note: {ENV_WAREHOUSE_DSN} is set; the demo uses the local warehouse instead.")
    config = replace(config, warehouse_dsn=None)
    with deployment.using(config):
        return _demo(args, config)


def _demo(args, config: deployment.Deployment) -> int:
    import shutil

    from csc_pipeline.warehouse import connection

    landing = config.state_dir / "demo-landing"
    shutil.rmtree(landing, ignore_errors=True)
    _say("1/4 starting the local warehouse...")
    cmd_warehouse(argparse.Namespace(action="start"))
    _say(f"2/4 generating a synthetic council ({args.size} children looked after, {args.nights} nights)...")
    cmd_generate(argparse.Namespace(
        landing=landing, la_code=DEMO_LA_CODE, la_name="Demo Council (synthetic)", seed=args.seed,
        size=args.size, last_extract_date=date(2026, 11, 24), nights=args.nights, years=8, flavour="mosaic"))
    _say("3/4 running the nightly DAG over each drop...")
    cmd_run(argparse.Namespace(landing=landing, up_to=None))
    _say("4/4 children looked after at 31 March (marts.performance_measures, published values):")
    dsn = connection.warehouse_dsn(config)
    with connection.connect(dsn) as conn:
        rows = conn.execute(
            """
            select period_label, as_at_date, is_complete, value, published_value
            from marts.performance_measures
            where la_code = %s and measure_id = 'cla_at_period_end' and breakdown = 'total'
              and period_type = 'financial_year'
            order by period_start
            """,
            (DEMO_LA_CODE,),
        ).fetchall()
    _say(f"  {'year':<9} {'at':<11} {'children':>8}")
    for label, end, complete, _value, published in rows:
        _say(f"  {label:<9} {end.isoformat():<11} {published:>8}{'' if complete else '  (year to date)'}")
    from csc_pipeline.reports.report import render_annual_report

    last_complete = next((label for label, _end, complete, _v, _p in reversed(rows) if complete), None)
    report = None
    if last_complete:
        report = render_annual_report(dsn, DEMO_LA_CODE, last_complete, config.state_dir / "reports",
                                      targets=config.targets_for(DEMO_LA_CODE), pdf=True)
    _say("")
    _say(f"Marts:   schema `marts` (marts.performance_measures) in {connection.redacted(dsn)}")
    if report:
        _say(f"Report:  {report.html}  (also .pdf, .csv and .xlsx; more with `csc report --help`)")
    _say(f"Connect: psql '{dsn}'")
    _say("Stop:    make warehouse-stop   (or .venv/bin/csc warehouse stop)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
