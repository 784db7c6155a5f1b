import t from 'tap';
import { parseAddress } from '../src/config/address.js';

t.test('accepted addresses', async (t) => {
  t.same(parseAddress(':8080'), { host: '0.0.0.0', port: 8080 });
  t.same(parseAddress('127.0.0.1:9090'), { host: '127.0.0.1', port: 9090 });
  t.same(parseAddress('localhost:0'), { host: 'localhost', port: 0 });
  t.same(parseAddress('[::1]:65535'), { host: '::1', port: 65535 });
  t.same(parseAddress('[::]:80'), { host: '::', port: 80 });
});

t.test('refused addresses', async (t) => {
  const refused = ['', '8080', 'localhost', ':', ':65536', ':123456', '::1:80', 'host:port', ' :80', 'a b:80', '[]:80'];
  for (const text of refused) {
    t.equal(parseAddress(text), undefined, JSON.stringify(text));
  }
});
