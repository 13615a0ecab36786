"""Validation settings: documented defaults, a deployment file, environment variables, per council.

Precedence, lowest first: the defaults below < the deployment file's `validation:` <
environment variables < the council's own `councils: <LA>: validation:` entry.

The deployment file (`CSC_DEPLOYMENT_CONFIG`, YAML) lists the councils a deployment
serves, with their settings; when it lists any, only those councils are accepted
(as does `CSC_COUNCILS`):

    validation:                       # every council
      volume_shrink_max_pct: 20
      severity: {unknown_column: warning}
    councils:
      E06000028:
        name: Bournemouth
        label_mapping: mappings/E06000028.csv     # relative to this file
        validation: {volume_shrink_max_pct: 30}
        iro_role_codes: [IRO, IROM]               # for dbt: which involvements are IROs
        source: {kind: postgres, connection: csc_source_e06000028}   # extract from its database
                                                  # (SourceConfig below; docs/extract.md)

Environment variables: CSC_COUNCILS, CSC_VOLUME_SHRINK_MAX_PCT, CSC_VOLUME_GROWTH_MAX_PCT,
CSC_VOLUME_MIN_ROWS, CSC_UNMAPPED_VALUES_MAX, CSC_UNMAPPED_VALUE_CHARS,
CSC_SEVERITY ("rule=warning,rule=blocking"), CSC_LABEL_MAPPING_DIR (a folder of
`<LA_CODE>.csv` files), CSC_DATA_DOCS_DIR, CSC_DATA_DOCS (always|failed|never),
CSC_VALIDATION_WORK_MEM, CSC_VALIDATION_CONNECTIONS. docs/validation.md describes each.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path
from typing import Any, Mapping

from .. import settings
from ..landing.manifest import LA_CODE_PATTERN
from .rules import RULES, Severity

ENV_DEPLOYMENT_CONFIG = "CSC_DEPLOYMENT_CONFIG"


class ConfigError(ValueError):
    """The deployment's validation configuration is unusable; says which setting and why."""


@dataclass(frozen=True)
class ValidationConfig:
    # A table that loses more than this share of its rows since the last good drop blocks.
    volume_shrink_max_pct: float = 20.0
    # A table that gains more than this share warns.
    volume_growth_max_pct: float = 50.0
    # Tables with fewer rows than this in the last good drop are not compared.
    volume_min_rows: int = 10
    # Unmapped values reported per column (coded, non-personal columns only), and their length.
    unmapped_values_max: int = 10
    unmapped_value_chars: int = 40
    # Rule id -> severity, over rules.RULES's defaults.
    severity: Mapping[str, Severity] = field(default_factory=dict)
    # The council's label mapping file (code_set,label,code), if any.
    label_mapping: Path | None = None
    # Where Data Docs sites are written (one per validated drop), and when.
    data_docs_dir: Path | None = None
    data_docs: str = "failed"
    # work_mem for the validation queries (hash joins of keys).
    work_mem: str = "256MB"
    # Tables checked at once, each on its own connection (each query may also use parallel workers).
    validation_connections: int = 2

    def severity_of(self, rule: str, default: Severity | None = None) -> Severity:
        return self.severity.get(rule) or default or RULES[rule].severity

    def docs_dir(self) -> Path:
        return self.data_docs_dir or settings.state_dir() / "data_docs"


@dataclass(frozen=True)
class Deployment:
    """The deployment's councils (empty: any well-formed code) and each one's validation settings."""

    councils: tuple[str, ...] = ()
    defaults: ValidationConfig = ValidationConfig()
    per_council: Mapping[str, ValidationConfig] = field(default_factory=dict)
    # Council -> the involvement types that mean an IRO allocation in its case system
    # (extract-contract.md §3, "per-authority configuration"); absent: dbt var iro_role_codes.
    iro_role_codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Council -> the database the pipeline extracts its drop from (councils.<LA>.source), and names.
    sources: Mapping[str, "SourceConfig"] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    def for_council(self, la_code: str) -> ValidationConfig:
        return self.per_council.get(la_code, self.defaults)

    def accepts(self, la_code: str) -> bool:
        return bool(LA_CODE_PATTERN.match(la_code)) and (not self.councils or la_code in self.councils)


