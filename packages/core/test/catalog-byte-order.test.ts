import t from 'tap';
import { compareUtf8 } from '../src/catalog/byte-order.js';
import { Catalog } from '../src/catalog/catalog.js';
import { storedEntry } from './helpers/generate-entries.js';

const byBuffer = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const sign = (n: number): number => Math.sign(n);

const SAMPLES = [
  'io.github.a/plain',
  'io.github.a/Plain',
  'io.github.a/café',
  'io.github.a/cafe',
  'io.github.a/caf',
  'io.github.a/\u{1F680}rocket',
  'io.github.a/\uFF21fullwidth',
  'io.github.a/\uE000private',
  'io.github.a/\u00E9',
  'io.github.a/z',
  'io.github.a/',
  'io.github.a/\u{10FFFF}',
];

t.test('compareUtf8 agrees with Buffer.compare on every pair', async (t) => {
  for (const a of SAMPLES) {
    for (const b of SAMPLES) {
      t.equal(sign(compareUtf8(a, b)), sign(byBuffer(a, b)), `${a} vs ${b}`);
    }
  }
});

t.test('JavaScript < disagrees where compareUtf8 must not (emoji vs U+FF21)', async (t) => {
  const emoji = '\u{1F680}';
  const fullwidth = '\uFF21';
  t.ok(emoji < fullwidth, 'UTF-16 order puts the surrogate pair first');
  t.ok(compareUtf8(emoji, fullwidth) > 0, 'byte order puts it last');
});

t.test('a catalog lists non-ASCII names in byte order', async (t) => {
  const catalog = new Catalog(['main']);
  catalog.setRegistry('main', SAMPLES.flatMap((name) => [
    storedEntry({ name, version: '1.0.0' }),
    storedEntry({ name, version: '\u{1F680}' }),
    storedEntry({ name, version: '\uFF21' }),
  ]));
  const { items } = catalog.aggregated().list({ limit: 100, includeDeleted: false });
  const keys = items.map((item) => [item.name, item.version] as const);
  const expected = [...keys].sort(([an, av], [bn, bv]) => byBuffer(an, bn) || byBuffer(av, bv));
  t.same(keys, expected);
  t.equal(keys.length, SAMPLES.length * 3);
});
