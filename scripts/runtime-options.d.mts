export const NODE_FLAGS: string[];
export const RUNTIME_ENV: Record<string, string>;
