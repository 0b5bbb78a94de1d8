/**
 * The only volatile functions an author's expression may call (all in pg_catalog): they make
 * a fresh value per row and have no effect outside the expression. Every other volatile
 * function (nextval, setval, pg_terminate_backend, lo_export, pg_sleep, set_config, dblink…)
 * is refused at planning, because an expression runs in triggers and backfills on every row,
 * and a preview must never run anything with effects. The reviewer sees which of these a plan uses.
 */
export const ALLOWED_VOLATILE_FUNCTIONS: readonly string[] = ['gen_random_uuid', 'random', 'random_normal', 'clock_timestamp', 'timeofday'];
