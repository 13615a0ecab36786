"""The deployment's configuration: read in one place, validated once, passed as one object.

Sources, lowest precedence first: the documented defaults below < the deployment file
(`CSC_DEPLOYMENT_CONFIG`, YAML) < environment variables (each `CSC_X` may also be given as the
Airflow variable `AIRFLOW_VAR_CSC_X`) < a council's own `councils: <LA>:` entry. The warehouse
may also be given as the Airflow connection `csc_warehouse` (`AIRFLOW_CONN_CSC_WAREHOUSE`), and
alert channels as the connections `csc_alert_smtp` / `csc_alert_webhook`. Every error names the
setting. Nothing else in the package reads the environment: modules take a `Deployment`
(or the values they need from it), and `current()` gives the running process's one.

The deployment file lists the councils a deployment serves, with their settings; when it lists
any, only those councils are accepted (as does `CSC_COUNCILS`):

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
        region_code: E12000009                    # for open data (csc export ees): the council's
        region_name: South West                   # region, and its old three-digit DfE LA number
        old_la_code: 839
        targets: {cla_reviews_on_time_in_period: 95}   # this council's own, over the file's `targets:`
    targets:                                      # the report's summary: a figure's target, none by
      icpc_within_15_working_days_in_period: {target: 90, better: higher}   # default (Target)

Environment variables (README "Configuration" and docs/validation.md describe each):
CSC_STATE_DIR, CSC_LANDING_ROOT, CSC_EXTRACT_ROOT, CSC_WAREHOUSE_DSN, CSC_AIRFLOW_DB_DSN, CSC_PSEUDONYM_KEY,
CSC_SCHEDULE, CSC_TASK_RETRIES, CSC_RETRY_DELAY_SECONDS, CSC_COUNCILS, CSC_CUTOFF, CSC_POLL_SECONDS,
CSC_COUNCIL_TASKS_MAX, CSC_DATA_DOCS_URL,
CSC_ALERT_* (alerts/send.py), CSC_VOLUME_SHRINK_MAX_PCT, CSC_VOLUME_GROWTH_MAX_PCT,
CSC_VOLUME_MIN_ROWS, CSC_UNMAPPED_VALUES_MAX, CSC_UNMAPPED_VALUE_CHARS,
CSC_SEVERITY ("rule=warning,rule=blocking"), CSC_LABEL_MAPPING_DIR (a folder of
`<LA_CODE>.csv` files), CSC_DATA_DOCS_DIR, CSC_DATA_DOCS (always|failed|never),
CSC_VALIDATION_WORK_MEM, CSC_VALIDATION_CONNECTIONS.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, time
from pathlib import Path
from typing import Any, Mapping

from csc_pipeline.contract.delivery import LA_CODE_PATTERN
from csc_pipeline.contract.rules import RULES, Severity
from csc_pipeline.paths import PROJECT_ROOT

ENV_DEPLOYMENT_CONFIG = "CSC_DEPLOYMENT_CONFIG"
GEOGRAPHY_KEYS = ("region_code", "region_name", "old_la_code")
REGION_CODE_PATTERN = re.compile(r"^E1200000[1-9]$")
OLD_LA_CODE_PATTERN = re.compile(r"^[0-9]{3}$")
ENV_WAREHOUSE_DSN = "CSC_WAREHOUSE_DSN"
ENV_AIRFLOW_DB_DSN = "CSC_AIRFLOW_DB_DSN"
ENV_PSEUDONYM_KEY = "CSC_PSEUDONYM_KEY"
WAREHOUSE_CONNECTION_ID = "csc_warehouse"


class ConfigError(ValueError):
    """The deployment's configuration is unusable; says which setting and why."""


@dataclass(frozen=True)
class ValidationConfig:
    # A table that loses more than this share of its rows since the last good drop blocks.
    volume_shrink_max_pct: float = 20.0
    # A table that gains more than this share warns.
    volume_growth_max_pct: float = 50.0
    # Tables with fewer rows than this in the last good drop are not compared.
    volume_min_rows: int = 10
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
        if self.data_docs_dir is None:
            raise ConfigError("data_docs_dir: not set (load the deployment with deployment.load())")
        return self.data_docs_dir


