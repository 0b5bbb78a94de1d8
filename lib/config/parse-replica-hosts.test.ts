import { describe, expect, it } from 'vitest';
import { parseReplicaHosts, ReplicaHostError } from './parse-replica-hosts';

describe('the read replicas an admin names', () => {
  it('takes host:port per line or comma, adds the default port, and keeps each once', () => {
    expect(parseReplicaHosts('db-r1.internal:5433\n db-r2.internal , 10.0.0.7:5432\n\ndb-r1.internal:5433')).toEqual({
      hosts: ['db-r1.internal:5433', 'db-r2.internal:5432', '10.0.0.7:5432'],
      droppedCredentials: false,
    });
  });

  it('keeps only host and port of a pasted URL: the password is never stored', () => {
    const parsed = parseReplicaHosts('postgresql://app:s3cret@replica.example.com:6432/app');
    expect(parsed).toEqual({ hosts: ['replica.example.com:6432'], droppedCredentials: true });
    expect(JSON.stringify(parsed)).not.toContain('s3cret');
  });

  it.each(['db r1:5432', 'host:99999', 'host:0', '-bad:5432', 'postgresql://'])('refuses %j, naming it without any password', (entry) => {
    expect(() => parseReplicaHosts(entry)).toThrow(ReplicaHostError);
  });

  it('never echoes a password in its refusal', () => {
    expect(() => parseReplicaHosts('postgresql://app:s3cret@bad host/app')).toThrow(/^(?!.*s3cret)/);
  });

  it('an empty list removes every replica', () => {
    expect(parseReplicaHosts('  \n ').hosts).toEqual([]);
  });
});
