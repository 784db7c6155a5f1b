import t from 'tap';
import { FormatError } from '../src/errors.js';
import { detectFormat } from '../src/formats/detect.js';
import { parseDocument } from '../src/formats/parse.js';
import { serverJson } from './helpers/formats-entries.js';

const server = serverJson();
const documents = {
  toolhive: { version: '1.0.0', last_updated: '2025-01-01T00:00:00Z', servers: {}, remote_servers: {} },
  'upstream-wrapped': { version: '1.0.0', meta: { last_updated: '2025-01-01T00:00:00Z' }, data: { servers: [server] } },
  'upstream-list': { servers: [{ server, _meta: {} }], metadata: { count: 1 } },
  'upstream-array': [server],
} as const;

t.test('each supported format is recognised from its shape', async (t) => {
  for (const [format, document] of Object.entries(documents)) t.equal(detectFormat(document), format, format);
  t.equal(detectFormat({ groups: [] }), 'toolhive', 'a ToolHive document with only groups');
  t.equal(detectFormat({ remote_servers: {} }), 'toolhive', 'a ToolHive document with only remote servers');
  t.equal(detectFormat([{ server, _meta: {} }]), 'upstream-array', 'a bare array of API responses');
});

t.test('anything else is a FormatError that says what was expected', async (t) => {
  for (const garbage of [null, 'servers', 42, {}, { items: [] }, { data: { servers: {} } }]) {
    t.throws(() => detectFormat(garbage), FormatError, JSON.stringify(garbage));
  }
  t.throws(() => detectFormat({ items: [], total: 0 }), {
    code: 'THV_ERR_FORMAT',
    message: /expected a ToolHive registry .*data\.servers.*an array of server\.json documents; got an object with keys items, total/,
  });
});

t.test('a format hint that contradicts the document is a FormatError', async (t) => {
  t.throws(() => parseDocument(documents.toolhive, 'upstream'), {
    code: 'THV_ERR_FORMAT',
    message: 'the source format is "upstream" but the document is a ToolHive registry (servers / remote_servers keyed by name)',
  });
  t.throws(() => parseDocument(documents['upstream-array'], 'toolhive'), {
    code: 'THV_ERR_FORMAT',
    message: /format is "toolhive" but the document is an array of server\.json documents/,
  });
  t.equal(parseDocument(documents['upstream-list'], 'upstream').format, 'upstream-list');
  t.equal(parseDocument(documents.toolhive, 'toolhive').format, 'toolhive');
});
