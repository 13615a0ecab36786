"""A source's Airflow connection id -> the DSN its kind of driver takes.

The connection holds host, port, login, password and, in its `schema` field, the database
(Airflow's convention for both Postgres and MSSQL connections); its extras are passed on
(libpq options such as sslmode, or ODBC keywords such as TrustServerCertificate). Outside a
task, Airflow resolves `AIRFLOW_CONN_<ID>` environment variables and its secrets backends too.
"""

from __future__ import annotations

from psycopg.conninfo import make_conninfo

from csc_pipeline.deployment import SourceConfig
from .errors import SourceUnreachable
from .sources import SourceSpec

# libpq options an Airflow Postgres connection's extras may carry.
_LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "target_session_attrs", "options",
                  "keepalives", "keepalives_idle", "application_name")


def spec_for(config: SourceConfig) -> SourceSpec:
    """The source of a council's deployment entry, its DSN from the Airflow connection."""
    label = f"connection {config.connection}"
    return SourceSpec(kind=config.kind, dsn=dsn_for(config.connection, config.kind), label=label,  # type: ignore[arg-type]
                      schema=config.schema, tables=dict(config.tables), readiness_query=config.readiness_query)


def dsn_for(conn_id: str, kind: str) -> str:
    from airflow.sdk import Connection

    try:
        conn = Connection.get(conn_id)
    except Exception as exc:  # not defined: the message of the secrets backend may say where it looked
        raise SourceUnreachable(f"connection {conn_id}: not defined in Airflow ({type(exc).__name__})") from None
    extra = conn.extra_dejson or {}
    if kind == "postgres":
        options = {k: str(v) for k, v in extra.items() if k in _LIBPQ_OPTIONS}
        return make_conninfo("", host=conn.host or None, port=conn.port or None, user=conn.login or None,
                             password=conn.password or None, dbname=conn.schema or None, **options)
    from .sqlserver import connection_string

    return connection_string(host=conn.host or "localhost", port=conn.port, database=conn.schema or None,
                             user=conn.login or None, password=conn.password or None,
                             options={k: str(v) for k, v in extra.items()})
