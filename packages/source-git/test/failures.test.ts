import t from 'tap';
import { SourceError } from '@thv/registry-core';
import { describeFailure } from '../src/failures.js';

const remote = { display: 'https://example.com/org/r.git', remote: true };
const systemError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

t.test('network failures are worded like the other sources', async (t) => {
  const cases: [Error, string][] = [
    [systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443'), 'connection refused'],
    [systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND example.com'), 'host not found'],
    [systemError('ECONNRESET', 'socket hang up'), 'connection reset'],
    [new Error('request failed', { cause: systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN') }), 'host not found'],
    [systemError('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:443'), 'network error (connect ETIMEDOUT 10.0.0.1:443)'],
    [systemError('CERT_HAS_EXPIRED', 'certificate has expired'), 'network error (certificate has expired)'],
  ];
  for (const [err, wording] of cases) {
    const failure = describeFailure(err, remote);
    t.type(failure, SourceError);
    t.equal(failure.message, `${wording} fetching ${remote.display}`, wording);
    t.equal(failure.cause, err);
  }
});

t.test('other failures keep their own message', async (t) => {
  const err = Object.assign(new Error('Could not find HEAD.'), { code: 'NotFoundError' });
  t.equal(describeFailure(err, remote).message, `could not fetch ${remote.display}: Could not find HEAD.`);
  t.equal(describeFailure(err, { display: '/srv/repo', remote: false }).message, 'could not read /srv/repo: Could not find HEAD.');
});
