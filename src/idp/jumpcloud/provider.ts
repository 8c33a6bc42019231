/**
 * JumpCloud as a provider (docs/idp-jumpcloud.md): its inputs, their validation, its fixes and its view.
 * The check itself (`index.ts`: sign in, the app, the Directory Insights events, `judgeJumpCloud`) loads
 * when it is called.
 */
import { describe, parseServiceUrl, type InputProblem } from '../../input-fields.js'
import { parseLookback, problem, required, wellFormedSecret } from '../common-inputs.js'
import { defineProvider, type CliProblemContext, type ReadInput } from '../provider.js'
import type { IdpDetails } from '../types.js'
import { JUMPCLOUD_DEFAULTS, type JumpCloudAuth, type JumpCloudInputs } from './config.js'

/** A JumpCloud object id (`_id` of an application, an organization id): 24 hex digits [J4]. */
const OBJECT_ID = /^[0-9a-f]{24}$/i

function parseAuth(read: ReadInput, problems: InputProblem[]): JumpCloudAuth | null {
  const before = problems.length
  const apiKey = read('jumpcloud-api-key').trim()
  const clientId = read('jumpcloud-client-id').trim()
  const clientSecret = read('jumpcloud-client-secret').trim()
  if (apiKey !== '' && (clientId !== '' || clientSecret !== '')) {
    problem(
      problems,
      'jumpcloud-api-key',
      'and "jumpcloud-client-id"/"jumpcloud-client-secret" are two ways to sign in to JumpCloud: give one of them.'
    )
  } else if (apiKey === '' && clientId === '' && clientSecret === '') {
    problem(
      problems,
      'jumpcloud-client-id',
      'and "jumpcloud-client-secret" (a service account, recommended), or "jumpcloud-api-key", are required with idp: jumpcloud.'
    )
  } else if (apiKey === '') {
    if (clientId === '')
      problem(problems, 'jumpcloud-client-id', 'is required with "jumpcloud-client-secret": the service account\'s client id.')
    if (clientSecret === '')
      problem(problems, 'jumpcloud-client-secret', 'is required with "jumpcloud-client-id": the service account\'s client secret.')
    if (clientId !== '' && !/^[\x21-\x7e]{1,200}$/.test(clientId))
      problem(problems, 'jumpcloud-client-id', `must be the service account's client id (no spaces); got ${describe(clientId)}.`)
  }
  if (apiKey !== '') wellFormedSecret(apiKey, 'jumpcloud-api-key', problems, "the admin's API key", true)
  if (clientSecret !== '') wellFormedSecret(clientSecret, 'jumpcloud-client-secret', problems, "the service account's client secret")
  if (problems.length > before) return null
  return apiKey !== '' ? { kind: 'api-key', apiKey } : { kind: 'service-account', clientId, clientSecret }
}

function objectId(value: string, name: string, what: string, problems: InputProblem[]): string | null {
  if (OBJECT_ID.test(value)) return value.toLowerCase()
  problem(problems, name, `must be ${what}: 24 hex digits such as 5c86b7469fdce00001d38016; got ${describe(value)}.`)
  return null
}

function url(read: ReadInput, name: keyof typeof JUMPCLOUD_DEFAULTS, problems: InputProblem[]): string | null {
  return parseServiceUrl(name, read(name).trim() || JUMPCLOUD_DEFAULTS[name], JUMPCLOUD_DEFAULTS[name], problems)
}

export function parseJumpCloud(read: ReadInput, _env: NodeJS.ProcessEnv, problems: InputProblem[]): JumpCloudInputs | null {
  const before = problems.length
  const rawApp = required(read, 'jumpcloud-app-id', problems, 'jumpcloud')
  const appId =
    rawApp === null
      ? null
      : objectId(rawApp, 'jumpcloud-app-id', "the GitHub app's id in JumpCloud (from its URL in the Admin Portal)", problems)
  const rawOrg = read('jumpcloud-org-id').trim()
  const orgId = rawOrg === '' ? null : objectId(rawOrg, 'jumpcloud-org-id', 'the organization id (multi-tenant admins only)', problems)
  const consoleUrl = url(read, 'jumpcloud-console-url', problems)
  const insightsUrl = url(read, 'jumpcloud-insights-url', problems)
  const oauthUrl = url(read, 'jumpcloud-oauth-url', problems)
  const lookbackHours = parseLookback(read, problems, 'JumpCloud keeps 90 days of Directory Insights')
  const auth = parseAuth(read, problems)
  if (
    problems.length > before ||
    appId === null ||
    consoleUrl === null ||
    insightsUrl === null ||
    oauthUrl === null ||
    lookbackHours === null ||
    auth === null
  )
    return null
  return { appId, orgId, consoleUrl, insightsUrl, oauthUrl, lookbackHours, auth }
}

