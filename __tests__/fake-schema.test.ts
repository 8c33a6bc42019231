/**
 * The GitHub fake answers like GitHub: every JSON body it serves, over many worlds and every route,
 * validates against the response schema GitHub's OpenAPI description gives for the same operation,
 * status and media type; the behaviours the action's diagnosis rests on (docs/github-behaviour.md) hold; writes
 * are refused and recorded; each fault does what it says.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { MESSAGES, fingerprint, startFake, type FakeGitHub, type Fault, type World } from '../simulator/github-fake.mjs'
import {
  EMU_TOKEN,
  ENTERPRISE,
  FINE_GRAINED_TOKEN,
  HEALTHY_TOKEN,
  INSTALLATION_TOKEN,
  MEMBER_TOKEN,
  OAUTH_TOKEN,
  ORG,
  ORG_ID,
  SCENARIOS,
  SERVICE_ACCOUNT,
  addOrg,
  daysFromNow,
  healthyWorld,
  makeToken,
  scenarioWorld,
  type ScenarioName
} from '../simulator/worlds.mjs'

// ---------------------------------------------------------------------------------------------
// The OpenAPI subset and its validators
// ---------------------------------------------------------------------------------------------

const here = dirname(fileURLToPath(import.meta.url))
// Vendored (see __tests__/fixtures/README.md): the suite reads nothing outside the repository.
const subsetPath = resolve(here, 'fixtures/github-openapi-subset.json')
if (!existsSync(subsetPath)) throw new Error(`${subsetPath} is missing: it is part of the repository (see __tests__/fixtures/README.md)`)

interface MediaType {
  schema?: object
}
interface OpenApiResponse {
  content?: Record<string, MediaType>
}
interface Operation {
  operationId: string
  responses: Record<string, OpenApiResponse>
}
const subset = JSON.parse(readFileSync(subsetPath, 'utf8')) as { paths: Record<string, Record<string, Operation>> }

const templates = Object.keys(subset.paths).map(template => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`)
}))
const templateOf = (path: string): string | undefined => templates.find(t => t.pattern.test(path))?.template

// GitHub's spec is OpenAPI 3.0: `nullable` (Ajv supports it natively), plus `example`, `deprecated`,
// `x-*` keywords (strict: false lets them through) and the int32/int64 formats (declared here).
const ajv = new Ajv({ strict: false, allErrors: true })
addFormats.default(ajv)
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 })
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) })

const validators = new Map<string, ValidateFunction>()
function validatorFor(key: string, schema: object): ValidateFunction {
  let validate = validators.get(key)
  if (!validate) {
    validate = ajv.compile(schema)
    validators.set(key, validate)
  }
  return validate
}

const SCIM_ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error'

/** Where the subset gives no schema (e.g. 401 on most routes): GitHub's standard error object, or a SCIM error. */
const ERROR_OBJECT = {
  anyOf: [
    {
      title: 'GitHub standard error',
      type: 'object',
      required: ['message', 'documentation_url'],
      properties: {
        message: { type: 'string', minLength: 1 },
        documentation_url: { type: 'string', format: 'uri' },
        url: { type: 'string' },
        status: { type: 'string', pattern: '^[1-5][0-9][0-9]$' }
      },
      additionalProperties: false
    },
    {
      title: 'SCIM error',
      type: 'object',
      required: ['schemas', 'status', 'detail'],
      properties: {
        schemas: { type: 'array', items: { const: SCIM_ERROR_URN }, minItems: 1 },
        status: { type: ['integer', 'string'] },
        detail: { type: 'string' },
        scimType: { type: 'string' },
        message: { type: 'string' },
        documentation_url: { type: 'string', format: 'uri' }
      },
      additionalProperties: false
    }
  ]
}

/** GraphQL is not in the OpenAPI subset: the shape of the batched query's answer, after (docs/github-behaviour.md, "GraphQL identities"). */
const nullableString = { type: ['string', 'null'] }
const EXTERNAL_IDENTITY = {
  type: 'object',
  required: ['guid', 'samlIdentity', 'scimIdentity', 'user'],
  properties: {
    guid: { type: 'string', minLength: 1 },
    samlIdentity: {
      type: ['object', 'null'],
      required: ['nameId', 'username'],
      properties: { nameId: nullableString, username: nullableString },
      additionalProperties: false
    },
    scimIdentity: {
      type: ['object', 'null'],
      required: ['username'],
      properties: { username: nullableString },
      additionalProperties: false
    },
    user: {
      type: ['object', 'null'],
      required: ['login'],
      properties: { login: { type: 'string' } },
      additionalProperties: false
    }
  },
  additionalProperties: false
}
const ORGANIZATION_NODE = {
  type: ['object', 'null'],
  required: ['samlIdentityProvider'],
  properties: {
    samlIdentityProvider: {
      type: ['object', 'null'],
      required: ['ssoUrl', 'externalIdentities'],
      properties: {
        ssoUrl: { type: ['string', 'null'], format: 'uri' },
        externalIdentities: {
          type: 'object',
          required: ['nodes'],
          properties: { nodes: { type: 'array', maxItems: 1, items: EXTERNAL_IDENTITY } },
          additionalProperties: false
        }
      },
      additionalProperties: false
    }
  },
  additionalProperties: false
}
const GRAPHQL_RESPONSE = {
  type: 'object',
  anyOf: [{ required: ['data'] }, { required: ['errors'] }],
  properties: {
    data: {
      type: ['object', 'null'],
      properties: { viewer: { type: 'object', required: ['login'], properties: { login: { type: 'string' } } } },
      patternProperties: { '^o[0-9]+$': ORGANIZATION_NODE },
      additionalProperties: false
    },
    errors: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['message'],
        properties: {
          type: { enum: ['NOT_FOUND', 'FORBIDDEN', 'INSUFFICIENT_SCOPES', 'RATE_LIMITED'] },
          path: { type: 'array', items: { type: ['string', 'integer'] } },
          // GraphQL spec, "Response format": `extensions` is free-form; GitHub flags a SAML block with saml_failure.
          extensions: { type: 'object', properties: { saml_failure: { type: 'boolean' } } },
          locations: {
            type: 'array',
            items: {
              type: 'object',
              required: ['line', 'column'],
              properties: { line: { type: 'integer', minimum: 1 }, column: { type: 'integer', minimum: 1 } }
            }
          },
          message: { type: 'string', minLength: 1 }
        },
        additionalProperties: false
      }
    }
  },
  additionalProperties: false
}

