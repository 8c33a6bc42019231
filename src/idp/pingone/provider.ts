/**
 * PingOne as a provider (docs/idp-pingone.md): its inputs, their validation, its fixes and its view of the
 * GitHubEMU propagation store. The check itself (`index.ts`: the worker app's token, the store, its rules and
 * the plan, `judgePingOne`) loads when it is called.
 */
import { describe, parseServiceUrl, type InputProblem } from '../../input-fields.js'
import { guid, problem, wellFormedSecret } from '../common-inputs.js'
import { defineProvider, type IdpDetailView, type ReadInput } from '../provider.js'
import type { IdpDetails } from '../types.js'
import { PINGONE_DEFAULT_REGION, PINGONE_REGIONS, apiUrlOf, authUrlOf, type PingOneInputs, type PingOneRegion } from './config.js'

function parseRegion(read: ReadInput, problems: InputProblem[]): PingOneRegion | null {
  const raw = read('pingone-region').trim().toLowerCase() || PINGONE_DEFAULT_REGION
  if ((PINGONE_REGIONS as readonly string[]).includes(raw)) return raw as PingOneRegion
  problem(
    problems,
    'pingone-region',
    `must be the environment's region: ${PINGONE_REGIONS.join(', ')} (the suffix of auth.pingone.<region>); got ${describe(raw)}.`
  )
  return null
}

/** An explicit host URL (tests, other hosts), or the region's; the input to name when it is wrong. */
function hostUrl(
  read: ReadInput,
  name: 'pingone-auth-url' | 'pingone-api-url',
  region: PingOneRegion | null,
  problems: InputProblem[]
): { url: string; input: string } | null {
  const raw = read(name).trim()
  if (raw === '')
    return region === null ? null : { url: (name === 'pingone-auth-url' ? authUrlOf : apiUrlOf)(region), input: 'pingone-region' }
  const example = name === 'pingone-auth-url' ? 'https://auth.pingone.eu' : 'https://api.pingone.eu'
  const url = parseServiceUrl(name, raw, example, problems)
  return url === null ? null : { url, input: name }
}

function parseAuth(read: ReadInput, problems: InputProblem[]): PingOneInputs['auth'] | null {
  const before = problems.length
  const secret = read('pingone-client-secret').trim()
  const privateKey = read('pingone-private-key').trim()
  const keyId = read('pingone-key-id').trim()
  if (secret !== '' && privateKey !== '') {
    problem(problems, 'pingone-client-secret', 'and "pingone-private-key" are two ways to sign in to PingOne: give one of them.')
  } else if (secret === '' && privateKey === '') {
    problem(
      problems,
      'pingone-client-secret',
      'or "pingone-private-key" (the worker app\'s client secret, or its private key for Private Key JWT) is required with idp: pingone.'
    )
  }
  if (secret !== '') wellFormedSecret(secret, 'pingone-client-secret', problems, "the worker app's client secret")
  if (keyId !== '' && privateKey === '') problem(problems, 'pingone-key-id', 'goes with "pingone-private-key", not with a client secret.')
  if (keyId !== '' && !/^[\x21-\x7e]{1,200}$/.test(keyId))
    problem(problems, 'pingone-key-id', `must be the key's kid (printable, no spaces); got ${describe(keyId)}.`)
  if (problems.length > before) return null
  return secret !== '' ? { kind: 'secret', secret } : { kind: 'private-key-jwt', privateKey, keyId: keyId === '' ? null : keyId }
}