@dataclass(frozen=True)
class AlertSettings:
    """Where alerts go (alerts/send.py); empty: that channel is off."""

    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = False
    email_from: str = "csc-pipeline@localhost"
    email_to: str = ""  # comma-separated
    webhook_url: str = field(default="", repr=False)


@dataclass(frozen=True)
class Geography:
    """Where a council sits in the DfE's geography, for open data (Explore Education Statistics)."""

    region_code: str  # ONS region GSS code, E12000001 … E12000009
    region_name: str
    old_la_code: str  # the DfE's three-digit LA number


@dataclass(frozen=True)
class Target:
    """A figure's target for the report's summary: met when the figure is at or beyond it."""

    value: float
    better: str = "higher"  # or "lower": which side of the target is good


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Deployment:
    """Everything a deployment configures. Frozen: derive a variant with `dataclasses.replace`."""

    state_dir: Path = PROJECT_ROOT / ".state"  # local warehouse, Airflow home, demo data
    landing_root: Path = PROJECT_ROOT / ".state" / "landing"  # where councils' drops arrive (read-only)
    warehouse_dsn: str | None = field(default=None, repr=False)  # None: the local server in state_dir
    airflow_db_dsn: str | None = field(default=None, repr=False)  # None: database `airflow` on the warehouse server
    pseudonym_key: str | None = field(default=None, repr=False)  # HMAC secret; None: local server's own
    schedule: str = "30 5 * * *"  # cron, Europe/London
    # The night of the week whose dbt build rebuilds every council (`csc transform --full-refresh`),
    # whatever changed: a weekly proof that the nightly incremental builds hold no drift. "never": off.
    full_refresh_day: str = "sunday"
    task_retries: int = 1
    retry_delay_seconds: int = 300
    cutoff: time = time(7, 30)  # wait for expected councils' manifests until this London time
    poll_seconds: int = 300
    # A drop dated after the run (London time) by more than this many hours is blocked (drops/clock.py).
    future_tolerance_hours: int = 2
    # Up to this many councils a night, each gets its own mapped tasks in the DAG (its own row in the
    # grid); beyond it councils share this many batches, since each task costs Airflow seconds to start.
    council_tasks_max: int = 16
    councils: tuple[str, ...] = ()  # accepted councils (CSC_COUNCILS and the file's); empty: any well-formed code
    expected_councils: tuple[str, ...] = ()  # CSC_COUNCILS: waited for each night until the cut-off
    defaults: ValidationConfig = ValidationConfig()
    per_council: Mapping[str, ValidationConfig] = field(default_factory=dict)
    # Council -> the involvement types that mean an IRO allocation in its case system
    # (extract-contract.md §3, "per-authority configuration"); absent: dbt var iro_role_codes.
    iro_role_codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Council -> the database the pipeline extracts its drop from (councils.<LA>.source), and names.
    sources: Mapping[str, "SourceConfig"] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    # Council -> its region and old LA number (councils.<LA>.region_code/region_name/old_la_code);
    # each part may be missing, and open data refuses a council without all three (`geography_of`).
    geography: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Measure id -> target, for the report's summary (`targets:`); default none: no status is shown.
    targets: Mapping[str, Target] = field(default_factory=dict)
    council_targets: Mapping[str, Mapping[str, Target]] = field(default_factory=dict)
    # Where drops the pipeline extracts itself are written (extract-contract §1), scanned like the landing root.
    extract_root: Path = PROJECT_ROOT / ".state" / "extracts"
    alerts: AlertSettings = AlertSettings()
    # Where the Data Docs folder is served (the Docker stack's data-docs service); None: alerts give paths.
    data_docs_url: str | None = None

    def for_council(self, la_code: str) -> ValidationConfig:
        return self.per_council.get(la_code, self.defaults)

    def is_full_refresh_night(self, night: date) -> bool:
        """Whether the night's build rebuilds every council (the weekly full refresh)."""
        return self.full_refresh_day != "never" and WEEKDAYS[night.weekday()] == self.full_refresh_day

    def accepts(self, la_code: str) -> bool:
        return bool(LA_CODE_PATTERN.match(la_code)) and (not self.councils or la_code in self.councils)

    def targets_for(self, la_code: str) -> Mapping[str, Target]:
        return {**self.targets, **self.council_targets.get(la_code, {})}

    def geography_of(self, la_code: str) -> Geography:
        """The council's geography, or a ConfigError naming the first setting missing."""
        given = self.geography.get(la_code, {})
        for key in GEOGRAPHY_KEYS:
            if not given.get(key):
                raise ConfigError(f"councils.{la_code}.{key} is not set in the deployment file "
                                  f"({ENV_DEPLOYMENT_CONFIG}): open data needs the council's region and old LA number")
        return Geography(**{k: given[k] for k in GEOGRAPHY_KEYS})


