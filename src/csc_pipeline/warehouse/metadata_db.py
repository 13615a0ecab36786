"""Airflow's metadata database: present, created, or reported in one line.

It is configured on its own (`CSC_AIRFLOW_DB_DSN`), else it is the database `airflow` on the
warehouse server. An existing server rarely has it: we create it when our login may, and
otherwise say exactly what to do, instead of SQLAlchemy's forty-line traceback.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from csc_pipeline.deployment import ENV_AIRFLOW_DB_DSN

from .connection import redacted, with_database


class MetadataDbUnavailable(RuntimeError):
    pass


def ensure_metadata_db(dsn: str) -> str:
    """"present" or "created"; raises MetadataDbUnavailable with one actionable line.

    Only its owner may connect: PostgreSQL lets every role (PUBLIC) connect to a new database,
    and the BI logins live on the same server when it is the warehouse's."""
    name = urlsplit(dsn).path.lstrip("/") or "airflow"
    try:
        with psycopg.connect(dsn, connect_timeout=10, autocommit=True) as conn:
            _owner_only(conn, name)
            return "present"
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc) or f'"{name}"' not in str(exc):
            raise MetadataDbUnavailable(
                f"Airflow's metadata database {redacted(dsn)} is unreachable ({_first_line(exc)}); "
                f"check the server, or set {ENV_AIRFLOW_DB_DSN} to another database") from None
    try:
        with psycopg.connect(with_database(dsn, "postgres"), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
            _owner_only(conn, name)
        return "created"
    except psycopg.Error as exc:
        user = urlsplit(dsn).username or "the login"
        raise MetadataDbUnavailable(
            f"Airflow's metadata database {name!r} does not exist on {redacted(dsn)} and {user} cannot "
            f"create it ({_first_line(exc)}): ask the DBA for `createdb -O {user} {name}`, or set "
            f"{ENV_AIRFLOW_DB_DSN} to a database Airflow may use") from None


def _owner_only(conn: psycopg.Connection, name: str) -> None:
    """Revoke PUBLIC's CONNECT when our login owns the database (a DBA's database keeps its own grants;
    docs/operations.md says what to set)."""
    owned = conn.execute(
        "select pg_get_userbyid(datdba) = current_user from pg_database where datname = current_database()"
    ).fetchone()[0]
    if owned:
        conn.execute(sql.SQL("revoke connect, temporary on database {} from public").format(sql.Identifier(name)))


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
