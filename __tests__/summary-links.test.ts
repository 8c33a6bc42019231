/**
 * The job summary's links (issue 18, "What a person reads"): the only links are those we build (each cause's
 * section of docs/causes.md at the version run; pages of the GitHub web host of api-url named in our fixes)
 * and the SSO authorization URL once verified to be on that host. Every server string stays inert text, and
 * a URL in text is inline code with its surrounding punctuation outside.
 *
 * The summary is parsed as GitHub-flavoured Markdown (marked, GFM autolinks on) and every link, image and
 * HTML token is collected, in tables too.
 */
import { describe, expect, it } from '@jest/globals'
import { marked, type Token } from 'marked'
import { CAUSE_IDS } from '../src/causes.js'
import { diagnose, type Verdict } from '../src/diagnose/index.js'
import { markdownText } from '../src/sanitize.js'
import { linkTarget, renderSummary, summaryMarkdown } from '../src/report/summary.js'
import { err, facts, healthyOrg, identities, inputs, LINKED, NOW, resp, SSO_403, TOKEN, user } from './support/facts.js'

const DOCS = 'https://github.com/provisioning-token-check/provisioning-token-check/blob/v1.2.0/docs/causes.md#'

interface Found {
  links: string[]
  images: string[]
  html: string[]
}

/** Every link, image and HTML token of a Markdown text, as GitHub's GFM would render them. */
function linksOf(md: string): Found {
  const found: Found = { links: [], images: [], html: [] }
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v)
      return
    }
    if (value === null || typeof value !== 'object') return
    const t = value as Token & Record<string, unknown>
    if (t.type === 'link') found.links.push(String(t.href))
    if (t.type === 'image') found.images.push(String(t.href))
    if (t.type === 'html') found.html.push(String(t.raw))
    for (const key of ['tokens', 'items', 'rows', 'header']) visit(t[key])
  }
  visit(marked.lexer(md, { gfm: true }))
  return found
}

/** The links this verdict may have: docs per cause, the verified SSO URLs, and pages of the web host in our fixes. */
function allowedLinks(v: Verdict, docs: string | null): Set<string> {
  const allowed = new Set<string>()
  const web = v.webUrl ? new URL(v.webUrl).origin : null
  for (const c of v.causes) {
    if (docs) allowed.add(linkTarget(`${docs}${c.id}`) ?? '')
    if (c.url && web && new URL(c.url).origin === web) allowed.add(linkTarget(c.url) ?? '')
    for (const word of c.remediation.split(/\s+/)) {
      const url = word.replace(/^[("']+/, '').replace(/[.,:;!?)"']+$/, '')
      if (web && url.startsWith(`${web}/`)) allowed.add(linkTarget(url) ?? '')
    }
  }
  allowed.delete('')
  return allowed
}

function expectOnlyOurLinks(v: Verdict, docs: string | null, md = renderSummary(v, { docs })): Found {
  const found = linksOf(md)
  expect(found.images).toEqual([])
  expect(found.html).toEqual([])
  const allowed = allowedLinks(v, docs)
  expect(found.links.filter(l => !allowed.has(l))).toEqual([])
  return found
}

const SSO_URL = 'https://github.com/orgs/acme/sso?authorization_request=ABC123'

describe('the summary links what we build, and nothing a server sent', () => {
  it('each cause id links to its section of docs/causes.md at the version run', () => {
    const v = diagnose(facts({ user: user({ 'x-oauth-scopes': 'read:org' }) }), inputs(), NOW)
    const found = expectOnlyOurLinks(v, DOCS)
    for (const c of v.causes) expect(found.links).toContain(`${DOCS}${c.id}`)
  })

  it('without a docs base (not run as an action), no cause id is a link', () => {
    const v = diagnose(facts({ user: user({ 'x-oauth-scopes': 'read:org' }) }), inputs(), NOW)
    const found = expectOnlyOurLinks(v, null)
    expect(found.links.some(l => l.includes('causes.md'))).toBe(false)
  })

  it.each(['javascript:alert(1)//#', 'https://user:pw@github.com/x#', 'http://github.com/x/docs/causes.md#', 'not a url'])(
    'a docs base that is not a plain https URL (%j) links nothing',
    docs => {
      const v = diagnose(facts({ user: user({ 'x-oauth-scopes': 'read:org' }) }), inputs(), NOW)
      expect(linksOf(renderSummary(v, { docs })).links.filter(l => !l.startsWith('https://github.com/settings'))).toEqual([])
    }
  )

  it('the SSO authorization URL on the web host of api-url is a link (valid about an hour), and the tokens page too', () => {
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { membership: SSO_403, credentials: SSO_403, scim: SSO_403 })] }), inputs(), NOW)
    expect(v.causes.map(c => c.id)).toContain('sso-not-authorized')
    const found = expectOnlyOurLinks(v, DOCS)
    expect(found.links).toContain(SSO_URL)
    expect(found.links).toContain('https://github.com/settings/tokens')
  })

  it('an SSO authorization URL on another host is never a link (nor shown as one)', () => {
    const evil = err(403, 'Resource protected by organization SAML enforcement.', {
      'x-github-sso': 'required; url=https://evil.example/orgs/acme/sso?authorization_request=X'
    })
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { membership: evil, credentials: evil, scim: evil })] }), inputs(), NOW)
    const found = expectOnlyOurLinks(v, DOCS)
    expect(found.links.some(l => l.includes('evil'))).toBe(false)
  })

  it('on GHES, the links are on the GHES web host, and a github.com URL from the server is not', () => {
    const ghesSso = err(403, 'Resource protected by organization SAML enforcement.', {
      'x-github-sso': 'required; url=https://github.com/orgs/acme/sso?authorization_request=X'
    })
    const v = diagnose(
      facts({ platform: 'ghes', orgs: [healthyOrg('acme', { membership: ghesSso, credentials: ghesSso, scim: ghesSso })] }),
      inputs({ apiUrl: 'https://ghe.acme.example/api/v3' }),
      NOW
    )
    const found = expectOnlyOurLinks(v, DOCS)
    expect(found.links).toContain('https://ghe.acme.example/settings/tokens')
    expect(found.links.some(l => l.startsWith('https://github.com/orgs'))).toBe(false)
  })

  it('server strings with URLs, Markdown links, images, HTML and e-mail addresses stay inert', () => {
    const hostile = [
      'see https://evil.example/x and [click](https://evil.example/y) ![i](https://evil.example/i.png)',
      '<a href="https://evil.example">a</a> www.evil.example mailto:a@evil.example (scim@evil.example)',
      `[${SSO_URL}](https://evil.example/z) <${SSO_URL}>`
    ].join(' ')
    const v = diagnose(
      facts({
        user: user({}, 'acme-scim'),
        orgs: [healthyOrg('acme', { scim: err(403, hostile) }), healthyOrg('beta', { info: err(500, hostile) })],
        identities: identities({ o0: LINKED, o1: LINKED })
      }),
      inputs({ orgs: ['acme', 'beta'] }),
      NOW
    )
    expect(JSON.stringify(v.causes)).toMatch(/evil\.example/)
    const md = summaryMarkdown(v, { secrets: [TOKEN], docs: DOCS })
    const found = expectOnlyOurLinks(v, DOCS, md)
    expect(found.links.some(l => /evil/.test(l))).toBe(false)
  })

  it('every cause of the catalogue, with a server message full of links: only our links', () => {
    const message = 'GitHub said [x](https://evil.example) https://evil.example/a www.evil.example me@evil.example'
    const v = diagnose(facts(), inputs(), NOW)
    const all: Verdict = {
      ...v,
      causes: CAUSE_IDS.map(id => ({
        id,
        severity: 'error',
        org: 'acme',
        enterprise: null,
        title: id,
        message,
        remediation: 'See https://github.com/settings/tokens and https://evil.example/fix.',
        ...(id === 'sso-not-authorized' ? { url: 'https://evil.example/orgs/acme/sso?authorization_request=1' } : {})
      }))
    }
    const found = expectOnlyOurLinks(all, DOCS)
    expect(found.links.filter(l => l.startsWith(DOCS))).toHaveLength(CAUSE_IDS.length)
    expect(found.links.some(l => /evil/.test(l))).toBe(false)
  })
})

