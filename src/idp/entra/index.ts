/**
 * The Entra provider (docs/idp.md): asks Microsoft Graph how the GitHub enterprise
 * application's provisioning is going, read only, and judges the answer.
 *
 *   sign in (auth.ts: [GitHub OIDC token →] Entra token) → probe (probe.ts: the jobs) → judge (judge.ts)
 *
 * Requests go only to the hosts of `loginUrl` and `graphUrl` (and, with OIDC, of the runner's
 * ACTIONS_ID_TOKEN_REQUEST_URL), through createIdpHttp: bounded, no redirects, GETs plus the token POST.
 * Never throws for the IdP's or the network's faults: they are a `check-failed` finding.
 */
import { serverText } from '../../sanitize.js'
import { guardedCheck } from '../guard.js'
import { createIdpHttp } from '../http.js'
import type { IdpContext, IdpFinding, IdpReport } from '../types.js'
import type { EntraInputs } from './types.js'
import { signIn } from './auth.js'
import type { EntraFacts } from './facts.js'
import { judgeEntra } from './judge.js'
import { probeJobs } from './probe.js'
import { blankReport } from '../report.js'

export { judgeEntra } from './judge.js'
export type { EntraFacts } from './facts.js'

export interface CheckEntraOptions {
  /** How long a 3xx/4xx body may take (createIdpHttp's errorBodyMs; default 2 s). */
  errorBodyMs?: number
}

/** The hosts the run may ask; throws a finding (as a value) for a URL input that is not a URL. */
function allowedHosts(inputs: EntraInputs): string[] | IdpFinding {
  const hosts: string[] = []
  const urls: Array<[string, string | null]> = [
    [inputs.loginUrl, 'entra-login-url'],
    [inputs.graphUrl, 'graph-url']
  ]
  if (inputs.auth.kind === 'oidc') urls.push([inputs.auth.requestUrl, null])
  for (const [url, input] of urls) {
    try {
      hosts.push(new URL(url).host.toLowerCase())
    } catch {
      return { kind: 'check-failed', input, reason: input ? `${input} is not a URL` : 'ACTIONS_ID_TOKEN_REQUEST_URL is not a URL' }
    }
  }
  return hosts
}

function emptyReport(inputs: EntraInputs, finding: IdpFinding, requests: number): IdpReport {
  return blankReport('entra', serverText(inputs.servicePrincipalId, 64), requests, [finding], { jobs: [] })
}

export async function checkEntra(inputs: EntraInputs, ctx: IdpContext, options: CheckEntraOptions = {}): Promise<IdpReport> {
  // Every secret this run sees, to scrub the report with: the inputs' and each token obtained.
  const secrets = [inputs.auth.kind === 'secret' ? inputs.auth.secret : inputs.auth.requestToken]
  const what = { provider: 'entra', short: 'Entra', app: inputs.servicePrincipalId, secrets, details: { jobs: [] } }
  return guardedCheck(what, ctx, async sink => {
    const hosts = allowedHosts(inputs)
    if (!Array.isArray(hosts)) return emptyReport(inputs, hosts, 0)
    const http = createIdpHttp(sink, {
      allowedHosts: hosts,
      ...(options.errorBodyMs === undefined ? {} : { errorBodyMs: options.errorBodyMs })
    })
    const auth = await signIn(inputs, sink, http)
    const facts: EntraFacts = {
      authKind: inputs.auth.kind,
      oidc: auth.oidc,
      oidcClaims: auth.oidcClaims,
      token: auth.token,
      jobs: null,
      jobList: null,
      requests: 0
    }
    if (auth.accessToken !== null) {
      const probed = await probeJobs(inputs, http, auth.accessToken)
      facts.jobs = probed.jobs
      facts.jobList = probed.jobList
      facts.jobsPartial = probed.partial
    }
    facts.requests = http.requests
    const report = judgeEntra(facts, { servicePrincipalId: inputs.servicePrincipalId, now: ctx.now() })
    ctx.debug(
      `entra: ${(report.details.jobs as unknown[] | undefined)?.length ?? 0} job(s); findings: ${report.findings.map(f => f.kind).join(',') || 'none'}`
    )
    return report
  })
}
