import { describe, expect, it } from 'vitest';
import { replicaDelayMs, type WalSample } from './replica-lag';

// The target's WAL at 100 at t=0, 200 at t=100, 300 at t=250 (ms).
const samples: WalSample[] = [
  { at: 0, lsn: 100 },
  { at: 100, lsn: 200 },
  { at: 250, lsn: 300 },
];

describe('replicaDelayMs: how long ago, at the most, the oldest WAL a replica has not replayed was written', () => {
  it.each([
    { name: 'caught up with the latest sample', replayLsn: 300, now: 400, expected: 0 },
    { name: 'ahead of the latest sample (other writes since)', replayLsn: 350, now: 400, expected: 0 },
    { name: 'exactly at a sample: what follows was written after it', replayLsn: 200, now: 400, expected: 300 },
    { name: 'between two samples: bounded by the earlier one', replayLsn: 250, now: 400, expected: 300 },
    { name: 'just past the first sample', replayLsn: 101, now: 400, expected: 400 },
  ])('$name', ({ replayLsn, now, expected }) => {
    expect(replicaDelayMs({ replayLsn, replayLagSeconds: null }, samples, now)).toBe(expected);
  });

  it("behind every sample: at least as old as the oldest sample, or Postgres's own replay_lag when that says more", () => {
    expect(replicaDelayMs({ replayLsn: 50, replayLagSeconds: null }, samples, 400)).toBe(400);
    expect(replicaDelayMs({ replayLsn: 50, replayLagSeconds: 2.5 }, samples, 400)).toBe(2500);
  });

  it('no samples yet: nothing to judge by', () => {
    expect(replicaDelayMs({ replayLsn: 50, replayLagSeconds: 3 }, [], 400)).toBe(0);
  });
});
