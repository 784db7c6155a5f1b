/** One autocannon run against one URL (or a cycle of paths), reduced to what the tables show. */
import autocannon from 'autocannon';

/**
 * Runs autocannon for `durationS` seconds with `connections` connections (no pipelining) and
 * returns req/s, latency p50/p99 (ms; autocannon's histogram has 1 ms resolution) and the
 * answers that were not `expectStatus`. `includeErrorStats` so that 304 answers are counted.
 * With `paths`, the requests take them in turn across all connections (`url` is then the origin).
 */
export async function loadTest({ url, paths, headers = {}, connections, durationS, expectStatus = 200 }) {
  let next = 0;
  const requests = paths === undefined ? undefined : [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }];
  const result = await autocannon({ url, headers, connections, duration: durationS, pipelining: 1, includeErrorStats: true, ...(requests === undefined ? {} : { requests }) });
  const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
  const unexpected = Object.entries(codes).reduce((sum, [code, count]) => (Number(code) === expectStatus ? sum : sum + count), 0);
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    unexpected,
  };
}
