/** Time as the core sees it. Services take a Clock so tests can pass a fake one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
