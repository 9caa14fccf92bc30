declare const B0S_VERSION: string | undefined;

// esbuild replaces B0S_VERSION at build time; under vitest/tsx the package.json is read instead.
export const VERSION: string =
  typeof B0S_VERSION === 'string' ? B0S_VERSION : (require('../package.json') as { version: string }).version;
