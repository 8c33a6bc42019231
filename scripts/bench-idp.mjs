// The IdP side of `npm run bench` (imported by scripts/bench.mjs): the built action, 1 org on the loopback
// GitHub fake and, at the same time, the loopback Okta or Entra fake, every fake with the same injected
// latency per request. Beside each IdP scenario, the same GitHub world with no IdP ("GitHub alone"); all six
// are run round-robin, the order rotating run by run, so that a noisy neighbour hits them alike.
//
// Every figure comes from the fakes' own request logs (performance.now() in this process, one clock for all
// fakes): the whole run is first request received (any fake) to last answer sent (any fake); the IdP's chain
// is the number of waves among the IdP's requests alone (a request is in wave n + 1 when it started after an
// IdP request of wave n had ended), i.e. the round trips the IdP side needs in a row.
//
// Target (the issue): the whole run no more than one round trip beyond the slower side, where the slower side
// is max(GitHub alone, measured; the IdP's chain, in round trips). The design counts (docs/how-it-works.md, "Round trips") are shown beside
// it: the GitHub critical path is two round trips; Okta 1 with an API token, 2 with OAuth, 3 with a DPoP nonce;
// Entra 2 with a secret, 3 with OIDC; PingOne 2 (its token, then three reads at once).
import {
  AUDIENCE,
  CLIENT_ID,
  CLIENT_SECRET,
  entraWorld,
  OIDC_REQUEST_TOKEN,
  SERVICE_PRINCIPAL_ID,
  startEntraFake,
  TENANT_ID
} from '../simulator/entra-fake.mjs'
import { startFake } from '../simulator/github-fake.mjs'
import {
  healthyOktaWorld,
  OKTA_API_TOKEN,
  OKTA_APP_ID,
  OKTA_CLIENT_ID,
  OKTA_KEY_IDS,
  oktaKeys,
  startOktaFake
} from '../simulator/okta-fake.mjs'
import {
  healthyOneLoginWorld,
  ONELOGIN_APP_ID,
  ONELOGIN_CLIENT_ID,
  ONELOGIN_CLIENT_SECRET,
  startOneLoginFake
} from '../simulator/onelogin-fake.mjs'
import {
  healthyPingOneWorld,
  PINGONE_CLIENT_ID,
  PINGONE_CLIENT_SECRET,
  PINGONE_ENV_ID,
  PINGONE_STORE_ID,
  startPingOneFake
} from '../simulator/pingone-fake.mjs'
import {
  healthyWorld as healthyJumpCloudWorld,
  JC_API_KEY,
  JC_APP_ID,
  JC_CLIENT_ID,
  JC_CLIENT_SECRET,
  startJumpCloudFake
} from '../simulator/jumpcloud-fake.mjs'
import { runAction } from '../simulator/run-action.mjs'
import { ORG, scenarioWorld, SERVICE_ACCOUNT } from '../simulator/worlds.mjs'

/** docs/how-it-works.md, "Round trips": the GitHub critical path. */
export const GITHUB_DESIGN_RT = 2

const median = xs => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d

// ---------------------------------------------------------------------------------------------
// Scenarios: healthy on both sides, so that nothing short-circuits.
// ---------------------------------------------------------------------------------------------

const oktaKey = () => ({ 'okta-client-id': OKTA_CLIENT_ID, 'okta-private-key': oktaKeys().rsaPkcs8Pem, 'okta-key-id': OKTA_KEY_IDS.rsa })
const entraBase = fake => ({
  idp: 'entra',
  'entra-tenant-id': TENANT_ID,
  'entra-client-id': CLIENT_ID,
  'entra-service-principal-id': SERVICE_PRINCIPAL_ID,
  'entra-login-url': fake.loginUrl,
  'graph-url': fake.graphUrl
})

/** JumpCloud's three hosts are one port of its fake. */
const jumpcloudBase = fake => ({
  idp: 'jumpcloud',
  'jumpcloud-app-id': JC_APP_ID,
  'jumpcloud-console-url': fake.url,
  'jumpcloud-insights-url': fake.url,
  'jumpcloud-oauth-url': fake.url
})

