import type { Stats } from './stats.js';
import { renderTable } from './table.js';

/** The text report: a table of registries, then a table of counts. */
export function formatStats(stats: Stats): string {
  const registries = renderTable(
    ['REGISTRY', 'TYPE', 'PHASE', 'SERVERS', 'VERSIONS', 'LAST SUCCESS'],
    stats.registries.map((r) => [r.name, r.type, r.phase ?? '-', r.servers ?? '-', r.versions ?? '-', r.lastSuccess ?? '-']),
  );
  const failed = stats.registries
    .filter((r) => r.phase === 'Failed' && r.message !== undefined)
    .map((r) => `${r.name}: ${r.message as string}`);
  const { servers } = stats;
  const counts: [string, number][] = [
    ['names', servers.names],
    ['versions', servers.versions],
    ['latest versions', servers.latest],
    ...sortedEntries(servers.byStatus).map(([status, n]): [string, number] => [`${status} versions`, n]),
    ...sortedEntries(servers.packages).map(([type, n]): [string, number] => [`versions with ${type} packages`, n]),
    ['versions with a remote', servers.remotes],
  ];
  const scope = stats.registry === undefined ? 'all registries' : `registry ${stats.registry}`;
  return [
    `Registries at ${stats.url}`,
    '',
    registries,
    ...(failed.length === 0 ? [] : ['', ...failed]),
    '',
    renderTable([`SERVERS (${scope})`, 'COUNT'], counts),
  ].join('\n');
}

function sortedEntries(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
