import t from 'tap';
import { backoff, INITIAL_BACKOFF_MS, jittered } from '../src/sync/schedule.js';

t.test('the interval gets ±10 % jitter', async (t) => {
  t.equal(jittered(60_000, () => 0), 54_000);
  t.equal(jittered(60_000, () => 0.5), 60_000);
  t.equal(jittered(60_000, () => 1), 66_000);
});

t.test('backoff doubles from 5 s and is capped at the interval', async (t) => {
  t.equal(INITIAL_BACKOFF_MS, 5_000);
  t.same([1, 2, 3, 4].map((failures) => backoff(failures, 3_600_000)), [5_000, 10_000, 20_000, 40_000]);
  t.equal(backoff(20, 30_000), 30_000);
  t.equal(backoff(1_000, 3_600_000), 3_600_000, 'no overflow after many failures');
});
