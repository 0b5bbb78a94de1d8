/** Who may do what lives with the lifecycle (lib/lifecycle): the people's side of the same rules. */
export * from '../lifecycle/permissions';
