#!/usr/bin/env bash
# The database users of thv-registry, for the Docker Compose setup (docker-compose.yaml) and the
# demo PostgreSQL on Kubernetes (deploy/kubernetes/overlays/postgres-demo, through the
# kustomization in deploy/postgres).
#
# The postgres image runs the scripts of /docker-entrypoint-initdb.d once, when it initialises
# an empty data volume, as the superuser POSTGRES_USER against the database POSTGRES_DB. This
# one makes:
#
#   toolhive_registry_server  the role migration 002 grants the data tables to (NOLOGIN). Migration
#                             002 creates it only when it is missing, so it is created here first,
#                             where db_app can be made a member of it before any migration runs.
#   db_migrator               owns the schema public and runs the migrations (serve applies them
#                             as this user when it starts). No CREATEDB, CREATEROLE or superuser.
#   db_app                    what the server connects as: LOGIN, member of
#                             toolhive_registry_server, so it reads and writes the data tables,
#                             and cannot create, alter or drop anything.
#
# Environment:
#   POSTGRES_USER, POSTGRES_DB   set by the image; libpq's PGHOST, PGPORT, PGPASSWORD also apply
#   DB_MIGRATOR_PASSWORD         required
#   DB_APP_PASSWORD              required
#   DB_MIGRATOR_USER, DB_APP_USER  the user names (default db_migrator, db_app: the names
#                                examples/config-docker.yaml uses)
#
# It is idempotent: running it again sets the passwords again and changes nothing else, e.g. to
# apply new passwords to an existing volume:
#   docker compose up -d postgres
#   docker compose exec postgres /docker-entrypoint-initdb.d/10-registry-users.sh
#
# It needs psql 15 or later (\getenv): the passwords travel in the environment, never on a
# command line.

set -Eeo pipefail

thv_registry_users() {
  local admin="${POSTGRES_USER:-postgres}"
  local database="${POSTGRES_DB:-$admin}"
  local migrator="${DB_MIGRATOR_USER:-db_migrator}"
  local app="${DB_APP_USER:-db_app}"
  : "${DB_MIGRATOR_PASSWORD:?DB_MIGRATOR_PASSWORD must hold the password of ${migrator}}"
  : "${DB_APP_PASSWORD:?DB_APP_PASSWORD must hold the password of ${app}}"

  # psql quotes the variables: :'name' as a literal, :"name" as an identifier.
  psql --no-psqlrc --no-password --quiet --set ON_ERROR_STOP=1 \
    --username "$admin" --dbname "$database" \
    --set database="$database" --set migrator="$migrator" --set app="$app" <<'SQL'
\getenv migrator_password DB_MIGRATOR_PASSWORD
\getenv app_password DB_APP_PASSWORD
-- Quiet on a second run ("already a member").
SET client_min_messages = warning;

-- Roles are cluster-wide: another database's migration may be creating this one at this moment.
DO $init$ BEGIN CREATE ROLE toolhive_registry_server NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN END $init$;

-- New roles are NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT.

SELECT format('CREATE ROLE %I LOGIN', :'migrator')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'migrator') \gexec
ALTER ROLE :"migrator" WITH LOGIN PASSWORD :'migrator_password';

SELECT format('CREATE ROLE %I LOGIN', :'app')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'app') \gexec
ALTER ROLE :"app" WITH LOGIN PASSWORD :'app_password';
GRANT toolhive_registry_server TO :"app";

-- Only these two users (and superusers) may connect; nobody else may create temporary tables.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO :"migrator", :"app";

-- db_migrator owns the schema: it creates the tables there (and so owns them), and migration
-- 002 can grant USAGE on it to toolhive_registry_server. Nobody else may create objects in it
-- (already so on PostgreSQL 15 and later).
ALTER SCHEMA public OWNER TO :"migrator";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL

  echo "thv-registry: database ${database}: ${migrator} owns schema public and runs migrations; ${app} serves as a member of toolhive_registry_server"
}

thv_registry_users
