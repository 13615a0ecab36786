"""Transform: the dbt project that turns the loaded extracts into the published marts."""
