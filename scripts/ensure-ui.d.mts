export function ensureUi(o?: { force?: boolean }): void;
