/**
 * Token shape and kind, from the token string alone (docs/github-behaviour.md).
 * Nothing here ever returns or logs the token itself.
 */

export type TokenKind =
  'classic-pat' | 'fine-grained-pat' | 'oauth-app' | 'github-app-user' | 'github-app-installation' | 'legacy' | 'unknown'

export type TokenShape =
  { ok: true; kind: TokenKind; trimmed: string; hadWhitespace: boolean } | { ok: false; reason: string; hadWhitespace: boolean }

// GitHub plans for token lengths up to 255 characters (docs/github-behaviour.md, "Token kinds"); today's prefixed tokens are 40.
const PREFIXED: ReadonlyArray<[RegExp, TokenKind]> = [
  [/^ghp_[A-Za-z0-9_]{30,251}$/, 'classic-pat'],
  [/^gho_[A-Za-z0-9_]{30,251}$/, 'oauth-app'],
  [/^ghu_[A-Za-z0-9_]{30,251}$/, 'github-app-user'],
  [/^ghs_[A-Za-z0-9_.-]{30,251}$/, 'github-app-installation'],
  [/^github_pat_[A-Za-z0-9_]{50,244}$/, 'fine-grained-pat'],
  [/^[a-f0-9]{40}$/, 'legacy']
]

/** Classifies a raw token input. The reason never quotes the token. */
export function classifyToken(raw: string): TokenShape {
  const trimmed = raw.trim()
  const hadWhitespace = trimmed.length !== raw.length
  if (trimmed === '') {
    return { ok: false, reason: 'the token is empty', hadWhitespace }
  }
  if (/\s/.test(trimmed)) {
    const prefixed = /^(token|bearer)\s/i.test(trimmed)
    return {
      ok: false,
      reason: prefixed
        ? 'it starts with an authorization scheme ("token " or "Bearer "); store the bare token'
        : 'it contains whitespace or a line break inside it',
      hadWhitespace
    }
  }
  if (/["'`]/.test(trimmed)) {
    return { ok: false, reason: 'it contains quote characters', hadWhitespace }
  }
  if (/^ghr_/.test(trimmed)) {
    return {
      ok: false,
      reason: 'it is a GitHub App refresh token (ghr_), which cannot call the API',
      hadWhitespace
    }
  }
  for (const [pattern, kind] of PREFIXED) {
    if (pattern.test(trimmed)) return { ok: true, kind, trimmed, hadWhitespace }
  }
  const looksPrefixed = /^(gh[a-z]_|github_pat_)/.test(trimmed)
  return {
    ok: false,
    reason: looksPrefixed
      ? `its length (${trimmed.length}) or characters do not match the ${trimmed.startsWith('github_pat_') ? 'github_pat_' : trimmed.slice(0, 4)} token format; it may be truncated`
      : `it has no GitHub token shape (ghp_…, gho_…, github_pat_…, or 40 hex characters; got ${trimmed.length} characters)`,
    hadWhitespace
  }
}

/** Kinds that SCIM provisioning accepts. */
export function kindSupportsScim(kind: TokenKind): boolean {
  return kind === 'classic-pat' || kind === 'oauth-app' || kind === 'legacy'
}

export const KIND_LABEL: Record<TokenKind, string> = {
  'classic-pat': 'personal access token (classic)',
  'fine-grained-pat': 'fine-grained personal access token',
  'oauth-app': 'OAuth app token',
  'github-app-user': 'GitHub App user token',
  'github-app-installation': 'GitHub App installation token (such as GITHUB_TOKEN)',
  legacy: 'legacy 40-character token',
  unknown: 'token of unknown kind'
}
