import t from 'tap';
import { canonicalJson } from '../src/util/canonical-json.js';
import { hashValue } from '../src/util/hash.js';

/** The value and hash below were written by earlier releases: stored content hashes must still match. */
const STORED = {
  server: {
    version: '1.2.0',
    name: 'io.example/weather',
    description: 'Forecasts "now" \u2014 with\nlines',
    packages: [{ registryType: 'npm', identifier: '@example/weather', environmentVariables: [{ name: 'API_KEY', isSecret: true }] }],
    remotes: [],
    _meta: { z: 1, Z: 2, é: 3, '10': 4, '9': 5 },
  },
  status: 'active',
  statusMessage: null,
};

t.test('the canonical form and hash of a server are those earlier releases stored', async (t) => {
  t.equal(
    canonicalJson(STORED),
    '{"server":{"_meta":{"9":5,"10":4,"Z":2,"z":1,"é":3},"description":"Forecasts \\"now\\" — with\\nlines",' +
      '"name":"io.example/weather","packages":[{"environmentVariables":[{"isSecret":true,"name":"API_KEY"}],' +
      '"identifier":"@example/weather","registryType":"npm"}],"remotes":[],"version":"1.2.0"},"status":"active","statusMessage":null}',
  );
  t.equal(hashValue(STORED), '0aace22fb2ab07b153a3264293c0ae86be2580a37b4a2d531274fb56d44181f2');
});

t.test('key order does not change the text', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'z' } }), canonicalJson({ a: { c: 'z', d: [1, { x: 1, y: 2 }] }, b: 1 }));
});

t.test('array-index keys come first in numeric order, then the others by code unit', async (t) => {
  t.equal(canonicalJson({ b: 1, '10': 2, a: 3, '9': 4, '01': 5 }), '{"9":4,"10":2,"01":5,"a":3,"b":1}');
});
