export const STAMP_FILE: string;
export function sourceFingerprint(root: string): string;
export function distIsFresh(root: string): boolean;
