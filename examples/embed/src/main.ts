import { buildEmbedApp } from './app.js';

// PORT (default 3000), HOST (default 127.0.0.1) and REGISTRY_FILE (default: the sample registry).
const app = await buildEmbedApp({
  logger: true,
  ...(process.env['REGISTRY_FILE'] === undefined ? {} : { registryFile: process.env['REGISTRY_FILE'] }),
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close());
}
await app.listen({ port: Number(process.env['PORT'] ?? 3000), host: process.env['HOST'] ?? '127.0.0.1' });
