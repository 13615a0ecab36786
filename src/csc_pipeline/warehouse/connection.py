"""Which PostgreSQL server the pipeline talks to, and how to connect to it.

`CSC_WAREHOUSE_DSN` names an existing server; without it the project's own
local server in the state folder is used (started by `csc warehouse start`).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg

from csc_pipeline import paths as settings
from .local_server import LocalServer


class WarehouseNotConfigured(RuntimeError):
    pass


def local_server() -> LocalServer:
    return LocalServer(settings.state_dir() / "postgres")


def warehouse_dsn() -> str:
    dsn = os.environ.get(settings.ENV_WAREHOUSE_DSN)
    if dsn:
        return dsn
    server = local_server()
    if server.is_initialised() and server.port_file.exists():
        return server.dsn()
    raise WarehouseNotConfigured(
        f"No warehouse: set {settings.ENV_WAREHOUSE_DSN} to an existing PostgreSQL server, "
        "or start the local one with `csc warehouse start`."
    )


def is_local_warehouse() -> bool:
    """Whether the warehouse is the project's own server in the state folder."""
    dsn = os.environ.get(settings.ENV_WAREHOUSE_DSN)
    if not dsn:
        return True
    server = local_server()
    return server.is_initialised() and server.port_file.exists() and dsn == server.dsn()


def connect(dsn: str | None = None, **kwargs) -> psycopg.Connection:
    return psycopg.connect(dsn or warehouse_dsn(), **kwargs)


def with_database(dsn: str, database: str) -> str:
    """The same server and credentials, another database (Airflow's metadata DB)."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def sqlalchemy_url(dsn: str) -> str:
    """psycopg 3 driver for SQLAlchemy users (Airflow, Great Expectations)."""
    parts = urlsplit(dsn)
    return urlunsplit(("postgresql+psycopg", parts.netloc, parts.path, parts.query, parts.fragment))


def redacted(dsn: str) -> str:
    """The DSN with its password hidden, for messages."""
    parts = urlsplit(dsn)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return dsn


def dbt_env(dsn: str) -> dict[str, str]:
    """Connection settings in the variables dbt_project/profiles.yml reads.

    The password goes in a DBT_ENV_SECRET_ variable so dbt scrubs it from its logs.
    """
    info = psycopg.conninfo.conninfo_to_dict(dsn)
    return {
        "CSC_PG_HOST": str(info.get("host", "127.0.0.1")),
        "CSC_PG_PORT": str(info.get("port", "5432")),
        "CSC_PG_USER": str(info.get("user", os.environ.get("USER", "postgres"))),
        "DBT_ENV_SECRET_CSC_PG_PASSWORD": str(info.get("password", "")),
        "CSC_PG_DBNAME": str(info.get("dbname", "warehouse")),
    }
