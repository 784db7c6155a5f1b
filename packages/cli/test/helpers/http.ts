import { request, type Agent } from 'node:http';

/** A served entry: `{ server, _meta }`. */
export interface ServerResponseBody {
  server: { name: string; version: string; [field: string]: unknown };
  _meta: Record<string, Record<string, unknown>>;
}

/** A list answer of the v0.1 API. */
export interface ServerListBody {
  servers: ServerResponseBody[];
  metadata: { count: number; nextCursor?: string };
}

/** An HTTP answer with its body parsed as JSON when it is JSON. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: T;
}

/** GET `url` over a real socket (a fresh connection unless `agent` keeps one). */
export function get<T = unknown>(url: string, agent?: Agent): Promise<JsonResponse<T>> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: agent ?? false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', reject);
      res.on('end', () => {
        let body: unknown = text;
        if (/json/.test(res.headers['content-type'] ?? '')) {
          try {
            body = JSON.parse(text);
          } catch (error) {
            reject(new Error(`GET ${url}: the body is not JSON: ${(error as Error).message}`));
            return;
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: body as T });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** `name@version` of every entry of a list, in order. */
export function keysOf(body: ServerListBody): string[] {
  return body.servers.map(({ server }) => `${server.name}@${server.version}`);
}
