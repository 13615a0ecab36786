"""Operator commands of the validation gate (subcommands of `csc`, cli/main.py):

    csc accept --load-id N --reason "..." --operator NAME [--rule RULE ...] [--as-is]
    csc validation list [--status quarantined] [--la-code CODE]
    csc validation show LOAD_ID
    csc validation rules
    csc validation check-mapping FILE

Exit codes: 0 done, 1 refused or failed (the message says why), 2 bad usage.
"""

from __future__ import annotations

import sys

from csc_pipeline import deployment


def add_commands(subparsers) -> None:
    a = subparsers.add_parser(
        "accept", help="accept a quarantined drop after review, publish it and record who/why",
        description="Accept a quarantined drop after review (e.g. a genuine purge that shrank a table past "
                    "the volume threshold): its tables are validated again with the accepted rules as "
                    "warnings (or, with --as-is, not validated again), it is published, its status becomes "
                    "'accepted', and audit.acceptances records the operator, the reason and the rules. "
                    "Rules that would break the load (missing columns, duplicate keys, unreadable files) "
                    "cannot be accepted.")
    a.add_argument("--load-id", type=int, required=True, help="the quarantined load (csc validation list)")
    a.add_argument("--reason", required=True, help="why the drop is right as it is (kept in the audit)")
    a.add_argument("--operator", required=True, help="who accepts it (kept in the audit)")
    a.add_argument("--rule", action="append", dest="rules", default=None,
                   help="a blocking rule accepted (repeatable; default: every blocking rule of its report)")
    a.add_argument("--as-is", action="store_true", help="trust the stored report: publish without validating again")
    a.set_defaults(func=cmd_accept)

    v = subparsers.add_parser("validation", help="validation reports, rules and council label mappings")
    vs = v.add_subparsers(title="actions")
    lst = vs.add_parser("list", help="drops and their validation outcome, newest first")
    lst.add_argument("--status", default=None, help="only loads with this status (e.g. quarantined)")
    lst.add_argument("--la-code", default=None)
    lst.add_argument("--limit", type=int, default=20)
    lst.set_defaults(func=cmd_list)
    show = vs.add_parser("show", help="the validation report of a load (file, column, rule, rows; never values)")
    show.add_argument("load_id", type=int)
    show.set_defaults(func=cmd_show)
    values = vs.add_parser("values", help="a quarantined drop's unmapped values of a coded column, printed "
                           "here only (they may be names; never stored or sent)")
    values.add_argument("load_id", type=int)
    values.add_argument("table")
    values.add_argument("column")
    values.add_argument("--limit", type=int, default=100)
    values.set_defaults(func=cmd_values)
    rules = vs.add_parser("rules", help="every rule, its default severity and what configures it")
    rules.set_defaults(func=cmd_rules)
    check = vs.add_parser("check-mapping", help="check a council's label mapping file (code_set,label,code)")
    check.add_argument("file")
    check.set_defaults(func=cmd_check_mapping)
    v.set_defaults(func=lambda args: (v.print_help(), 2)[1])


def cmd_accept(args) -> int:
    from csc_pipeline.flows.accept import AcceptRefused, accept_drop

    try:
        done = accept_drop(args.load_id, reason=args.reason, operator=args.operator, as_is=args.as_is,
                           rules=args.rules)
    except AcceptRefused as exc:
        print(f"csc accept: refused: {exc}", file=sys.stderr)
        return 1
    print(f"load {done.load_id} ({done.la_code}/{done.extract_date}) accepted and published "
          f"(acceptance {done.acceptance_id}, {done.mode}; rules accepted: {', '.join(done.accepted_rules)}).")
    print(done.report.to_text())
    print("The marts follow at the next dbt build (csc run, or the next night).")
    return 0


def cmd_list(args) -> int:
    from csc_pipeline.warehouse import connection

    where, params = [], []
    if args.status:
        where.append("status = %s")
        params.append(args.status)
    if args.la_code:
        where.append("la_code = %s")
        params.append(args.la_code.upper())
    query = ("select load_id, la_code, extract_date, status, coalesce(message, '') from audit.loads"
             + (" where " + " and ".join(where) if where else "") + " order by load_id desc limit %s")
    with connection.connect(connection.warehouse_dsn(deployment.current())) as conn:
        rows = conn.execute(query, (*params, args.limit)).fetchall()
    print(f"{'load':>6}  {'council':<10} {'date':<10}  {'status':<11} message")
    for load_id, la, d, status, message in rows:
        print(f"{load_id:>6}  {la:<10} {d}  {status:<11} {message[:100]}")
    return 0


