import { AppError } from '../errors/app-error';

/** A read replica entry that is not host:port (or a postgres URL to take host and port from). */
export class ReplicaHostError extends AppError {
  readonly code = 'bad-replica-host';
  readonly kind = 'invalid';
  constructor(readonly entry: string) {
    super(`"${entry}" is not a read replica: write host:port, e.g. db-replica-1.internal:5432`);
    this.name = 'ReplicaHostError';
  }
}

const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/;

/**
 * The dashboard's list of read replicas, one per line or comma-separated: host:port (5432 when
 * left out), or a postgres URL of which only host and port are kept. Credentials are never kept:
 * the sampler connects with the target's own login, which a physical replica shares.
 */
export function parseReplicaHosts(text: string): { hosts: string[]; droppedCredentials: boolean } {
  const hosts: string[] = [];
  let droppedCredentials = false;
  for (const raw of text.split(/[\n,]/)) {
    const entry = raw.trim();
    if (!entry) continue;
    let host: string;
    let port: string;
    if (/^postgres(ql)?:\/\//i.test(entry)) {
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw new ReplicaHostError(entry.replace(/:[^:@/]*@/, ':***@'));
      }
      droppedCredentials ||= url.username !== '' || url.password !== '';
      host = url.hostname;
      port = url.port || '5432';
    } else {
      const m = /^(.*?)(?::(\d{1,5}))?$/.exec(entry)!;
      host = m[1]!;
      port = m[2] ?? '5432';
    }
    if (!HOST.test(host) || Number(port) < 1 || Number(port) > 65535) throw new ReplicaHostError(entry.replace(/:[^:@/]*@/, ':***@'));
    const hostPort = `${host}:${Number(port)}`;
    if (!hosts.includes(hostPort)) hosts.push(hostPort);
  }
  if (hosts.length > 20) throw new ReplicaHostError(`${hosts.length} entries (at most 20)`);
  return { hosts, droppedCredentials };
}
