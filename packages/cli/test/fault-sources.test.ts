/**
 * Fault trial: the network to both remote sources fails, one fault after the other, while a read
 * loop runs. One `serve` with two registries: a git source reading a repository from
 * `git http-backend`, and an api source mirroring the upstream emulator, each THROUGH its own
 * {@link FaultProxy}. For each fault (connection refused, reset mid-body, stalled mid-body): both
 * registries keep serving their last good data, their status says what failed and where, the
 * failures count up and the backoff shows in `nextAttempt`, `/readiness` stays 200 with both syncs
 * in `degraded`; once the network is back each registry serves, within a bound, what changed at
 * its remote during the fault.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { FaultProxy } from '../../core/test/helpers/fault-proxy.js';
import { UpstreamEmulator, type EmulatedVersion } from '../../source-api/test/helpers/upstream-emulator.js';
import { commitFile, createBareRepo, startGitHttpServer, type GitHttpServer } from '../../source-git/test/helpers/git-http-server.js';
import { LEVEL, ServeProcess } from './helpers/cli.js';
import { assertSurvived, degradedListings, readiness } from './helpers/fault-trial.js';
import { sampleRegistry, sampleRegistryWith, TOOLHIVE_PREFIX, writeConfig } from './helpers/fixtures.js';
import { get } from './helpers/http.js';
import { pollUntil } from './helpers/poll.js';
import { startReadLoop } from './helpers/read-loop.js';
import { registryReport, type RegistryReport } from './helpers/registry-status.js';

/** `syncPolicy.interval` of both registries. */
const INTERVAL_MS = 2_000;
/** The sources' `timeout` (git: one whole fetch; api: one request). */
const SOURCE_TIMEOUT = '1s';
const SOURCE_TIMEOUT_MS = 1_000;
/** The api source's `retries` of one request (the backoff between them is 125–250 ms for the first). */
const API_RETRIES = 1;
/** The retry delay after a failed sync: 5 s doubling, capped at the interval, so here always the interval. */
const BACKOFF_MS = Math.min(5_000, INTERVAL_MS);
/**
 * The longest a failing sync takes: the api source's attempts each time out after the source
 * timeout, with at most 250 ms between them (a stalled git fetch gives up after one timeout).
 */
const FAILING_SYNC_MS = (API_RETRIES + 1) * SOURCE_TIMEOUT_MS + 250;
/**
 * Both registries serve the remote's change within this long after the network is back: a
 * registry whose sync just failed waits the backoff; one whose sync was under way may still see it
 * fail (up to a failing sync's length) and then waits the backoff; then the sync itself (a ref
 * listing and a small pack, or one page) and the poll, within a second.
 */
const RECOVERY_BOUND_MS = BACKOFF_MS + FAILING_SYNC_MS + 1_000;
/** Requests per second of the read loop. */
const READ_RATE = 150;

/** Registry names. */
const GIT = 'git';
const API = 'api';
/** The api registry's upstream holds this many versions at first (all active). */
const UPSTREAM_VERSIONS = 40;

/** How a raw exchange ended. */
type RawEnd = 'complete' | 'reset' | 'closed' | 'stalled';

/**
 * One HTTP/1.1 GET over a raw socket to 127.0.0.1:`port`, keeping every byte of the answer, to see
 * where a proxy cuts a response. Ends when the whole response came (by Content-Length or the last
 * chunk), on a reset or a close, or after `quietMs` without a byte.
 */
function rawGet(port: number, path: string, headers: Record<string, string> = {}, quietMs = 500): Promise<{ bytes: Buffer; end: RawEnd }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let bytes = Buffer.alloc(0);
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (end: RawEnd): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes, end });
    };
    const quiet = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => finish('stalled'), quietMs);
    };
    socket.on('connect', () => {
      const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: keep-alive', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      quiet();
    });
    socket.on('data', (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (isComplete(bytes)) finish('complete');
      else quiet();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNRESET' ? 'reset' : 'closed'));
    socket.on('close', () => finish('closed'));
  });
}