// ---------------------------------------------------------------------------------------------
// Calling the fake and judging what it serves
// ---------------------------------------------------------------------------------------------

interface Call {
  method?: string
  /** REST path relative to the prefix, or '/graphql'. */
  path: string
  query?: Record<string, string>
  body?: unknown
  /** null: no Authorization header. */
  token?: string | null
  accept?: string
  signal?: AbortSignal
}

interface Served {
  method: string
  path: string
  status: number
  headers: Headers
  mediaType: string
  text: string
}

async function call(fake: FakeGitHub, c: Call): Promise<Served> {
  const method = c.method ?? (c.path === '/graphql' ? 'POST' : 'GET')
  const base = c.path === '/graphql' ? fake.graphqlUrl : `${fake.apiUrl}${c.path}`
  const url = c.query ? `${base}?${new URLSearchParams(c.query)}` : base
  const headers: Record<string, string> = { accept: c.accept ?? 'application/vnd.github+json', 'user-agent': 'fake-schema-test' }
  const token = c.token === undefined ? HEALTHY_TOKEN : c.token
  if (token !== null) headers.authorization = `token ${token}`
  const init: RequestInit = { method, headers }
  if (c.body !== undefined) init.body = typeof c.body === 'string' ? c.body : JSON.stringify(c.body)
  if (c.signal) init.signal = c.signal
  const res = await fetch(url, init)
  const text = await res.text()
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim()
  return { method, path: c.path, status: res.status, headers: res.headers, mediaType, text }
}

/** The body, loosely typed: the schema checks above pin its shape; tests only read fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (s: Served): any => JSON.parse(s.text)

/** Every schema check made, by operation and status, for the coverage assertions. */
const validated: Array<{ operation: string; status: number; schema: 'openapi' | 'error-object' | 'graphql' }> = []

/** Problems with one served body; [] when it is what GitHub's description says. */
function judge(s: Served): string[] {
  const where = `${s.method} ${s.path} → ${s.status} ${s.mediaType}`
  if (s.mediaType !== 'application/json' && s.mediaType !== 'application/scim+json') {
    return [`${where}: not a JSON media type`]
  }
  let body: unknown
  try {
    body = JSON.parse(s.text)
  } catch {
    return [`${where}: body is not JSON: ${s.text.slice(0, 80)}`]
  }
  const check = (key: string, schema: object, kind: 'openapi' | 'error-object' | 'graphql', operation: string): string[] => {
    const validate = validatorFor(key, schema)
    validated.push({ operation, status: s.status, schema: kind })
    if (validate(body)) return []
    return [`${where} (${kind}): ${ajv.errorsText(validate.errors, { separator: '; ' })}\n  body: ${s.text.slice(0, 300)}`]
  }

  if (s.path === '/graphql') {
    return s.status === 200
      ? check('graphql', GRAPHQL_RESPONSE, 'graphql', 'POST /graphql')
      : check('error', ERROR_OBJECT, 'error-object', 'POST /graphql')
  }
  const template = templateOf(s.path)
  const operation = template ? subset.paths[template]?.[s.method.toLowerCase()] : undefined
  const opName = template ? `${s.method} ${template}` : `${s.method} (unknown path)`
  if (!template || !operation) {
    if (s.status < 400) return [`${where}: a success for a path or method GitHub's description does not have`]
    return check('error', ERROR_OBJECT, 'error-object', opName)
  }
  const response = operation.responses[String(s.status)]
  if (response?.content) {
    const schema = response.content[s.mediaType]?.schema
    if (!schema) return [`${where}: ${operation.operationId} declares ${Object.keys(response.content).join(', ')} for ${s.status}`]
    return check(`${template} ${s.method} ${s.status} ${s.mediaType}`, schema, 'openapi', opName)
  }
  if (s.status < 400) return [`${where}: ${operation.operationId} declares no body for ${s.status}`]
  return check('error', ERROR_OBJECT, 'error-object', opName)
}

const BATCHED_QUERY = `query($login: String!, $o0: String!, $o1: String!) {
  o0: organization(login: $o0) { samlIdentityProvider { ssoUrl externalIdentities(first: 1, login: $login) { nodes { guid samlIdentity { nameId username } scimIdentity { username } user { login } } } } }
  o1: organization(login: $o1) { samlIdentityProvider { ssoUrl externalIdentities(first: 1, login: $login) { nodes { guid samlIdentity { nameId username } scimIdentity { username } user { login } } } } }
}`
const batched = (...orgs: [string, string]) => ({
  query: BATCHED_QUERY,
  variables: { login: SERVICE_ACCOUNT, o0: orgs[0], o1: orgs[1] }
})

/** Every route, the ways the action and the IdPs call it, plus the misses. */
function sweep(token: string | null): Call[] {
  return [
    { path: '/user', token },
    { path: `/users/${SERVICE_ACCOUNT}`, token },
    { path: `/users/${ORG}`, token },
    { path: '/users/nobody-here', token },
    { path: `/orgs/${ORG}`, token },
    { path: '/orgs/no-such-org', token },
    { path: `/user/memberships/orgs/${ORG}`, token },
    { path: '/user/memberships/orgs/no-such-org', token },
    { path: `/orgs/${ORG}/credential-authorizations`, query: { login: SERVICE_ACCOUNT }, token },
    { path: `/orgs/${ORG}/credential-authorizations`, token },
    { path: `/scim/v2/organizations/${ORG}/Users`, query: { count: '1' }, token, accept: 'application/scim+json' },
    { path: `/scim/v2/organizations/${ORG}/Users`, query: { startIndex: '2', count: '5' }, token },
    { path: `/scim/v2/organizations/${ORG}/Users`, query: { filter: 'userName eq "nobody@acme.example"' }, token },
    { path: '/scim/v2/organizations/no-such-org/Users', token },
    { path: `/scim/v2/enterprises/${ENTERPRISE}/Users`, query: { count: '1' }, token, accept: 'application/scim+json' },
    { path: '/scim/v2/enterprises/no-such-enterprise/Users', token },
    { path: '/graphql', body: batched(ORG, 'no-such-org'), token },
    { path: '/no/such/route', token }
  ]
}

