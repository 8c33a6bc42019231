/**
 * Okta as a provider (docs/idp.md#set-it-up-okta): its inputs, their validation, its fixes and its view.
 * The check itself (`index.ts`: sign in, the app, the System Log, `judgeOkta`) loads when it is called.
 */
import { describe, parseServiceUrl, type InputProblem } from '../../input-fields.js'
import { parseLookback, problem, required, wellFormedSecret } from '../common-inputs.js'
import { defineProvider, type CliProblemContext, type ReadInput } from '../provider.js'
import type { IdpDetails } from '../types.js'
import type { OktaInputs } from './types.js'

const OKTA_APP_ID = /^0oa[A-Za-z0-9]{17}$/

function parseAuth(read: ReadInput, problems: InputProblem[]): OktaInputs['auth'] | null {
  const before = problems.length
  const apiToken = read('okta-api-token').trim()
  const clientId = read('okta-client-id').trim()
  const privateKey = read('okta-private-key').trim()
  const keyId = read('okta-key-id').trim()
  if (apiToken !== '' && (clientId !== '' || privateKey !== '')) {
    problem(problems, 'okta-api-token', 'and "okta-client-id"/"okta-private-key" are two ways to sign in to Okta: give one of them.')
  } else if (apiToken === '' && clientId === '' && privateKey === '') {
    problem(
      problems,
      'okta-client-id',
      'and "okta-private-key" (an API service app, recommended), or "okta-api-token", are required with idp: okta.'
    )
  } else if (apiToken === '') {
    if (clientId === '') problem(problems, 'okta-client-id', 'is required with "okta-private-key": the API service app\'s client id.')
    if (privateKey === '')
      problem(problems, 'okta-private-key', 'is required with "okta-client-id": the API service app\'s private key (PEM or JWK).')
  }
  if (keyId !== '' && apiToken !== '') problem(problems, 'okta-key-id', 'goes with "okta-private-key", not with "okta-api-token".')
  // Sent as `Authorization: SSWS <token>`: a line break or a space inside would break the header (or smuggle
  // another), and the run would blame Okta. One word of printable ASCII, never quoted back (it is a secret).
  if (apiToken !== '') wellFormedSecret(apiToken, 'okta-api-token', problems, 'the SSWS API token (without the "SSWS " prefix)', true)
  if (problems.length > before) return null
  return apiToken !== ''
    ? { kind: 'ssws', token: apiToken }
    : { kind: 'private-key-jwt', clientId, privateKey, keyId: keyId === '' ? null : keyId }
}

export function parseOkta(read: ReadInput, _env: NodeJS.ProcessEnv, problems: InputProblem[]): OktaInputs | null {
  const before = problems.length
  const urlRaw = required(read, 'okta-org-url', problems, 'okta')
  const orgUrl = urlRaw === null ? null : parseServiceUrl('okta-org-url', urlRaw, 'https://acme.okta.com', problems)
  const appId = required(read, 'okta-app-id', problems, 'okta')
  if (appId !== null && !OKTA_APP_ID.test(appId)) {
    problem(
      problems,
      'okta-app-id',
      `must be the GitHub app instance's id: 0oa followed by 17 letters or digits (from the app's admin URL); got ${describe(appId)}.`
    )
  }
  const lookbackHours = parseLookback(read, problems, 'Okta keeps 90 days of System Log')
  const auth = parseAuth(read, problems)
  if (problems.length > before || orgUrl === null || appId === null || lookbackHours === null || auth === null) return null
  return { orgUrl, appId, lookbackHours, auth }
}

/** The CLI's words for Okta's two ways to sign in: where each secret comes from. */
function cliProblem(p: InputProblem, ctx: CliProblemContext): string | null {
  if (p.input === 'okta-client-id' && / are required with idp: okta/.test(p.message)) return OKTA_SIGN_IN_MISSING
  if (p.input === 'okta-api-token' && /are two ways/.test(p.message)) {
    const keyWay = [
      ctx.given('okta-client-id') ? '--okta-client-id' : null,
      ctx.given('okta-private-key') ? ctx.label('okta-private-key') : null
    ].filter(x => x !== null)
    return `${ctx.label('okta-api-token')} and ${keyWay.join(' with ')} are two ways to sign in to Okta: give one of them.`
  }
  return null
}

/** Okta without a way to sign in, in the CLI's words. */
export const OKTA_SIGN_IN_MISSING =
  "--idp okta: needs a way to sign in to Okta: --okta-client-id with the API service app's private key (OKTA_PRIVATE_KEY or --okta-private-key-file; recommended), or an API token (OKTA_API_TOKEN or --okta-api-token-file)."

export const okta = defineProvider<OktaInputs>({
  id: 'okta',
  name: 'Okta',
  short: 'Okta',
  inputs: [
    { name: 'okta-org-url', cli: { value: 'URL', help: 'e.g. https://acme.okta.com' } },
    { name: 'okta-app-id', cli: { value: 'ID', help: 'the GitHub app instance in Okta (0oa…, from its admin URL)' } },
    { name: 'okta-client-id', cli: { value: 'ID', help: 'the Okta API service app (with OKTA_PRIVATE_KEY / --okta-private-key-file)' } },
    {
      name: 'okta-private-key',
      secret: { env: 'OKTA_PRIVATE_KEY' },
      cli: { value: 'FILE', help: "the service app's private key (PEM or JWK)" }
    },
    { name: 'okta-key-id', cli: { value: 'KID', help: "the key's kid, when the service app has several keys" } },
    {
      name: 'okta-api-token',
      secret: { env: 'OKTA_API_TOKEN' },
      cli: { value: 'FILE', help: 'instead of client id + key: an SSWS API token' }
    }
  ],
  usesLookback: true,
  parse: parseOkta,
  app: config => config.appId,
  where: config => `Okta at ${config.orgUrl}`,
  check: async (config, ctx) => (await import('./index.js')).checkOkta(config, ctx),
  // The organization app ("GitHub Enterprise Cloud - Organization") holds an OAuth grant (Re-authenticate with
  // GitHub); EMU apps take the setup user's PAT (docs/idp.md, "Why" and idp-credentials-rejected).
  githubCredential: { org: 'oauth-grant', enterprise: 'checked-token' },
  steps: {
    credentialsRejected:
      'Applications > the GitHub app > Provisioning > Integration > Edit > Re-authenticate with GitHub, signed in to GitHub as the service account in an active SAML session (apps that take a token: paste the checked token as API Token), then Dashboard > Tasks > Retry the failed pushes.',
    provisioningErrors:
      'Dashboard > Tasks lists each failed push with its reason (a username or email already taken on GitHub, a missing attribute): fix it, then Retry.',
    provisioningOff:
      'Activate the GitHub app, and under Provisioning > To App enable Create Users, Update User Attributes and Deactivate Users.'
  },
  view: (details: IdpDetails) => ({
    rows:
      typeof details.evidenceSince === 'string'
        ? [['Evidence', `since ${details.evidenceSince} (the System Log pages read ran out before the look-back did)`]]
        : [],
    table: null,
    lines: []
  }),
  cliProblem
})
