/**
 * What kind of refusal or failure an error is. Each way out of the product (the CLI, a server
 * action, a route handler) answers by kind, in one place each, so a new error class needs no
 * new case anywhere and the three cannot disagree about it.
 */
export type ErrorKind =
  /** The person, token or role may not do this. */
  | 'forbidden'
  /** Not now: the migration's state, a lock or another run is in the way. */
  | 'conflict'
  | 'not-found'
  /** The input cannot be used as given; sending it again will not help. */
  | 'invalid'
  /** A database or service the product needs is not there; trying again later may help. */
  | 'unavailable';

/**
 * The base of the product's typed errors. `code` is stable and kebab-case, for programs and
 * logs; the message is for people and is shown as it is. Match errors with `instanceof`, never by
 * name or message text: names are minified away in bundles, and messages change.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;
}
