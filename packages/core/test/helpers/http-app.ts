import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Test } from 'tap';
import { Catalog } from '../../src/catalog/catalog.js';
import { type AppOptions, buildApp } from '../../src/http/app.js';
import type { ReadinessReport } from '../../src/http/options.js';
import type { ServerStatus, StoredEntry } from '../../src/interfaces/model.js';

/** A hand-made stored entry; `day` sets publishedAt and updatedAt to 2025-01-<day>. */
export function entry(
  name: string,
  version: string,
  extra: { status?: ServerStatus; title?: string; description?: string; day?: number } = {},
): StoredEntry {
  const at = `2025-01-${String(extra.day ?? 1).padStart(2, '0')}T00:00:00.000Z`;
  const server = {
    $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
    name,
    version,
    description: extra.description ?? `The ${name} server`,
    ...(extra.title === undefined ? {} : { title: extra.title }),
  };
  const status = extra.status ?? 'active';
  return {
    server,
    status,
    publishedAt: at,
    updatedAt: at,
    statusChangedAt: at,
    contentHash: createHash('sha256').update(JSON.stringify([server, status])).digest('hex'),
  };
}

/** Entries of registry `alpha`: several versions, deprecated and deleted ones, names with `/`. */
export const ALPHA: readonly StoredEntry[] = [
  entry('io.github.example/weather', '1.0.0', { title: 'Weather', day: 1 }),
  entry('io.github.example/weather', '1.1.0', { title: 'Weather', day: 5 }),
  entry('io.github.example/weather', '2.0.0', { title: 'Weather', day: 10 }),
  entry('io.github.example/time', '0.1.0', { status: 'deleted', day: 2 }),
  entry('io.github.example/time', '0.2.0', { day: 3 }),
  entry('com.acme/search', '1.0.0', { title: 'Acme Search', status: 'deprecated', day: 4 }),
  entry('io.github.gone/old', '1.0.0', { status: 'deleted', day: 6 }),
  entry('io.github.example/build', '1.0.0+build.7', { day: 7 }),
];

/** Entries of registry `beta`: 40 servers of one version each, for paging. */
export const BETA: readonly StoredEntry[] = Array.from({ length: 40 }, (_, i) =>
  entry(`io.github.bulk/server-${String(i).padStart(2, '0')}`, '1.0.0', { day: 20 }),
);

/** A catalog with `alpha` and `beta` loaded and `gamma` configured but empty. */
export function sampleCatalog(): Catalog {
  const catalog = new Catalog(['alpha', 'beta', 'gamma']);
  catalog.setRegistry('alpha', ALPHA);
  catalog.setRegistry('beta', BETA);
  return catalog;
}

/** A test app and the knobs a test turns. */
export interface TestApp {
  app: FastifyInstance;
  catalog: Catalog;
  /** What `/readiness` reports; tests change it. */
  readiness: ReadinessReport;
  /** Log records written so far, parsed. */
  logs: Record<string, unknown>[];
  /** The same records as written. */
  rawLogs: string[];
}

/** A fresh app over {@link sampleCatalog}, closed when the test ends. */
export async function testApp(t: Test, overrides: Partial<AppOptions> = {}): Promise<TestApp> {
  const catalog = sampleCatalog();
  const readiness: ReadinessReport = { ready: true, notReady: [] };
  const logs: Record<string, unknown>[] = [];
  const rawLogs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      rawLogs.push(chunk.toString('utf8'));
      logs.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const app = await buildApp({
    catalog,
    readiness: () => readiness,
    info: { version: '1.2.3', commit: 'abc123', nodeVersion: process.version },
    logger: pino({ level: 'info' }, sink),
    underPressure: false,
    ...overrides,
  });
  t.teardown(() => app.close());
  return { app, catalog, readiness, logs, rawLogs };
}
