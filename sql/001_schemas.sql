-- Schemas of the reporting warehouse. Idempotent: applied at every `csc warehouse init`
-- and at the start of every nightly run.
--   raw          the loaded tables: each council's last good snapshot, columns as text
--   history      every version of every loaded row, stamped with extract dates, and why it ended
--   audit        loads, row counts, checksums, validation results, publications
--   quarantine   drops that failed validation, kept for review
--   private      the pseudonym key and function (never readable by BI)
--   staging, intermediate   dbt models that still hold personal data
--   marts        what BI tools read (pseudonymised, suppressed where published)
-- Each night's drop lands first in its own schema `landing_<la_code>_<yyyymmdd>`.
create extension if not exists pgcrypto;
create schema if not exists raw;
create schema if not exists history;
create schema if not exists audit;
create schema if not exists quarantine;
create schema if not exists private;
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;
