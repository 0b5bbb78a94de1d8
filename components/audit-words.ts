/**
 * An audit entry in words: what happened, said as a sentence after the person's name, and the
 * few fields worth reading at a glance. The full detail stays one click away on the page, so
 * nothing here has to be complete. Pure: the page and its tests share it.
 */
export interface AuditWords {
  /** Follows the actor: "approved the plan", "ran backfill: failed". */
  says: string;
  fields: { label: string; value: string }[];
  /** Sign-ins and sign-outs: folded away on the page unless asked for. */
  session: boolean;
  /** Something went wrong or was refused. */
  failed: boolean;
}

interface EntryLike {
  action: string;
  detail: Record<string, unknown>;
}

const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

const FIXED: Record<string, string> = {
  'session.sign-in': 'signed in',
  'session.sign-out': 'signed out',
  'migration.created': 'created the migration',
  'migration.cancelled': 'cancelled the migration',
  'plan.approved': 'approved the plan',
  'plan.commented': 'commented on the plan',
  'contract.approved': 'approved the contract',
  'schedule.changed': 'changed the schedule',
  'services.changed': 'named the services whose error rates count',
  'backfill.pause-requested': 'asked to pause the backfill',
  'deploy.marked': 'marked the deploy',
  'deploy.unmarked': 'took the deploy mark back',
  'token.revoked': 'revoked a token',
  'user.created': 'created an account',
  'user.reset': 'reset an account',
  'user.disabled': 'disabled an account',
  'user.enabled': 'enabled an account again',
  'user.roles-changed': "changed an account's roles",
  'user.linked': 'linked a Supabase sign-in to their account',
  'oncall.rotation-set': 'set the on-call rotation',
  'oncall.override': 'put someone on call in place of the rotation',
  'oncall.override-removed': 'removed an on-call override',
  'settings.schedule-rules': 'changed the schedule rules',
};

/** Phase outcomes, by the last part of the action (the executor writes `phase.<status>`). */
const PHASE_OUTCOME: Record<string, (phase: string) => string> = {
  requested: (p) => `asked to run ${p}`,
  succeeded: (p) => `ran ${p}: succeeded`,
  failed: (p) => `ran ${p}: failed`,
  cancelled: (p) => `ran ${p}: cancelled`,
  paused: (p) => `ran ${p}: paused`,
  'refused-or-failed': (p) => `tried to run ${p}: refused or failed`,
};

function says(action: string, detail: Record<string, unknown>): string {
  if (action === 'session.sign-in' && detail.via === 'supabase') return 'signed in with Supabase';
  if (action === 'token.created') return `created ${text(detail.scope) ? `an ${text(detail.scope)}` : 'a'} token`;
  const [group, outcome] = action.split(/\.(.*)/s);
  if (group === 'phase' && outcome && PHASE_OUTCOME[outcome]) return PHASE_OUTCOME[outcome](text(detail.phase) || 'a phase');
  if (Object.hasOwn(FIXED, action)) return FIXED[action]!;
  return action.replace(/[._-]+/g, ' ').trim() || 'did something unnamed';
}

/** Keys the sentence already says, or that only the full detail should carry. */
const SAID: Record<string, string[]> = { 'token.created': ['scope'], 'session.sign-in': ['via'], 'session.sign-out': ['via'] };
const NEVER = new Set(['seeded']);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A value short enough for a glance; undefined when it belongs to the full detail only. */
function glance(key: string, value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (ISO.test(value)) return `${new Date(value).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    return value.length > 120 ? `${value.slice(0, 119)}…` : value;
  }
  if (Array.isArray(value)) {
    if (key === 'conditions') {
      const met = value.filter((c) => (c as { met?: unknown })?.met === true).length;
      return `${met} of ${value.length} gate conditions met`;
    }
    if (value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.length ? value.join(key === 'emails' ? ' → ' : ', ') : 'none';
  }
  return undefined;
}

const LABELS: Record<string, string> = {
  commentId: 'comment',
  deployedAt: 'deployed at',
  expandAt: 'expand',
  deployAt: 'deploy',
  monitorFrom: 'monitor from',
  contractAt: 'contract',
  shiftDays: 'shift days',
  startsAt: 'starts',
  emails: 'rotation',
  previous: 'roles before',
  id: 'token',
};

export function describeAuditEntry(entry: EntryLike): AuditWords {
  const detail = entry.detail && typeof entry.detail === 'object' ? entry.detail : {};
  const skip = new Set([...(SAID[entry.action] ?? []), ...NEVER]);
  if (entry.action.startsWith('phase.')) skip.add('phase');
  const fields: AuditWords['fields'] = [];
  for (const [key, value] of Object.entries(detail)) {
    if (skip.has(key)) continue;
    // A migration's services: null means every service reporting, which is worth saying.
    const shown = key === 'services' && value === null ? 'every service' : glance(key, value);
    if (shown !== undefined) fields.push({ label: LABELS[key] ?? key, value: shown });
  }
  return {
    says: says(entry.action, detail),
    fields,
    session: entry.action.startsWith('session.'),
    failed: /\.(failed|refused-or-failed)$/.test(entry.action) || (typeof detail.error === 'string' && detail.error !== ''),
  };
}