/**
 * design: the IdP's round trips in a row per docs/how-it-works.md, "Round trips"; expected: what the provider is known to
 * need today (DPoP: the first token request goes without a proof and switches on `invalid_dpop_proof`).
 */
export const IDP_SCENARIOS = [
  {
    id: 'okta-api-token',
    label: 'Okta, API token',
    design: 1,
    start: latencyMs => startOktaFake(healthyOktaWorld(), { latencyMs }),
    inputs: fake => ({ idp: 'okta', 'okta-org-url': fake.url, 'okta-app-id': OKTA_APP_ID, 'okta-api-token': OKTA_API_TOKEN })
  },
  {
    id: 'okta-oauth',
    label: 'Okta, OAuth key',
    design: 2,
    start: latencyMs => startOktaFake(healthyOktaWorld(), { latencyMs }),
    inputs: fake => ({ idp: 'okta', 'okta-org-url': fake.url, 'okta-app-id': OKTA_APP_ID, ...oktaKey() })
  },
  {
    id: 'okta-dpop-nonce',
    label: 'Okta, DPoP+nonce',
    design: 3,
    start: latencyMs => startOktaFake(healthyOktaWorld({ dpop: { nonce: true } }), { latencyMs }),
    inputs: fake => ({ idp: 'okta', 'okta-org-url': fake.url, 'okta-app-id': OKTA_APP_ID, ...oktaKey() })
  },
  {
    id: 'entra-secret',
    label: 'Entra, secret',
    design: 2,
    start: latencyMs => startEntraFake(entraWorld('healthy'), { latencyMs }),
    inputs: fake => ({ ...entraBase(fake), 'entra-client-secret': CLIENT_SECRET })
  },
  {
    id: 'entra-oidc',
    label: 'Entra, OIDC',
    design: 3,
    start: latencyMs => startEntraFake(entraWorld('healthy'), { latencyMs }),
    inputs: fake => ({ ...entraBase(fake), 'entra-audience': AUDIENCE }),
    env: fake => ({ ACTIONS_ID_TOKEN_REQUEST_URL: fake.oidcRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_REQUEST_TOKEN })
  },
  {
    // The token request, then the app and one event page side by side (the healthy world's last success is on it).
    id: 'onelogin-client-credentials',
    label: 'OneLogin, API credential',
    design: 2,
    start: latencyMs => startOneLoginFake(healthyOneLoginWorld(), { latencyMs }),
    inputs: fake => ({
      idp: 'onelogin',
      'onelogin-url': fake.url,
      'onelogin-client-id': ONELOGIN_CLIENT_ID,
      'onelogin-client-secret': ONELOGIN_CLIENT_SECRET,
      'onelogin-app-id': String(ONELOGIN_APP_ID)
    })
  },
  {
    // The worker app's token, then the store, its rules and the plan side by side.
    id: 'pingone-secret',
    label: 'PingOne, secret',
    design: 2,
    start: latencyMs => startPingOneFake(healthyPingOneWorld(), { latencyMs }),
    inputs: fake => ({
      idp: 'pingone',
      'pingone-environment-id': PINGONE_ENV_ID,
      'pingone-store-id': PINGONE_STORE_ID,
      'pingone-client-id': PINGONE_CLIENT_ID,
      'pingone-client-secret': PINGONE_CLIENT_SECRET,
      'pingone-auth-url': fake.authUrl,
      'pingone-api-url': fake.apiUrl
    })
  },
  {
    // The token request, then the app and the event query side by side (one page): two in a row.
    id: 'jumpcloud-service-account',
    label: 'JumpCloud, svc acct',
    design: 2,
    start: latencyMs => startJumpCloudFake(healthyJumpCloudWorld(), { latencyMs }),
    inputs: fake => ({ ...jumpcloudBase(fake), 'jumpcloud-client-id': JC_CLIENT_ID, 'jumpcloud-client-secret': JC_CLIENT_SECRET })
  },
  {
    id: 'jumpcloud-api-key',
    label: 'JumpCloud, API key',
    design: 1,
    start: latencyMs => startJumpCloudFake(healthyJumpCloudWorld(), { latencyMs }),
    inputs: fake => ({ ...jumpcloudBase(fake), 'jumpcloud-api-key': JC_API_KEY })
  }
]

