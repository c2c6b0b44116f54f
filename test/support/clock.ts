import type { Clock } from '../../electron/core/clock';

/** The moment every clock test starts from. */
export const T0 = Date.parse('2026-11-25T10:00:00Z');

/** A clock the test moves by hand; a jump stands for a laptop asleep. */
export class TestClock implements Clock {
  constructor(public t = T0) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  /** To `minutes` after T0. */
  set(minutes: number): void {
    this.t = T0 + minutes * 60_000;
  }
}
