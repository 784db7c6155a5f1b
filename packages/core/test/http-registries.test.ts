import t from 'tap';
import type { RegistrySummary } from '../src/http/options.js';
import { testApp } from './helpers/http-app.js';
import { assertProblem } from './helpers/http-assert.js';

const SUMMARIES: RegistrySummary[] = [
  {
    name: 'alpha',
    type: 'git',
    source: 'git https://git.example.com/registry.git main registry.json',
    status: {
      phase: 'Complete',
      message: 'synced 8 versions',
      lastAttempt: '2026-01-01T00:00:00.000Z',
      lastSuccess: '2026-01-01T00:00:00.000Z',
      consecutiveFailures: 0,
      fingerprint: 'abc',
      filterHash: 'def',
      serverCount: 5,
      versionCount: 8,
      skipped: 1,
      skippedEntries: [{ name: 'io.github.example/bad', reason: '/description must be string' }],
      sourceState: { commit: 'c0ffee' },
    },
  },
  { name: 'beta', type: 'file', source: 'file /etc/registry.json' },
];

t.test('the registries route lists every registry with its source and sync status', async (t) => {
  const { app } = await testApp(t, { registries: () => SUMMARIES });
  const response = await app.inject('/v0.1/x/dev.toolhive/registries');
  t.equal(response.statusCode, 200);
  const body = response.json() as { registries: Array<Record<string, unknown>> };
  t.same(body.registries.map((registry) => registry['name']), ['alpha', 'beta']);
  t.match(body.registries[0], {
    type: 'git',
    source: 'git https://git.example.com/registry.git main registry.json',
    serverCount: Number,
    versionCount: Number,
    status: { phase: 'Complete', consecutiveFailures: 0, skipped: 1, skippedEntries: [{ name: 'io.github.example/bad' }] },
  });
  t.notOk('sourceState' in (body.registries[0]?.['status'] as object), 'plugin state is internal');
  t.notOk('status' in (body.registries[1] as object), 'no status before the first attempt');
});

t.test('one registry by name, and a 404 problem for an unknown one', async (t) => {
  const { app } = await testApp(t, { registries: () => SUMMARIES });
  const one = await app.inject('/v0.1/x/dev.toolhive/registries/beta');
  t.equal(one.statusCode, 200);
  t.match(one.json(), { name: 'beta', type: 'file', versionCount: 40 });
  assertProblem(t, await app.inject('/v0.1/x/dev.toolhive/registries/nope'), 404, /registry "nope" is not configured/);
});

t.test('without sync information the catalog registries are listed', async (t) => {
  const { app } = await testApp(t);
  const body = (await app.inject('/v0.1/x/dev.toolhive/registries')).json() as { registries: Array<{ name: string }> };
  t.same(body.registries.map((registry) => registry.name), ['alpha', 'beta', 'gamma']);
});
