/** Where services read the time, so a test can fix it. */
export type Clock = () => Date;

/** The process's real time. */
export const systemClock: Clock = () => new Date();
