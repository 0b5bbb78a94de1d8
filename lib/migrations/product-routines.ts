/**
 * Functions and triggers the product itself creates on the target: the sync pair (`ec_sync_…`,
 * objectNames) and the fill trigger of add-column and set-not-null (`ec_fill_…`). They use the old
 * column by design and the contract drops them, so they are never a dependent to fix first.
 */
const PRODUCT_ROUTINE_PREFIXES = ['ec_sync_', 'ec_fill_'];

export const isProductRoutine = (name: string): boolean => PRODUCT_ROUTINE_PREFIXES.some((prefix) => name.startsWith(prefix));
