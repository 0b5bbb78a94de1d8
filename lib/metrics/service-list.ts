import { z } from 'zod';
import { label } from './metric-batch';

export const MAX_SERVICES = 50;

const serviceList = z
  .array(label('a service name', 100))
  .max(MAX_SERVICES, `at most ${MAX_SERVICES} services`)
  .transform((names) => [...new Set(names)]);

/**
 * The services whose error rates are a migration's evidence, as typed ("web, api"): names as
 * the services report them (POST /api/v1/metrics), each once. Empty means every service.
 * Throws a ZodError naming the problem.
 */
export function parseServiceList(text: string): string[] | null {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.length === 0 ? null : serviceList.parse(names);
}
