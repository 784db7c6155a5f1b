/**
 * A deterministic catalog of N servers × K versions with realistic server.json entries: reverse-DNS
 * names under many namespaces, titles, descriptions close to the 100-character limit,
 * repositories, websites, icons, and npm / PyPI / OCI packages (arguments, environment variables)
 * or remotes (headers), alone or together. Equal arguments give byte-equal output.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export const SERVER_SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';

/** The word the search case looks for: in the description of about one server in six. */
export const SEARCH_WORD = 'database';

const OWNERS = [
  'acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell', 'cyberdyne', 'soylent',
  'wonka', 'aperture', 'blackmesa', 'vandelay', 'dunder', 'pied-piper', 'massive', 'oscorp', 'gringotts', 'monarch',
  'nakatomi', 'prestige', 'sirius', 'vehement', 'zorg', 'ingen', 'oceanic', 'duff', 'krusty', 'lacuna',
];

const TOPICS = [
  ['filesystem', 'Filesystem', 'Reads, writes and searches files in the directories you allow, with size limits and globs'],
  ['weather', 'Weather', 'Current conditions, hourly forecasts and severe weather alerts for any city or coordinate'],
  ['github', 'GitHub', 'Issues, pull requests, reviews and code search across the GitHub repositories you can access'],
  ['postgres', 'PostgreSQL', 'Read-only SQL against a PostgreSQL database: schemas, explain plans and sampled rows'],
  ['search', 'Web Search', 'Web and news search with ranked, deduplicated results and short summaries of each page'],
  ['calendar', 'Calendar', 'Lists, creates and moves calendar events; finds free slots across several attendees'],
  ['slack', 'Slack', 'Posts messages, reads channels and threads, and searches the history of a Slack workspace'],
  ['memory', 'Memory', 'A persistent knowledge graph the model can store facts in and query across conversations'],
  ['browser', 'Browser', 'Drives a headless browser: navigate, click, fill forms, read the page and take screenshots'],
  ['kubernetes', 'Kubernetes', 'Inspects pods, deployments, events and logs in a cluster; scales and restarts workloads'],
  ['sqlite', 'SQLite', 'Queries and updates a local SQLite database file, with schema discovery and CSV export'],
  ['jira', 'Jira', 'Searches, creates and transitions Jira issues; reads sprints, boards and project metadata'],
];

const ADJECTIVES = ['Fast', 'Simple', 'Secure', 'Open', 'Tiny', 'Smart', 'Hosted', 'Local', 'Official', 'Community'];

const pick = (random, list) => list[Math.floor(random() * list.length)];

/**
 * Generates the catalog: `servers` × `versions` entries, each `{ server, official }`. The official
 * block (status, publishedAt, updatedAt, statusChangedAt, isLatest) is what an upstream registry
 * API sends; a plain server.json file carries only `server`. Versions are `<major>.<k>.0`, published
 * a minute apart; one version in fifty is deprecated. Nothing is deleted, so every entry is served.
 */
export function generateCatalog({ servers = 10_000, versions = 3, seed = 1 } = {}) {
  const generator = xoroshiro128plus(seed);
  const random = () => uniformFloat64(generator);
  const start = Date.UTC(2025, 0, 1);
  const entries = [];
  for (let n = 0; n < servers; n++) {
    // Many namespaces of about three servers each, as in a public registry: `acme12`, `globex12`, ….
    const owner = `${OWNERS[n % OWNERS.length]}${Math.floor(n / (3 * OWNERS.length))}`;
    const [slug, label, blurb] = pick(random, TOPICS);
    const adjective = pick(random, ADJECTIVES);
    const major = 1 + Math.floor(random() * 3);
    const shape = Math.floor(random() * 6);
    for (let k = 0; k < versions; k++) {
      const index = entries.length;
      const version = `${major}.${k}.0`;
      const at = new Date(start + index * 60_000 + Math.floor(random() * 1000)).toISOString();
      const deprecated = index % 50 === 49;
      const official = {
        status: deprecated ? 'deprecated' : 'active',
        publishedAt: at,
        updatedAt: at,
        statusChangedAt: at,
        isLatest: k === versions - 1,
      };
      if (deprecated) official.statusMessage = `superseded by ${version.replace(/^\d+/, String(major + 1))}`;
      entries.push({ server: serverJson({ n, owner, slug, label, blurb, adjective, version, shape }), official });
    }
  }
  return entries;
}