describe('a URL-like word in text is inline code, its punctuation outside', () => {
  it.each([
    ['linked (scim@acme.example)', 'linked (`scim@acme.example`)'],
    ['at https://github.com/settings/tokens: Settings', 'at `https://github.com/settings/tokens`: Settings'],
    ['"https://evil.example/a".', '"`https://evil.example/a`".'],
    ["('www.evil.example')", "('`www.evil.example`')"]
  ])('%j', (text, md) => {
    expect(markdownText(text)).toBe(md)
    expect(linksOf(md).links).toEqual([])
  })

  it('the healthy run shows the linked identity with its parentheses outside the code span', () => {
    const v = diagnose(facts({ identities: identities({ o0: LINKED }) }), inputs(), NOW)
    expect(renderSummary(v)).toMatch(/\| linked \(`scim@acme\.example`\) \|/)
  })
})

describe('linkTarget', () => {
  it.each([
    ['https://github.com/settings/tokens', 'https://github.com/settings/tokens'],
    ['https://github.com/a(b)|c', 'https://github.com/a%28b%29%7Cc'],
    ['http://github.com/x', null],
    ['javascript:alert(1)', null],
    ['https://u:p@github.com/', null]
  ])('%j', (url, href) => {
    expect(linkTarget(url)).toBe(href)
  })
})

describe('a verdict with SSO on two orgs links each its own URL', () => {
  it('each org its own', () => {
    const sso = (org: string) =>
      err(403, 'Resource protected by organization SAML enforcement.', {
        'x-github-sso': `required; url=https://github.com/orgs/${org}/sso?authorization_request=R${org}`
      })
    const v = diagnose(
      facts({
        orgs: ['acme', 'beta'].map(o => healthyOrg(o, { membership: sso(o), credentials: sso(o), scim: sso(o) })),
        identities: resp(200, { data: {} })
      }),
      inputs({ orgs: ['acme', 'beta'] }),
      NOW
    )
    const found = expectOnlyOurLinks(v, null)
    expect(found.links).toEqual(
      expect.arrayContaining([
        'https://github.com/orgs/acme/sso?authorization_request=Racme',
        'https://github.com/orgs/beta/sso?authorization_request=Rbeta'
      ])
    )
  })
})