_current: Deployment | None = None


def current() -> Deployment:
    """This process's deployment: the one set with `using()`, else read afresh from the environment."""
    return _current if _current is not None else load()


@contextmanager
def using(deployment: Deployment) -> Iterator[Deployment]:
    """Make `deployment` this process's own for the block (the CLI does, around the DAG runs it
    makes in-process, so the tasks see the same object), then restore the previous one."""
    global _current
    previous, _current = _current, deployment
    try:
        yield deployment
    finally:
        _current = previous


def _setting(env: Mapping[str, str], name: str) -> str | None:
    """`CSC_X` from the environment, else the Airflow variable `csc_x` given as `AIRFLOW_VAR_CSC_X`."""
    value = env.get(name)
    if value is None or value == "":
        value = env.get(f"AIRFLOW_VAR_{name}")
    return value if value not in (None, "") else None


def _runtime(env: Mapping[str, str], doc: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """The run settings, each from the environment, else the deployment file's `run:` section."""
    run = doc.get("run") or {}
    if not isinstance(run, Mapping):
        raise ConfigError("run: expected a mapping of settings")

    def get(name: str, key: str) -> Any:
        value = _setting(env, name)
        return value if value is not None else run.get(key)

    state = Path(get("CSC_STATE_DIR", "state_dir") or PROJECT_ROOT / ".state")
    state = (state if state.is_absolute() else base / state).resolve()
    landing = get("CSC_LANDING_ROOT", "landing_root")
    extracts = get("CSC_EXTRACT_ROOT", "extract_root")
    out: dict[str, Any] = {
        "state_dir": state,
        "landing_root": _path(landing, base) if landing else state / "landing",
        "extract_root": _path(extracts, base) if extracts else state / "extracts",
        "warehouse_dsn": _setting(env, ENV_WAREHOUSE_DSN) or _airflow_connection_uri(env, WAREHOUSE_CONNECTION_ID),
        "airflow_db_dsn": _setting(env, ENV_AIRFLOW_DB_DSN),
        "pseudonym_key": _setting(env, ENV_PSEUDONYM_KEY),
    }
    if out["pseudonym_key"] is not None and len(out["pseudonym_key"]) < 32:
        raise ConfigError(f"{ENV_PSEUDONYM_KEY}: must be at least 32 characters")
    schedule = get("CSC_SCHEDULE", "schedule")
    if schedule is not None:
        if len(str(schedule).split()) != 5:
            raise ConfigError(f"CSC_SCHEDULE: {schedule!r} is not a five-field cron expression like '30 5 * * *'")
        out["schedule"] = str(schedule)
    full_refresh_day = get("CSC_FULL_REFRESH_DAY", "full_refresh_day")
    if full_refresh_day is not None:
        day = str(full_refresh_day).strip().lower()
        if day not in (*WEEKDAYS, "never"):
            raise ConfigError(f"CSC_FULL_REFRESH_DAY: {full_refresh_day!r} is not a day of the week "
                              "(monday … sunday) or never")
        out["full_refresh_day"] = day
    for name, key, minimum in (("CSC_TASK_RETRIES", "task_retries", 0),
                               ("CSC_RETRY_DELAY_SECONDS", "retry_delay_seconds", 0),
                               ("CSC_POLL_SECONDS", "poll_seconds", 1),
                               ("CSC_COUNCIL_TASKS_MAX", "council_tasks_max", 1),
                               ("CSC_FUTURE_TOLERANCE_HOURS", "future_tolerance_hours", 0)):
        value = get(name, key)
        if value is not None:
            out[key] = _number(value, int, name, minimum)
    cutoff = get("CSC_CUTOFF", "cutoff")
    if cutoff is not None:
        try:
            out["cutoff"] = time.fromisoformat(str(cutoff))
        except ValueError:
            raise ConfigError(f"CSC_CUTOFF: {cutoff!r} is not a time like 07:30") from None
    if out.get("future_tolerance_hours", 0) > 24:
        raise ConfigError("CSC_FUTURE_TOLERANCE_HOURS: at most 24 (hours, not days: a later date is an error)")
    out["alerts"] = _alert_settings(env)
    out["data_docs_url"] = get("CSC_DATA_DOCS_URL", "data_docs_url")
    return out


def _alert_settings(env: Mapping[str, str]) -> AlertSettings:
    port = _setting(env, "CSC_ALERT_SMTP_PORT")
    return AlertSettings(
        smtp_host=_setting(env, "CSC_ALERT_SMTP_HOST") or "",
        smtp_port=_number(port, int, "CSC_ALERT_SMTP_PORT", 1) if port else 25,
        smtp_user=_setting(env, "CSC_ALERT_SMTP_USER") or "",
        smtp_password=_setting(env, "CSC_ALERT_SMTP_PASSWORD") or "",
        smtp_starttls=(_setting(env, "CSC_ALERT_SMTP_STARTTLS") or "").lower() in ("1", "true", "yes"),
        email_from=_setting(env, "CSC_ALERT_EMAIL_FROM") or "csc-pipeline@localhost",
        email_to=_setting(env, "CSC_ALERT_EMAIL_TO") or "",
        webhook_url=_setting(env, "CSC_ALERT_WEBHOOK_URL") or "",
    )


def _airflow_connection_uri(env: Mapping[str, str], conn_id: str) -> str | None:
    """An Airflow connection given in the environment (`AIRFLOW_CONN_<ID>`, URI or JSON form)."""
    raw = env.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if not raw:
        return None
    if raw.lstrip().startswith("{"):
        import json

        try:
            c = json.loads(raw)
        except json.JSONDecodeError:
            raise ConfigError(f"AIRFLOW_CONN_{conn_id.upper()}: not a connection URI or JSON") from None
        from urllib.parse import quote

        auth = f"{quote(c.get('login') or '')}:{quote(c.get('password') or '')}@" if c.get("login") else ""
        port = f":{c['port']}" if c.get("port") else ""
        return f"postgresql://{auth}{c.get('host', '')}{port}/{c.get('schema') or 'warehouse'}"
    return raw.replace("postgres://", "postgresql://", 1)


def alert_settings_from_airflow(alerts: AlertSettings) -> AlertSettings:
    """Fill channels left unset from the Airflow connections `csc_alert_smtp` / `csc_alert_webhook`,
    when running inside Airflow and they exist (looked up only when an alert is sent)."""
    if (alerts.smtp_host and alerts.webhook_url) or "airflow" not in sys.modules:
        return alerts  # outside Airflow (importing it here would fix its configuration too early)
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        return alerts
    changes: dict[str, Any] = {}
    if not alerts.smtp_host:
        try:
            smtp = BaseHook.get_connection("csc_alert_smtp")
            extra = smtp.extra_dejson
            changes.update(smtp_host=smtp.host or "", smtp_port=int(smtp.port or 25),
                           smtp_user=smtp.login or "", smtp_password=smtp.password or "",
                           email_from=extra.get("from", alerts.email_from),
                           email_to=alerts.email_to or extra.get("to", ""))
        except Exception:  # not defined: that channel stays off
            pass
    if not alerts.webhook_url:
        try:
            # The full URL, in the connection's extra {"url": ...} or its host field.
            hook = BaseHook.get_connection("csc_alert_webhook")
            changes["webhook_url"] = hook.extra_dejson.get("url") or hook.host or ""
        except Exception:
            pass
    return replace(alerts, **changes)


def load(env: Mapping[str, str] | None = None) -> Deployment:
    """The deployment from its file (CSC_DEPLOYMENT_CONFIG) and the environment, validated."""
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

    runtime = _runtime(env, doc, base)
    defaults = _apply(ValidationConfig(), doc.get("validation") or {}, base, "validation")
    defaults = _apply_env(defaults, env)
    if defaults.data_docs_dir is None:
        defaults = replace(defaults, data_docs_dir=runtime["state_dir"] / "data_docs")

    councils_doc = doc.get("councils") or {}
    if not isinstance(councils_doc, dict):
        raise ConfigError("councils: expected a mapping of GSS codes to settings")
    expected = [c.strip().upper() for c in (_setting(env, "CSC_COUNCILS") or "").split(",") if c.strip()]
    listed = [*expected, *(str(c).strip().upper() for c in councils_doc)]
    for code in listed:
        if not LA_CODE_PATTERN.match(code):
            raise ConfigError(f"CSC_COUNCILS / councils: {code!r} is not an English local-authority GSS code")
    mapping_dir = env.get("CSC_LABEL_MAPPING_DIR")

    per_council: dict[str, ValidationConfig] = {}
    iro_roles: dict[str, tuple[str, ...]] = {}
    sources: dict[str, SourceConfig] = {}
    names: dict[str, str] = {}
    geography: dict[str, dict[str, str]] = {}
    council_targets: dict[str, dict[str, Target]] = {}
    for code in dict.fromkeys(listed):
        entry = councils_doc.get(code) or councils_doc.get(code.lower()) or {}
        if entry.get("source") is not None:
            sources[code] = SourceConfig.parse(entry["source"], base, f"councils.{code}.source")
        if entry.get("name"):
            names[code] = str(entry["name"])
        geography[code] = _geography(entry, f"councils.{code}")
        if entry.get("targets") is not None:
            council_targets[code] = _targets(entry["targets"], f"councils.{code}.targets")
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
    return Deployment(**runtime, councils=tuple(dict.fromkeys(listed)), expected_councils=tuple(dict.fromkeys(expected)),
                      defaults=defaults,
                      per_council=per_council, iro_role_codes=iro_roles, sources=sources, names=names,
                      geography=geography, targets=_targets(doc.get("targets") or {}, "targets"),
                      council_targets=council_targets)


def _geography(entry: Mapping[str, Any], where: str) -> dict[str, str]:
    given = {k: str(entry[k]).strip() for k in GEOGRAPHY_KEYS if entry.get(k) is not None}
    if "region_code" in given and not REGION_CODE_PATTERN.match(given["region_code"]):
        raise ConfigError(f"{where}.region_code: expected an English region's GSS code, E12000001 to E12000009")
    if "old_la_code" in given:
        # YAML reads 839 as a number; the DfE's old codes are three digits, some with a leading zero
        # (write those quoted: YAML reads an unquoted 020 as octal).
        given["old_la_code"] = given["old_la_code"].zfill(3)
        if not OLD_LA_CODE_PATTERN.match(given["old_la_code"]):
            raise ConfigError(f"{where}.old_la_code: expected the DfE's three-digit LA number, like 839")
    return given


def _targets(value: Any, where: str) -> dict[str, Target]:
    """`measure_id: 95` or `measure_id: {target: 95, better: higher|lower}`, for known measures."""
    from csc_pipeline.contract.measures import MEASURES_BY_ID

    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping of measure ids to targets")
    targets = {}
    for measure_id, spec in value.items():
        if measure_id not in MEASURES_BY_ID:
            raise ConfigError(f"{where}.{measure_id}: not a published measure (docs/measures.md lists them)")
        spec = spec if isinstance(spec, dict) else {"target": spec}
        better = spec.get("better", "higher")
        if better not in ("higher", "lower"):
            raise ConfigError(f"{where}.{measure_id}.better: expected higher or lower, not {better!r}")
        targets[measure_id] = Target(_number(spec.get("target"), float, f"{where}.{measure_id}.target"), better)
    return targets


def _role_codes(value: Any, where: str) -> tuple[str, ...]:
    """A list of involvement types, compared as dbt staging reads them: trimmed, upper case."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of involvement types, like [IRO]")
    return tuple(dict.fromkeys(v.strip().upper() for v in value))


_NUMBERS = {"volume_shrink_max_pct": float, "volume_growth_max_pct": float, "volume_min_rows": int,
            "validation_connections": int}
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
        from csc_pipeline.contract import TABLES_BY_NAME

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
