// What the action bundle (dist/index.js, dist/cli/index.js) gets for `@actions/http-client` (v4),
// `@actions/http-client/lib/auth` and `@actions/exec` in place of the real modules: tsconfig.json's
// `paths` (which ncc's resolver follows) map those three bare specifiers here. Only @actions/core
// imports them: `oidc-utils.js` (for `core.getIDToken`) and `platform.js` (for `core.platform`),
// neither of which this project calls (Entra's OIDC token is fetched by src/idp/entra/auth.ts).
// Being imported statically, they would otherwise evaluate undici, http, https, net, tls and
// child_process on every start, the input-error path included (~30 ms; BENCHMARKS.md "Cold start").
//
// Our own code imports @actions/http-client 3 by its file, '@actions/http-client/lib/index.js',
// which no mapping touches, so the proxy support (HTTPS_PROXY / NO_PROXY) is the real one.
// Anything that does reach a stub fails loudly instead of silently doing nothing.
// __tests__/cold-start.test.ts checks that the mapping is in place and that the built entry
// does not load the network stack on the input-error path.

function unavailable(what) {
  return new Error(`${what} is not bundled in provisioning-token-check (scripts/build/core-stubs.mjs)`)
}

export class HttpClient {
  constructor() {
    throw unavailable('@actions/http-client (core.getIDToken)')
  }
}

export class BearerCredentialHandler {
  constructor() {
    throw unavailable('@actions/http-client/lib/auth (core.getIDToken)')
  }
}

export function exec() {
  return Promise.reject(unavailable('@actions/exec (core.platform)'))
}

export function getExecOutput() {
  return Promise.reject(unavailable('@actions/exec (core.platform)'))
}