def load_deployment(env: Mapping[str, str] | None = None) -> Deployment:
    """The deployment's settings from its file (CSC_DEPLOYMENT_CONFIG) and the environment."""
    env = os.environ if env is None else env
    doc: dict[str, Any] = {}
    base = Path.cwd()
    path = env.get(ENV_DEPLOYMENT_CONFIG)
    if path:
        import yaml

        file = Path(path)
        try:
            doc = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{ENV_DEPLOYMENT_CONFIG}={path}: not readable as YAML ({type(exc).__name__})") from None
        if not isinstance(doc, dict):
            raise ConfigError(f"{path}: expected a mapping with `validation:` and `councils:`")
        base = file.resolve().parent

    defaults = _apply(ValidationConfig(), doc.get("validation") or {}, base, "validation")
    defaults = _apply_env(defaults, env)

    councils_doc = doc.get("councils") or {}
    if not isinstance(councils_doc, dict):
        raise ConfigError("councils: expected a mapping of GSS codes to settings")
    listed = [c.strip().upper() for c in env.get("CSC_COUNCILS", "").split(",") if c.strip()]
    listed += [str(c).strip().upper() for c in councils_doc]
    for code in listed:
        if not LA_CODE_PATTERN.match(code):
            raise ConfigError(f"council {code!r} is not an English local-authority GSS code")
    mapping_dir = env.get("CSC_LABEL_MAPPING_DIR")

    per_council: dict[str, ValidationConfig] = {}
    iro_roles: dict[str, tuple[str, ...]] = {}
    sources: dict[str, SourceConfig] = {}
    names: dict[str, str] = {}
    for code in dict.fromkeys(listed):
        entry = councils_doc.get(code) or councils_doc.get(code.lower()) or {}
        if entry.get("source") is not None:
            sources[code] = SourceConfig.parse(entry["source"], base, f"councils.{code}.source")
        if entry.get("name"):
            names[code] = str(entry["name"])
        if "iro_role_codes" in entry:
            iro_roles[code] = _role_codes(entry["iro_role_codes"], f"councils.{code}.iro_role_codes")
        config = defaults
        if entry.get("label_mapping"):
            config = replace(config, label_mapping=_path(entry["label_mapping"], base))
        config = _apply(config, entry.get("validation") or {}, base, f"councils.{code}.validation")
        per_council[code] = config
    if mapping_dir:
        folder = Path(mapping_dir)
        for file in sorted(folder.glob("*.csv")):
            code = file.stem.upper()
            if LA_CODE_PATTERN.match(code):
                current = per_council.get(code, defaults)
                if current.label_mapping is None:
                    per_council[code] = replace(current, label_mapping=file.resolve())
    return Deployment(councils=tuple(dict.fromkeys(listed)), defaults=defaults, per_council=per_council,
                      iro_role_codes=iro_roles, sources=sources, names=names)


