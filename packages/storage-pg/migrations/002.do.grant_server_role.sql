-- The role the server connects through (prime-db grants it to the serving user): it reads and
-- writes the data tables and nothing else; no DDL. Roles are cluster-wide, so it is created only
-- when missing (another database of the cluster may have created it, even at the same moment).
DO $thv$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'toolhive_registry_server') THEN
    BEGIN
      CREATE ROLE toolhive_registry_server NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
END
$thv$;

GRANT SELECT, INSERT, UPDATE, DELETE
  ON registries, registry_sync_status, registry_entries, registry_leases
  TO toolhive_registry_server;

-- Reading the applied versions lets the serving user check that the schema is up to date (serve
-- with no migration credentials, `migrate status`); changing them needs the migration user.
GRANT SELECT ON thv_registry_schemaversion TO toolhive_registry_server;

-- USAGE on the schema the tables live in (PUBLIC already has it on "public"; a dedicated schema
-- needs it). Only the schema's owner can grant it: anyone else gets a notice and grants it by hand.
DO $thv$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO toolhive_registry_server', current_schema());
EXCEPTION
  WHEN insufficient_privilege THEN
    RAISE NOTICE 'could not grant USAGE on schema % to toolhive_registry_server; grant it as the schema owner', current_schema();
END
$thv$;