// ---------------------------------------------------------------------------------------------
// The logs
// ---------------------------------------------------------------------------------------------

/** Waves of a set of requests: 1 + the deepest wave that had fully ended before a request started. */
function waveCount(requests) {
  const sorted = [...requests].sort((a, b) => a.startedAt - b.startedAt)
  const wave = new Map()
  for (const r of sorted) {
    let w = 1
    for (const q of sorted) if (q !== r && q.endedAt <= r.startedAt) w = Math.max(w, wave.get(q) + 1)
    wave.set(r, w)
  }
  return { count: Math.max(0, ...wave.values()), wave }
}

const span = rs => ({ first: Math.min(...rs.map(r => r.startedAt)), last: Math.max(...rs.map(r => r.endedAt)) })

/** One run of the action: 1 org on the GitHub fake, and the IdP fake when `scenario` is one. */
async function oneRun(scenario, latencyMs) {
  const { world, token } = scenarioWorld('healthy')
  const gh = await startFake(world, { latencyMs })
  const idp = scenario ? await scenario.start(latencyMs) : null
  let run
  try {
    run = await runAction(
      {
        token,
        org: ORG,
        'expected-login': SERVICE_ACCOUNT,
        'api-url': gh.apiUrl,
        'timeout-seconds': '60',
        ...(idp ? scenario.inputs(idp) : {})
      },
      { env: idp && scenario.env ? scenario.env(idp) : {} }
    )
  } finally {
    await gh.close()
    if (idp) await idp.close()
  }
  const label = scenario?.label ?? 'GitHub alone'
  const violations = [...gh.violations, ...(idp?.violations ?? [])]
  if (run.outputs.status !== 'healthy' || (idp && run.outputs['idp-status'] !== 'healthy') || violations.length > 0) {
    throw new Error(
      `${label}: expected a healthy run on both sides, got status=${run.outputs.status} idp-status=${run.outputs['idp-status']} causes=${run.outputs.causes} code=${run.code} violations=${violations.join('; ')}\n${run.stderr}`
    )
  }
  const L = latencyMs
  const ghReqs = gh.requests
  const idpReqs = idp ? idp.requests : []
  const all = [...ghReqs, ...idpReqs]
  const whole = span(all)
  const ghSpan = span(ghReqs)
  const user = ghReqs.find(r => r.method === 'GET' && r.path === '/user')
  const sample = {
    wholeRt: (whole.last - whole.first) / L,
    githubRt: (ghSpan.last - ghSpan.first) / L,
    wallMs: run.durationMs,
    githubRequests: ghReqs.length
  }
  if (!idp) return sample
  const idpSpan = span(idpReqs)
  const firstIdp = idpReqs.reduce((a, b) => (b.startedAt < a.startedAt ? b : a))
  const { count, wave } = waveCount(idpReqs)
  return {
    ...sample,
    idpRt: (idpSpan.last - idpSpan.first) / L,
    idpChain: count,
    // The client's own time on the IdP chain: the IdP's span beyond its round trips (CPU between an answer
    // and the next request, connections), in ms.
    idpGapsMs: idpSpan.last - idpSpan.first - count * L,
    idpRequests: idpReqs.length,
    // At once: the IdP's first request was received before GitHub's GET /user was answered; startDeltaMs: how
    // long after GET /user was received (negative: before it).
    atOnce: firstIdp.startedAt < user.endedAt,
    startDeltaMs: firstIdp.startedAt - user.startedAt,
    // The IdP's last answer after GitHub's last: the IdP side is the one that ended the run.
    idpLast: idpSpan.last >= ghSpan.last,
    timeline: all
      .map(r => ({ side: idpReqs.includes(r) ? 'idp' : 'github', r }))
      .sort((a, b) => a.r.startedAt - b.r.startedAt)
      .map(({ side, r }) => ({
        side,
        request: `${r.method} ${r.path}`,
        status: r.status,
        note: r.error ?? (r.role ? `(${r.role})` : ''),
        wave: side === 'idp' ? wave.get(r) : null,
        startRt: round((r.startedAt - whole.first) / L),
        endRt: round((r.endedAt - whole.first) / L)
      }))
  }
}

