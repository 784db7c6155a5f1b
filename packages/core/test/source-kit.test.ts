import t from 'tap';
import { ConfigError, SourceError } from '../src/errors.js';
import {
  describeJsonSyntaxError,
  describeNetworkFailure,
  parseHttpUrl,
  parseJsonDocument,
  readBodyCapped,
} from '../src/index.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

t.test('parseJsonDocument parses bytes or text, with or without a byte order mark', async (t) => {
  t.same(parseJsonDocument(encode('{"a":[1,2]}'), 'doc'), { a: [1, 2] });
  t.same(parseJsonDocument(encode('\uFEFF{"a":1}'), 'doc'), { a: 1 });
  t.same(parseJsonDocument('\uFEFF[true]', 'doc'), [true]);
  // A view into a larger buffer is decoded from its own offset.
  const padded = encode('xx{"b":"é"}yy');
  t.same(parseJsonDocument(padded.subarray(2, padded.length - 2), 'doc'), { b: 'é' });
});

t.test('parseJsonDocument refuses a blank document, naming it', async (t) => {
  for (const input of ['', ' \n\t', encode('\uFEFF  '), new Uint8Array(0)]) {
    t.throws(() => parseJsonDocument(input, 'registry document /srv/r.json'), {
      name: 'SourceError',
      message: 'registry document /srv/r.json is empty',
    });
  }
});

t.test('parseJsonDocument names the document and where the parser stopped', async (t) => {
  const err = t.throws(() => parseJsonDocument(encode('{\n  "a": 1,\n  "b": }'), 'registry file r.json')) as Error;
  t.type(err, SourceError);
  t.match(err.message, /^registry file r\.json is not valid JSON: \S.* \(line 3, column 8\)$/);
  t.type(err.cause, SyntaxError);
  t.notMatch(err.message, /\n/);
});

t.test('describeJsonSyntaxError keeps the parser message on one short line', async (t) => {
  const text = `[${'"long value", '.repeat(200)}\n}`;
  let thrown: unknown;
  try {
    JSON.parse(text);
  } catch (err) {
    thrown = err;
  }
  const described = describeJsonSyntaxError(thrown, text);
  t.notMatch(described, /\n/);
  t.match(described, / \(line 2, column 1\)$/);
  const long = describeJsonSyntaxError(new SyntaxError(`Unexpected token in ${'x'.repeat(300)}`), '{');
  t.equal(long, `Unexpected token in ${'x'.repeat(137)}... (line 1, column 2)`, 'a long message is cut');
  t.equal(describeJsonSyntaxError(new SyntaxError('bad\n  input'), '[1]'), 'bad input', 'no position when none is found');
  t.equal(describeJsonSyntaxError('not an error', '{'), 'not an error (line 1, column 2)');
});

/** A response streaming `chunks`, recording whether its body was cancelled. */
function streamed(chunks: string[], headers: Record<string, string> = {}): { response: Response; cancelled: () => boolean } {
  let cancelled = false;
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(encode(chunk));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { response: new Response(body, { headers }), cancelled: () => cancelled };
}

t.test('readBodyCapped reads a body up to the cap', async (t) => {
  const { response, cancelled } = streamed(['{"a":', '1}']);
  const bytes = await readBodyCapped(response, 7);
  t.equal(new TextDecoder().decode(bytes), '{"a":1}');
  t.notOk(cancelled());
  t.same(await readBodyCapped(new Response(null, { status: 204 }), 10), new Uint8Array(0));
});

t.test('readBodyCapped gives up past the cap and cancels the body', async (t) => {
  const counted = streamed(['12345', '67890', 'never read']);
  t.equal(await readBodyCapped(counted.response, 8), undefined);
  t.ok(counted.cancelled(), 'cancelled while streaming');

  const declared = streamed(['1234567890'], { 'content-length': '10' });
  t.equal(await readBodyCapped(declared.response, 9), undefined);
  t.ok(declared.cancelled(), 'cancelled before reading, from Content-Length');
});

t.test('readBodyCapped rejects with the error of a body that stops arriving', async (t) => {
  const failure = new Error('other side closed');
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encode('{"a"'));
      controller.error(failure);
    },
  });
  await t.rejects(readBodyCapped(new Response(body), 100), failure);
});

t.test('describeNetworkFailure words the usual connection failures', async (t) => {
  const systemError = (code: string, message = `${code} 127.0.0.1:1`): Error => Object.assign(new Error(message), { code });
  const viaFetch = (cause: unknown): Error => new TypeError('fetch failed', { cause });
  const cases: [unknown, string][] = [
    [viaFetch(systemError('ECONNREFUSED')), 'connection refused'],
    [viaFetch(systemError('ENOTFOUND')), 'host not found'],
    [viaFetch(systemError('EAI_AGAIN')), 'host not found'],
    [viaFetch(systemError('ECONNRESET')), 'connection reset'],
    [viaFetch(systemError('UND_ERR_SOCKET', 'other side closed')), 'connection reset'],
    [systemError('ECONNREFUSED'), 'connection refused'],
    [Object.assign(new Error('wrapped', { cause: new Error('no code') }), { code: 'ENOTFOUND' }), 'host not found'],
    [viaFetch(systemError('ETIMEDOUT', 'connect ETIMEDOUT\n10.0.0.1:443')), 'network error (connect ETIMEDOUT 10.0.0.1:443)'],
    [new Error('certificate has expired'), 'network error (certificate has expired)'],
    ['down', 'network error (down)'],
    [undefined, 'network error (undefined)'],
  ];
  for (const [err, expected] of cases) t.equal(describeNetworkFailure(err), expected, expected);
});

t.test('parseHttpUrl accepts http and https and names the setting otherwise', async (t) => {
  t.equal(parseHttpUrl('HTTPS://Example.com/a?b#c', 'x url').href, 'https://example.com/a?b#c');
  t.equal(parseHttpUrl('http://user:secret@host:8080/', 'x url').password, 'secret');
  const refused: [string, string][] = [
    ['not a url', 'x url is not a valid URL'],
    ['https://', 'x url is not a valid URL'],
    ['ftp://user:secret@host/r.json', 'x url must be http or https, not ftp'],
    ['file:///etc/passwd', 'x url must be http or https, not file'],
  ];
  for (const [text, message] of refused) {
    const err = t.throws(() => parseHttpUrl(text, 'x url')) as Error;
    t.type(err, ConfigError);
    t.equal(err.message, message);
    t.notMatch(err.message, /secret/);
  }
});
