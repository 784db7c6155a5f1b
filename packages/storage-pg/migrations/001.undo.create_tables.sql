DROP TABLE IF EXISTS registry_leases;
DROP TABLE IF EXISTS registry_entries;
DROP TABLE IF EXISTS registry_sync_status;
DROP TABLE IF EXISTS registries;