async function judgeAll(fake: FakeGitHub, calls: Call[]): Promise<string[]> {
  const problems: string[] = []
  for (const c of calls) problems.push(...judge(await call(fake, c)))
  return problems
}

const MARKER = '__fake_schema_test__'

// ---------------------------------------------------------------------------------------------
// Schema conformance over many worlds
// ---------------------------------------------------------------------------------------------

describe('every JSON body the fake serves validates against GitHub OpenAPI (operation, status, media type)', () => {
  let fake: FakeGitHub
  beforeAll(async () => {
    fake = await startFake(healthyWorld())
  })
  afterAll(async () => {
    await fake.close()
  })

  it.each(Object.keys(SCENARIOS) as ScenarioName[])('scenario %s', async name => {
    const { world, token } = scenarioWorld(name)
    fake.setWorld(world)
    expect(await judgeAll(fake, sweep(token))).toEqual([])
  })

  it('without any token', async () => {
    fake.setWorld(healthyWorld())
    expect(await judgeAll(fake, sweep(null))).toEqual([])
  })

  it.each([HEALTHY_TOKEN, EMU_TOKEN, MEMBER_TOKEN])('GitHub Enterprise Server (REST under /api/v3), token %#', async token => {
    fake.setWorld(healthyWorld({ platform: 'ghes', ghesVersion: '3.16.2' }))
    expect(await judgeAll(fake, sweep(token))).toEqual([])
  })

  const faultBodies: Array<[string, Fault]> = [
    ['500', { kind: 'status', status: 500 }],
    ['503', { kind: 'status', status: 503 }],
    ['504', { kind: 'status', status: 504 }],
    ['primary rate limit 403', { kind: 'primary-rate-limit', status: 403, resetInSeconds: 120 }],
    ['primary rate limit 429', { kind: 'primary-rate-limit', status: 429, resetInSeconds: 120 }],
    ['secondary rate limit 403', { kind: 'secondary-rate-limit', status: 403, retryAfter: 60 }],
    ['secondary rate limit 429', { kind: 'secondary-rate-limit', status: 429, retryAfter: 60 }]
  ]
  it.each(faultBodies)('fault bodies: %s on every route', async (_label, fault) => {
    fake.setWorld(healthyWorld({ faults: { '*': fault } }))
    expect(await judgeAll(fake, sweep(HEALTHY_TOKEN))).toEqual([])
    // Rate limits of a request GitHub cannot tie to a user.
    expect(await judgeAll(fake, [{ path: '/user', token: null }])).toEqual([])
  })

  it('every route served a 200 that its OpenAPI schema (or the GraphQL shape) accepted', () => {
    const served200 = new Set(validated.filter(v => v.status === 200 && v.schema !== 'error-object').map(v => v.operation))
    expect([...served200].sort()).toEqual(
      [
        'GET /user',
        'GET /users/{username}',
        'GET /orgs/{org}',
        'GET /user/memberships/orgs/{org}',
        'GET /orgs/{org}/credential-authorizations',
        'GET /scim/v2/organizations/{org}/Users',
        'GET /scim/v2/enterprises/{enterprise}/Users',
        'POST /graphql'
      ].sort()
    )
    // Error answers the subset does describe were checked against it too (403/404 of SCIM, membership…).
    const describedErrors = validated.filter(v => v.status >= 400 && v.schema === 'openapi')
    expect(new Set(describedErrors.map(v => v.status))).toEqual(new Set([401, 403, 404, 429, 500]))
    expect(validated.length).toBeGreaterThan(500)
  })
})

// ---------------------------------------------------------------------------------------------
// Behaviour the diagnosis rests on
// ---------------------------------------------------------------------------------------------

