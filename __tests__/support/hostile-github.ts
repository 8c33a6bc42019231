/**
 * A hostile loopback "GitHub": it answers in the shapes the action reads, but
 * every string it controls is an attack on the output boundary. It echoes the
 * Authorization header it received (whole, glued to a word, split by a
 * zero-width space, its last eight characters) into error messages, the
 * login, SAML identities, dates and the SSO URL, and mixes in line breaks with
 * workflow commands, Markdown and HTML, or sheer size.
 *
 * Orgs (ask for `acme,beta,gamma`):
 * - acme: an active owner; credential-authorizations and the GraphQL SAML
 *   identity carry the text; SCIM answers 403 with it (`scim-forbidden`);
 * - beta: membership 403 with `X-GitHub-SSO: required; url=` an evil URL that
 *   embeds the token (`sso-not-authorized`);
 * - gamma: membership 500 with the text (`github-unavailable`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export interface Hostility {
  /** The text put into every message and string field, given the Authorization header received. */
  text: (authorization: string) => string
  /** The login GET /user answers (default: a valid one, so that every org is examined). */
  login?: (authorization: string) => string
  /** Huge texts: only the login and the error messages carry `text` (the other fields a short one), to keep bodies few. */
  big?: boolean
}

export interface HostileGitHub {
  /** http://127.0.0.1:PORT (REST base; GraphQL at /graphql). */
  apiUrl: string
  /** `METHOD path` of each request. */
  requests: string[]
  close(): Promise<void>
}

const ZWSP = '\u200b'

/** The token as the header carries it, without its scheme word. */
export const tokenOf = (authorization: string): string => authorization.replace(/^(token|bearer)\s+/i, '')

/** Every way the token is echoed: the header, the bare token, glued to a word, split by a zero-width space, its last eight. */
export function echoes(authorization: string): string {
  const t = tokenOf(authorization)
  return `Authorization: ${authorization}; token=${t}; x_${t}; A${t}; ${t.slice(0, 10)}${ZWSP}${t.slice(10)}; last eight ${t.slice(-8)}`
}

/** Line breaks of every kind, each followed by a workflow command. */
export const COMMANDS =
  'done\r\n::stop-commands::pwned\n::add-mask::acme\n   ::set-output name=status::healthy\r::error title=Forged::forged\u2028::warning::forged\u0085##[set-output name=x;]y\u2029\u00a0::notice::forged\n::debug::forged'

/** Markdown and HTML that must stay data in the job summary. */
export const MARKUP =
  '[x](https://evil.example/a) ![i](https://evil.example/p.png) <img src=x onerror=alert(1)> <script>alert(1)</script> <https://evil.example/auto> www.evil.example https://evil.example/bare mallory@evil.example | a | b | `code` *em* _em_ &#60;b&#62; $\\href{https://evil.example}{x}$ [ref]: https://evil.example\n# heading\n- item'

/** The three attacks of one text: secrets, commands, markup. */
export const everything = (authorization: string): string => `${echoes(authorization)} ${COMMANDS} ${MARKUP}`

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers
  })
  res.end(text)
}

/** A header value Node will send: no line breaks or other control characters. */
const headerSafe = (s: string): string => s.replace(/[^\x20-\x7e]/g, ' ').slice(0, 4000)

export async function startHostileGitHub(h: Hostility): Promise<HostileGitHub> {
  const requests: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const auth = String(req.headers.authorization ?? '')
      const text = h.text(auth)
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      requests.push(`${req.method} ${path}`)
      const token = tokenOf(auth)
      const field = h.big ? 'x' : text
      if (req.method === 'GET' && path === '/user') {
        return send(
          res,
          200,
          { login: h.login ? h.login(auth) : 'acme-scim', id: 5001, type: 'User', name: field },
          {
            'x-oauth-scopes': 'admin:org',
            'x-accepted-oauth-scopes': headerSafe(`admin:org, ${auth}`),
            'x-github-request-id': headerSafe(field)
          }
        )
      }
      const membership = /^\/user\/memberships\/orgs\/([^/]+)$/.exec(path)
      if (req.method === 'GET' && membership) {
        const org = membership[1]
        if (org === 'beta') {
          return send(
            res,
            403,
            { message: text, documentation_url: 'https://docs.github.com' },
            {
              'x-github-sso': headerSafe(`required; url=https://evil.example/sso?authorization_request=${token}&x=${field}`)
            }
          )
        }
        if (org === 'gamma') return send(res, 500, { message: text })
        return send(res, 200, { state: 'active', role: 'admin', organization: { login: org, id: 1001 }, user: { login: 'acme-scim' } })
      }
      if (req.method === 'GET' && /^\/orgs\/[^/]+\/credential-authorizations$/.test(path)) {
        return send(res, 200, [
          {
            login: field,
            credential_id: 1,
            credential_type: 'personal access token',
            token_last_eight: token.slice(-8),
            credential_authorized_at: field,
            credential_accessed_at: field,
            authorized_credential_expires_at: field,
            scopes: [field]
          }
        ])
      }
      if (req.method === 'GET' && /^\/scim\/v2\/organizations\/[^/]+\/Users$/.test(path)) {
        return send(res, 403, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: text, message: field })
      }
      if (req.method === 'GET' && /^\/orgs\/[^/]+$/.test(path)) return send(res, 500, { message: text })
      if (req.method === 'POST' && path === '/graphql') {
        const node = { samlIdentity: { nameId: field }, scimIdentity: { username: field } }
        const org = { samlIdentityProvider: { externalIdentities: { nodes: [node] } } }
        return send(res, 200, { data: { o0: org, o1: org, o2: org, o3: org } })
      }
      send(res, 404, { message: text })
    })
  })
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}
