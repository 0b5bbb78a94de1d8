import { z } from 'zod';
import { isSupabaseTransactionPooler } from './is-supabase-transaction-pooler';
import { AppError } from '../errors/app-error';

/** A bad environment variable, named so the message can point at it. */
export class EnvError extends AppError {
  readonly code = 'bad-environment';
  readonly kind = 'invalid';
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'EnvError';
  }
}

/** A URL with one of the given schemes and a host; `example` is what the message shows instead. */
const urlWith = (schemes: string[], example: string) =>
  z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `is not a URL (expected ${example})` });
        return;
      }
      if (!schemes.includes(url.protocol.replace(/:$/, ''))) {
        ctx.addIssue({ code: 'custom', message: `has scheme "${url.protocol.replace(/:$/, '')}", expected ${schemes[0]}://` });
      } else if (!url.hostname) {
        ctx.addIssue({ code: 'custom', message: `has no host (expected ${example})` });
      }
    });

const postgresUrl = urlWith(['postgresql', 'postgres'], 'postgresql://user:password@host:5432/database');
const httpUrl = urlWith(['https', 'http'], 'https://<project>.supabase.co');

const port = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(fallback);

// Empty strings count as unset: `FOO= npm run dev` should behave like no FOO at all.
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const envSchema = z.object({
  DATABASE_URL: optional(postgresUrl),
  TARGET_DATABASE_URL: optional(postgresUrl),
  HOST: optional(z.string().trim().min(1)).transform((v) => v ?? '127.0.0.1'),
  PORT: optional(port(3000)).transform((v) => v ?? 3000),
  EC_DATA_DIR: optional(z.string().trim().min(1)),
  EC_PG_PORT: optional(port(54329)).transform((v) => v ?? 54329),
  EC_DEMO_LEADS: optional(
    z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(1000, 'must be at least 1000')
      .max(50_000_000, 'must be at most 50000000'),
  ).transform((v) => v ?? 100_000),
  EC_WORKER: optional(z.enum(['on', 'off'], { message: 'must be on or off' })).transform((v) => v ?? 'on'),
  EC_SAMPLE_SECONDS: optional(
    z.coerce.number({ message: 'must be a number of seconds' }).int('must be a whole number').min(1, 'must be at least 1').max(3600, 'must be at most 3600'),
  ).transform((v) => v ?? 30),
  EC_OBSERVATION_MINUTES: optional(
    z.coerce
      .number({ message: 'must be a number of minutes' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(43_200, 'must be at most 43200 (30 days)'),
  ).transform((v) => v ?? 1440),
  EC_BUFFER_MINUTES: optional(
    z.coerce
      .number({ message: 'must be a number of minutes' })
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(43_200, 'must be at most 43200 (30 days)'),
  ).transform((v) => v ?? 4320),
  EC_ERROR_MARGIN: optional(
    z.coerce.number({ message: 'must be a number, e.g. 0.25 for 25%' }).min(0, 'must be 0 or more').max(100, 'must be at most 100'),
  ).transform((v) => v ?? 0.25),
  EC_ERROR_MIN_REQUESTS: optional(z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more')).transform(
    (v) => v ?? 100,
  ),
  EC_ERROR_MIN_ERRORS: optional(z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1')).transform(
    (v) => v ?? 5,
  ),
  EC_RETENTION_RAW_DAYS: optional(
    z.coerce.number({ message: 'must be a number of days' }).int('must be a whole number').min(1, 'must be at least 1').max(3650, 'must be at most 3650'),
  ).transform((v) => v ?? 7),
  EC_RETENTION_MINUTE_DAYS: optional(
    z.coerce.number({ message: 'must be a number of days' }).int('must be a whole number').min(1, 'must be at least 1').max(3650, 'must be at most 3650'),
  ).transform((v) => v ?? 90),
  EC_DEMO_TRAFFIC: optional(
    z.coerce
      .number({ message: 'must be a number of requests per second' })
      .int('must be a whole number')
      .min(0, 'must be 0 (off) or more')
      .max(500, 'must be at most 500'),
  ).transform((v) => v ?? 20),
  // The first webhook, for the whole team and every event (admins add more on the admin page), and its signing key.
  EC_WEBHOOK_URL: optional(httpUrl),
  EC_WEBHOOK_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
  // Where people reach the dashboard: webhook messages link to migration pages there (default http://HOST:PORT).
  EC_PUBLIC_URL: optional(httpUrl),
  // on: every migration's contract waits for one clean brownout after its deploy (a migration can ask it for itself too).
  EC_REQUIRE_BROWNOUT: optional(z.enum(['on', 'off'], { message: 'must be on or off' })).transform((v) => v ?? 'off'),
  EC_DEMO_MODE: optional(z.enum(['auto', 'off'], { message: 'must be auto or off' })).transform((v) => v ?? 'auto'),
  // Unset: the executor's own number of tries (lib/executor/lock-retry.ts).
  EC_LOCK_ATTEMPTS: optional(
    z.coerce.number({ message: 'must be a number of tries' }).int('must be a whole number').min(1, 'must be at least 1').max(50, 'must be at most 50'),
  ),
  // Sign-in through Supabase Auth instead of local accounts when both are set. Read at run time
  // on the server only (never inlined into the browser: the dashboard has no browser client).
  NEXT_PUBLIC_SUPABASE_URL: optional(httpUrl),
  NEXT_PUBLIC_SUPABASE_ANON_KEY: optional(z.string().trim().min(20, 'is too short for a Supabase anon or publishable key')),
  // Whether session cookies carry Secure: auto = when the request came over HTTPS (x-forwarded-proto).
  EC_COOKIE_SECURE: optional(z.enum(['auto', 'on', 'off'], { message: 'must be auto, on or off' })).transform((v) => v ?? 'auto'),
  // Read replicas of the target: pg_stat_statements is per server, so reads they serve are sampled on them.
  TARGET_REPLICA_URLS: optional(
    z
      .string()
      .trim()
      .superRefine((value, ctx) => {
        for (const [i, part] of value.split(',').entries()) {
          const checked = postgresUrl.safeParse(part);
          if (!checked.success) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} ${checked.error.issues[0]!.message}` });
        }
      }),
  ).transform((v) => (v ? v.split(',').map((s) => s.trim()) : [])),
  // The backfill waits while any replica replays more than this far behind the primary.
  EC_REPLICA_LAG_CEILING_SECONDS: optional(
    z.coerce.number({ message: 'must be a number of seconds' }).min(0.1, 'must be at least 0.1').max(3600, 'must be at most 3600'),
  ).transform((v) => v ?? 1),
  EC_TARGET_SCHEMAS: optional(
    z
      .string()
      .trim()
      .regex(/^[^,]+(,[^,]+)*$/, 'must be a comma-separated list of schema names'),
  ).transform((v) => (v ?? 'public').split(',').map((s) => s.trim())),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable the product reads, for the README and `--help`. */
export const ENV_VARIABLES = Object.keys(envSchema.shape) as (keyof Env)[];

/**
 * Parses the environment once, at the edge. Throws EnvError naming the first bad
 * variable, so a typo fails fast with one line rather than deep inside a request.
 */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) {
    const { NEXT_PUBLIC_SUPABASE_URL: url, NEXT_PUBLIC_SUPABASE_ANON_KEY: key } = result.data;
    // One without the other would silently fall back to local accounts: say so instead.
    if (url && !key) throw new EnvError('NEXT_PUBLIC_SUPABASE_ANON_KEY', "must be set with NEXT_PUBLIC_SUPABASE_URL (the project's anon or publishable key)");
    if (key && !url) throw new EnvError('NEXT_PUBLIC_SUPABASE_URL', 'must be set with NEXT_PUBLIC_SUPABASE_ANON_KEY (https://<project>.supabase.co)');
    // The state database holds each migration's run lock as a session advisory lock: through a
    // transaction pooler the lock would not last, and two runners could run one migration at once.
    // Here, so that every entry point (dashboard, worker, every command) refuses it.
    if (result.data.DATABASE_URL && isSupabaseTransactionPooler(result.data.DATABASE_URL)) {
      throw new EnvError(
        'DATABASE_URL',
        "is Supabase's transaction pooler (port 6543), which does not keep the session the per-migration run lock needs: use the session pooler (port 5432) or the direct connection",
      );
    }
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? 'environment');
  throw new EnvError(variable, issue.message);
}

export interface SupabaseAuthConfig {
  url: string;
  anonKey: string;
}

/** Supabase Auth when the project is configured, otherwise null: local accounts in the state database. */
export function supabaseAuthConfig(env: Env): SupabaseAuthConfig | null {
  return env.NEXT_PUBLIC_SUPABASE_URL && env.NEXT_PUBLIC_SUPABASE_ANON_KEY
    ? { url: env.NEXT_PUBLIC_SUPABASE_URL, anonKey: env.NEXT_PUBLIC_SUPABASE_ANON_KEY }
    : null;
}

/**
 * On the embedded demo target, a visitor should walk a rename through every phase in minutes:
 * the buffer, the watch and the sampling shrink, unless set explicitly or EC_DEMO_MODE=off.
 * Pages say so wherever these numbers show.
 */
export const DEMO_POLICY = { EC_BUFFER_MINUTES: 2, EC_OBSERVATION_MINUTES: 1, EC_SAMPLE_SECONDS: 5 } as const;

export function withDemoDefaults(env: Env, source: Record<string, string | undefined>, targetIsDemo: boolean): Env {
  if (!targetIsDemo || env.EC_DEMO_MODE === 'off') return env;
  const out = { ...env };
  for (const [key, value] of Object.entries(DEMO_POLICY) as [keyof typeof DEMO_POLICY, number][]) {
    if (!source[key]?.trim()) out[key] = value;
  }
  return out;
}

/** Whether the demo's short policy is in force for this process (set by the launcher). */
export const demoModeActive = (source: Record<string, string | undefined>) => source.EC_DEMO_ACTIVE === '1';
