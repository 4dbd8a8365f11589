/** Time, injected so the core never calls Date.now() itself (tests and the scheduler control it). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
