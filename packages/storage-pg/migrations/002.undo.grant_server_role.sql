-- The role itself stays: it is cluster-wide and other databases or users may rely on it.
REVOKE SELECT, INSERT, UPDATE, DELETE
  ON registries, registry_sync_status, registry_entries, registry_leases
  FROM toolhive_registry_server;
REVOKE SELECT ON thv_registry_schemaversion FROM toolhive_registry_server;

DO $thv$
BEGIN
  EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM toolhive_registry_server', current_schema());
EXCEPTION
  WHEN insufficient_privilege THEN NULL;
END
$thv$;