function serverJson({ n, owner, slug, label, blurb, adjective, version, shape }) {
  const repo = `${slug}-mcp-${n}`;
  const name = `io.github.${owner}/${repo}`;
  const server = {
    $schema: SERVER_SCHEMA_URL,
    name,
    title: `${adjective} ${label} MCP ${n}`,
    description: blurb.slice(0, 100),
    version,
    repository: { url: `https://github.com/${owner}/${repo}`, source: 'github', id: String(100_000 + n) },
    websiteUrl: `https://${owner}.example.com/mcp/${repo}`,
    icons: [
      { src: `https://${owner}.example.com/icons/${repo}.png`, mimeType: 'image/png', sizes: ['48x48', '96x96'] },
      { src: `https://${owner}.example.com/icons/${repo}.svg`, mimeType: 'image/svg+xml', sizes: ['any'], theme: 'dark' },
    ],
  };
  const token = `${slug.toUpperCase()}_API_TOKEN`;
  const env = [
    { name: token, description: `API token for the ${label} service`, isRequired: true, isSecret: true },
    { name: 'LOG_LEVEL', description: 'Log verbosity', default: 'info', choices: ['debug', 'info', 'warn', 'error'] },
  ];
  const npm = {
    registryType: 'npm',
    registryBaseUrl: 'https://registry.npmjs.org',
    identifier: `@${owner}/${repo}`,
    version,
    runtimeHint: 'npx',
    transport: { type: 'stdio' },
    packageArguments: [{ type: 'named', name: '--read-only', description: 'Refuse every write', format: 'boolean' }],
    environmentVariables: env,
  };
  const pypi = {
    registryType: 'pypi',
    registryBaseUrl: 'https://pypi.org',
    identifier: `${owner}-${repo}`,
    version,
    runtimeHint: 'uvx',
    transport: { type: 'stdio' },
    environmentVariables: env,
  };
  const oci = {
    registryType: 'oci',
    identifier: `ghcr.io/${owner}/${repo}:${version}`,
    transport: { type: 'streamable-http', url: 'http://localhost:8080/mcp' },
    runtimeArguments: [{ type: 'named', name: '-p', value: '8080:8080' }],
    environmentVariables: env.slice(0, 1),
  };
  const remote = {
    type: 'streamable-http',
    url: `https://mcp.${owner}.example.com/${repo}/mcp`,
    headers: [{ name: 'Authorization', description: `Bearer token for ${label}`, value: 'Bearer {token}', isRequired: true, isSecret: true }],
  };
  switch (shape) {
    case 0: server.packages = [npm]; break;
    case 1: server.packages = [pypi]; break;
    case 2: server.packages = [oci]; break;
    case 3: server.remotes = [remote, { type: 'sse', url: `https://mcp.${owner}.example.com/${repo}/sse` }]; break;
    case 4: server.packages = [npm, oci]; break;
    default: server.packages = [pypi]; server.remotes = [remote];
  }
  return server;
}

/** The upstream wrapped file the file source reads: `{ $schema, version, meta, data: { servers } }`. */
export function wrappedFile(entries) {
  return {
    $schema: 'https://raw.githubusercontent.com/stacklok/toolhive/main/pkg/registry/data/upstream-registry.schema.json',
    version: '1.0.0',
    meta: { last_updated: '2026-01-01T00:00:00Z' },
    data: { servers: entries.map((entry) => entry.server) },
  };
}

/** One item of an official API list page: `{ server, _meta: { official } }`. */
export function apiItem(entry) {
  return { server: entry.server, _meta: { [OFFICIAL_META_KEY]: entry.official } };
}
