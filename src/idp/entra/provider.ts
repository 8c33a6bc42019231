/**
 * Microsoft Entra ID as a provider (docs/idp.md#set-it-up-entra): its inputs, their validation, its fixes and
 * its view of the synchronization jobs. The check itself (`index.ts`) loads when it is called.
 */
import { describe, parseServiceUrl, type InputProblem } from '../../input-fields.js'
import { guid, oidcFromEnv, problem } from '../common-inputs.js'
import { defineProvider, type ReadInput } from '../provider.js'
import type { IdpDetails } from '../types.js'
import type { EntraInputs, IdpJob } from './types.js'

export const ENTRA_DEFAULTS = {
  'entra-audience': 'api://AzureADTokenExchange',
  'entra-login-url': 'https://login.microsoftonline.com',
  'graph-url': 'https://graph.microsoft.com'
} as const

export function parseEntra(read: ReadInput, env: NodeJS.ProcessEnv, problems: InputProblem[]): EntraInputs | null {
  const before = problems.length
  const tenantId = guid(read, 'entra-tenant-id', problems, 'entra', 'the directory (tenant) id')
  const clientId = guid(read, 'entra-client-id', problems, 'entra', "the app registration's application (client) id")
  const servicePrincipalId = guid(
    read,
    'entra-service-principal-id',
    problems,
    'entra',
    'the object id of the GitHub enterprise application (its service principal)'
  )
  const loginUrl = parseServiceUrl(
    'entra-login-url',
    read('entra-login-url') || ENTRA_DEFAULTS['entra-login-url'],
    'https://login.microsoftonline.com',
    problems
  )
  const graphUrl = parseServiceUrl('graph-url', read('graph-url') || ENTRA_DEFAULTS['graph-url'], 'https://graph.microsoft.com', problems)
  const audience = read('entra-audience').trim() || ENTRA_DEFAULTS['entra-audience']
  if (!/^[\x21-\x7e]{1,200}$/.test(audience))
    problem(
      problems,
      'entra-audience',
      `must be the audience of the GitHub OIDC token, such as api://AzureADTokenExchange; got ${describe(audience)}.`
    )
  const secret = read('entra-client-secret').trim()
  const oidc = secret === '' ? oidcFromEnv(env) : null
  if (secret === '' && oidc === null) {
    problem(
      problems,
      'entra-client-secret',
      'is empty and the job cannot ask for a GitHub OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set): add `permissions: id-token: write` to the job (and a federated credential to the app registration), or pass a client secret.'
    )
  }
  if (
    problems.length > before ||
    tenantId === null ||
    clientId === null ||
    servicePrincipalId === null ||
    loginUrl === null ||
    graphUrl === null
  )
    return null
  const auth: EntraInputs['auth'] = oidc ? { kind: 'oidc', ...oidc, audience } : { kind: 'secret', secret }
  return { tenantId, clientId, servicePrincipalId, loginUrl, graphUrl, auth }
}

/** Entra without a secret, in the CLI's words: the action would federate with GitHub OIDC, which the CLI has not. */
export const ENTRA_SECRET_MISSING =
  "--idp entra: needs the app registration's client secret here: set ENTRA_CLIENT_SECRET, or pass --entra-client-secret-file FILE. Outside GitHub Actions there is no GitHub OIDC token to federate with."

function jobsOf(details: IdpDetails): IdpJob[] {
  return Array.isArray(details.jobs) ? (details.jobs as IdpJob[]) : []
}

export const entra = defineProvider<EntraInputs>({
  id: 'entra',
  name: 'Microsoft Entra ID',
  short: 'Entra',
  inputs: [
    { name: 'entra-tenant-id', cli: { value: 'GUID', help: 'directory (tenant) id' } },
    { name: 'entra-client-id', cli: { value: 'GUID', help: 'app registration with Synchronization.Read.All' } },
    { name: 'entra-service-principal-id', cli: { value: 'GUID', help: 'object id of the GitHub enterprise application' } },
    {
      name: 'entra-client-secret',
      secret: { env: 'ENTRA_CLIENT_SECRET' },
      cli: {
        value: 'FILE',
        help: "the app registration's client secret (required here: outside GitHub Actions there is no OIDC federation)"
      }
    },
    {
      name: 'entra-audience',
      default: ENTRA_DEFAULTS['entra-audience'],
      cli: { value: 'AUD', help: `(default ${ENTRA_DEFAULTS['entra-audience']})` }
    },
    {
      name: 'entra-login-url',
      default: ENTRA_DEFAULTS['entra-login-url'],
      cli: { value: 'URL', help: `(default ${ENTRA_DEFAULTS['entra-login-url']})` }
    },
    { name: 'graph-url', default: ENTRA_DEFAULTS['graph-url'], cli: { value: 'URL', help: `(default ${ENTRA_DEFAULTS['graph-url']})` } }
  ],
  usesLookback: false,
  parse: parseEntra,
  app: config => config.servicePrincipalId,
  where: config => `Microsoft Entra ID at ${config.loginUrl}`,
  check: async (config, ctx) => (await import('./index.js')).checkEntra(config, ctx),
  // The organization app ("GitHub") holds an OAuth grant (Admin credentials > Authorize); EMU apps take the
  // setup user's PAT as Secret Token (docs/idp.md, "Why" and idp-credentials-rejected).
  githubCredential: { org: 'oauth-grant', enterprise: 'checked-token' },
  steps: {
    credentialsRejected:
      'Enterprise applications > the GitHub app > Provisioning > Admin credentials > Authorize, signed in to GitHub as the service account (apps that take a token: paste the checked token as Secret Token), then Test Connection and restart provisioning.',
    provisioningErrors:
      "The app's Provisioning logs list each failed entry with its reason: fix the entries (attribute mappings, conflicting users), then let the next cycle retry them.",
    provisioningOff:
      "Start provisioning on the app's Provisioning page (Provisioning Status: On), or configure it (Admin credentials, mappings) if it never ran."
  },
  view: details => {
    const jobs = jobsOf(details)
    const lastRun = (j: IdpJob): string =>
      j.lastExecutionAt ? `${j.lastExecutionAt}${j.lastExecutionState ? ` (${j.lastExecutionState})` : ''}` : 'never'
    return {
      rows: [],
      table:
        jobs.length === 0
          ? null
          : {
              columns: ['Synchronization job', 'Status', 'Last run', 'Last success'],
              rows: jobs.map(j => [j.id, j.status, lastRun(j), j.lastSuccessAt ?? 'never']),
              what: 'jobs'
            },
      lines: jobs.map(j => `job ${j.id}: ${j.status}; last run ${j.lastExecutionAt ?? 'never'}; last success ${j.lastSuccessAt ?? 'never'}`)
    }
  },
  cliProblem: (p, ctx) => (p.input === 'entra-client-secret' && !ctx.given('entra-client-secret') ? ENTRA_SECRET_MISSING : null)
})
