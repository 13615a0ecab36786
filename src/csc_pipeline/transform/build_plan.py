"""Which councils tonight's dbt build rebuilds: only those whose inputs moved since the schema
being built last held them (dbt_project/macros/incremental_by_council.sql does the rebuilding).

A council's inputs are its current load (a new drop, even one whose files equal the last, moves
its extract date, hence its running periods, `as_at_date` and ages) and its own settings
(reference.council_iro_roles); everything else the models read is the project's: the dbt project,
the warehouse's functions (sql/) and the pseudonym key. A change there rebuilds everything.

Two schemas keep rows from night to night, each with a record in audit.build_state (keyed by the
schema's oid, which survives the renames of the switch):

    intermediate   rebuilt for the councils that moved since its last complete build
    marts_build    the build buffer: after a switch, the marts published the night before
                   (transform/publication.py), so it is rebuilt for the councils that moved
                   since the night it was last built, typically the last two nights' councils

A record is marked incomplete before dbt starts and complete, with every council's fingerprint,
only after dbt succeeded: a build that failed or was killed is rebuilt whole the next night.
`--full-refresh` (weekly in the schedule) rebuilds everything whatever the records say.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from csc_pipeline import paths

LAYERS = ("intermediate", "marts")
# What the dbt build reads besides the councils' rows: a change in any of these rebuilds all.
PROJECT_INPUTS = ("dbt_project.yml", "models", "macros", "seeds", "tests")


@dataclass(frozen=True)
class BuildPlan:
    """What tonight's build does. `rebuild[layer]` is the councils it rebuilds there (None: all)."""

    full_refresh: bool  # dbt --full-refresh: every table dropped and built whole
    fresh_buffer: bool  # the build buffer is dropped and made anew (its marts built whole)
    rebuild: dict[str, list[str] | None] = field(default_factory=dict)
    councils: dict[str, str] = field(default_factory=dict)  # la_code -> fingerprint, tonight's
    project: str = ""
    reason: str = ""

    def dbt_vars(self) -> dict:
        if self.full_refresh:
            return {}
        return {"rebuild_councils": {layer: self.rebuild.get(layer) for layer in LAYERS}}

    def describe(self) -> str:
        if self.full_refresh:
            return f"full refresh of every council ({len(self.councils)}): {self.reason}"
        parts = []
        for layer in LAYERS:
            chosen = self.rebuild.get(layer)
            parts.append(f"{layer}: {'every council' if chosen is None else len(chosen)} of {len(self.councils)}")
        return "incremental build (" + "; ".join(parts) + ")" + (f": {self.reason}" if self.reason else "")


def project_fingerprint(conn: psycopg.Connection, project_dir: Path | None = None) -> str:
    """One hash of everything but the councils' rows that the build reads."""
    project = project_dir or paths.DBT_PROJECT_DIR
    digest = hashlib.sha256()
    files = []
    for name in PROJECT_INPUTS:
        root = project / name
        found = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        files += [(f"dbt_project/{p.relative_to(project)}", p) for p in found if "target" not in p.parts]
    files += [(f"sql/{p.name}", p) for p in sorted(paths.SQL_DIR.glob("*.sql"))]
    for label, path in files:
        digest.update(label.encode() + b"\0" + path.read_bytes() + b"\0")
    # The pseudonym key by its hash only (the key itself never leaves the warehouse).
    key_hash = conn.execute("select encode(sha256(key), 'hex') from private.pseudonym_key").fetchone()
    digest.update((key_hash[0] if key_hash else "no key").encode())
    return digest.hexdigest()


def council_fingerprints(conn: psycopg.Connection) -> dict[str, str]:
    """Per council whose marts are built: a hash of its current load and its own settings."""
    rows = conn.execute("""
        select e.la_code, md5(concat_ws('|', e.load_id, e.extract_date, e.window_start,
               (select string_agg(r.role_code, ',' order by r.role_code)
                from reference.council_iro_roles r where r.la_code = e.la_code)))
        from audit.current_extracts e order by e.la_code""").fetchall()
    return dict(rows)


def _state(conn: psycopg.Connection, schema: str) -> tuple[str, dict, bool] | None:
    row = conn.execute(
        "select s.project_fingerprint, s.councils, s.complete from audit.build_state s"
        " join pg_namespace n on n.oid = s.schema_oid where n.nspname = %s", (schema,)).fetchone()
    return (row[0], row[1], row[2]) if row else None


def _moved(before: dict, now: dict) -> list[str]:
    """Councils whose fingerprint changed, appeared or went (a council gone is rebuilt empty)."""
    return sorted(la for la in set(before) | set(now) if before.get(la) != now.get(la))


def plan_build(conn: psycopg.Connection, *, build_schema: str, full_refresh: bool = False) -> BuildPlan:
    project = project_fingerprint(conn)
    councils = council_fingerprints(conn)
    common = {"councils": councils, "project": project}
    if full_refresh:
        return BuildPlan(True, True, {layer: None for layer in LAYERS}, reason="asked for (--full-refresh)", **common)
    intermediate = _state(conn, "intermediate")
    why = _not_reusable(intermediate, project, "intermediate")
    if why:
        return BuildPlan(True, True, {layer: None for layer in LAYERS}, reason=why, **common)
    buffer = _state(conn, build_schema)
    rebuild = {"intermediate": _moved(intermediate[1], councils)}
    why = _not_reusable(buffer, project, build_schema)
    if why:
        # A fresh buffer: its marts are built whole from intermediate (no table to add to).
        rebuild["marts"] = None
        return BuildPlan(False, True, rebuild, reason=why, **common)
    rebuild["marts"] = _moved(buffer[1], councils)
    return BuildPlan(False, False, rebuild, **common)


def _not_reusable(state, project: str, schema: str) -> str:
    if state is None:
        return f"{schema} has no record of a build"
    fingerprint, _, complete = state
    if not complete:
        return f"{schema}'s last build did not finish"
    if fingerprint != project:
        return "the dbt project, the warehouse functions or the pseudonym key changed"
    return ""


def _upsert(conn: psycopg.Connection, schema: str, project: str, councils: dict, complete: bool) -> None:
    conn.execute(
        "insert into audit.build_state (schema_oid, schema_name, project_fingerprint, councils, complete)"
        " select oid, nspname, %s, %s, %s from pg_namespace where nspname = %s"
        " on conflict (schema_oid) do update set schema_name = excluded.schema_name,"
        " project_fingerprint = excluded.project_fingerprint, councils = excluded.councils,"
        " complete = excluded.complete, recorded_at = now()",
        (project, json.dumps(councils), complete, schema))


def mark_building(conn: psycopg.Connection, plan: BuildPlan, *, build_schema: str) -> None:
    """Before dbt starts: both schemas are incomplete until it has succeeded."""
    with conn.transaction():
        conn.execute("create schema if not exists intermediate")
        # Records of schemas that no longer exist (a buffer dropped and made anew) are dropped.
        conn.execute("delete from audit.build_state s where not exists"
                     " (select from pg_namespace n where n.oid = s.schema_oid)")
        for schema in ("intermediate", build_schema):
            _upsert(conn, schema, plan.project, {}, False)


def record_built(conn: psycopg.Connection, plan: BuildPlan, *, build_schema: str) -> None:
    """After dbt succeeded: both schemas hold every council as of tonight."""
    with conn.transaction():
        for schema in ("intermediate", build_schema):
            _upsert(conn, schema, plan.project, plan.councils, True)
