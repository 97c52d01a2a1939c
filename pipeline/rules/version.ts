/** Bumped whenever a rule changes what it finds. */
export const RULES_VERSION = '3';
