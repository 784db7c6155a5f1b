import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeApiEmulator } from './kube-api-emulator.js';

/** The API server a kubeconfig points at: an emulator, or anything with a URL (and the CA of an HTTPS one). */
export type KubeconfigServer = Pick<KubeApiEmulator, 'url' | 'ca'>;

/** What a kubeconfig for an emulator holds besides its URL. */
export interface KubeconfigOptions {
  /** The bearer token of the user; default none. */
  token?: string;
  /** The name of its one context (and cluster and user); default `emulator`. */
  context?: string;
  /** The file name inside the directory; default `kubeconfig.yaml`. */
  fileName?: string;
}

/**
 * Writes a kubeconfig whose current context points at `emulator` and returns its path. An HTTPS
 * emulator's certificate is the cluster's `certificate-authority-data`; an HTTP one needs
 * `insecure-skip-tls-verify`, without which the client refuses plain HTTP.
 */
export async function writeKubeconfig(dir: string, emulator: KubeconfigServer, options: KubeconfigOptions = {}): Promise<string> {
  const name = options.context ?? 'emulator';
  const tls =
    emulator.ca === undefined
      ? '    insecure-skip-tls-verify: true'
      : `    certificate-authority-data: ${Buffer.from(emulator.ca).toString('base64')}`;
  const user = options.token === undefined ? '{}' : `\n    token: ${options.token}`;
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${emulator.url}`,
    tls,
    'users:',
    `- name: ${name}`,
    `  user: ${user}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `current-context: ${name}`,
    '',
  ].join('\n');
  const path = join(dir, options.fileName ?? 'kubeconfig.yaml');
  await writeFile(path, text, { mode: 0o600 });
  return path;
}