export function parsePingOne(read: ReadInput, _env: NodeJS.ProcessEnv, problems: InputProblem[]): PingOneInputs | null {
  const before = problems.length
  const environmentId = guid(read, 'pingone-environment-id', problems, 'pingone', "the PingOne environment's id")
  const storeId = guid(read, 'pingone-store-id', problems, 'pingone', 'the id of the GitHub EMU propagation store')
  const clientId = guid(read, 'pingone-client-id', problems, 'pingone', "the worker app's client id")
  const region = parseRegion(read, problems)
  const auth = hostUrl(read, 'pingone-auth-url', region, problems)
  const api = hostUrl(read, 'pingone-api-url', region, problems)
  const credential = parseAuth(read, problems)
  if (problems.length > before || !environmentId || !storeId || !clientId || !auth || !api || !credential) return null
  return {
    environmentId,
    storeId,
    clientId,
    authUrl: auth.url,
    apiUrl: api.url,
    authUrlInput: auth.input,
    apiUrlInput: api.input,
    auth: credential
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const num = (v: unknown): string => (typeof v === 'number' ? String(v) : '–')

/** What `details.sameTokenAsChecked` says, in a sentence. */
export function heldTokenWords(value: unknown): string {
  if (value === true) return 'PingOne holds the token this run checks'
  if (value === false) return "another token than the one this run checks: GitHub's verdict on the checked token is not about PingOne's"
  return 'not known (PingOne did not return the token it holds)'
}

function view(details: IdpDetails): IdpDetailView {
  const store = (details.store ?? null) as Record<string, unknown> | null
  const rows: Array<[string, string]> = [['Held token', heldTokenWords(details.sameTokenAsChecked)]]
  if (typeof details.baseUrl === 'string') rows.push(['Base URL', details.baseUrl])
  if (typeof details.rules === 'string') rows.push(['Rules', details.rules])
  if (typeof details.plan === 'string') rows.push(['Plan', details.plan])
  if (store === null) return { rows, table: null, lines: [] }
  const id = str(store.id) ?? '?'
  const sync = str(store.syncState) ?? 'none'
  const last = str(store.lastSyncAt) ?? 'never'
  return {
    rows,
    table: {
      columns: ['Propagation store', 'Status', 'Sync state', 'Last sync', 'Succeeded', 'Failed'],
      rows: [[id, str(store.status) ?? '–', sync, last, num(store.successCount), num(store.failedCount)]],
      what: 'stores'
    },
    lines: [
      `store ${id}: ${str(store.status) ?? 'status unknown'}; sync ${sync}; last sync ${last}; ${num(store.successCount)} succeeded, ${num(store.failedCount)} failed`
    ]
  }
}

export const pingone = defineProvider<PingOneInputs>({
  id: 'pingone',
  name: 'PingOne',
  short: 'PingOne',
  inputs: [
    { name: 'pingone-environment-id', cli: { value: 'UUID', help: "the PingOne environment's id" } },
    { name: 'pingone-store-id', cli: { value: 'UUID', help: 'the GitHub EMU propagation store (Integrations > Provisioning)' } },
    { name: 'pingone-client-id', cli: { value: 'UUID', help: 'the worker app (with PINGONE_CLIENT_SECRET or PINGONE_PRIVATE_KEY)' } },
    {
      name: 'pingone-client-secret',
      secret: { env: 'PINGONE_CLIENT_SECRET' },
      cli: { value: 'FILE', help: "the worker app's client secret (Client Secret Basic)" }
    },
    {
      name: 'pingone-private-key',
      secret: { env: 'PINGONE_PRIVATE_KEY' },
      cli: { value: 'FILE', help: "instead of a secret: the worker app's RSA private key (PEM or JWK) for Private Key JWT" }
    },
    { name: 'pingone-key-id', cli: { value: 'KID', help: "the key's kid, when the app has several keys" } },
    {
      name: 'pingone-region',
      default: PINGONE_DEFAULT_REGION,
      cli: { value: 'TLD', help: `${PINGONE_REGIONS.join(' | ')} (default ${PINGONE_DEFAULT_REGION})` }
    },
    { name: 'pingone-auth-url', cli: { value: 'URL', help: 'instead of the region: the auth host (e.g. https://auth.pingone.eu)' } },
    { name: 'pingone-api-url', cli: { value: 'URL', help: 'instead of the region: the API host (e.g. https://api.pingone.eu)' } }
  ],
  usesLookback: false,
  parse: parsePingOne,
  app: config => config.storeId,
  where: config => `PingOne at ${config.apiUrl}`,
  check: async (config, ctx) => (await import('./index.js')).checkPingOne(config, ctx),
  steps: {
    credentialsRejected:
      "Integrations > Provisioning > the GitHub EMU connection > Edit: paste the setup user's current classic PAT (scim:enterprise, no expiry) as Access Token, Test Connection, and save.",
    provisioningErrors:
      'Integrations > Provisioning > the GitHub EMU connection > Sync Status lists the failed users with their reasons: fix them (a conflicting user, a missing attribute); the next change in PingOne pushes them again.',
    provisioningOff:
      'Integrations > Provisioning: turn the GitHub EMU connection on (Enabled), and turn on its rule (the toggle on the rule) so that the plan is active.'
  },
  // The GitHubEMU store holds the setup user's classic PAT: the checked token (docs/idp-pingone.md).
  githubCredential: { org: 'checked-token', enterprise: 'checked-token' },
  view
})
