#!/usr/bin/env node
// The bare-client floor for `npm run bench`: the requests a healthy run of the action makes (src/github/probes.ts),
// in the same order, with the same headers, sent with Node's global fetch and nothing else: no Octokit, no
// plugins, no retries, no bounded body reader, no deadline. GET /user first and alone, then everything else at
// once, at most 50 in flight (the action's cap). What the action's critical path costs beyond this floor is
// the client's own cost. A measurement aid, not a product: it checks nothing and never runs in CI.
//
//   FLOOR_TOKEN=... node scripts/bench-floor.mjs --api-url URL [--org a,b] [--enterprise slug] [--expected-login L]
//
// Prints one JSON line: { statuses: { "GET /user": 200, ... } }.
/* global fetch */
import { parseArgs } from 'node:util'

const { values: opts } = parseArgs({
  options: {
    'api-url': { type: 'string' },
    org: { type: 'string', default: '' },
    enterprise: { type: 'string', default: '' },
    'expected-login': { type: 'string', default: '' },
    'max-concurrent': { type: 'string', default: '50' }
  }
})
const base = String(opts['api-url']).replace(/\/+$/, '')
const orgs = opts.org
  .split(',')
  .map(s => s.trim())
  .filter(Boolean)
const token = process.env.FLOOR_TOKEN ?? ''
const MAX = Number(opts['max-concurrent'])

let running = 0
const waiting = []
async function limited(fn) {
  if (running >= MAX) await new Promise(resolve => waiting.push(resolve))
  else running++
  try {
    return await fn()
  } finally {
    const next = waiting.shift()
    if (next) next()
    else running--
  }
}

const statuses = {}
async function call(label, path, { accept = 'application/vnd.github+json', method = 'GET', body } = {}) {
  return limited(async () => {
    const res = await fetch(`${base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        accept,
        authorization: `token ${token}`,
        'user-agent': 'provisioning-token-check-floor',
        'x-github-api-version': '2022-11-28',
        ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {})
      },
      ...(body ? { body } : {})
    })
    const text = await res.text()
    statuses[label] = res.status
    try {
      return { status: res.status, body: JSON.parse(text) }
    } catch {
      return { status: res.status, body: null }
    }
  })
}

// The same query as identityQuery() in src/github/probes.ts.
function identityQuery(orgCount) {
  const vars = ['$login: String!']
  const fields = []
  for (let i = 0; i < orgCount; i++) {
    vars.push(`$o${i}: String!`)
    fields.push(
      `o${i}: organization(login: $o${i}) { samlIdentityProvider { ssoUrl externalIdentities(first: 1, login: $login) { nodes { guid samlIdentity { nameId username } scimIdentity { username } user { login } } } } }`
    )
  }
  return `query(${vars.join(', ')}) { ${fields.join(' ')} }`
}

const user = await call('GET /user', '/user')
const login = user.body?.login
if (user.status === 200 && typeof login === 'string') {
  const pending = []
  const expected = opts['expected-login']
  if (expected && expected.toLowerCase() !== login.toLowerCase())
    pending.push(call('GET /users/{username}', `/users/${encodeURIComponent(expected)}`))
  if (orgs.length > 0) {
    const variables = { login }
    orgs.forEach((org, i) => (variables[`o${i}`] = org))
    const graphqlBase = /\/api\/v3$/.test(base) ? base.replace(/\/api\/v3$/, '/api') : base
    pending.push(
      limited(async () => {
        const res = await fetch(`${graphqlBase}/graphql`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `token ${token}`,
            'user-agent': 'provisioning-token-check-floor',
            'content-type': 'application/json; charset=utf-8'
          },
          body: JSON.stringify({ query: identityQuery(orgs.length), variables })
        })
        JSON.parse(await res.text())
        statuses['POST /graphql'] = res.status
      })
    )
  }
  for (const org of orgs) {
    const o = encodeURIComponent(org)
    pending.push(call(`GET /user/memberships/orgs/${org}`, `/user/memberships/orgs/${o}`))
    pending.push(
      call(
        `GET /orgs/${org}/credential-authorizations`,
        `/orgs/${o}/credential-authorizations?login=${encodeURIComponent(login)}&per_page=100`
      )
    )
    pending.push(
      call(`GET /scim/v2/organizations/${org}/Users`, `/scim/v2/organizations/${o}/Users?startIndex=1&count=1`, {
        accept: 'application/scim+json'
      })
    )
  }
  if (opts.enterprise) {
    pending.push(
      call(
        'GET /scim/v2/enterprises/{enterprise}/Users',
        `/scim/v2/enterprises/${encodeURIComponent(opts.enterprise)}/Users?startIndex=1&count=1`,
        { accept: 'application/scim+json' }
      )
    )
  }
  await Promise.all(pending)
}
process.stdout.write(`${JSON.stringify({ statuses })}\n`)
process.exit(0)
