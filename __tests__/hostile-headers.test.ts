/**
 * Header names and bytes a hostile server (or a proxy) may send, through the real client (Octokit + undici's
 * dispatcher) against a raw loopback server: a header's name is data, never a key that breaks the parser.
 * A name such as `constructor` or `__proto__` once made undici's parsed-headers object throw, which turned a
 * 401 into a network fault that plugin-retry sent twice more (docs/how-it-works.md: a 401 is never retried).
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { createClient, type Fact, type ProbeClient } from '../src/github/client.js'
import { answer, startHostile, type Handler, type HostileServer } from './support/hostile-server.js'

const TOKEN = `ghp_${'A1b2C3d4'.repeat(4)}zZ9y`
const BAD_CREDENTIALS = '{"message":"Bad credentials"}'

const servers: HostileServer[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

async function serve(handler: Handler): Promise<HostileServer> {
  const server = await startHostile(handler)
  servers.push(server)
  return server
}

function clientFor(server: HostileServer): ProbeClient {
  return createClient({ token: TOKEN, apiUrl: server.url, deadline: Date.now() + 10_000, retryBaseMs: 1, errorBodyMs: 300 })
}

function asResponse(fact: Fact): Extract<Fact, { kind: 'response' }> {
  if (fact.kind !== 'response') throw new Error(`expected a response, got ${JSON.stringify(fact)}`)
  return fact
}

describe('a header named like an Object property is just a header', () => {
  it.each(['constructor', 'Constructor', '__proto__'])('a 401 with a `%s` header: 401, its body, one request', async name => {
    const server = await serve((_req, res) => answer(res, 401, { [name]: 'x', 'X-GitHub-Request-Id': 'ABCD' }, BAD_CREDENTIALS))
    const client = clientFor(server)
    const fact = asResponse(await client.get('/user'))
    expect(fact).toMatchObject({ status: 401, body: { message: 'Bad credentials' } })
    expect(fact.headers['x-github-request-id']).toBe('ABCD')
    expect(server.count('/user')).toBe(1)
    expect(client.requestCount).toBe(1)
  })

  it('a 200 with a `constructor` header keeps its scopes and body (no fault, no retry)', async () => {
    const server = await serve((_req, res) =>
      answer(res, 200, { constructor: 'x', 'X-OAuth-Scopes': 'admin:org' }, '{"login":"acme-scim"}')
    )
    const client = clientFor(server)
    const fact = asResponse(await client.get('/user'))
    expect(fact).toMatchObject({ status: 200, body: { login: 'acme-scim' } })
    expect(fact.headers['x-oauth-scopes']).toBe('admin:org')
    expect(fact.headers.constructor).toBe('x')
    expect(client.requestCount).toBe(1)
  })

  it('a chunked 401 whose trailer is named `constructor`: 401, its body, one request', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json', Trailer: 'constructor' })
      res.write(BAD_CREDENTIALS)
      res.addTrailers({ constructor: 'x' })
      res.end()
    })
    const client = clientFor(server)
    expect(asResponse(await client.get('/user'))).toMatchObject({ status: 401, body: { message: 'Bad credentials' } })
    expect(server.count('/user')).toBe(1)
  })
})

describe('header bytes are decoded as fetch decodes them', () => {
  it('a Latin-1 byte is that character (not U+FFFD), and repeated headers are joined with ", "', async () => {
    const server = await serve((_req, res) => {
      res.socket?.write(
        Buffer.concat([
          Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Note: caf'),
          Buffer.from([0xe9]),
          Buffer.from('\r\nX-OAuth-Scopes: repo\r\nx-oauth-scopes: admin:org\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}')
        ])
      )
      res.socket?.end()
    })
    const fact = asResponse(await clientFor(server).get('/user'))
    expect(fact.headers['x-note']).toBe('caf\u00e9')
    expect(fact.headers['x-oauth-scopes']).toBe('repo, admin:org')
  })
})