/** Length of the status line and headers, blank line included; -1 while incomplete. */
function headerLength(bytes: Buffer): number {
  const at = bytes.indexOf('\r\n\r\n');
  return at === -1 ? -1 : at + 4;
}

function isComplete(bytes: Buffer): boolean {
  const head = headerLength(bytes);
  if (head === -1) return false;
  const headers = bytes.subarray(0, head).toString('latin1');
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
  if (length !== null) return bytes.length - head >= Number(length[1]);
  return /\r\ntransfer-encoding:\s*chunked/i.test(headers) && bytes.subarray(head).includes('\r\n0\r\n\r\n');
}

/** A git smart HTTP ref advertisement (protocol v2, as isomorphic-git asks for it first in every sync). */
const GIT_REFS_PATH = '/catalog.git/info/refs?service=git-upload-pack';
const GIT_REFS_HEADERS = { 'Git-Protocol': 'version=2' };

/**
 * The cut for resetAfter/stallAfter: half way through the body of `path`'s answer as the real
 * server gives it now (the proxy counts header bytes too). Returns it with the answer's shape.
 */
async function midBody(port: number, path: string, headers: Record<string, string> = {}): Promise<{ cut: number; head: number; total: number }> {
  const { bytes, end } = await rawGet(port, path, headers);
  if (end !== 'complete') throw new Error(`GET ${path} on port ${port}: ${end} after ${bytes.length} bytes`);
  const head = headerLength(bytes);
  return { cut: head + Math.floor((bytes.length - head) / 2), head, total: bytes.length };
}

interface Setup {
  serve: ServeProcess;
  gitServer: GitHttpServer;
  repo: string;
  emulator: UpstreamEmulator;
  gitProxy: FaultProxy;
  apiProxy: FaultProxy;
}

async function setUp(t: Test): Promise<Setup> {
  const dir = t.testdir();
  const repo = join(dir, 'repos', 'catalog.git');
  await createBareRepo(repo, { 'registry/registry.json': JSON.stringify(sampleRegistry(), null, 2) });
  const gitServer = await startGitHttpServer({ root: join(dir, 'repos') });
  t.teardown(() => gitServer.close());
  const emulator = await UpstreamEmulator.start({ versions: UPSTREAM_VERSIONS });
  t.teardown(() => emulator.close());
  const gitProxy = await FaultProxy.start(gitServer.url);
  t.teardown(() => gitProxy.close());
  const apiProxy = await FaultProxy.start(emulator.url);
  t.teardown(() => apiProxy.close());

  const config = await writeConfig(
    dir,
    [
      'dataDir: ./state',
      'storage: { type: fs, path: ./snapshots }',
      'registries:',
      `  - name: ${GIT}`,
      '    source:',
      '      type: git',
      '      format: toolhive',
      '      git:',
      `        repository: ${gitProxy.url('/catalog.git')}`,
      '        branch: main',
      '        path: registry/registry.json',
      `        timeout: ${SOURCE_TIMEOUT}`,
      `    syncPolicy: { interval: ${INTERVAL_MS / 1000}s }`,
      `  - name: ${API}`,
      '    source:',
      '      type: api',
      '      api:',
      `        endpoint: ${apiProxy.url()}`,
      `        timeout: ${SOURCE_TIMEOUT}`,
      `        retries: ${API_RETRIES}`,
      `    syncPolicy: { interval: ${INTERVAL_MS / 1000}s }`,
      '',
    ].join('\n'),
  );
  const serve = await ServeProcess.start(t, config);
  await pollUntil('both registries serving their remote', async () => {
    const [git, api] = await Promise.all([registryReport(serve.baseUrl, GIT), registryReport(serve.baseUrl, API)]);
    return git.versionCount === 12 && api.versionCount === UPSTREAM_VERSIONS ? true : undefined;
  });
  return { serve, gitServer, repo, emulator, gitProxy, apiProxy };
}

/** GET status of the latest version of `name` in one registry's view. */
async function latestStatus(baseUrl: string, registry: string, name: string): Promise<number> {
  return (await get(`${baseUrl}/registry/${registry}/v0.1/servers/${encodeURIComponent(name)}/versions/latest`)).status;
}