/**
 * Every scenario at every latency: `runs` rounds per latency, each round one run of GitHub alone and one of
 * each IdP scenario, the order rotating round by round.
 */
export async function idpBench({ latencies, runs, progress = () => {} }) {
  const results = []
  for (const L of latencies) {
    const entries = [null, ...IDP_SCENARIOS]
    const samples = new Map(entries.map(s => [s, []]))
    for (let i = 0; i < runs; i++) {
      const order = entries.map((_, k) => entries[(k + i) % entries.length])
      for (const s of order) samples.get(s).push(await oneRun(s, L))
      progress(`  IdP scenarios at ${L} ms: round ${i + 1}/${runs}`)
    }
    const alone = samples.get(null)
    const githubAloneRt = median(alone.map(s => s.wholeRt))
    for (const s of IDP_SCENARIOS) {
      const xs = samples.get(s)
      const med = k => median(xs.map(x => x[k]))
      const wholeRt = med('wholeRt')
      const chains = [...new Set(xs.map(x => x.idpChain))]
      const idpChain = Math.max(...chains)
      const slowerRt = Math.max(githubAloneRt, idpChain)
      const designBound = Math.max(GITHUB_DESIGN_RT, s.design) + 1
      const mid = xs.reduce((best, x) => (Math.abs(x.wholeRt - wholeRt) < Math.abs(best.wholeRt - wholeRt) ? x : best))
      results.push({
        id: s.id,
        label: s.label,
        latencyMs: L,
        runs: xs.length,
        wholeRt,
        wholeMs: wholeRt * L,
        wholeRtRuns: xs.map(x => round(x.wholeRt)),
        githubAloneRt,
        githubAloneRtRuns: alone.map(x => round(x.wholeRt)),
        githubInRunRt: med('githubRt'),
        idpRt: med('idpRt'),
        idpChain,
        idpChains: chains,
        idpRequests: Math.max(...xs.map(x => x.idpRequests)),
        idpGapsMs: med('idpGapsMs'),
        design: s.design,
        slowerRt,
        slower: idpChain >= githubAloneRt ? 'IdP' : 'GitHub',
        beyondRt: wholeRt - slowerRt,
        ok: wholeRt <= slowerRt + 1,
        designBound,
        designOk: wholeRt <= designBound,
        chainAsDesigned: idpChain <= s.design,
        atOnce: xs.every(x => x.atOnce),
        startDeltaMs: med('startDeltaMs'),
        idpLastRuns: xs.filter(x => x.idpLast).length,
        wallMs: med('wallMs'),
        timeline: mid.timeline
      })
    }
  }
  return results
}

/** The bench's PASS/FAIL lines for the IdP side. */
export function idpTargets(results) {
  const byLatency = groupBy(results, r => r.latencyMs)
  const targets = []
  for (const [L, rs] of byLatency) {
    for (const r of rs) {
      targets.push({
        name: `${r.label} @${L} ms: whole run <= slower side + 1 RT`,
        measured: `${round(r.wholeRt)} RT <= ${round(r.slowerRt)} + 1 (${r.slower}: ${r.slower === 'IdP' ? `chain of ${r.idpChain}` : 'GitHub alone'})`,
        ok: r.ok
      })
    }
    targets.push({
      name: `IdP asked at once (first IdP request before GET /user ends) @${L} ms`,
      measured: rs.map(r => `${r.id} ${r.atOnce ? 'yes' : 'NO'}`).join(', '),
      ok: rs.every(r => r.atOnce)
    })
    targets.push({
      name: `IdP chains as the design says (docs/how-it-works.md) @${L} ms`,
      measured: rs.map(r => `${r.id} ${r.idpChain}${r.chainAsDesigned ? '' : ` (> ${r.design})`}`).join(', '),
      ok: rs.every(r => r.chainAsDesigned)
    })
  }
  return targets
}

