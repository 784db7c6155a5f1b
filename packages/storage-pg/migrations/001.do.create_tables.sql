-- thv-registry schema, version 1: registries, their sync status, their entries and the sync leases.
-- Names, versions and registry names use the "C" collation: byte order, the order the API serves.

CREATE TABLE registries (
  name         text COLLATE "C" PRIMARY KEY,
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- Set by every commit; NULL while only a status was ever saved (no snapshot yet).
  committed_at timestamptz
);

CREATE TABLE registry_sync_status (
  registry   text COLLATE "C" PRIMARY KEY REFERENCES registries (name) ON DELETE CASCADE,
  -- The whole sync status as the server keeps it; phase is copied out for operators' queries.
  status     jsonb NOT NULL,
  phase      text GENERATED ALWAYS AS (status ->> 'phase') STORED,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE registry_entries (
  registry          text COLLATE "C" NOT NULL REFERENCES registries (name) ON DELETE CASCADE,
  name              text COLLATE "C" NOT NULL,
  version           text COLLATE "C" NOT NULL,
  -- json, not jsonb: the document keeps its key order, so every replica serves the same bytes.
  server            json NOT NULL,
  status            text NOT NULL CHECK (status IN ('active', 'deprecated', 'deleted')),
  status_message    text,
  published_at      timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  status_changed_at timestamptz NOT NULL,
  -- The source's own isLatest flag (an upstream registry's); NULL when the source has none.
  is_latest         boolean,
  -- Hash of the server document, status and status message: decides whether a row is rewritten.
  content_hash      text NOT NULL,
  -- Serves load (registry prefix, in byte order), the commit's upserts and its deletions.
  PRIMARY KEY (registry, name, version)
);

-- Incremental reads (updated_since) and operators' "what changed" queries.
CREATE INDEX registry_entries_updated_at_idx ON registry_entries (registry, updated_at);

CREATE TABLE registry_leases (
  registry    text COLLATE "C" PRIMARY KEY,
  holder      text NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
