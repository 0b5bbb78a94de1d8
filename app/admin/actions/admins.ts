import { anyRole } from '@/lib/auth/guarded-action';

export const ADMINS = anyRole(['admin'], 'only admins manage people, tokens and the rotation');
