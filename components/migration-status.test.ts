import { describe, expect, it } from 'vitest';
import { MIGRATION_STATES } from '@/lib/lifecycle/migration-states';
import { statusLook } from './migration-status';

describe('statusLook: each migration state reads as its own word and colour', () => {
  it.each([
    ['planned', 'planned', 'neutral'],
    ['expanded', 'expanded', 'info'],
    ['backfilled', 'backfilled', 'progress'],
    ['contracting', 'contracting', 'warn'],
    ['contracted', 'contracted', 'ok'],
    ['rolled_back', 'rolled back', 'error'],
    ['restored', 'restored', 'attention'],
    ['cancelled', 'cancelled', 'muted'],
  ])('%s → "%s" (%s)', (state, word, tone) => {
    expect(statusLook(state)).toMatchObject({ word, tone });
  });

  it('gives every state of the lifecycle a tone of its own, and a meaning', () => {
    const looks = MIGRATION_STATES.map(statusLook);
    expect(new Set(looks.map((l) => l.tone)).size).toBe(MIGRATION_STATES.length);
    for (const look of looks) expect(look.meaning.length).toBeGreaterThan(20);
  });

  it('never shows a stored enum: underscores become spaces', () => {
    for (const state of MIGRATION_STATES) expect(statusLook(state).word).not.toContain('_');
  });

  it('reads a state it does not know as words, quietly, and is not fooled by object keys', () => {
    expect(statusLook('archived')).toMatchObject({ word: 'archived', tone: 'neutral' });
    expect(statusLook('waiting_for_review')).toMatchObject({ word: 'waiting for review', tone: 'neutral' });
    expect(statusLook('toString')).toMatchObject({ word: 'toString', tone: 'neutral' });
    expect(statusLook('')).toMatchObject({ word: 'unknown', tone: 'neutral' });
  });
});
