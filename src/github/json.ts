/**
 * What `@octokit/request` gets for `json-with-bigint` (tsconfig.json `paths` in the build, jest.config.js
 * `moduleNameMapper` in the tests): plain JSON. That library parses every answer with a reviver (a call per
 * value) or, where `JSON.parse` has no `context.source`, a regex pass over the whole text first, so that an
 * integer beyond 2^53 becomes a BigInt. This project wants neither: the reviver cost about 0.1 ms per answer
 * (BENCHMARKS.md), and a BigInt is a value no probe expects and `JSON.stringify` cannot write. A number beyond
 * 2^53 stays a number here (rounded), as in every other JSON this project reads (src/idp/http.ts).
 */
export const JSONParse = (text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown): unknown =>
  JSON.parse(text, reviver)

export const JSONStringify = (value: unknown, replacer?: (number | string)[] | null, space?: string | number): string =>
  JSON.stringify(value, replacer, space)