describe('authentication (docs/github-behaviour.md)', () => {
  let fake: FakeGitHub
  beforeAll(async () => {
    fake = await startFake(healthyWorld())
  })
  afterAll(async () => {
    await fake.close()
  })
  const use = (name: ScenarioName) => {
    const { world, token } = scenarioWorld(name)
    fake.setWorld(world)
    return token
  }

  it('no Authorization header → 401 Requires authentication', async () => {
    use('healthy')
    const r = await call(fake, { path: '/user', token: null })
    expect(r.status).toBe(401)
    expect(json(r)).toEqual({ message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest', status: '401' })
  })

  it.each(['token-unknown', 'token-invalid', 'token-expired', 'account-deleted'] as const)(
    '%s → 401 Bad credentials, the same body every time (docs/github-behaviour.md, "Status codes and texts")',
    async name => {
      const r = await call(fake, { path: '/user', token: use(name) })
      expect(r.status).toBe(401)
      expect(json(r)).toEqual({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' })
      expect(r.headers.get('x-oauth-scopes')).toBeNull()
    }
  )

  it('a locked-out account gets 403 even with a valid token (docs/github-behaviour.md, "Status codes and texts")', async () => {
    const r = await call(fake, { path: '/user', token: use('login-attempts-exceeded') })
    expect(r.status).toBe(403)
    expect(json(r)).toEqual({ message: MESSAGES.loginAttemptsExceeded, documentation_url: 'https://docs.github.com/rest' })
  })

  it('a suspended account gets 403 (docs/github-behaviour.md, "Status codes and texts")', async () => {
    const r = await call(fake, { path: `/orgs/${ORG}`, token: use('account-suspended') })
    expect(r.status).toBe(403)
    expect(json(r)).toEqual({ message: 'Sorry. Your account was suspended.', documentation_url: 'https://docs.github.com/rest' })
  })

  it('accepts `token X` and `Bearer X`', async () => {
    use('healthy')
    const bearer = await fetch(`${fake.apiUrl}/user`, { headers: { authorization: `Bearer ${HEALTHY_TOKEN}` } })
    expect(bearer.status).toBe(200)
    expect(((await bearer.json()) as { login: string }).login).toBe(SERVICE_ACCOUNT)
  })

  it('x-oauth-scopes: joined with ", " for classic tokens, empty for none, absent for fine-grained (docs/github-behaviour.md, "Headers")', async () => {
    const world = healthyWorld()
    world.tokens[HEALTHY_TOKEN]!.scopes = ['admin:org', 'read:user']
    world.tokens[MEMBER_TOKEN]!.scopes = []
    fake.setWorld(world)
    expect((await call(fake, { path: '/user' })).headers.get('x-oauth-scopes')).toBe('admin:org, read:user')
    expect((await call(fake, { path: '/user', token: MEMBER_TOKEN })).headers.get('x-oauth-scopes')).toBe('')
    expect((await call(fake, { path: '/user', token: FINE_GRAINED_TOKEN })).headers.get('x-oauth-scopes')).toBeNull()
  })

  it('github-authentication-token-expiration only for expiring tokens, as `YYYY-MM-DD HH:MM:SS UTC` (docs/github-behaviour.md, "Headers")', async () => {
    const world = healthyWorld()
    world.tokens[HEALTHY_TOKEN]!.expiresAt = '2099-10-07T19:07:53Z'
    fake.setWorld(world)
    expect((await call(fake, { path: '/user' })).headers.get('github-authentication-token-expiration')).toBe('2099-10-07 19:07:53 UTC')
    expect((await call(fake, { path: '/user', token: EMU_TOKEN })).headers.get('github-authentication-token-expiration')).toBeNull()
  })

  it('rate-limit headers on authenticated answers: core for REST, graphql for GraphQL (docs/github-behaviour.md, "Rate limits")', async () => {
    use('healthy')
    const rest = await call(fake, { path: '/user' })
    expect(rest.headers.get('x-ratelimit-limit')).toBe('5000')
    expect(rest.headers.get('x-ratelimit-resource')).toBe('core')
    expect(Number(rest.headers.get('x-ratelimit-remaining'))).toBeLessThan(5000)
    expect(Number(rest.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000)
    const gql = await call(fake, { path: '/graphql', body: batched(ORG, ORG) })
    expect(gql.headers.get('x-ratelimit-resource')).toBe('graphql')
    expect(rest.headers.get('x-github-request-id')).toMatch(/^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]{7}:[0-9A-F]{8}:[0-9A-F]{4}$/)
  })

  it('GET /user: the private view of the token owner; installation tokens get 403', async () => {
    use('healthy')
    const me = json(await call(fake, { path: '/user' }))
    expect(me).toMatchObject({ login: SERVICE_ACCOUNT, id: 5001, type: 'User', two_factor_authentication: true })
    const bot = await call(fake, { path: '/user', token: INSTALLATION_TOKEN })
    expect(bot.status).toBe(403)
    expect(json(bot).message).toBe('Resource not accessible by integration')
  })
})

describe('organization gate (docs/github-behaviour.md)', () => {
  let fake: FakeGitHub
  beforeAll(async () => {
    fake = await startFake(healthyWorld())
  })
  afterAll(async () => {
    await fake.close()
  })
  const ORG_ROUTES = [
    `/orgs/${ORG}`,
    `/user/memberships/orgs/${ORG}`,
    `/orgs/${ORG}/credential-authorizations`,
    `/scim/v2/organizations/${ORG}/Users`
  ]

  it.each(ORG_ROUTES)('missing org → 404 Not Found on %s', async path => {
    const { world, token } = scenarioWorld('org-not-found')
    fake.setWorld(world)
    const r = await call(fake, { path, token })
    expect(r.status).toBe(404)
    expect(json(r).message).toBe('Not Found')
  })

  const blocks: Array<[ScenarioName, string]> = [
    ['ip-allow-list-blocked', MESSAGES.ipAllowList(ORG)],
    ['oauth-app-restricted', MESSAGES.oauthAppRestricted(ORG)],
    ['pat-policy-blocked', MESSAGES.classicPatBlocked(ORG)],
    ['fine-grained-blocked', MESSAGES.fineGrainedBlocked(ORG)]
  ]
  it.each(blocks)('%s → 403 with GitHub text on every org route', async (name, message) => {
    const { world, token } = scenarioWorld(name)
    fake.setWorld(world)
    for (const path of ORG_ROUTES) {
      const r = await call(fake, { path, token })
      expect([path, r.status, json(r).message]).toEqual([path, 403, message])
    }
    expect(message).toContain('`acme`')
  })

  it('the OAuth App restriction leaves classic PATs alone; the PAT policy leaves OAuth tokens alone', async () => {
    const world = healthyWorld()
    world.orgs[ORG]!.oauthAppRestricted = true
    fake.setWorld(world)
    expect((await call(fake, { path: `/orgs/${ORG}` })).status).toBe(200)
    world.orgs[ORG]!.oauthAppRestricted = false
    world.orgs[ORG]!.classicPatBlocked = true
    expect((await call(fake, { path: `/orgs/${ORG}`, token: OAUTH_TOKEN })).status).toBe(200)
    // A legacy 40-hex PAT counts as classic.
    const legacy = makeToken('legacy', 'old-pat')
    world.tokens[legacy] = { login: SERVICE_ACCOUNT, scopes: ['admin:org'], ssoAuthorized: [ORG] }
    expect(json(await call(fake, { path: `/orgs/${ORG}`, token: legacy })).message).toBe(MESSAGES.classicPatBlocked(ORG))
  })

  it('SSO not authorized → 403 + X-GitHub-SSO required; url=… (new URL each time) (docs/github-behaviour.md, "SSO")', async () => {
    const { world, token } = scenarioWorld('sso-not-authorized')
    fake.setWorld(world)
    const urls: string[] = []
    for (const path of ORG_ROUTES) {
      const r = await call(fake, { path, token })
      expect(r.status).toBe(403)
      expect(json(r).message).toBe(MESSAGES.samlEnforced)
      const sso = r.headers.get('x-github-sso') ?? ''
      expect(sso).toMatch(/^required; url=https:\/\/github\.com\/orgs\/acme\/sso\?authorization_request=[A-Za-z0-9]{20}$/)
      urls.push(/\burl=([^;]+)/.exec(sso)![1]!)
    }
    expect(new Set(urls).size).toBe(urls.length)
  })

  it('SSO: OAuth and fine-grained tokens are not held back; on GHE.com the URL is on the ghe.com host', async () => {
    const world = healthyWorld({ platform: 'ghe.com', webHost: 'acme.ghe.com' })
    world.tokens[HEALTHY_TOKEN]!.ssoAuthorized = []
    fake.setWorld(world)
    expect((await call(fake, { path: `/orgs/${ORG}`, token: OAUTH_TOKEN })).status).toBe(200)
    expect((await call(fake, { path: `/orgs/${ORG}`, token: FINE_GRAINED_TOKEN })).status).toBe(200)
    const r = await call(fake, { path: `/orgs/${ORG}` })
    expect(r.headers.get('x-github-sso')).toMatch(/^required; url=https:\/\/acme\.ghe\.com\/orgs\/acme\/sso\?authorization_request=/)
    expect(r.headers.get('x-github-enterprise-version')).toBe('ghe.com')
  })

  it('GET /orgs/{org}: full record for an owner with admin:org, basic otherwise', async () => {
    fake.setWorld(healthyWorld())
    const full = json(await call(fake, { path: `/orgs/${ORG}` }))
    expect(full).toMatchObject({ login: ORG, id: ORG_ID, two_factor_requirement_enabled: true })
    expect(full.plan).toBeDefined()
    const basic = json(await call(fake, { path: `/orgs/${ORG}`, token: MEMBER_TOKEN }))
    expect(basic.id).toBe(ORG_ID)
    expect(basic.plan).toBeUndefined()
    expect(basic.billing_email).toBeUndefined()
  })

  it('membership: role/state; 404 when not a member; 403 + x-accepted-oauth-scopes without an org scope', async () => {
    fake.setWorld(healthyWorld())
    const owner = json(await call(fake, { path: `/user/memberships/orgs/${ORG}` }))
    expect(owner).toMatchObject({ state: 'active', role: 'admin', user: { login: SERVICE_ACCOUNT }, organization: { login: ORG } })
    for (const [name, expected] of [
      ['membership-pending', { status: 200, state: 'pending', role: 'admin' }],
      ['not-org-owner', { status: 200, state: 'active', role: 'member' }],
      ['not-org-member', { status: 404 }]
    ] as const) {
      const { world, token } = scenarioWorld(name)
      fake.setWorld(world)
      const r = await call(fake, { path: `/user/memberships/orgs/${ORG}`, token })
      expect({ status: r.status, ...(r.status === 200 ? { state: json(r).state, role: json(r).role } : {}) }).toEqual(expected)
    }
    const world = healthyWorld()
    world.tokens[HEALTHY_TOKEN]!.scopes = ['repo']
    fake.setWorld(world)
    const r = await call(fake, { path: `/user/memberships/orgs/${ORG}` })
    expect(r.status).toBe(403)
    expect(r.headers.get('x-accepted-oauth-scopes')).toBe('admin:org, read:org, write:org')
    expect(r.headers.get('x-oauth-scopes')).toBe('repo')
  })

  it('credential-authorizations: the classic PATs of `login` authorized for the org, for owners with read:org (docs/github-behaviour.md, "SCIM")', async () => {
    const world = healthyWorld()
    world.tokens[HEALTHY_TOKEN]!.expiresAt = '2099-01-02T03:04:05Z'
    fake.setWorld(world)
    const list = json(await call(fake, { path: `/orgs/${ORG}/credential-authorizations`, query: { login: SERVICE_ACCOUNT } }))
    expect(list).toEqual([
      expect.objectContaining({
        login: SERVICE_ACCOUNT,
        credential_type: 'personal access token',
        token_last_eight: HEALTHY_TOKEN.slice(-8),
        authorized_credential_id: 90001,
        authorized_credential_expires_at: '2099-01-02T03:04:05Z',
        authorized_credential_note: 'Okta SCIM provisioning',
        scopes: ['admin:org']
      })
    ])
    // The OAuth token is authorized automatically and not listed (docs/github-behaviour.md, "SSO"); the member's PAT is under `mona`.
    const all = json(await call(fake, { path: `/orgs/${ORG}/credential-authorizations` }))
    expect(all.map((c: { login: string }) => c.login).sort()).toEqual(['acme-scim', 'mona'])
    // Not an owner → 404.
    expect((await call(fake, { path: `/orgs/${ORG}/credential-authorizations`, token: MEMBER_TOKEN })).status).toBe(404)
  })
})

describe('SCIM (docs/github-behaviour.md)', () => {
  let fake: FakeGitHub
  beforeAll(async () => {
    fake = await startFake(healthyWorld())
  })
  afterAll(async () => {
    await fake.close()
  })
  const orgScim = (query?: Record<string, string>) => ({ path: `/scim/v2/organizations/${ORG}/Users`, ...(query ? { query } : {}) })

  it('org SCIM: ListResponse as application/scim+json, startIndex/count honoured', async () => {
    fake.setWorld(healthyWorld())
    const r = await call(fake, orgScim({ count: '1' }))
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/scim+json; charset=utf-8')
    expect(json(r)).toMatchObject({ totalResults: 2, itemsPerPage: 1, startIndex: 1 })
    expect(json(r).Resources[0].userName).toBe('scim@acme.example')
    const second = json(await call(fake, orgScim({ startIndex: '2', count: '5' })))
    expect(second).toMatchObject({ totalResults: 2, itemsPerPage: 1, startIndex: 2 })
    const none = json(await call(fake, orgScim({ filter: 'userName eq "nobody@acme.example"' })))
    expect(none).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] })
  })

  it('org SCIM: 404 without org SAML; SCIM 403 for a non-owner and for a token without admin:org; SSO last', async () => {
    const expectations: Array<[ScenarioName, number, string]> = [
      ['scim-not-available', 404, 'Not Found'],
      ['not-org-owner', 403, MESSAGES.scimNotOwner],
      ['scope-missing', 403, MESSAGES.scopeMissing(['admin:org'])],
      ['sso-not-authorized', 403, MESSAGES.samlEnforced],
      ['fine-grained-token', 403, MESSAGES.notAccessibleByPat]
    ]
    for (const [name, status, message] of expectations) {
      const { world, token } = scenarioWorld(name)
      fake.setWorld(world)
      const r = await call(fake, { ...orgScim({ count: '1' }), token })
      expect([name, r.status, json(r).message]).toEqual([name, status, message])
      if (status === 403 && name !== 'sso-not-authorized') {
        expect(json(r)).toMatchObject({ schemas: [SCIM_ERROR_URN], status: 403, detail: message })
      }
    }
  })

  it('enterprise SCIM: setup user OK (also admin:enterprise); 403 non-owner / wrong scope; 404 unknown or SCIM off', async () => {
    const expectations: Array<[ScenarioName, number]> = [
      ['emu-healthy', 200],
      ['emu-admin-enterprise', 200],
      ['emu-not-owner', 403],
      ['emu-scope-missing', 403],
      ['emu-scim-off', 404]
    ]
    for (const [name, status] of expectations) {
      const { world, token } = scenarioWorld(name)
      fake.setWorld(world)
      const r = await call(fake, { path: `/scim/v2/enterprises/${ENTERPRISE}/Users`, query: { count: '1' }, token })
      expect([name, r.status]).toEqual([name, status])
    }
    fake.setWorld(healthyWorld())
    expect((await call(fake, { path: '/scim/v2/enterprises/nope/Users', token: EMU_TOKEN })).status).toBe(404)
  })

  it('GHES: REST under /api/v3, version header on every answer, no org or enterprise SCIM (docs/github-behaviour.md, "SCIM")', async () => {
    fake.setWorld(healthyWorld({ platform: 'ghes', ghesVersion: '3.17.0' }))
    expect(fake.apiUrl).toBe(`${fake.url}/api/v3`)
    expect(fake.graphqlUrl).toBe(`${fake.url}/api/graphql`)
    const me = await call(fake, { path: '/user' })
    expect(me.status).toBe(200)
    expect(me.headers.get('x-github-enterprise-version')).toBe('3.17.0')
    expect((await call(fake, orgScim())).status).toBe(404)
    expect((await call(fake, { path: `/scim/v2/enterprises/${ENTERPRISE}/Users`, token: EMU_TOKEN })).status).toBe(404)
    const unauthenticated = await call(fake, { path: '/user', token: null })
    expect(unauthenticated.headers.get('x-github-enterprise-version')).toBe('3.17.0')
    // The REST root without the prefix is not the API.
    const wrongPrefix = await fetch(`${fake.url}/user`, { headers: { authorization: `token ${HEALTHY_TOKEN}` } })
    expect(wrongPrefix.status).toBe(404)
    expect(fake.requests.at(-1)).toMatchObject({ path: '/user', rawPath: '/user', routeKey: null })
    // github.com sends no version header.
    fake.setWorld(healthyWorld())
    expect((await call(fake, { path: '/user' })).headers.get('x-github-enterprise-version')).toBeNull()
  })
})

describe('GraphQL (docs/github-behaviour.md(docs/github-behaviour.md, "GraphQL identities"))', () => {
  let fake: FakeGitHub
  beforeAll(async () => {
    fake = await startFake(healthyWorld())
  })
  afterAll(async () => {
    await fake.close()
  })

  it('linked identity of the service account; NOT_FOUND for a missing org', async () => {
    fake.setWorld(healthyWorld())
    const r = await call(fake, { path: '/graphql', body: batched(ORG, 'ghost-org') })
    expect(r.status).toBe(200)
    const body = json(r)
    expect(body.data.o0.samlIdentityProvider.externalIdentities.nodes).toEqual([
      expect.objectContaining({ samlIdentity: { nameId: 'scim@acme.example', username: null }, user: { login: SERVICE_ACCOUNT } })
    ])
    expect(body.data.o1).toBeNull()
    expect(body.errors).toEqual([
      {
        type: 'NOT_FOUND',
        path: ['o1'],
        locations: [{ line: 3, column: 3 }],
        message: "Could not resolve to an Organization with the login of 'ghost-org'."
      }
    ])
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/graphql', routeKey: 'POST /graphql' })
    expect(fake.requests.at(-1)!.graphqlVariables).toEqual({ login: SERVICE_ACCOUNT, o0: ORG, o1: 'ghost-org' })
  })

  it('no linked identity → nodes []; non-owner, no SAML or no read:org → samlIdentityProvider null', async () => {
    const nodes = async (name: ScenarioName) => {
      const { world, token } = scenarioWorld(name)
      fake.setWorld(world)
      return json(await call(fake, { path: '/graphql', body: batched(ORG, ORG), token })).data.o0
    }
    expect((await nodes('saml-identity-missing')).samlIdentityProvider.externalIdentities.nodes).toEqual([])
    expect(await nodes('not-org-owner')).toEqual({ samlIdentityProvider: null })
    expect(await nodes('scim-not-available')).toEqual({ samlIdentityProvider: null })
    const world = healthyWorld()
    world.tokens[HEALTHY_TOKEN]!.scopes = ['repo']
    fake.setWorld(world)
    expect(json(await call(fake, { path: '/graphql', body: batched(ORG, ORG) })).data.o0).toEqual({ samlIdentityProvider: null })
  })

  it('SSO-blocked orgs: data null, FORBIDDEN, x-github-sso partial-results with the org ids (docs/github-behaviour.md, "SSO")', async () => {
    const world = addOrg(healthyWorld(), 'acme-labs', { id: 1002, authorize: false })
    world.tokens[HEALTHY_TOKEN]!.ssoAuthorized = []
    fake.setWorld(world)
    const r = await call(fake, { path: '/graphql', body: batched(ORG, 'acme-labs') })
    expect(r.status).toBe(200)
    expect(r.headers.get('x-github-sso')).toBe('partial-results; organizations=1001,1002')
    const body = json(r)
    expect(body.data).toEqual({ o0: null, o1: null })
    expect(body.errors.map((e: { type: string; message: string }) => [e.type, e.message])).toEqual([
      ['FORBIDDEN', MESSAGES.samlEnforced],
      ['FORBIDDEN', MESSAGES.samlEnforced]
    ])
  })

  it('IP allow list → FORBIDDEN with the IP allow list text', async () => {
    const { world, token } = scenarioWorld('ip-allow-list-blocked')
    fake.setWorld(world)
    const body = json(await call(fake, { path: '/graphql', body: batched(ORG, ORG), token }))
    expect(body.errors[0]).toMatchObject({ type: 'FORBIDDEN', path: ['o0'], message: MESSAGES.ipAllowList(ORG) })
  })

  it('auth failures are HTTP 401 on GraphQL too', async () => {
    fake.setWorld(healthyWorld())
    const bad = await call(fake, { path: '/graphql', body: batched(ORG, ORG), token: makeToken('ghp_', 'nope') })
    expect(bad.status).toBe(401)
    expect(json(bad).message).toBe('Bad credentials')
    const none = await call(fake, { path: '/graphql', body: batched(ORG, ORG), token: null })
    expect(none.status).toBe(401)
  })
})

describe('read-only: any write is a violation', () => {
  let fake: FakeGitHub
  beforeAll(async () => {
    fake = await startFake(healthyWorld())
  })
  afterAll(async () => {
    await fake.close()
  })

  it.each([
    ['PATCH', `/scim/v2/organizations/${ORG}/Users/abc`],
    ['PUT', `/scim/v2/organizations/${ORG}/Users/abc`],
    ['DELETE', `/scim/v2/enterprises/${ENTERPRISE}/Users/abc`],
    ['POST', `/scim/v2/organizations/${ORG}/Users`],
    ['POST', '/user'],
    ['HEAD', '/user']
  ])('%s %s → 405 and a recorded violation', async (method, path) => {
    const before = fake.violations.length
    const r = await call(fake, { method, path, body: method === 'HEAD' ? undefined : { active: false } })
    expect(r.status).toBe(405)
    expect(fake.violations.length).toBe(before + 1)
    expect(fake.violations.at(-1)).toContain(`${method} ${path}`)
    expect(fake.requests.at(-1)).toMatchObject({ method, status: 405 })
  })

  it('GraphQL: POST of a query is fine, a mutation is a violation', async () => {
    const before = fake.violations.length
    expect((await call(fake, { path: '/graphql', body: batched(ORG, ORG) })).status).toBe(200)
    expect(fake.violations.length).toBe(before)
    const r = await call(fake, {
      path: '/graphql',
      body: { query: 'mutation { revokeEnterpriseOrganizationsMigratorRole(input: {}) { clientMutationId } }' }
    })
    expect(r.status).toBe(405)
    expect(fake.violations.at(-1)).toMatch(/^POST \/graphql: GraphQL mutation refused/)
  })
})

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

describe('faults', () => {
  let fake: FakeGitHub
  beforeAll(async () => {
    fake = await startFake(healthyWorld())
  })
  afterAll(async () => {
    await fake.close()
  })
  const withFault = (fault: Fault, key: '*' | 'GET /user' | 'POST /graphql' = 'GET /user'): void =>
    fake.setWorld(healthyWorld({ faults: { [key]: fault } }))

  it('hang: the request is accepted and never answered', async () => {
    withFault({ kind: 'hang' })
    await expect(call(fake, { path: '/user', signal: AbortSignal.timeout(200) })).rejects.toThrow()
    expect(fake.requests.at(-1)).toMatchObject({ path: '/user', fault: 'hang', status: null })
  })

  it('stall-body: status and headers arrive, the body never finishes', async () => {
    withFault({ kind: 'stall-body' })
    const signal = AbortSignal.timeout(300)
    const res = await fetch(`${fake.apiUrl}/user`, { headers: { authorization: `token ${HEALTHY_TOKEN}` }, signal })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-oauth-scopes')).toBe('admin:org')
    await expect(res.text()).rejects.toThrow()
  })

  it('close-mid-body: half the body, then the connection drops', async () => {
    withFault({ kind: 'close-mid-body' })
    const res = await fetch(`${fake.apiUrl}/user`, { headers: { authorization: `token ${HEALTHY_TOKEN}` } })
    expect(res.status).toBe(200)
    await expect(res.text()).rejects.toThrow()
  })

  it('reset: the connection drops before any answer', async () => {
    withFault({ kind: 'reset' })
    await expect(call(fake, { path: '/user' })).rejects.toThrow()
    expect(fake.requests.at(-1)).toMatchObject({ fault: 'reset', status: null })
  })

  it.each([
    [500, MESSAGES.serverError],
    [503, MESSAGES.serviceUnavailable],
    [504, MESSAGES.gatewayTimeout]
  ])('status %i: GitHub JSON error body', async (status, message) => {
    withFault({ kind: 'status', status })
    const r = await call(fake, { path: '/user' })
    expect([r.status, r.mediaType, json(r).message]).toEqual([status, 'application/json', message])
  })

  it('status 502: GitHub HTML error page; custom bodies and headers are sent as given', async () => {
    withFault({ kind: 'status', status: 502 })
    const page = await call(fake, { path: '/user' })
    expect([page.status, page.mediaType]).toEqual([502, 'text/html'])
    expect(page.text).toContain('Unicorn!')
    withFault({ kind: 'status', status: 500, body: { message: 'custom' }, headers: { 'x-custom': '1' } })
    const custom = await call(fake, { path: '/user' })
    expect([custom.status, json(custom), custom.headers.get('x-custom')]).toEqual([500, { message: 'custom' }, '1'])
  })

  it('html: 200 with an HTML page', async () => {
    withFault({ kind: 'html' })
    const r = await call(fake, { path: '/user' })
    expect([r.status, r.mediaType]).toEqual([200, 'text/html'])
    expect(r.text).toMatch(/^<!DOCTYPE html>/)
  })

  it('truncated: 200 application/json whose JSON stops half-way', async () => {
    withFault({ kind: 'truncated' })
    const r = await call(fake, { path: '/user' })
    expect([r.status, r.mediaType]).toEqual([200, 'application/json'])
    expect(() => JSON.parse(r.text)).toThrow()
    expect(r.text.startsWith('{"login":"acme-scim"')).toBe(true)
  })

  it('wrong-shape: 200 valid JSON of the wrong shape ([] for objects, {"foo":1} for arrays)', async () => {
    withFault({ kind: 'wrong-shape' }, '*')
    expect(json(await call(fake, { path: '/user' }))).toEqual([])
    expect(json(await call(fake, { path: `/orgs/${ORG}/credential-authorizations` }))).toEqual({ foo: 1 })
    const graphql = await call(fake, { path: '/graphql', body: batched(ORG, ORG) })
    expect(judge(graphql)).not.toEqual([])
  })

  it('primary-rate-limit: 403/429 with x-ratelimit-remaining 0 and a reset epoch (docs/github-behaviour.md, "Rate limits")', async () => {
    withFault({ kind: 'primary-rate-limit', status: 429, resetInSeconds: 90 })
    const r = await call(fake, { path: '/user' })
    expect(r.status).toBe(429)
    expect(r.headers.get('x-ratelimit-remaining')).toBe('0')
    const reset = Number(r.headers.get('x-ratelimit-reset'))
    expect(Math.abs(reset - (Date.now() / 1000 + 90))).toBeLessThan(5)
    const requestId = r.headers.get('x-github-request-id')
    expect(json(r).message).toBe(
      `API rate limit exceeded for user ID 5001. If you reach out to GitHub Support for help, please include the request ID ${requestId} and timestamp ${/timestamp (.+ UTC)\.$/.exec(json(r).message)?.[1]}.`
    )
    expect(json(r).documentation_url).toBe('https://docs.github.com/rest/overview/rate-limits-for-the-rest-api')
  })

  it('secondary-rate-limit: retry-after, no x-ratelimit-* (docs/github-behaviour.md, "Rate limits")', async () => {
    withFault({ kind: 'secondary-rate-limit', status: 403, retryAfter: 30 })
    const r = await call(fake, { path: '/user' })
    expect(r.status).toBe(403)
    expect(r.headers.get('retry-after')).toBe('30')
    expect([...r.headers.keys()].filter(k => k.startsWith('x-ratelimit'))).toEqual([])
    expect(json(r).message).toBe(MESSAGES.secondaryRateLimit(r.headers.get('x-github-request-id')!))
    expect(json(r).message).toMatch(/\bsecondary rate\b/i) // what @octokit/plugin-throttling looks for (docs/github-behaviour.md, "Rate limits")
  })

  it('`times` limits a fault to the first N requests; a route fault wins over "*"', async () => {
    fake.setWorld(
      healthyWorld({
        faults: { 'GET /user': { kind: 'status', status: 502, times: 1 }, '*': { kind: 'status', status: 503, times: 1 } }
      })
    )
    expect((await call(fake, { path: '/user' })).status).toBe(502)
    expect((await call(fake, { path: '/user' })).status).toBe(503) // the route fault is used up: '*' applies
    expect((await call(fake, { path: '/user' })).status).toBe(200)
    expect((await call(fake, { path: `/orgs/${ORG}` })).status).toBe(200)
  })

  it('close() ends hung and stalled connections at once', async () => {
    const own = await startFake(healthyWorld({ faults: { 'GET /user': { kind: 'hang' }, 'GET /orgs/{org}': { kind: 'stall-body' } } }))
    const failed = (p: Promise<unknown>): Promise<boolean> =>
      p.then(
        () => false,
        () => true
      )
    const hung = failed(fetch(`${own.apiUrl}/user`, { headers: { authorization: `token ${HEALTHY_TOKEN}` } }))
    const stalled = failed(fetch(`${own.apiUrl}/orgs/${ORG}`, { headers: { authorization: `token ${HEALTHY_TOKEN}` } }).then(r => r.text()))
    while (own.requests.length < 2) await new Promise(r => setTimeout(r, 5))
    const t0 = performance.now()
    await own.close()
    expect(performance.now() - t0).toBeLessThan(1000)
    expect([await hung, await stalled]).toEqual([true, true])
    expect(own.requests.every(e => e.endedAt !== null)).toBe(true)
  })
})

// ---------------------------------------------------------------------------------------------
// The request log
// ---------------------------------------------------------------------------------------------

describe('request log', () => {
  it('records every request, rejected ones too, and never the raw token', async () => {
    const fake = await startFake(healthyWorld(), { latencyMs: 30 })
    try {
      await call(fake, { path: '/user', accept: 'application/vnd.github+json' })
      await call(fake, {
        path: `/scim/v2/organizations/${ORG}/Users`,
        query: { count: '1', startIndex: '1' },
        accept: 'application/scim+json'
      })
      await call(fake, { path: '/user', token: makeToken('ghp_', 'bad') })
      await call(fake, { path: '/user', token: null, query: { access_token: MARKER } })
      await call(fake, { method: 'DELETE', path: `/orgs/${ORG}` })
      expect(fake.requests.map(e => [e.method, e.path, e.status])).toEqual([
        ['GET', '/user', 200],
        ['GET', `/scim/v2/organizations/${ORG}/Users`, 200],
        ['GET', '/user', 401],
        ['GET', '/user', 401],
        ['DELETE', `/orgs/${ORG}`, 405]
      ])
      const [first, scim, , anonymous] = fake.requests
      expect(first).toMatchObject({
        authFingerprint: fingerprint(HEALTHY_TOKEN),
        accept: 'application/vnd.github+json',
        routeKey: 'GET /user'
      })
      expect(first!.authFingerprint).toMatch(/^[0-9a-f]{12}$/)
      expect(first!.endedAt! - first!.startedAt).toBeGreaterThanOrEqual(25) // latencyMs
      expect(scim).toMatchObject({ query: { count: '1', startIndex: '1' }, accept: 'application/scim+json' })
      expect(anonymous).toMatchObject({ authFingerprint: null, query: { access_token: '[redacted]' } })
      const logged = JSON.stringify([fake.requests, fake.violations])
      for (const secret of [HEALTHY_TOKEN, MARKER]) expect(logged).not.toContain(secret)
    } finally {
      await fake.close()
    }
  })

  it('the world is live: mutations between requests take effect', async () => {
    const fake = await startFake(healthyWorld({ tokens: { [HEALTHY_TOKEN]: { expiresAt: daysFromNow(10) } } }))
    try {
      expect((await call(fake, { path: '/user' })).status).toBe(200)
      ;(fake.world as ReturnType<typeof healthyWorld>).tokens[HEALTHY_TOKEN]!.revoked = true
      expect((await call(fake, { path: '/user' })).status).toBe(401)
      fake.setWorld(healthyWorld() as World)
      expect((await call(fake, { path: '/user' })).status).toBe(200)
    } finally {
      await fake.close()
    }
  })
})