/** JumpCloud without a way to sign in, in the CLI's words. */
export const JUMPCLOUD_SIGN_IN_MISSING =
  "--idp jumpcloud: needs a way to sign in to JumpCloud: --jumpcloud-client-id with the service account's client secret (JUMPCLOUD_CLIENT_SECRET or --jumpcloud-client-secret-file; recommended), or an API key (JUMPCLOUD_API_KEY or --jumpcloud-api-key-file)."

function cliProblem(p: InputProblem, ctx: CliProblemContext): string | null {
  if (p.input === 'jumpcloud-client-id' && / are required with idp: jumpcloud/.test(p.message)) return JUMPCLOUD_SIGN_IN_MISSING
  if (p.input === 'jumpcloud-api-key' && /are two ways/.test(p.message)) {
    const other = [
      ctx.given('jumpcloud-client-id') ? '--jumpcloud-client-id' : null,
      ctx.given('jumpcloud-client-secret') ? ctx.label('jumpcloud-client-secret') : null
    ].filter(x => x !== null)
    return `${ctx.label('jumpcloud-api-key')} and ${other.join(' with ')} are two ways to sign in to JumpCloud: give one of them.`
  }
  return null
}

const urlInput = (name: keyof typeof JUMPCLOUD_DEFAULTS, what: string) => ({
  name,
  default: JUMPCLOUD_DEFAULTS[name],
  cli: { value: 'URL', help: `${what} (default ${JUMPCLOUD_DEFAULTS[name]})` }
})

export const jumpcloud = defineProvider<JumpCloudInputs>({
  id: 'jumpcloud',
  name: 'JumpCloud',
  short: 'JumpCloud',
  inputs: [
    { name: 'jumpcloud-app-id', cli: { value: 'ID', help: "the GitHub app's id in JumpCloud (24 hex digits, from its Admin Portal URL)" } },
    {
      name: 'jumpcloud-client-id',
      cli: { value: 'ID', help: 'a JumpCloud service account (with JUMPCLOUD_CLIENT_SECRET / --jumpcloud-client-secret-file)' }
    },
    {
      name: 'jumpcloud-client-secret',
      secret: { env: 'JUMPCLOUD_CLIENT_SECRET' },
      cli: { value: 'FILE', help: "the service account's client secret" }
    },
    {
      name: 'jumpcloud-api-key',
      secret: { env: 'JUMPCLOUD_API_KEY' },
      cli: { value: 'FILE', help: "instead of a service account: a read-only admin's API key" }
    },
    { name: 'jumpcloud-org-id', cli: { value: 'ID', help: 'the organization id (x-org-id), for a multi-tenant admin only' } },
    urlInput('jumpcloud-console-url', 'the Admin Portal API host (EU: https://console.eu.jumpcloud.com)'),
    urlInput('jumpcloud-insights-url', 'the Directory Insights host'),
    urlInput('jumpcloud-oauth-url', 'the service-account token host')
  ],
  usesLookback: true,
  parse: parseJumpCloud,
  app: config => config.appId,
  where: config => `JumpCloud at ${config.consoleUrl}`,
  check: async (config, ctx) => (await import('./index.js')).checkJumpCloud(config, ctx),
  steps: {
    credentialsRejected:
      'SSO Applications > the GitHub app > Identity Management: enter a working GitHub credential (Enterprise Accounts: a classic PAT of the setup user with scim:enterprise and no expiration, such as the checked token; Organization: re-authorize as an org owner), click Test Connection, then Activate and Save.',
    provisioningErrors:
      'Insights > Directory lists each failed user_*_provision event of the app with its error: fix the user (a login or email already taken on GitHub, a missing attribute), then let JumpCloud push again.',
    provisioningOff:
      'SSO Applications > the GitHub app: make the app active, and under Identity Management configure the connection and click Activate.'
  },
  // The EMU app holds the setup user's PAT; what the org app holds is UNCONFIRMED (docs/idp-jumpcloud.md).
  githubCredential: { enterprise: 'checked-token' },
  view: (details: IdpDetails) => ({
    rows:
      typeof details.evidenceSince === 'string'
        ? [['Evidence', `since ${details.evidenceSince} (the Directory Insights pages read ran out before the look-back did)`]]
        : [],
    table: null,
    lines: []
  }),
  cliProblem
})
