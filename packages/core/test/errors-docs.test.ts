import { readFileSync } from 'node:fs';
import t from 'tap';
import { ErrorKinds } from '../src/errors.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

t.test('docs/errors.md documents every error code under its own anchor', async (t) => {
  for (const { code } of Object.values(ErrorKinds)) {
    t.ok(doc.includes(`<a id="${code.toLowerCase()}"></a>`), `${code} has an anchor`);
    t.ok(doc.includes(`## ${code}`), `${code} has a section`);
  }
});
