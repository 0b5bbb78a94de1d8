/** Why a button is closed to this person, or undefined when it is open. */
export const deniedReason = (p: { ok: boolean; reason?: string }): string | undefined => (p.ok ? undefined : p.reason);
