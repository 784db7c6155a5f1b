import t from 'tap';
import { jsonErrorOffset } from '../src/source-kit/json-error-offset.js';

t.test('finds nothing in valid JSON', async (t) => {
  for (const text of ['{"a":[{"b":null}],"c":"\\u00e9\\n"}', ' 1e5 ', '[]', '{}', '"x"', '-0.5E-3', 'true']) {
    t.equal(jsonErrorOffset(text), undefined, text);
  }
});

t.test('points at the first error', async (t) => {
  const cases: [string, number][] = [
    ['{"a":}', 5],
    ['[1,2,', 5],
    ['{"a" 1}', 5],
    ['"\\x"', 2],
    ['[1,]', 3],
    ['{"a":1} x', 8],
    ['tru', 0],
    ['{"a":"\u0001"}', 6],
    ['[-]', 1],
    ['{,}', 1],
    ['', 0],
  ];
  for (const [text, offset] of cases) t.equal(jsonErrorOffset(text), offset, JSON.stringify(text));
});

t.test('agrees with JSON.parse where it reports a position', async (t) => {
  for (const text of ['{"a" 1}', '{"a":1} x', '{,}', '{"a":"\u0001"}', '[1 2]']) {
    const message = (() => {
      try {
        JSON.parse(text);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    const position = /at position (\d+)/.exec(message)?.[1];
    if (position !== undefined) t.equal(jsonErrorOffset(text), Number(position), JSON.stringify(text));
  }
});

t.test('gives up on nesting deeper than the stack', async (t) => {
  t.equal(jsonErrorOffset('['.repeat(1_000_000)), undefined);
});