function groupBy(xs, key) {
  const m = new Map()
  for (const x of xs) {
    const k = key(x)
    if (!m.has(k)) m.set(k, [])
    m.get(k).push(x)
  }
  return m
}

/** The IdP section of the text report. */
export function printIdp(results, log, { timeline = false } = {}) {
  const pass = ok => (ok ? 'PASS' : 'FAIL')
  const row = cells => cells.map((c, i) => String(c)[i ? 'padStart' : 'padEnd'](i ? 10 : 17)).join(' ')
  log('\nThe IdP side: 1 org on the GitHub fake and, at the same time, the Okta or Entra fake, the same latency on every fake.')
  log('whole = first request received (any fake) to last answer sent (any fake), in round trips (RT) of the latency; GitHub alone =')
  log("the same 1-org world with no IdP, run round-robin with the IdP scenarios; chain = the IdP's requests in a row (its waves),")
  log('i.e. the round trips the IdP side needs alone; slower = max(GitHub alone, chain). Target: whole <= slower + 1 RT.')
  log('design = the IdP round trips of docs/how-it-works.md (Okta 1/2/3, Entra 2/3, OneLogin 2, PingOne 2, JumpCloud 1/2); design bound =')
  log("max(2, design) + 1. at once = in every run the IdP's first request was received before GitHub's GET /user was answered;")
  log('IdP start = when it was received, in ms after GET /user was received (negative: before it).')
  for (const [L, rs] of groupBy(results, r => r.latencyMs)) {
    log(
      `\nAt ${L} ms per request (medians of ${rs[0].runs} runs; GitHub alone ${round(rs[0].githubAloneRt)} RT, per run ${rs[0].githubAloneRtRuns.join(', ')}):\n`
    )
    log(
      row([
        'scenario',
        'whole RT',
        'whole ms',
        'GH alone',
        'GH in run',
        'IdP span',
        'IdP chain',
        'design',
        'slower+1',
        'target',
        'design bd',
        'at once',
        'IdP start',
        'IdP last'
      ])
    )
    for (const r of rs) {
      log(
        row([
          r.label,
          round(r.wholeRt),
          round(r.wholeMs, 0),
          round(r.githubAloneRt),
          round(r.githubInRunRt),
          round(r.idpRt),
          `${r.idpChain} RT`,
          `${r.design} RT`,
          round(r.slowerRt + 1),
          `${pass(r.ok)} ${r.beyondRt >= 0 ? '+' : ''}${round(r.beyondRt)}`,
          `<=${r.designBound} ${pass(r.designOk)}`,
          r.atOnce ? 'yes' : 'NO',
          `${round(r.startDeltaMs, 1)} ms`,
          `${r.idpLastRuns}/${r.runs}`
        ])
      )
    }
    log(
      "(GH in run: GitHub's own span in the joint run; IdP span: the IdP's first request to its last answer; IdP last: runs whose last answer was the IdP's;"
    )
    log(' target: PASS/FAIL and whole - slower side, in RT; per run:)')
    for (const r of rs)
      log(
        `  ${r.label.padEnd(17)} whole RT per run: ${r.wholeRtRuns.join(', ')}; ${r.idpRequests} IdP requests; the client's own time on the IdP chain (span - chain x latency) ${round(r.idpGapsMs, 0)} ms`
      )
    if (timeline) {
      for (const r of rs) {
        log(`\nTimeline, ${r.label} at ${L} ms (run nearest the median; RT from the first request received; wN: the IdP request's wave):`)
        for (const t of r.timeline)
          log(
            `  ${t.side.padEnd(6)} ${t.wave ? `w${t.wave}` : '  '} ${String(t.startRt).padStart(5)} -> ${String(t.endRt).padEnd(5)} ${t.status} ${t.request.slice(0, 70)} ${t.note}`
          )
      }
    }
  }
}
