/** "host:port/database" for messages and the health panel: never the user's password. */
export function describeUrl(connectionString: string): string {
  return `${hostOf(connectionString)}/${databaseOf(connectionString)}`;
}

/** The host part alone, which is what an unreachable-server message should name. */
export function hostOf(connectionString: string): string {
  const url = new URL(connectionString);
  return `${url.hostname}:${url.port || '5432'}`;
}

export function databaseOf(connectionString: string): string {
  return decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, '')) || 'postgres';
}

export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export function localUrl(options: { port: number; user: string; password: string; database: string }): string {
  const user = encodeURIComponent(options.user);
  const password = encodeURIComponent(options.password);
  return `postgresql://${user}:${password}@127.0.0.1:${options.port}/${encodeURIComponent(options.database)}`;
}

/** Replaces the password in any text that may contain a connection string. */
export function redactSecrets(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1***@');
}
