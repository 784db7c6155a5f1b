/**
 * The rules of the repository's Dockerfile, checked statically (scripts/container-smoke.sh builds
 * and runs the image): one pinned base for every stage, an unprivileged numeric user, exec-form
 * entrypoint and command, the port, data volume, healthcheck and labels the deployment docs
 * promise, no secrets, every internal package packed, and a small build context.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Instruction, type JSONInstruction, type Property } from 'dockerfile-ast';
import t from 'tap';
import { REPO_ROOT } from './helpers/cli.js';

const BASE_ARG = 'NODE_BASE';
const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions();

/** The instructions of each stage, FROM first, in order. */
const stages: Instruction[][] = [];
for (const instruction of instructions) {
  if (instruction.getKeyword() === 'FROM') stages.push([]);
  stages.at(-1)?.push(instruction);
}
const buildStage = stages[0] ?? [];
const runtime = stages.at(-1) ?? [];

const ofKind = (stage: Instruction[], keyword: string): Instruction[] => stage.filter((i) => i.getKeyword() === keyword);
const last = (stage: Instruction[], keyword: string): Instruction | undefined => ofKind(stage, keyword).at(-1);
const args = (instruction: Instruction | undefined): string => instruction?.getArgumentsContent()?.trim() ?? '';
/** KEY=value pairs of ENV, LABEL and ARG instructions. */
function properties(stage: Instruction[], keyword: 'ENV' | 'LABEL' | 'ARG'): Map<string, string | null> {
  const found = new Map<string, string | null>();
  for (const instruction of ofKind(stage, keyword)) {
    const props: (Property | null)[] =
      keyword === 'ARG'
        ? [(instruction as unknown as { getProperty(): Property | null }).getProperty()]
        : (instruction as unknown as { getProperties(): Property[] }).getProperties();
    for (const prop of props) if (prop !== null) found.set(prop.getName(), prop.getValue());
  }
  return found;
}
/** The JSON array of an exec-form instruction, or undefined for the shell form. */
function execForm(instruction: Instruction | undefined): string[] | undefined {
  if (instruction === undefined) return undefined;
  const json = instruction as JSONInstruction;
  if (json.getOpeningBracket() === null || json.getClosingBracket() === null) return undefined;
  return json.getJSONStrings().map((s) => s.getJSONValue());
}

t.test('every stage starts from the base ARG, whose default is a pinned release', async (t) => {
  const froms = dockerfile.getFROMs();
  t.ok(froms.length >= 2, 'a build stage and a runtime stage');
  for (const from of froms) {
    t.match(from.getImage(), new RegExp(`^\\$\\{?${BASE_ARG}\\}?$`), `FROM ${args(from)}`);
  }
  const initial = dockerfile.getInitialARGs().map((arg) => arg.getProperty());
  const base = initial.find((prop) => prop?.getName() === BASE_ARG);
  const image = base?.getValue() ?? '';
  t.ok(base, `ARG ${BASE_ARG} before the first FROM`);
  t.match(image, /^(?:[\w.-]+\/)*node:20\.\d+\.\d+-[a-z]+-slim(?:@sha256:[0-9a-f]{64})?$/, `a Node 20 slim image with a full version: ${image}`);
  t.notMatch(image, /:latest\b|:\d+(?:-|$)|:\d+\.\d+(?:-|$)/, 'not latest, not a floating major or minor');
});

t.test('the runtime user is a numeric non-root uid created in the image', async (t) => {
  const user = args(last(runtime, 'USER'));
  t.match(user, /^[1-9]\d*(?::\d+)?$/, `USER ${user}`);
  const uid = user.split(':')[0] ?? '';
  const created = ofKind(runtime, 'RUN').some((run) => new RegExp(`--uid\\s+${uid}\\b`).test(args(run)));
  t.ok(created, `a RUN creates uid ${uid}`);
  const afterUser = runtime.slice(runtime.indexOf(last(runtime, 'USER') as Instruction));
  t.same(ofKind(afterUser, 'RUN').map(args), [], 'nothing runs as root after USER');
});

t.test('ENTRYPOINT and CMD are exec form with the command and its default arguments', async (t) => {
  t.same(execForm(last(runtime, 'ENTRYPOINT')), ['thv-registry-api']);
  t.same(execForm(last(runtime, 'CMD')), ['serve', '--config', '/config/config.yaml']);
  t.equal(args(last(runtime, 'STOPSIGNAL')), 'SIGTERM');
});

