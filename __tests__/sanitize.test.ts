/**
 * sanitize.ts: scrubbing secrets and token shapes, server text made one safe
 * line, workflow commands defused, Markdown escaped as data, byte bounds; and
 * all of it in linear time on hostile input.
 */
import { describe, expect, it } from '@jest/globals'
import { CATALOGUE, type CauseId } from '../src/causes.js'
import {
  logLine,
  markdownText,
  neutraliseCommands,
  outText,
  redactTokenShapes,
  SecretList,
  secretPieces,
  scrubberFor,
  serverText,
  truncateBytes
} from '../src/sanitize.js'
import { HEALTHY_TOKEN } from '../simulator/worlds.mjs'

const T = HEALTHY_TOKEN
const none = scrubberFor()

describe('token shapes', () => {
  it.each([
    ['a classic PAT', `x ${T} y`, 'x *** y'],
    ['glued to a word', `request_${T} A${T}`, 'request_*** A***'],
    ['a fine-grained PAT', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', '***'],
    ['an OAuth token', 'gho_0123456789abcdefABCDEF', '***'],
    ['an SSWS token', 'Authorization: SSWS 00abcDEF123ghiJKL456', 'Authorization: SSWS ***'],
    ['a bearer value', 'Bearer abc.DEF-123_xyz', 'Bearer ***'],
    ['token= in a query', 'url?token=Zm9vYmFyYmF6cXV4', 'url?token=***'],
    ['a JWT', 'id eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end', 'id *** end'],
    ['a JWT after a dash', 'x-eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig', 'x-***'],
    ['a JWT without signature', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', '***']
  ])('%s', (_name, text, expected) => {
    expect(redactTokenShapes(text)).toBe(expected)
  })

  it('leaves prose alone: words after a scheme word, and every title and remediation of the catalogue', () => {
    for (const text of [
      'The token authorization expired.',
      'Bearer tokens are refused',
      'token permissions',
      'A classic PAT looks like ghp_ followed by 36 letters',
      'eyJ alone',
      'a.b.c'
    ]) {
      expect(redactTokenShapes(text)).toBe(text)
    }
    for (const [id, def] of Object.entries(CATALOGUE)) {
      for (const webUrl of ['https://github.com', 'https://acme.ghe.com', 'https://ghes.example.com']) {
        const remediation = def.remediation({ webUrl })
        expect({ id: id as CauseId, text: none(remediation) }).toEqual({ id, text: remediation })
      }
      expect(none(def.title)).toBe(def.title)
    }
  })

  it('runs in linear time on text built to make patterns backtrack', () => {
    for (const evil of [
      'eyJ-'.repeat(250_000),
      `eyJ${'a'.repeat(1_000_000)}`,
      'token='.repeat(200_000),
      'SSWS '.repeat(200_000),
      'ghp_'.repeat(250_000),
      `${'eyJa.'.repeat(200_000)}`
    ]) {
      const started = performance.now()
      redactTokenShapes(evil)
      scrubberFor(T, 'another-secret-value')(evil)
      expect(performance.now() - started).toBeLessThan(1_000)
    }
  })
})

describe('secrets', () => {
  it('pieces: the value, trimmed, each line and part, and the last eight of a long part', () => {
    const pieces = secretPieces(` Bearer ${T}\n`)
    expect(pieces).toEqual(expect.arrayContaining([T, `Bearer ${T}`, T.slice(-8)]))
    expect(pieces).not.toContain('Bearer')
    // A PEM key: each line of the key, not its armour (words like PRIVATE must stay readable).
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----'
    expect(secretPieces(pem)).toEqual(expect.arrayContaining([pem, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC']))
    // Its last eight, AQEFAASC, are one upper-case word: that could be an ordinary word (REJECTED), so no piece.
    expect(secretPieces(pem)).not.toContain('AQEFAASC')
    for (const word of ['PRIVATE', 'KEY-----', '-----BEGIN', '-----END PRIVATE KEY-----']) expect(secretPieces(pem)).not.toContain(word)
  })

  it('scrubs a secret with no token shape, and its last eight characters', () => {
    const okta = '00AbCdEfGhIjKlMnOpQrStUvWxYz0123456789aBcD'
    const scrub = scrubberFor(okta)
    expect(scrub(`SSWS-less: ${okta}, glued x${okta}y, last ${okta.slice(-8)}`)).toBe('SSWS-less: ***, glued x***y, last ***')
  })

  it('SecretList: scrubs every secret added so far, also one obtained later', () => {
    const secrets = new SecretList()
    secrets.add(T, '', T)
    expect(secrets.values).toEqual([T])
    expect(secrets.scrub(`a ${T}`)).toBe('a ***')
    const later = 'obtained-access-token-value-123'
    expect(secrets.scrub(later)).toBe(later)
    secrets.add(later)
    expect(secrets.scrub(later)).toBe('***')
  })
})

describe('serverText and outText', () => {
  it('one printable line, bounded', () => {
    expect(serverText('a\r\nb\u202e\u200bc\u0085d\u2028e\x1b[2Jf')).toBe('a bc d e[2Jf')
    expect(serverText('x'.repeat(500)).length).toBeLessThanOrEqual(200)
    expect(serverText({ a: 1 })).toBe('(an object)')
  })

  it('a cut never leaves the front of a token-like word', () => {
    const text = `${'word '.repeat(36)}${'Q'.repeat(42)}`
    const out = serverText(text)
    expect(out.endsWith('…')).toBe(true)
    expect(out).not.toMatch(/Q/)
    // Hidden characters go before the early cut: they cannot push part of a secret into view.
    const hidden = serverText(`${'\u200b'.repeat(790)}${'Z'.repeat(42)}`)
    expect(hidden).toBe('Z'.repeat(42))
  })

  it('outText scrubs a token split by a zero-width space, and one at the end of 3 MB', () => {
    const scrub = scrubberFor(T)
    expect(outText(`${T.slice(0, 9)}\u200b${T.slice(9)}`, scrub)).toBe('***')
    const started = performance.now()
    const out = outText(`${'A'.repeat(3 * 1024 * 1024)} ${T}`, scrub)
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(out).toBe('…')
    const tail = outText(`${'word '.repeat(39)} ${T.slice(-8)}${T}`, scrub, 220)
    expect(tail).not.toContain(T.slice(-8))
  })
})

describe('workflow commands', () => {
  it.each([
    ['::stop-commands::x', ': :stop-commands::x'],
    ['  ::add-mask::y', '  : :add-mask::y'],
    ['ok\n::set-output name=a::b', 'ok\n: :set-output name=a::b'],
    ['ok\r::error::e', 'ok\r: :error::e'],
    ['ok\u2028::warning::w', 'ok\u2028: :warning::w'],
    ['ok\u0085\u00a0::notice::n', 'ok\u0085\u00a0: :notice::n'],
    ['##[set-output name=x;]y', '# #[set-output name=x;]y'],
    ['in the middle :: of a line', 'in the middle :: of a line']
  ])('%j', (text, expected) => {
    expect(neutraliseCommands(text)).toBe(expected)
  })

  it('a log line is one line, scrubbed, and no command', () => {
    expect(logLine(`::add-mask::x\n${T}`, scrubberFor(T))).toBe(': :add-mask::x ***')
  })
})

describe('Markdown', () => {
  it.each([
    ['[x](https://evil.example)', '`[x](https://evil.example`)'],
    ['at https://github.com/settings/tokens: Settings', 'at `https://github.com/settings/tokens`: Settings'],
    ['![i](https://evil/p.png) [y](/rel)', '`![i](https://evil/p.png`) \\[y\\](/rel)'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['a | b', 'a \\| b'],
    ['see www.evil.example now', 'see `www.evil.example` now'],
    ['mail mallory@evil.example', 'mail `mallory@evil.example`'],
    ['<https://evil>', '`<https://evil>`'],
    ['https://x/a`b|c\\d', '`https://x/a%60b%7Cc%5Cd`'],
    ['*em* _em_ `code` ~s~ $x$ #1 &amp;', '\\*em\\* \\_em\\_ \\`code\\` \\~s\\~ \\$x\\$ \\#1 &amp;amp;'],
    ['- item', '\\- item'],
    ['1. item', '1\\. item']
  ])('%j', (text, expected) => {
    expect(markdownText(text)).toBe(expected)
  })
})

describe('truncateBytes', () => {
  it('cuts at a byte budget without splitting a character', () => {
    expect(truncateBytes('short', 10)).toBe('short')
    const out = truncateBytes('é'.repeat(100), 21, '…')
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(21)
    expect(out).toBe(`${'é'.repeat(9)}…`)
  })
})
