import t from 'tap';
import { StorageError } from '@thv/registry-core';
import { DiskHealth, diskProblem } from '../src/disk-health.js';

function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: some system message`), { code });
}

t.test('diskProblem names the errors of a disk that refuses writes, also as a cause', async (t) => {
  t.equal(diskProblem(systemError('ENOSPC')), 'disk full');
  t.equal(diskProblem(systemError('EDQUOT')), 'disk quota exceeded');
  t.equal(diskProblem(systemError('EROFS')), 'read-only file system');
  t.equal(diskProblem(systemError('EACCES')), 'permission denied');
  t.equal(diskProblem(systemError('EPERM')), 'permission denied');
  t.equal(diskProblem(new StorageError('wrapped', { cause: systemError('ENOSPC') })), 'disk full');
  t.equal(diskProblem(systemError('EIO')), undefined);
  t.equal(diskProblem(systemError('constructor')), undefined);
  t.equal(diskProblem(new StorageError('corrupt')), undefined);
  t.equal(diskProblem('ENOSPC'), undefined);
});

t.test('DiskHealth: a failed commit needs a commit; a failed status save any write', async (t) => {
  const disk = new DiskHealth();
  t.same(disk.health(), { healthy: true });
  t.equal(disk.succeeded('a', 'commit'), false, 'nothing to recover from');

  t.equal(disk.failed('a', 'commit', 'disk full: a'), true, 'newly failing');
  t.equal(disk.failed('a', 'status', 'disk full: a status'), false, 'already failing');
  t.same(disk.health(), { healthy: false, message: 'disk full: a status' }, 'the latest message');
  t.equal(disk.succeeded('a', 'status'), false, 'a status save does not end a failed commit');
  t.same(disk.health(), { healthy: false, message: 'disk full: a status' });

  t.equal(disk.failed('b', 'status', 'permission denied: b'), true);
  t.same(disk.health(), { healthy: false, message: 'permission denied: b (and 1 more registry)' });
  t.equal(disk.failed('c', 'status', 'permission denied: c'), true);
  t.same(disk.health(), { healthy: false, message: 'permission denied: c (and 2 more registries)' });
  t.equal(disk.succeeded('b', 'status'), true, 'a status save ends a failed status save');
  t.equal(disk.succeeded('c', 'commit'), true, 'so does a commit');
  t.same(disk.health(), { healthy: false, message: 'disk full: a status' });
  t.equal(disk.succeeded('a', 'commit'), true);
  t.same(disk.health(), { healthy: true });
});
