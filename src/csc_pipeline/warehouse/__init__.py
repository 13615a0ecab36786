"""The reporting warehouse: a local throwaway PostgreSQL or an existing server, and its DDL."""
