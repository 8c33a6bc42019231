// What every loopback fake of the simulator shares (github-fake.mjs and the IdP fakes): its timers, reading a
// request body within a limit, listening on 127.0.0.1, and closing with every socket it still holds. Each fake's
// `state` has `timers` (Set), `sockets` (Set), `requests` (each with `endedAt`) and `closed`.

/** Resolves after `ms`; the timer is tracked in `timers`, so that close() can clear it. */
export function sleep(ms, timers) {
  return new Promise(resolve => {
    const t = setTimeout(() => {
      timers.delete(t)
      resolve(undefined)
    }, ms)
    timers.add(t)
  })
}

/** A request's body as UTF-8, at most `limit` bytes of it kept (the rest read and dropped); rejects on a socket error. */
export function readBody(req, limit = 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', chunk => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Listens on 127.0.0.1 at a random port; resolves to the server's origin, `http://127.0.0.1:PORT`. */
export async function listenLoopback(server) {
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(undefined))
  })
  return `http://127.0.0.1:${server.address().port}`
}

/**
 * Closes the servers: clears the timers, destroys every socket still open (hung and stalled ones too) and waits
 * for all of it; a request cut short by this ends now (its response's 'close' may not have fired yet).
 */
export async function closeFake(state, servers) {
  state.closed = true
  for (const t of state.timers) clearTimeout(t)
  state.timers.clear()
  const sockets = [...state.sockets]
  const socketsClosed = sockets.map(socket => new Promise(resolve => socket.once('close', resolve)))
  const serversClosed = servers.map(server => new Promise(resolve => server.close(resolve)))
  for (const socket of sockets) socket.destroy()
  await Promise.all([...serversClosed, ...socketsClosed])
  const now = performance.now()
  for (const entry of state.requests) if (entry.endedAt === null) entry.endedAt = now
}
