import t from 'tap';
import { runCli } from './helpers/cli.js';

const STACK = /\n\s+at .+:\d+:\d+/;

t.test('the root help lists the commands', async (t) => {
  const result = await runCli(t, ['--help']);
  t.equal(result.code, 0);
  t.match(result.stdout, /\$ thv-registry-api \[COMMAND\]/);
  for (const command of ['serve', 'validate', 'version']) t.match(result.stdout, new RegExp(`^\\s+${command}\\s`, 'm'), `lists ${command}`);
});

t.test('serve --help and validate --help document --config', async (t) => {
  for (const command of ['serve', 'validate']) {
    const result = await runCli(t, [command, '--help']);
    t.equal(result.code, 0, `${command} --help exits 0`);
    t.match(result.stdout, /-c, --config=<value>/, `${command} documents --config`);
    t.match(result.stdout, /\(required\)/, `${command}: --config is required`);
    t.match(result.stdout, /--log-level/, `${command} documents --log-level`);
    t.match(result.stdout, new RegExp(`\\$ thv-registry-api ${command} --config`), `${command} has an example`);
    t.equal(result.stderr, '');
    if (command === 'serve') t.match(result.stdout, /--address=<value>/, 'serve documents --address');
  }
});

t.test('version --help documents --format', async (t) => {
  const result = await runCli(t, ['version', '--help']);
  t.equal(result.code, 0);
  t.match(result.stdout, /--format=<option>/);
  t.match(result.stdout, /text\|json/);
  t.notMatch(result.stdout, /--config/, 'version reads no config');
});

t.test('version prints the versions as text or JSON', async (t) => {
  const text = await runCli(t, ['version']);
  t.equal(text.code, 0);
  t.match(text.stdout, /^thv-registry-api \d+\.\d+\.\d+\S* \(core \d+\.\d+\.\d+\S*, node v\d+\.\d+\.\d+/);
  t.ok(text.stdout.includes(process.version), 'names the running Node.js');

  const json = await runCli(t, ['version', '--format', 'json']);
  t.equal(json.code, 0);
  const info = JSON.parse(json.stdout) as Record<string, unknown>;
  t.match(info, { version: /^\d+\.\d+\.\d+/, core: /^\d+\.\d+\.\d+/, node: process.version });
  t.ok(text.stdout.includes(`thv-registry-api ${info['version'] as string} (core ${info['core'] as string}`), 'text and JSON agree');
});

t.test('bad usage exits 2 with a message, never a stack trace', async (t) => {
  const xml = await runCli(t, ['version', '--format', 'xml']);
  t.equal(xml.code, 2, 'version --format xml');
  t.match(xml.stderr, /xml/);
  t.match(xml.stderr, /text, json/, 'names the formats it accepts');
  t.notMatch(xml.stderr, STACK);

  const unknownFlag = await runCli(t, ['serve', '--config', 'x.yaml', '--bogus']);
  t.equal(unknownFlag.code, 2, 'an unknown flag');
  t.match(unknownFlag.stderr, /--bogus/);

  const unknownCommand = await runCli(t, ['nosuchcommand']);
  t.equal(unknownCommand.code, 2, 'an unknown command');
  t.match(unknownCommand.stderr, /nosuchcommand/);
});
