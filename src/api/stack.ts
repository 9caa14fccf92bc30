// What making requests takes, loaded as one piece by the first command that makes one
// (deps.ts): the HTTP layer, the request limiter, the API client and undici's connection
// pool. One module, so the build gives it one file rather than a handful.
export { Border0Client } from './client';
export { Http } from './http';
export { Limiter } from './limiter';
export { default as Agent } from 'undici/lib/dispatcher/agent';
