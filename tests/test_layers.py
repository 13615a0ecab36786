"""The package's layers import only downwards (docs/architecture.md), imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from csc_pipeline import paths

PACKAGE = paths.PROJECT_ROOT / "src" / "csc_pipeline"

# Lowest first. A module may import its own package and any layer below its own, never one above
# or a sibling package of its own layer. docs/architecture.md explains each.
LAYERS: list[tuple[str, ...]] = [
    ("paths", "bench_memory"),  # where the project's files are; peak memory of a command (for the benchmark)
    ("contract",),  # the contracts as code: tables, code sets, rules, measures
    ("issues",),  # the issue and report shape every step shares
    ("deployment",),  # configuration, read once
    ("warehouse", "alerts"),  # the server, its DDL; sending alerts
    ("drops",),  # finding drops, reading and writing manifests
    ("load", "generate"),  # copying in, promoting to raw, quarantine, the audit; synthetic councils' drops
    ("validate", "transform", "extract"),  # the gate; dbt; extracting from a case system
    ("reports",),  # what leaves the warehouse
    ("flows",),  # composing the night, acceptance and Airflow runs
    ("cli", "bench"),  # entry points
    ("deploy",),  # running it as a service: the local Airflow
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _unit(module: str) -> str:
    """csc_pipeline.load.audit -> load; csc_pipeline -> '' (the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file (or `source` as if it were it), at any depth."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text() if source is None else source, str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == "csc_pipeline":  # `from csc_pipeline import deployment`: the names are modules
                found += [(node.lineno, f"csc_pipeline.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, target))
    return [(line, m) for line, m in found if m == "csc_pipeline" or m.startswith("csc_pipeline.")]


def violations(files: list[Path], sources: dict[Path, str] | None = None) -> list[str]:
    out = []
    sources = sources or {}
    for path in files:
        own = _unit(_module_name(path))
        if own not in RANK:
            out.append(f"{path.relative_to(PACKAGE)}: in no layer (add it to LAYERS and docs/architecture.md)")
            continue
        for line, target in imports_of(path, sources.get(path)):
            other = _unit(target)
            if other == own:
                continue
            if other not in RANK:
                out.append(f"{path.relative_to(PACKAGE)}:{line} imports {target}, which is in no layer")
            elif RANK[other] >= RANK[own]:
                out.append(f"{path.relative_to(PACKAGE)}:{line} ({own}) imports {target} ({other}), "
                           f"{'the same layer' if RANK[other] == RANK[own] else 'a layer above'}")
    return out


def package_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def test_every_module_imports_only_downwards():
    assert violations(package_files()) == []


def test_dag_files_import_only_flows_and_below():
    # A DAG file is wiring: it may use the flows, the deployment and the alert callback, no step directly.
    allowed = {"flows", "deployment", "alerts"}
    for path in sorted(paths.DAGS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("csc_pipeline"):
                units = {_unit(node.module)} if node.module != "csc_pipeline" else {a.name for a in node.names}
                assert units <= allowed, f"{path.name}:{node.lineno} imports {node.module}"


@pytest.mark.parametrize("source, expected", [
    # an upward import inside a function is caught
    ("def f():\n    from csc_pipeline.flows import nightly\n", "imports csc_pipeline.flows"),
    # a sibling of the same layer is caught
    ("from csc_pipeline.transform import dbt_runner\n", "the same layer"),
    # `from csc_pipeline import X` names modules
    ("from csc_pipeline import cli\n", "imports csc_pipeline.cli"),
    # a relative import climbing out of the package is caught
    ("from ..reports import history\n", "imports csc_pipeline.reports"),
])
def test_the_check_finds_upward_imports(source, expected):
    probe = PACKAGE / "validate" / "_layer_probe.py"  # read from `source`, never written
    (found,) = violations([probe], {probe: source})
    assert expected in found