/** Waits until no sync of either registry runs and none starts within `marginMs`. */
async function waitUntilIdle(baseUrl: string, marginMs = 400): Promise<void> {
  await pollUntil(
    'both registries idle between syncs',
    async () => {
      const reports = await Promise.all([registryReport(baseUrl, GIT), registryReport(baseUrl, API)]);
      const now = Date.now();
      return reports.every((r) => r.nextAttempt !== undefined && Date.parse(r.nextAttempt) - now > marginMs) ? true : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 20 },
  );
}

/** One kind of network fault, as both proxies play it. */
interface Fault {
  name: string;
  /** Puts the fault on a proxy; `cut` is where a mid-body fault cuts that proxy's responses. */
  apply(proxy: FaultProxy, cut: number): Promise<void>;
  /** How the git registry's status message starts (that it names the repository is checked apart). */
  gitMessage: RegExp;
  /** How the api registry's status message starts. */
  apiMessage: RegExp;
  /** How a raw GET through the proxy ends, when the fault is mid-body. */
  rawEnd?: RawEnd;
}

const FAULTS: Fault[] = [
  {
    name: 'connection refused',
    apply: (proxy) => proxy.refuse(),
    gitMessage: /^connection refused fetching /,
    apiMessage: /^connection refused fetching /,
  },
  {
    name: 'connection reset mid-body',
    apply: (proxy, cut) => proxy.resetAfter(cut),
    gitMessage: /^connection reset fetching /,
    apiMessage: /^response body cut short \(.*(ECONNRESET|reset).*\) fetching /i,
    rawEnd: 'reset',
  },
  {
    name: 'response stalled mid-body',
    apply: (proxy, cut) => proxy.stallAfter(cut),
    gitMessage: new RegExp(`^timed out after ${SOURCE_TIMEOUT} fetching `),
    apiMessage: new RegExp(`^timed out after ${SOURCE_TIMEOUT} fetching `),
    rawEnd: 'stalled',
  },
];

