/**
 * OneLogin as a provider (docs/idp-onelogin.md): its inputs, their validation, its fixes and its view.
 * The check itself (`index.ts`: the token request, the app, the events, `judgeOneLogin`) loads when it is called.
 */
import { describe, parseServiceUrl, type InputProblem } from '../../input-fields.js'
import { parseLookback, problem, required, wellFormedSecret } from '../common-inputs.js'
import { defineProvider, type ReadInput } from '../provider.js'
import type { IdpDetails } from '../types.js'
import type { OneLoginInputs } from './types.js'

/** An app id of OneLogin: a positive integer (the number in the app's admin URL, /apps/<id>/edit). */
const APP_ID = /^[1-9][0-9]{0,17}$/
/**
 * GUESS: OneLogin's API client ids are 64 hex characters (every sample [O3][O8]); this check is looser on purpose:
 * one word of letters and digits, so a pasted label or a secret with spaces is caught and a real id never is.
 */
const CLIENT_ID = /^[A-Za-z0-9._-]{8,200}$/

function parseUrl(read: ReadInput, problems: InputProblem[]): string | null {
  const raw = required(read, 'onelogin-url', problems, 'onelogin')
  const url = raw === null ? null : parseServiceUrl('onelogin-url', raw, 'https://acme.onelogin.com', problems)
  if (url === null) return null
  if (new URL(url).pathname !== '/') {
    problem(
      problems,
      'onelogin-url',
      `must be the account's own URL without a path, such as https://acme.onelogin.com; got ${describe(url)}.`
    )
    return null
  }
  return url
}

export function parseOneLogin(read: ReadInput, _env: NodeJS.ProcessEnv, problems: InputProblem[]): OneLoginInputs | null {
  const before = problems.length
  const url = parseUrl(read, problems)
  const clientId = required(read, 'onelogin-client-id', problems, 'onelogin')
  if (clientId !== null && !CLIENT_ID.test(clientId))
    problem(
      problems,
      'onelogin-client-id',
      `must be the API credential's client id (Developers > API Credentials), one word of letters and digits; got ${describe(clientId)}.`
    )
  const clientSecret = required(read, 'onelogin-client-secret', problems, 'onelogin')
  if (clientSecret !== null) wellFormedSecret(clientSecret, 'onelogin-client-secret', problems, "the API credential's client secret")
  const appId = required(read, 'onelogin-app-id', problems, 'onelogin')
  if (appId !== null && !APP_ID.test(appId))
    problem(
      problems,
      'onelogin-app-id',
      `must be the GitHub app's numeric id in OneLogin (the number in its admin URL, …/apps/<id>/edit); got ${describe(appId)}.`
    )
  const lookbackHours = parseLookback(read, problems, "OneLogin's event retention is not documented")
  if (problems.length > before || url === null || clientId === null || clientSecret === null || appId === null || lookbackHours === null)
    return null
  return { url, clientId, clientSecret, appId, lookbackHours }
}

export const onelogin = defineProvider<OneLoginInputs>({
  id: 'onelogin',
  name: 'OneLogin',
  short: 'OneLogin',
  inputs: [
    { name: 'onelogin-url', cli: { value: 'URL', help: "the account's URL, e.g. https://acme.onelogin.com" } },
    { name: 'onelogin-client-id', cli: { value: 'ID', help: 'an API credential with the Read All scope (with ONELOGIN_CLIENT_SECRET)' } },
    {
      name: 'onelogin-client-secret',
      secret: { env: 'ONELOGIN_CLIENT_SECRET' },
      cli: { value: 'FILE', help: "the API credential's client secret" }
    },
    { name: 'onelogin-app-id', cli: { value: 'ID', help: 'the GitHub app in OneLogin (the number in its admin URL)' } }
  ],
  usesLookback: true,
  parse: parseOneLogin,
  app: config => config.appId,
  where: config => `OneLogin at ${config.url}`,
  check: async (config, ctx) => (await import('./index.js')).checkOneLogin(config, ctx),
  steps: {
    credentialsRejected:
      'Applications > the GitHub app > Configuration > Authenticate, signed in to GitHub as an owner of the organization in an active SAML session (approve the OneLogin OAuth SCIM provisioning app if the org restricts OAuth apps); the API Status should then read Connected. Activity > Events shows the pushes that failed meanwhile.',
    provisioningErrors:
      'Activity > Events lists each failed push with its error (a login or email already taken on GitHub, a missing attribute): fix the user or the attribute mapping, then Users > More Actions > Reapply Mappings.',
    provisioningOff:
      "Applications > the GitHub app > Provisioning: tick Enable provisioning and Save (provisioning needs OneLogin's Advanced Directory subscription)."
  },

  // OneLogin's GitHub app holds an OAuth grant (Authenticate); it has no EMU app (docs/idp-onelogin.md).
  githubCredential: { org: 'oauth-grant' },
  view: (details: IdpDetails) => {
    const rows: Array<[string, string]> = []
    if (typeof details.provisioningEnabled === 'boolean')
      rows.push(['Provisioning', details.provisioningEnabled ? 'enabled on the app' : 'disabled on the app'])
    if (typeof details.evidenceSince === 'string')
      rows.push(['Evidence', `since ${details.evidenceSince} (the event pages read ran out before the look-back did)`])
    return { rows, table: null, lines: [] }
  }
})
