import { describeUrl } from '../db/connection-url';
import type { Queryable } from '../db/queryable';

/** One server whose pg_stat_statements the sampler reads for a target: the primary, or one of its read replicas. */
export interface TargetServer {
  /** host:port/database: how the state database names it. */
  label: string;
  /** Server side only: may carry a password, never shown. */
  url: string;
  role: 'primary' | 'replica';
  /** Where a replica was named: TARGET_REPLICA_URLS, or the dashboard's admin page. */
  source: 'env' | 'dashboard' | null;
}

/** The target's URL with another host and port: a physical replica has the primary's roles and databases. */
export function replicaUrlFor(targetUrl: string, hostPort: string): string {
  const url = new URL(targetUrl);
  const at = hostPort.lastIndexOf(':');
  url.hostname = hostPort.slice(0, at);
  url.port = hostPort.slice(at + 1);
  return url.toString();
}

/** The read replicas admins named in the dashboard (host:port entries; no credentials are kept). */
export async function readReplicaHosts(state: Queryable): Promise<string[]> {
  const { rows } = await state.query<{ value: unknown }>("SELECT value FROM expand_contract.settings WHERE key = 'read_replicas'");
  const value = rows[0]?.value;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Every server the target's reads can be served by: the primary first, then each replica from
 * TARGET_REPLICA_URLS and from the dashboard's setting, each once (by host:port/database), read
 * again on every call so a replica added in the dashboard is sampled from the next sample on.
 */
export async function targetServers(state: Queryable, targetUrl: string, envReplicaUrls: readonly string[]): Promise<TargetServer[]> {
  const servers: TargetServer[] = [{ label: describeUrl(targetUrl), url: targetUrl, role: 'primary', source: null }];
  const add = (url: string, source: TargetServer['source']) => {
    const label = describeUrl(url);
    if (!servers.some((s) => s.label === label)) servers.push({ label, url, role: 'replica', source });
  };
  for (const url of envReplicaUrls) add(url, 'env');
  for (const host of await readReplicaHosts(state)) add(replicaUrlFor(targetUrl, host), 'dashboard');
  return servers;
}
