"""Which PostgreSQL server the pipeline talks to, and how to connect to it.

The deployment's `warehouse_dsn` names an existing server; without one the project's own local
server in the state folder is used (started by `csc warehouse start`).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg

from csc_pipeline.deployment import ENV_WAREHOUSE_DSN, Deployment

from .local_server import LocalServer


class WarehouseNotConfigured(RuntimeError):
    pass


def local_server(config: Deployment) -> LocalServer:
    return LocalServer(config.state_dir / "postgres")


def warehouse_dsn(config: Deployment) -> str:
    if config.warehouse_dsn:
        return config.warehouse_dsn
    server = local_server(config)
    if server.is_initialised() and server.port_file.exists():
        return server.dsn()
    raise WarehouseNotConfigured(
        f"No warehouse: set {ENV_WAREHOUSE_DSN} (or the Airflow connection csc_warehouse) to an existing "
        "PostgreSQL server, or start the local one with `csc warehouse start`."
    )


def is_local_warehouse(config: Deployment) -> bool:
    """Whether the warehouse is the project's own server in the state folder."""
    server = local_server(config)
    if not config.warehouse_dsn:
        return True
    return server.is_initialised() and server.port_file.exists() and config.warehouse_dsn == server.dsn()


def airflow_metadata_dsn(config: Deployment) -> str:
    """Airflow's own database: its configured DSN, else the database `airflow` on the warehouse server."""
    return config.airflow_db_dsn or with_database(warehouse_dsn(config), "airflow")


def connect(dsn: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(dsn, **kwargs)


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
        "CSC_PG_USER": str(info.get("user", "postgres")),
        "DBT_ENV_SECRET_CSC_PG_PASSWORD": str(info.get("password", "")),
        "CSC_PG_DBNAME": str(info.get("dbname", "warehouse")),
    }
