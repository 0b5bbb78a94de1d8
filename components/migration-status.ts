import type { MigrationState } from '@/lib/lifecycle/migration-states';

/** How a badge is coloured: each migration state has a tone of its own, so a list reads at a glance. */
export type Tone = 'ok' | 'warn' | 'error' | 'neutral' | 'info' | 'progress' | 'attention' | 'muted';

export interface StatusLook {
  /** What the badge says: words, never the stored enum. */
  word: string;
  tone: Tone;
  /** One sentence for the badge's title: what the state means for the people around it. */
  meaning: string;
}

const LOOKS: Record<MigrationState, StatusLook> = {
  planned: { word: 'planned', tone: 'neutral', meaning: 'Planned: nothing has run on the target yet.' },
  expanded: { word: 'expanded', tone: 'info', meaning: 'Expanded: the new column and its sync triggers exist; the backfill comes next.' },
  backfilled: {
    word: 'backfilled',
    tone: 'progress',
    meaning: 'Backfilled: every row is copied; the contract waits for the deploy, the buffer and the evidence.',
  },
  contracting: {
    word: 'contracting',
    tone: 'warn',
    meaning: 'Contracting: the destructive steps began and their end is not recorded; finish the contract or restore.',
  },
  contracted: { word: 'contracted', tone: 'ok', meaning: 'Contracted: the old column is gone and the change is finished (its data archived for a restore).' },
  rolled_back: { word: 'rolled back', tone: 'error', meaning: 'Rolled back: the expand was undone; the target is as before.' },
  restored: { word: 'restored', tone: 'attention', meaning: 'Restored: the contract was undone from the archive; the old column is back.' },
  cancelled: { word: 'cancelled', tone: 'muted', meaning: 'Cancelled: the plan was withdrawn before anything ran on the target.' },
};

/**
 * The word and tone of a migration's state. A state this build does not know (a newer
 * server's, or one such as "archived") still reads as words, in a quiet tone.
 */
export function statusLook(state: string): StatusLook {
  if (Object.hasOwn(LOOKS, state)) return LOOKS[state as MigrationState];
  const word = state.replace(/[_-]+/g, ' ').trim() || 'unknown';
  return { word, tone: 'neutral', meaning: `${word[0]!.toUpperCase()}${word.slice(1)}.` };
}
