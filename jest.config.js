/**
 * `npm test`. Coverage is measured in-process (v8) and enforced in CI (CI=true,
 * as .ci/run runs) with a floor of 85 % of lines; COVERAGE=true measures it
 * locally. The entries (src/action/index.ts, src/cli/index.ts) are tested end to
 * end by spawning dist/, which in-process coverage cannot see; pure type modules
 * hold no code.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }]
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // As tsconfig.json's paths do for the build: plugin-retry's per-request queue is src/github/limiter.ts.
    '^bottleneck/light\\.js$': '<rootDir>/src/github/limiter.ts',
    // And @octokit/request's JSON is plain JSON (src/github/json.ts).
    '^json-with-bigint$': '<rootDir>/src/github/json.ts'
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testTimeout: 30000,
  // it.concurrent cases mostly wait on loopback servers and budgets: let more of them overlap. Those that spawn a
  // bundle also wait for one of a file's few process slots (__tests__/support/slots.ts): the processes are CPU, and
  // twenty at once on two cores only starve each other's budgets (issue 18).
  maxConcurrency: 20,
  // Two test files at a time. On a 2-core machine jest's default (cores - 1 = 1 worker) runs every file one
  // after the other, while most files mostly wait (latencies, budgets) and the end-to-end ones wait on their
  // child processes: the whole suite took 107 s with one worker and 81 s with two, back to back on a loaded box (issue 18).
  maxWorkers: 2,
  verbose: false,
  collectCoverage: process.env.CI === 'true' || process.env.COVERAGE === 'true',
  coverageProvider: 'v8',
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.d.ts', '!src/action/index.ts', '!src/cli/index.ts', '!src/idp/types.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageThreshold: { global: { lines: 85 } }
}
