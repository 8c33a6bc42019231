/**
 * A small loopback forward proxy, as self-hosted runners sit behind: CONNECT
 * tunnels and absolute-form HTTP requests, every target host resolved to
 * 127.0.0.1. It counts the tunnels and the HTTP requests it carried (it reads
 * the request lines of plain-HTTP traffic inside the tunnels).
 */
import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect, type Socket } from 'node:net'

export interface ForwardProxy {
  url: string
  /** `METHOD host:port path` of each HTTP request carried. */
  requests: string[]
  tunnels: number
  close(): Promise<void>
}

const REQUEST_LINE = /(?:^|\r\n)(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) HTTP\/1\.[01]\r\n/g

export async function startForwardProxy(): Promise<ForwardProxy> {
  const requests: string[] = []
  const sockets = new Set<Socket>()
  let tunnels = 0
  const server: Server = createServer((req, res) => {
    // Absolute-form: GET http://host:port/path HTTP/1.1
    const target = new URL(req.url ?? '/')
    requests.push(`${req.method} ${target.host} ${target.pathname}`)
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: Number(target.port || 80),
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: req.headers
      },
      up => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      }
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  server.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels++
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/)
    const upstream = connect(Number(port), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      client.pipe(upstream)
      upstream.pipe(client)
    })
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) requests.push(`${m[1]} ${host}:${port} ${m[2]?.split('?')[0]}`)
    })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => s.destroy())
    }
  })
  server.on('connection', s => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get tunnels() {
      return tunnels
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}
