/** How long a brownout lasts unless told: long enough for a poller or a minutely job to show itself. */
export const DEFAULT_BROWNOUT_MINUTES = 5;
/** The shortest and longest brownout, in seconds: an hour out of reach is an outage, not a rehearsal. */
export const BROWNOUT_SECONDS = { min: 5, max: 3600 } as const;
/**
 * A running brownout whose watcher has not written its heartbeat (every half second) for this
 * long has lost it. Its migration's lock is the real test: a live watcher holds it.
 */
export const BROWNOUT_STALE_SECONDS = 5;

/** Minutes as typed (decimals allowed) to whole seconds, or why not. */
export function brownoutSeconds(minutes: number): { ok: true; seconds: number } | { ok: false; reason: string } {
  const seconds = Math.round(minutes * 60);
  if (!Number.isFinite(minutes) || seconds < BROWNOUT_SECONDS.min || seconds > BROWNOUT_SECONDS.max)
    return { ok: false, reason: `a brownout lasts from ${BROWNOUT_SECONDS.min} seconds to ${BROWNOUT_SECONDS.max / 60} minutes` };
  return { ok: true, seconds };
}
