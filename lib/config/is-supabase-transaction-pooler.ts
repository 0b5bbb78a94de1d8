/**
 * Supabase's transaction pooler (Supavisor, port 6543): it hands each transaction to any
 * server connection, so session state, such as a session advisory lock, does not last.
 */
export function isSupabaseTransactionPooler(connectionString: string): boolean {
  const url = new URL(connectionString);
  return url.port === '6543' && /(^|\.)(supabase\.com|supabase\.co)$/i.test(url.hostname);
}
