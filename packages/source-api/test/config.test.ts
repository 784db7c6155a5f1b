import t from 'tap';
import { ConfigError } from '@thv/registry-core';
import { validateBlock } from '@thv/registry-core/host';
import plugin, { configSchema, type ApiSourceConfig } from '../src/index.js';
import { backoffDelay, BACKOFF_CAP_MS, retryAfterDelay, RETRY_AFTER_CAP_MS } from '../src/retry.js';
import { timeKey } from '../src/rows.js';
import { sourceContext } from './helpers/context.js';

const check = (value: unknown) => validateBlock(configSchema, value, 'source.api');

t.test('the schema', async (t) => {
  t.same(check({ endpoint: 'https://registry.modelcontextprotocol.io' }), []);
  t.same(
    check({
      endpoint: 'http://localhost:8080/',
      timeout: '30s',
      pageSize: 50,
      maxPages: 10,
      maxBytes: 1024,
      fullResyncInterval: '6h',
      retries: 0,
      headers: { Authorization: 'Bearer x' },
    }),
    [],
  );
  t.match(check({}), [{ path: 'source.api.endpoint', message: 'is required' }]);
  t.match(check({ endpoint: 'ftp://host' }), [{ path: 'source.api.endpoint' }]);
  t.match(check({ endpoint: 'https://h', pageSize: 101 }), [{ path: 'source.api.pageSize' }]);
  t.match(check({ endpoint: 'https://h', pageSize: 0 }), [{ path: 'source.api.pageSize' }]);
  t.match(check({ endpoint: 'https://h', timeout: 'soon' }), [{ path: 'source.api.timeout' }]);
  t.match(check({ endpoint: 'https://h', fullResyncInterval: '1d' }), [{ path: 'source.api.fullResyncInterval' }]);
  t.match(check({ endpoint: 'https://h', headers: { a: 1 } }), [{ path: 'source.api.headers.a' }]);
  t.match(check({ endpoint: 'https://h', retry: 3 }), [{ path: 'source.api.retry', message: /unknown key/ }], 'unknown keys are errors');
  for (const [key, value] of Object.entries(configSchema.properties)) {
    t.type((value as { description?: string }).description, 'string', `${key} is described`);
  }
});

t.test('create refuses what it cannot use, without echoing secrets', async (t) => {
  const create = (config: ApiSourceConfig) => plugin.create(config, sourceContext(t.testdir({})));
  const cases: Array<[ApiSourceConfig, string]> = [
    [{ endpoint: 'not a url' }, 'api source endpoint is not a valid URL'],
    [{ endpoint: 'ftp://host' }, 'api source endpoint must be http or https, not ftp'],
    [{ endpoint: 'https://user:pw@host' }, 'api source endpoint must not carry credentials; send them with headers (Authorization)'],
    [{ endpoint: 'https://host/?x=1' }, 'api source endpoint must be a base URL without a query or fragment'],
    [{ endpoint: 'https://host', timeout: 'soon' }, 'api source timeout "soon" is not a duration (e.g. 30s)'],
    [{ endpoint: 'https://host', pageSize: 500 }, 'api source pageSize must be an integer from 1 to 100'],
    [{ endpoint: 'https://host', maxPages: 0 }, 'api source maxPages must be a positive integer'],
    [{ endpoint: 'https://host', retries: -1 }, 'api source retries must be a whole number from 0 to 20'],
    [{ endpoint: 'https://host', headers: { 'bad name': 'secret-value' } }, 'api source header "bad name" has an invalid name or value'],
    [{ endpoint: 'https://host', headers: { 'x-ok': 'line\nbreak-secret' } }, 'api source header "x-ok" has an invalid name or value'],
  ];
  for (const [config, message] of cases) await t.rejects(async () => create(config), new ConfigError(message), message);
  await t.rejects(
    async () => plugin.create({ endpoint: 'https://host' }, { ...sourceContext(t.testdir({})), format: 'toolhive' }),
    new ConfigError('an api source delivers the upstream format; remove `format: toolhive` or set it to upstream'),
  );
  const source = await create({ endpoint: 'https://Registry.Example.com:443/prefix//' });
  t.equal(source.describe(), 'api https://registry.example.com/prefix');
});

t.test('backoff doubles from 250 ms, jittered, capped', async (t) => {
  t.same([1, 2, 3, 4].map((n) => backoffDelay(n, () => 1)), [250, 500, 1000, 2000]);
  t.same([1, 2, 3].map((n) => backoffDelay(n, () => 0)), [125, 250, 500], 'never below half');
  t.equal(backoffDelay(30, () => 1), BACKOFF_CAP_MS);
});

t.test('Retry-After: seconds or an HTTP-date, capped', async (t) => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  t.equal(retryAfterDelay(null), undefined);
  t.equal(retryAfterDelay('1'), 1000);
  t.equal(retryAfterDelay(' 0 '), 0);
  t.equal(retryAfterDelay('3600'), RETRY_AFTER_CAP_MS);
  t.equal(retryAfterDelay('Wed, 01 Jan 2025 00:00:05 GMT', now), 5000);
  t.equal(retryAfterDelay('Tue, 31 Dec 2024 23:00:00 GMT', now), 0, 'a past date means now');
  t.equal(retryAfterDelay('soon', now), undefined);
});

t.test('time keys compare RFC 3339 timestamps exactly', async (t) => {
  t.equal(timeKey('2025-08-07T13:15:04.280123Z'), '2025-08-07T13:15:04.280123000Z');
  t.equal(timeKey('2025-08-07T15:15:04+02:00'), '2025-08-07T13:15:04.000000000Z');
  t.equal(timeKey('2025-08-07t13:15:04.1z'), '2025-08-07T13:15:04.100000000Z');
  t.ok(timeKey('2025-08-07T13:15:04.280124Z')! > timeKey('2025-08-07T13:15:04.280123Z')!, 'below a millisecond');
  t.equal(timeKey('2025-08-07'), undefined);
  t.equal(timeKey('2025-13-45T00:00:00Z'), undefined);
});
