import t from 'tap';
import { LeaseTable } from '../src/lease-table.js';

t.test('a lease expires after its ttl', async (t) => {
  let now = 1_000;
  const leases = new LeaseTable(() => now);
  t.equal(leases.tryLease('r', 'a', 100), true);
  now = 1_099;
  t.equal(leases.tryLease('r', 'b', 100), false, 'still running');
  now = 1_100;
  t.equal(leases.tryLease('r', 'b', 100), true, 'expired at its deadline');
  t.equal(leases.tryLease('r', 'a', 100), false, 'the new holder has it');
});

t.test('renewal extends the lease', async (t) => {
  let now = 0;
  const leases = new LeaseTable(() => now);
  leases.tryLease('r', 'a', 100);
  now = 90;
  t.equal(leases.tryLease('r', 'a', 100), true);
  now = 150;
  t.equal(leases.tryLease('r', 'b', 100), false, 'renewed until 190');
});

t.test('clear drops every lease', async (t) => {
  const leases = new LeaseTable();
  leases.tryLease('r', 'a', 60_000);
  leases.clear();
  t.equal(leases.tryLease('r', 'b', 60_000), true);
});
