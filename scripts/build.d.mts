/** Types of scripts/build.mjs (plain JavaScript: it runs before anything is compiled). */
export interface BuildResult { ok: boolean; built: boolean; output: string; message: string }
export const BUILD_FAILED_EXIT: number;
export const ROOT: string;
export function sourceHash(root?: string): string | null;
export function buildState(root?: string): { state: 'fresh' | 'stale' | 'missing' | 'prebuilt'; hash: string | null };
export function build(root?: string): Omit<BuildResult, 'built'>;
export function ensureBuilt(root?: string): BuildResult;
