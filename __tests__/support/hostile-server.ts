/**
 * A hostile loopback HTTP/1.1 server for the client's tests: every answer is
 * written by the test (redirects, bodies cut short, stalled, dripped, huge,
 * mixed-case header names). It records every request it receives, and ends
 * every connection it still holds when closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export interface SeenRequest {
  method: string
  path: string
  /** The request's headers as Node parsed them (lower-case names). */
  headers: Record<string, string | string[] | undefined>
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void

export interface HostileServer {
  /** `http://127.0.0.1:PORT` */
  url: string
  requests: SeenRequest[]
  /** Requests to this path (query string ignored). */
  count(path: string): number
  close(): Promise<void>
}

export async function startHostile(handler: Handler): Promise<HostileServer> {
  const requests: SeenRequest[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    const seen: SeenRequest = { method: req.method ?? '', path: (req.url ?? '').split('?')[0] ?? '', headers: req.headers }
    requests.push(seen)
    // The request body (GraphQL) is read and dropped; the answer does not wait for it.
    req.resume()
    res.on('error', () => undefined)
    handler(req, res, seen)
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    count: path => requests.filter(r => r.path === path).length,
    close: () =>
      new Promise<void>(resolve => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}

// ---- answers ---------------------------------------------------------------

export const JSON_TYPE = 'application/json; charset=utf-8'

/** A whole answer; header names are sent exactly as given (mixed case included). */
export function answer(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer = ''): void {
  res.writeHead(status, { 'Content-Type': JSON_TYPE, ...headers })
  res.end(body)
}

/** Headers declaring `declared` bytes, then `sent` bytes of them, then the connection is dropped. */
export function cutShort(res: ServerResponse, status: number, declared = 1000, sent = 20, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': String(declared), ...headers })
  res.write('{"message":"Bad cred'.padEnd(sent, ' ').slice(0, sent))
  setTimeout(() => res.socket?.destroy(), 20)
}

/** Headers and the start of a body, then nothing, ever (until the server closes). */
export function stallBody(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': JSON_TYPE, ...headers })
  res.write('{"message":')
}

/** The connection is accepted and the request read, but no byte of an answer is ever sent. */
export function hang(_res: ServerResponse): void {
  // Nothing: the server's close() ends the connection.
}

/**
 * Slowloris: one byte every `everyMs` for as long as the connection lasts; of the status line and headers
 * (`part: 'head'`) or of the body after complete headers (`part: 'body'`).
 */
export function drip(res: ServerResponse, part: 'head' | 'body', status = 200, everyMs = 50): void {
  const socket = res.socket
  if (!socket) return
  let text: string
  if (part === 'head') {
    // Written by hand on the raw socket; Node writes nothing for `res`, which is never ended.
    text = `HTTP/1.1 ${status} OK\r\nContent-Type: application/json\r\n${'X-Pad: a\r\n'.repeat(1000)}`
  } else {
    res.writeHead(status, { 'Content-Type': JSON_TYPE })
    res.flushHeaders()
    text = `{"message":"${'x'.repeat(100_000)}"}`
  }
  let i = 0
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer)
    if (part === 'head') socket.write(text[i++] ?? '')
    else res.write(text[i++] ?? '')
  }, everyMs)
  socket.on('close', () => clearInterval(timer))
}

/** A JSON document of exactly `bytes` bytes (at least 16). */
export function jsonOfSize(bytes: number): Buffer {
  const head = '{"pad":"'
  const tail = '"}'
  return Buffer.from(head + 'x'.repeat(bytes - head.length - tail.length) + tail)
}

/** `bytes` bytes of a JSON body, sent chunked (no Content-Length), so that only counting can find the size. */
export function chunkedBody(res: ServerResponse, status: number, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': JSON_TYPE, ...headers })
  const step = 64 * 1024
  let offset = 0
  const next = (): void => {
    while (offset < body.length) {
      const chunk = body.subarray(offset, offset + step)
      offset += step
      if (!res.write(chunk)) {
        res.once('drain', next)
        return
      }
    }
    res.end()
  }
  next()
}