def cmd_show(args) -> int:
    from csc_pipeline.alerts import messages
    from csc_pipeline.issues import ValidationReport
    from csc_pipeline.load import audit
    from csc_pipeline.warehouse import connection

    config = deployment.current()
    with connection.connect(connection.warehouse_dsn(config)) as conn:
        row = conn.execute(
            "select l.la_code, l.extract_date, l.status, v.report from audit.loads l"
            " left join audit.validation_results v using (load_id) where l.load_id = %s", (args.load_id,)).fetchone()
        accepted = conn.execute(
            "select operator, reason, accepted_rules, accepted_at from audit.acceptances where load_id = %s"
            " order by acceptance_id", (args.load_id,)).fetchall()
        newer = audit.newer_good_extract(conn, row[0], row[1]) if row else None
    if row is None:
        print(f"csc validation show: no load {args.load_id}", file=sys.stderr)
        return 1
    la, d, status, report = row
    report = ValidationReport.from_dict(report) if report else None
    print(f"load {args.load_id}: {la}/{d}, {status}")
    print(report.to_text() if report else "(not validated)")
    for operator, reason, rules, at in accepted:
        print(f"accepted {at:%Y-%m-%d %H:%M} by {operator} ({', '.join(rules)}): {reason}")
    docs = data_docs_location(config, la, d, args.load_id)
    print(f"Data Docs: {docs}" if docs else f"Data Docs: none for this load ({_why_no_docs(config, la)})")
    print(messages.next_step(args.load_id, status, report.blocking if report else [], newer))
    return 0


def data_docs_location(config: deployment.Deployment, la_code: str, extract_date, load_id: int) -> str | None:
    """Where a load's Data Docs page is: under the deployment's `data_docs_url` when it serves the
    folder, else the file's path; None when no page was written."""
    from csc_pipeline.alerts.messages import data_docs_link
    from csc_pipeline.validate.data_docs import site_index

    page = site_index(config.for_council(la_code), la_code, extract_date, load_id)
    return data_docs_link(str(page), config.defaults.data_docs_dir, config.data_docs_url) if page else None


def _why_no_docs(config: deployment.Deployment, la_code: str) -> str:
    mode = config.for_council(la_code).data_docs
    if mode == "never":
        return "the council's data_docs setting is never"
    return ("pages are written when a drop's checks run" + (" and one fails" if mode == "failed" else "")
            + "; a drop that could not be read has none")


def run_lines(config: deployment.Deployment, outcome) -> list[str]:
    """What `csc run` prints under a drop's outcome line (audit.DropOutcome): its Data Docs page,
    and for a quarantined drop where to read its report and what to do."""
    lines = []
    docs = data_docs_location(config, outcome.la_code, outcome.extract_date, outcome.load_id)
    if docs:
        lines.append(f"Data Docs: {docs}")
    if outcome.status == "quarantined":
        lines.append(f"Next: `csc validation show {outcome.load_id}` gives the report and what to do "
                     "(fix and resend, or `csc accept`)")
    return lines


def cmd_values(args) -> int:
    from csc_pipeline.validate.unmapped_values import ValuesUnavailable, unmapped_values
    from csc_pipeline.warehouse import connection

    with connection.connect(connection.warehouse_dsn(deployment.current())) as conn:
        try:
            found = unmapped_values(conn, args.load_id, args.table, args.column, limit=args.limit)
        except ValuesUnavailable as exc:
            print(f"csc validation values: {exc}", file=sys.stderr)
            return 1
    if not found:
        print(f"load {args.load_id} {args.table}.{args.column}: every value is a code, a description or a mapped label")
        return 0
    print(f"load {args.load_id} {args.table}.{args.column}: {len(found)} unmapped value(s), rows each "
          "(shown here only: add the council's labels to its mapping file, code_set,label,code)")
    for value, rows in found:
        print(f"  {rows:>7,}  {value!r}")
    return 0


def cmd_rules(args) -> int:
    from csc_pipeline.contract.rules import RULES

    print(f"{'rule':<26} {'severity':<9} {'acceptable':<10} configuration")
    for r in RULES.values():
        print(f"{r.id:<26} {r.severity:<9} {'yes' if r.acceptable else 'no':<10} "
              f"CSC_SEVERITY{(', ' + r.knob) if r.knob else ''}")
        print(f"    {r.message}")
    return 0


def cmd_check_mapping(args) -> int:
    from pathlib import Path

    from csc_pipeline.validate.mapping import MappingError, read_mapping

    try:
        labels, sha = read_mapping(Path(args.file))
    except MappingError as exc:
        print(f"csc validation check-mapping: {exc}", file=sys.stderr)
        return 1
    sets = sorted({lb.code_set for lb in labels})
    print(f"{args.file}: {len(labels)} label(s) for {', '.join(sets) or 'no code set'} (sha256 {sha[:12]}…)")
    return 0
