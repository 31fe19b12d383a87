export const ROOT: string;
export const APP: string;
export const ENTRY: string;
export function isAgentBuildCurrent(): boolean;
export function buildAgent(o?: { strict?: boolean; quiet?: boolean }): Promise<boolean>;
