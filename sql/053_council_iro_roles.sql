-- Which involvement types (ssd_involvements.invo_professional_role_id) mean an IRO
-- allocation, per council: "per-authority configuration, default IRO" (extract-contract.md
-- §3). A copy of the deployment file's `councils: <LA>: iro_role_codes:`, replaced before
-- every dbt build (csc_pipeline.transform.council_settings); a council with no rows here
-- uses dbt var iro_role_codes. Codes are stored as dbt staging compares them: trimmed, upper case.
create table if not exists reference.council_iro_roles (
    la_code    text not null,
    role_code  text not null check (role_code = upper(btrim(role_code)) and role_code <> ''),
    primary key (la_code, role_code)
);
