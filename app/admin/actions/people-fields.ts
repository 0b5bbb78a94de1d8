import { z } from 'zod';
import { ROLES, type Role } from '@/lib/lifecycle/permissions';

/**
 * The roles a form ticked: one checkbox per role, named `role:<role>`, so every ticked one
 * arrives as a field of its own (a form's fields reach the action as a record, one value a name).
 */
export const rolesTicked = (fields: Record<string, unknown>): Role[] => ROLES.filter((r) => fields[`role:${r}`] !== undefined);

export const text = z.string().prefault('');
/** Any other fields (the role checkboxes) pass through to rolesTicked. */
export const withRoles = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);