t.test('port, working directory, data volume and environment', async (t) => {
  t.same(ofKind(runtime, 'EXPOSE').map(args), ['8080']);
  t.equal(args(last(runtime, 'WORKDIR')), '/app');
  const volumes = ofKind(runtime, 'VOLUME').flatMap((v) => execForm(v) ?? args(v).split(/\s+/));
  t.same(volumes, ['/data']);
  const env = properties(runtime, 'ENV');
  t.equal(env.get('NODE_ENV'), 'production');
  t.equal(env.get('THV_DATA_DIR'), '/data', 'the default fs storage writes to the volume');
  t.match(env.get('PATH'), /^\/app\/node_modules\/\.bin:/, 'the bin is on PATH');
});

t.test('a HEALTHCHECK in exec form that needs no curl or wget', async (t) => {
  const checks = ofKind(runtime, 'HEALTHCHECK');
  t.equal(checks.length, 1);
  const raw = args(checks[0]);
  const command = /(?:^|\s)CMD\s+(\[.*\])\s*$/s.exec(raw)?.[1];
  t.ok(command, `exec form: ${raw}`);
  const argv = JSON.parse(command ?? '[]') as string[];
  t.equal(argv[0], 'node');
  t.match(argv.join(' '), /127\.0\.0\.1:8080\/health/);
  t.notMatch(raw, /\b(?:curl|wget)\b/);
});

t.test('OCI labels', async (t) => {
  const labels = properties(runtime, 'LABEL');
  for (const key of ['source', 'version', 'licenses', 'title', 'description']) {
    t.ok(labels.get(`org.opencontainers.image.${key}`), `org.opencontainers.image.${key}`);
  }
  t.equal(labels.get('org.opencontainers.image.licenses'), 'Apache-2.0');
  t.match(labels.get('org.opencontainers.image.version'), /\$\{?VERSION\}?/, 'the version comes from a build ARG');
  t.ok(properties(runtime, 'ARG').has('VERSION'), 'ARG VERSION in the runtime stage');
});

t.test('no secrets: no ENV or ARG named like one, no CA bundle from a build machine', async (t) => {
  const names = [
    ...dockerfile.getInitialARGs().map((arg) => arg.getProperty()?.getName() ?? ''),
    ...stages.flatMap((stage) => [...properties(stage, 'ENV').keys(), ...properties(stage, 'ARG').keys()]),
  ];
  t.ok(names.length > 0);
  t.same(names.filter((name) => /PASSWORD|PASSWD|TOKEN|SECRET|KEY|CREDENTIAL/i.test(name)), []);
  t.notMatch(text, /NODE_EXTRA_CA_CERTS|ca-certificates\.crt/, 'the CA bundle belongs to a locally made base only');
});

t.test('the build stage installs every workspace and packs every package the CLI needs', async (t) => {
  const readJson = (path: string): { name: string; workspaces?: string[]; dependencies?: Record<string, string> } =>
    JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8'));
  const ciIndex = buildStage.findIndex((i) => i.getKeyword() === 'RUN' && /\bnpm ci\b/.test(args(i)));
  t.ok(ciIndex > 0, 'RUN npm ci in the build stage');
  const copiedBeforeCi = buildStage
    .slice(0, ciIndex)
    .filter((i) => i.getKeyword() === 'COPY')
    .map(args)
    .join('\n');
  const workspaces = readJson('package.json').workspaces ?? [];
  for (const dir of workspaces) t.match(copiedBeforeCi, `${dir}/package.json`, `${dir}/package.json is copied before npm ci`);

  // The CLI and the closure of its @thv/* dependencies, each as a workspace directory.
  const dirOf = new Map(workspaces.map((dir) => [readJson(`${dir}/package.json`).name, dir]));
  const needed = new Set<string>();
  const visit = (name: string): void => {
    const dir = dirOf.get(name);
    if (dir === undefined || needed.has(dir)) return;
    needed.add(dir);
    for (const dep of Object.keys(readJson(`${dir}/package.json`).dependencies ?? {})) if (dep.startsWith('@thv/')) visit(dep);
  };
  visit('@thv/registry-cli');
  const pack = buildStage.find((i) => i.getKeyword() === 'RUN' && /\bnpm pack\b/.test(args(i)));
  const packed = [...args(pack).matchAll(/(?:-w|--workspace)[ =](\S+)/g)].map((m) => m[1]);
  t.same(packed.sort(), [...needed].sort(), 'npm pack -w for each');
  t.match(args(pack), /npm run build/, 'built before packing');

  const install = ofKind(runtime, 'RUN').find((i) => /\bnpm install\b/.test(args(i)));
  t.match(args(install), /--omit=dev/, 'the runtime stage installs production dependencies only');
});

t.test('.dockerignore keeps node_modules, build output and .git out of the context', async (t) => {
  const patterns = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const wanted of ['.git', '**/node_modules', '**/dist', '**/.tap', 'bench']) t.ok(patterns.includes(wanted), wanted);
  t.notOk(
    patterns.some((p) => p.startsWith('!')),
    'no exceptions',
  );
});