def _role_codes(value: Any, where: str) -> tuple[str, ...]:
    """A list of involvement types, compared as dbt staging reads them: trimmed, upper case."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of involvement types, like [IRO]")
    return tuple(dict.fromkeys(v.strip().upper() for v in value))


_NUMBERS = {"volume_shrink_max_pct": float, "volume_growth_max_pct": float, "volume_min_rows": int,
            "unmapped_values_max": int, "unmapped_value_chars": int, "validation_connections": int}
_MINIMUM = {"validation_connections": 1}


def _apply(config: ValidationConfig, values: Mapping[str, Any], base: Path, where: str) -> ValidationConfig:
    if not isinstance(values, Mapping):
        raise ConfigError(f"{where}: expected a mapping")
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if key in _NUMBERS:
            changes[key] = _number(value, _NUMBERS[key], f"{where}.{key}", _MINIMUM.get(key, 0))
        elif key == "severity":
            changes["severity"] = {**config.severity, **_severities(value, f"{where}.severity")}
        elif key == "label_mapping":
            changes["label_mapping"] = _path(value, base)
        elif key == "data_docs_dir":
            changes["data_docs_dir"] = _path(value, base)
        elif key == "data_docs":
            changes["data_docs"] = _docs_mode(value, f"{where}.data_docs")
        elif key == "work_mem":
            changes["work_mem"] = _work_mem(value, f"{where}.work_mem")
        else:
            raise ConfigError(f"{where}.{key}: unknown setting (see docs/validation.md)")
    return replace(config, **changes)


def _apply_env(config: ValidationConfig, env: Mapping[str, str]) -> ValidationConfig:
    changes: dict[str, Any] = {}
    for key, kind in _NUMBERS.items():
        name = f"CSC_{key.upper()}"
        if env.get(name):
            changes[key] = _number(env[name], kind, name, _MINIMUM.get(key, 0))
    if env.get("CSC_SEVERITY"):
        pairs = dict(p.split("=", 1) if "=" in p else (p, "") for p in env["CSC_SEVERITY"].split(",") if p.strip())
        changes["severity"] = {**config.severity,
                               **_severities({k.strip(): v.strip() for k, v in pairs.items()}, "CSC_SEVERITY")}
    if env.get("CSC_DATA_DOCS_DIR"):
        changes["data_docs_dir"] = Path(env["CSC_DATA_DOCS_DIR"]).resolve()
    if env.get("CSC_DATA_DOCS"):
        changes["data_docs"] = _docs_mode(env["CSC_DATA_DOCS"], "CSC_DATA_DOCS")
    if env.get("CSC_VALIDATION_WORK_MEM"):
        changes["work_mem"] = _work_mem(env["CSC_VALIDATION_WORK_MEM"], "CSC_VALIDATION_WORK_MEM")
    return replace(config, **changes)


def _number(value: Any, kind: type, where: str, minimum: int = 0) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {value!r} is not a{'n integer' if kind is int else ' number'}") from None
    if number < minimum:
        raise ConfigError(f"{where}: must not be negative" if minimum == 0 else f"{where}: must be at least {minimum}")
    return number


# Severities the contract fixes: a local legal status is "kept, reported as a warning, never
# blocking" (extract-contract.md §3).
FIXED_SEVERITY: dict[str, Severity] = {"code_local": "warning"}


def _severities(value: Any, where: str) -> dict[str, Severity]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected rule: blocking|warning")
    out: dict[str, Severity] = {}
    for rule, severity in value.items():
        if rule not in RULES:
            raise ConfigError(f"{where}: no rule {rule!r} (rules are listed in docs/validation.md)")
        if severity not in ("blocking", "warning"):
            raise ConfigError(f"{where}.{rule}: {severity!r} is neither blocking nor warning")
        if FIXED_SEVERITY.get(rule, severity) != severity:
            raise ConfigError(f"{where}.{rule}: the contract makes it a {FIXED_SEVERITY[rule]}, always")
        out[rule] = severity
    return out


def _docs_mode(value: Any, where: str) -> str:
    if value not in ("always", "failed", "never"):
        raise ConfigError(f"{where}: {value!r} is not always, failed or never")
    return str(value)


def _work_mem(value: Any, where: str) -> str:
    text = str(value).strip()
    if not text or not text.rstrip("kMGB").isdigit():
        raise ConfigError(f"{where}: {value!r} is not a PostgreSQL memory size like 256MB")
    return text


def _path(value: Any, base: Path) -> Path:
    path = Path(str(value))
    return (path if path.is_absolute() else base / path).resolve()


@dataclass(frozen=True)
class SourceConfig:
    """A council's case-system database that the pipeline extracts its nightly drop from
    (`councils.<LA>.source`; docs/extract.md). Self-contained: it reads only its own mapping."""

    kind: str  # postgres | sqlserver
    connection: str  # an Airflow connection id (host, port, login, password, database, extras)
    schema: str = "ssd_development"  # where the SSD scripts create their tables
    tables: Mapping[str, str] = field(default_factory=dict)  # contract table -> the source's own name
    # SQL whose first value is true once the night's SSD refresh has finished (optional).
    readiness_query: str | None = None
    cutoff: time | None = None  # wait for readiness until this London time (default CSC_CUTOFF)
    system: str | None = None  # the manifest's source_system (default: the kind)
    ssd_version: str = ""
    # Where the local (loc_*) tables come from when not from this database: another database,
    # or a folder of CSV files the council keeps (<folder>/<table>.csv).
    local_tables: "SourceConfig | None" = None
    local_files: Path | None = None

    KINDS = ("postgres", "sqlserver")

    @classmethod
    def parse(cls, value: Any, base: Path, where: str, *, local: bool = False) -> "SourceConfig":
        from ..contract import TABLES_BY_NAME

        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a mapping with kind and connection")
        allowed = {"kind", "connection", "schema", "tables", "readiness_query", "cutoff", "system",
                   "ssd_version"} | (set() if local else {"local_tables"})
        for key in value:
            if key not in allowed:
                raise ConfigError(f"{where}.{key}: unknown setting (see docs/extract.md)")
        kind = value.get("kind")
        if kind not in cls.KINDS:
            raise ConfigError(f"{where}.kind: {kind!r} is neither postgres nor sqlserver")
        connection = value.get("connection")
        if not isinstance(connection, str) or not connection.strip():
            raise ConfigError(f"{where}.connection: expected an Airflow connection id")
        schema = value.get("schema", "ssd_development")
        if not isinstance(schema, str) or not schema.strip():
            raise ConfigError(f"{where}.schema: expected a schema name")
        tables = value.get("tables") or {}
        if not isinstance(tables, Mapping) or not all(isinstance(v, str) and v.strip() for v in tables.values()):
            raise ConfigError(f"{where}.tables: expected contract table: source table name")
        for name in tables:
            if name not in TABLES_BY_NAME:
                raise ConfigError(f"{where}.tables.{name}: not a table of the extract contract")
        cutoff = value.get("cutoff")
        if cutoff is not None:
            try:
                cutoff = cutoff if isinstance(cutoff, time) else time.fromisoformat(str(cutoff))
            except ValueError:
                raise ConfigError(f"{where}.cutoff: {cutoff!r} is not a time like 07:00") from None
        query = value.get("readiness_query")
        if query is not None and (not isinstance(query, str) or not query.strip()):
            raise ConfigError(f"{where}.readiness_query: expected one SQL query")
        local_tables, local_files = None, None
        locals_doc = value.get("local_tables")
        if locals_doc is not None:
            if isinstance(locals_doc, Mapping) and set(locals_doc) == {"files"}:
                local_files = _path(locals_doc["files"], base)
            else:
                local_tables = cls.parse(locals_doc, base, f"{where}.local_tables", local=True)
        return cls(kind=kind, connection=connection.strip(), schema=schema.strip(),
                   tables={k: v.strip() for k, v in tables.items()},
                   readiness_query=query.strip() if query else None, cutoff=cutoff,
                   system=str(value["system"]) if value.get("system") else None,
                   ssd_version=str(value.get("ssd_version") or ""),
                   local_tables=local_tables, local_files=local_files)
