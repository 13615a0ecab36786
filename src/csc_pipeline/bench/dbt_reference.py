"""The physical reference of the dbt build: the SQL dbt ran, replayed through psql into fresh schemas.

After the night's build, its target folder holds, for every node dbt executed, the SQL it sent
(`run/`: a model's `create table|view <name>__dbt_tmp ...`, with its contract's columns and
constraints; a data test's failure count; a unit test's comparison). The replay takes those
files in the DAG's order (`manifest.json`), with every relation of the project's own schemas
(staging, intermediate, the build schema) renamed into fresh ones (`bench_ref_<schema>`), and
runs them in one psql session per kind, one after another:
  - models: each seed loaded by `\\copy` of its CSV into a table shaped like the published one,
    each model's SQL, its `__dbt_tmp` relation renamed as dbt renames it, its hooks;
  - data tests; unit tests.
dbt's own work beyond it: starting and parsing the project, its catalogue queries, the renames
and backups around every table, comments (`persist_docs`), the run's bookkeeping. dbt runs
`CSC_DBT_THREADS` nodes at once (default 4); the replay runs one at a time.

An incremental model (every per-council model: dbt_project/macros/incremental_by_council.sql) is
replayed when the build created it whole (a full refresh, or a first build): its SQL is then a
`create table` like a table's, and its council hooks render to nothing. Built incrementally (its
SQL an insert into the relation it adds to, which a fresh schema lacks) it cannot be replayed:
`Replay.skipped` says which, and the benchmark reports the reference as missing rather than a
wrong one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "bench_ref_"
# The build schema is published under another name before the replay runs: seeds are shaped like those.
PUBLISHED = {"marts_build": "marts"}
KINDS = ("models", "data_tests", "unit_tests")


@dataclass
class Replay:
    scripts: dict[str, str] = field(default_factory=dict)  # kind -> psql script
    counts: dict[str, int] = field(default_factory=dict)  # kind -> nodes
    schemas: list[str] = field(default_factory=list)  # the fresh schemas
    skipped: list[str] = field(default_factory=list)  # nodes that cannot be replayed, and why

    def setup_script(self) -> str:
        return "".join(f'drop schema if exists "{s}" cascade;\ncreate schema "{s}";\n' for s in self.schemas)

    def cleanup_script(self) -> str:
        return "".join(f'drop schema if exists "{s}" cascade;\n' for s in self.schemas)


def _order(nodes: dict[str, dict], executed: set[str]) -> list[str]:
    """The executed nodes, each after everything it depends on (ties by id)."""
    deps = {uid: {d for d in nodes[uid].get("depends_on", {}).get("nodes", []) if d in executed} for uid in executed}
    done: list[str] = []
    placed: set[str] = set()
    ready = sorted(uid for uid, d in deps.items() if not d)
    while ready:
        uid = ready.pop(0)
        done.append(uid)
        placed.add(uid)
        for other in sorted(executed - placed):
            if other not in ready and deps[other] <= placed:
                ready.append(other)
        ready.sort()
    if len(done) != len(executed):
        raise ValueError("the build's nodes depend on each other in a cycle")
    return done


def replay(target: Path, project_dir: Path) -> Replay:
    """The replay of the build whose target folder is `target` (module docstring)."""
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    executed = {r["unique_id"] for r in results if r["unique_id"] in nodes
                and nodes[r["unique_id"]]["resource_type"] in ("model", "seed", "test", "unit_test")}
    own = {nodes[u]["schema"] for u in executed if nodes[u]["resource_type"] in ("model", "seed")}
    out = Replay(schemas=sorted(PREFIX + s for s in own))
    renamed = {s: PREFIX + s for s in own}
    database = next(nodes[u]["database"] for u in sorted(executed) if nodes[u]["resource_type"] == "model")

    def rewrite(text: str) -> str:
        for schema, fresh in renamed.items():
            text = text.replace(f'"{database}"."{schema}".', f'"{database}"."{fresh}".')
        return text

    parts: dict[str, list[str]] = {k: [] for k in KINDS}
    for uid in _order(nodes, executed):
        node = nodes[uid]
        kind = node["resource_type"]
        if kind == "seed":
            parts["models"].append(_seed(node, renamed, project_dir, out.skipped))
        elif kind == "model":
            sql = _model(node, target, renamed, rewrite, out.skipped)
            if sql:
                parts["models"].append(sql)
        elif kind == "test":
            parts["data_tests"].append(rewrite(_run_file(node, target).read_text()) + "\n;\n")
        else:
            parts["unit_tests"].append(rewrite(_unit_test_file(node, target).read_text()) + "\n;\n")
        counts_kind = "models" if kind in ("seed", "model") else "data_tests" if kind == "test" else "unit_tests"
        out.counts[counts_kind] = out.counts.get(counts_kind, 0) + 1
    out.scripts = {k: "".join(v) for k, v in parts.items()}
    return out


def _relation(database: str, schema: str, name: str) -> str:
    return f'"{database}"."{schema}"."{name}"'


def _seed(node: dict, renamed: dict[str, str], project_dir: Path, skipped: list[str]) -> str:
    schema, name = node["schema"], node["alias"]
    this = _relation(node["database"], renamed[schema], name)
    fresh = f'"{renamed[schema]}"."{name}"'  # \copy takes no database
    shaped_like = f'"{PUBLISHED.get(schema, schema)}"."{name}"'
    path = str(project_dir / node["original_file_path"]).replace("'", "''")
    return (_hooks(node, "pre-hook", this, skipped) + f"create table {fresh} (like {shaped_like});\n"
            f"\\copy {fresh} from '{path}' with (format csv, header true)\n" + _hooks(node, "post-hook", this, skipped))


_JINJA = re.compile(r"\{\{|\{%")
_TMP = re.compile(r'"([^"]*__dbt_tmp)"')
_CREATES = re.compile(r"^\s*(--[^\n]*\n\s*|/\*.*?\*/\s*)*create\s+(unlogged\s+)?table\b", re.IGNORECASE | re.DOTALL)
# The hooks of the per-council models (inherited by the folders' tables too): on a build that
# creates a table whole they render to nothing.
_COUNCIL_HOOKS = re.compile(r"^\s*\{\{\s*(council_inputs|delete_rebuilt_councils|add_contract_foreign_keys)\(\)\s*\}\}\s*$")


def _hooks(node: dict, key: str, this: str, skipped: list[str]) -> str:
    out = []
    for hook in node["config"].get(key) or []:
        if _COUNCIL_HOOKS.match(hook["sql"]):
            continue  # does nothing unless the model is built incrementally, which is never replayed
        text = re.sub(r"\{\{\s*this\s*\}\}", this, hook["sql"])
        if _JINJA.search(text):
            skipped.append(f"{node['unique_id']}: a {key} with Jinja other than {{{{ this }}}} (not replayed)")
            continue
        out.append(text.rstrip().rstrip(";") + ";\n")
    return "".join(out)


def _model(node: dict, target: Path, renamed: dict[str, str], rewrite, skipped: list[str]) -> str | None:
    materialized = node["config"]["materialized"]
    if materialized == "ephemeral":
        return None  # inlined into the models that use it
    if materialized not in ("table", "view", "incremental"):
        skipped.append(f"{node['unique_id']}: materialized as {materialized}, which a fresh schema cannot replay")
        return None
    db, name = node["database"], node["alias"]
    schema = renamed[node["schema"]]
    this = _relation(db, schema, name)
    body = rewrite(_run_file(node, target).read_text())
    if materialized == "incremental":
        if not _CREATES.match(body):
            skipped.append(f"{node['unique_id']}: built incrementally, which a fresh schema cannot replay")
            return None
        materialized = "table"  # created whole tonight (module docstring)
    # dbt shortens a long name to fit PostgreSQL's 63 characters before adding __dbt_tmp: read it from its SQL.
    tmp = _TMP.search(body)
    rename = f'alter {materialized} {_relation(db, schema, tmp.group(1))} rename to "{name}";\n' if tmp else ""
    return (_hooks(node, "pre-hook", this, skipped) + body + "\n;\n" + rename
            + _hooks(node, "post-hook", this, skipped))


def _run_file(node: dict, target: Path) -> Path:
    """The SQL dbt ran for the node: its compiled path under run/ instead of compiled/."""
    compiled = Path(node["compiled_path"])
    parts = compiled.parts
    if "compiled" not in parts:
        raise ValueError(f"{node['unique_id']}: no compiled path under the target folder ({compiled})")
    i = len(parts) - 1 - parts[::-1].index("compiled")
    return target / "run" / Path(*parts[i + 1:])


def _unit_test_file(node: dict, target: Path) -> Path:
    folder = target / "run" / node["package_name"] / node["original_file_path"]
    found = sorted(folder.rglob(f"{node['name']}.sql"))
    if not found:
        raise ValueError(f"{node['unique_id']}: no SQL under {folder}")
    return found[0]
