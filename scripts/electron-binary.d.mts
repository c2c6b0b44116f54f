// Types for electron-binary.mjs, for the TypeScript tests that import it.
export declare const repoRoot: string;
export declare function findElectron(
  root?: string,
  env?: NodeJS.ProcessEnv,
): { path: string; version: string } | { path: null; version: string | null; reason: string };
