import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRuntime, parseConfig } from '@thv/registry-core/host';
import { pino } from 'pino';
import t from 'tap';
import { copyExample } from './helpers/fixtures.js';
import { pollUntil } from './helpers/poll.js';

t.test('storage that cannot open at start is retried; readiness says why until it opens', async (t) => {
  const dir = t.testdir();
  await copyExample(dir, 'registry.json');
  // A file where the storage directory's parent should be: opening fails until it is removed.
  await writeFile(join(dir, 'blocked'), 'not a directory');
  const config = parseConfig(
    [
      'registryName: example',
      'source: { type: file, format: toolhive, file: { path: ./registry.json } }',
      'storage: { path: ./blocked/snapshots }',
      '',
    ].join('\n'),
    join(dir, 'config.yaml'),
  );
  const runtime = await createRuntime(config, { logger: pino({ level: 'silent' }), storageRetry: { initialMs: 20, maxMs: 50 } });
  t.teardown(() => runtime.close());

  await runtime.start();
  const waiting = await pollUntil('a failed open', () => (runtime.readiness().reason?.startsWith('storage unavailable') ? runtime.readiness() : undefined));
  t.match(waiting, { ready: false, notReady: ['example'], reason: /storage unavailable: .*blocked/ });

  await rm(join(dir, 'blocked'));
  const ready = await pollUntil('the retry to open storage and sync', () => (runtime.readiness().ready ? true : undefined));
  t.ok(ready);
  t.equal(runtime.catalog.registry('example')?.versionCount, 12);
});

t.test('closing while storage is still unavailable stops the retries', async (t) => {
  const dir = t.testdir();
  await copyExample(dir, 'registry.json');
  await writeFile(join(dir, 'blocked'), 'not a directory');
  const config = parseConfig(
    'registryName: example\nsource: { type: file, file: { path: ./registry.json } }\nstorage: { path: ./blocked/x }\n',
    join(dir, 'config.yaml'),
  );
  const runtime = await createRuntime(config, { logger: pino({ level: 'silent' }), storageRetry: { initialMs: 20, maxMs: 20 } });
  await runtime.start();
  await pollUntil('a failed open', () => runtime.readiness().reason);
  await runtime.close();
  t.equal(runtime.readiness().ready, false);
});
