"""Extracting a council's drop straight from its case system's reporting database.

The SSD scripts create the contract's tables in a schema (`ssd_development`) on SQL Server
or PostgreSQL; this package reads them in one consistent snapshot and writes an ordinary
drop (extract-contract.md §1–2) into the extract root, so everything after landing is the
same code path as for file drops. docs/extract.md describes it.

    sources.py       what a source is (kind, DSN, schema, table names) and the per-kind readers
    postgres.py      PostgreSQL: one REPEATABLE READ READ ONLY transaction, server-side cursors
    sqlserver.py     SQL Server (mssql-python): SNAPSHOT isolation where the database allows it
    values.py        the deterministic text of each value (ISO dates, numbers without .0, ...)
    readiness.py     is the night's SSD refresh finished? retried until the cut-off
    drop_writer.py   CSVs and manifest in a temporary folder, renamed into place at the end
    extractor.py     one council: readiness, snapshot, every contract table, the drop
    connections.py   an Airflow connection id -> a DSN for its kind
    night.py         the DAG's extract step (one council per mapped task) and its failure alert
"""