t.test('git and api sources: refused, reset and stalled remotes never stop reads, and each recovers by itself', async (t) => {
  const setup = await setUp(t);
  const { serve, repo, emulator, gitProxy, apiProxy } = setup;
  const base = serve.baseUrl;
  /** Keys added to the git registry file so far, one per fault. */
  const gitKeys: string[] = [];
  /** Versions published upstream during the faults. */
  const published: EmulatedVersion[] = [];

  for (const fault of FAULTS) {
    await t.test(fault.name, async (t) => {
      const reads = startReadLoop(
        [
          `${base}/registry/${GIT}/v0.1/servers?limit=5`,
          `${base}/registry/${API}/v0.1/servers?limit=5`,
          `${base}/v0.1/servers/${encodeURIComponent(`${TOOLHIVE_PREFIX}acme-postgres`)}/versions/latest`,
          `${base}/v0.1/servers/${encodeURIComponent('io.github.gen/server-1')}/versions/latest`,
        ],
        { ratePerSecond: READ_RATE },
      );
      const gitBefore = 12 + gitKeys.length;
      const apiBefore = UPSTREAM_VERSIONS + published.length;

      // Where a mid-body fault cuts: half way through the body of the first answer of a sync, as
      // the real servers give it now: the git ref advertisement (about 300 header bytes and 170
      // body bytes: a fixed N of 200 would cut the headers, not the body), and the api source's
      // page (its last request again: an incremental page of a version or two).
      const lastPage = emulator.listRequests().at(-1)?.url;
      if (lastPage === undefined) throw new Error('the api source sent no request');
      const gitCut = await midBody(Number(new URL(setup.gitServer.url).port), GIT_REFS_PATH, GIT_REFS_HEADERS);
      const apiCut = await midBody(Number(new URL(emulator.url).port), lastPage);

      // The fault starts between syncs, so that no answer is already part way through a connection.
      await waitUntilIdle(base);
      await Promise.all([fault.apply(gitProxy, gitCut.cut), fault.apply(apiProxy, apiCut.cut)]);
      const faultAt = Date.now();

      if (fault.rawEnd !== undefined) {
        // The proxy really cuts those answers in their body: every header byte and part of the body come through.
        for (const [proxy, cut, path, headers] of [
          [gitProxy, gitCut, GIT_REFS_PATH, GIT_REFS_HEADERS],
          [apiProxy, apiCut, lastPage, {}],
        ] as const) {
          const raw = await rawGet(proxy.port, path, headers);
          t.same(
            { end: raw.end, bytes: raw.bytes.length },
            { end: fault.rawEnd, bytes: cut.cut },
            `${path}: ${fault.rawEnd} after ${cut.cut} bytes (headers ${cut.head}, whole answer ${cut.total})`,
          );
          t.ok(cut.head < cut.cut && cut.cut < cut.total, `${path}: the cut lands in the body`);
        }
      }

      // Meanwhile, both remotes change.
      const key = `during-${fault.name.split(' ')[1] ?? fault.name}`;
      gitKeys.push(key);
      await commitFile(repo, 'registry/registry.json', JSON.stringify(sampleRegistryWith(...gitKeys)));
      const added = emulator.publish();
      published.push(added);

      // Both syncs fail, keep their last good data, and say what failed, and where.
      const gitUrl = gitProxy.url('/catalog.git');
      const apiUrl = `${apiProxy.url()}/v0.1/servers?`;
      const failedFirst = await waitForFailures(base, { git: 1, api: 1 });
      const firstFailureMs = Date.now() - faultAt;
      for (const [registry, report, pattern, remote] of [
        [GIT, failedFirst.git, fault.gitMessage, gitUrl],
        [API, failedFirst.api, fault.apiMessage, apiUrl],
      ] as const) {
        t.match(report.status?.message, pattern, `${registry}: the status says what failed: ${report.status?.message}`);
        t.ok(report.status?.message?.includes(remote), `${registry}: the status names the remote ${remote}`);
        t.equal(report.versionCount, registry === GIT ? gitBefore : apiBefore, `${registry}: the last good data is served`);
      }
      for (const registry of [GIT, API]) {
        // Logged right after the status is set: the line may still be on its way.
        const logged = await serve
          .waitForLog(`the failure of ${registry} logged`, (line) => line.level === LEVEL.warn && line.msg === 'sync failed; serving the last good data' && line['registry'] === registry && Number(line['time']) >= faultAt, 5_000)
          .catch(() => undefined);
        t.ok(logged, `${registry}: the failure is logged at warn: ${JSON.stringify((logged?.['err'] as { message?: string } | undefined)?.message)}`);
      }
      t.equal(await latestStatus(base, GIT, `${TOOLHIVE_PREFIX}${key}`), 404, 'git: the new commit is not served during the fault');
      t.equal(await latestStatus(base, API, added.server.name), 404, 'api: the new upstream server is not served during the fault');

      // They fail again after the backoff: the count goes up, and nextAttempt shows the wait.
      const failedAgain = await waitForFailures(base, {
        git: (failedFirst.git.status?.consecutiveFailures ?? 0) + 1,
        api: (failedFirst.api.status?.consecutiveFailures ?? 0) + 1,
      });
      for (const [registry, first, again] of [
        [GIT, failedFirst.git, failedAgain.git],
        [API, failedFirst.api, failedAgain.api],
      ] as const) {
        const before = first.status?.consecutiveFailures ?? 0;
        const now = again.status?.consecutiveFailures ?? 0;
        t.ok(now > before, `${registry}: consecutiveFailures went from ${before} to ${now}`);
        t.match(again.status, { phase: 'Failed', lastSuccess: String }, `${registry}: Failed, lastSuccess kept`);
        const waitMs = Date.parse(again.nextAttempt ?? '') - Date.parse(again.status?.lastAttempt ?? '');
        t.ok(waitMs >= BACKOFF_MS, `${registry}: nextAttempt ${again.nextAttempt} is ${waitMs} ms after lastAttempt (backoff ${BACKOFF_MS} ms)`);
        t.equal(again.versionCount, registry === GIT ? gitBefore : apiBefore, `${registry}: still the last good data`);
      }

      // Ready, and what fails is listed: both syncs, not storage.
      // Asked between two attempts, when each failing sync has its retry scheduled (no nextAttempt while one runs).
      for (const [where, degraded] of await degradedListings(t, base)) {
        t.same(degraded.map((d) => d.component).sort(), ['sync', 'sync'], `${where}: degraded lists the two syncs and nothing else`);
        for (const [registry, pattern] of [
          [GIT, fault.gitMessage],
          [API, fault.apiMessage],
        ] as const) {
          const entry = degraded.find((d) => d.registry === registry);
          t.match(entry, { component: 'sync', message: pattern, lastSuccess: String, nextAttempt: String }, `${where}: ${registry} is degraded: ${entry?.message}`);
          t.ok((entry?.consecutiveFailures ?? 0) >= 1, `${where}: ${registry} counts its failures (${entry?.consecutiveFailures})`);
        }
      }

      // The network is back: each registry serves what changed at its remote, within the bound.
      await Promise.all([gitProxy.pass(), apiProxy.pass()]);
      const passedAt = Date.now();
      const recovered: Record<string, number> = {};
      await pollUntil(
        'both registries serving the changes made during the fault',
        async () => {
          const [git, api] = await Promise.all([registryReport(base, GIT), registryReport(base, API)]);
          if (recovered[GIT] === undefined && git.versionCount === gitBefore + 1 && git.status?.phase === 'Complete') recovered[GIT] = Date.now() - passedAt;
          if (recovered[API] === undefined && api.versionCount === apiBefore + 1 && api.status?.phase === 'Complete') recovered[API] = Date.now() - passedAt;
          return recovered[GIT] !== undefined && recovered[API] !== undefined ? true : undefined;
        },
        { timeoutMs: RECOVERY_BOUND_MS + 10_000, intervalMs: 25 },
      );
      for (const registry of [GIT, API]) {
        const ms = recovered[registry] ?? Infinity;
        t.ok(ms <= RECOVERY_BOUND_MS, `${registry}: recovered ${ms} ms after the network came back (bound ${RECOVERY_BOUND_MS} ms)`);
      }
      t.equal(await latestStatus(base, GIT, `${TOOLHIVE_PREFIX}${key}`), 200, 'git: the commit made during the fault is served');
      t.equal(await latestStatus(base, API, added.server.name), 200, 'api: the server published during the fault is served');
      for (const registry of [GIT, API]) {
        t.match((await registryReport(base, registry)).status, { phase: 'Complete', consecutiveFailures: 0 }, `${registry}: Complete again`);
      }
      const after = await readiness(base);
      t.same({ status: after.status, degraded: after.degraded }, { status: 200, degraded: [] }, 'nothing is degraded any more');
      t.comment(`${fault.name}: first failures ${firstFailureMs} ms after the fault; recovered git ${recovered[GIT]} ms, api ${recovered[API]} ms after it ended`);

      assertSurvived(t, [serve], await reads.stop());
    });
  }

  t.same(await serve.stop(), { code: 0, signal: null }, 'serve stops cleanly');
});

/**
 * Waits until both registries report a Failed sync with at least so many failures in a row, and
 * their retry scheduled (`nextAttempt`, absent while a sync runs).
 */
async function waitForFailures(baseUrl: string, failures: { git: number; api: number }): Promise<{ git: RegistryReport; api: RegistryReport }> {
  return pollUntil(
    `both registries failing (git ${failures.git}, api ${failures.api} times in a row)`,
    async () => {
      const [git, api] = await Promise.all([registryReport(baseUrl, GIT), registryReport(baseUrl, API)]);
      const done = (r: RegistryReport, n: number): boolean => r.status?.phase === 'Failed' && r.status.consecutiveFailures >= n && r.nextAttempt !== undefined;
      return done(git, failures.git) && done(api, failures.api) ? { git, api } : undefined;
    },
    { timeoutMs: 2 * (BACKOFF_MS + FAILING_SYNC_MS) + 5_000, intervalMs: 25 },
  );
}
