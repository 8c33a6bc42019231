/**
 * The JWTs of Okta's sign-in, with node:crypto only (no JOSE dependency: two
 * compact signatures and one key import do not earn one):
 * - the client assertion of `private_key_jwt` (idp-api-facts 1.1 [I1][I3]);
 * - DPoP proofs (RFC 9449; idp-api-facts 1.2 [I2]).
 *
 * Nothing here sends anything or keeps a secret beyond the KeyObject it is given.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'

export type JwsAlg = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512'

export interface SigningKey {
  key: KeyObject
  alg: JwsAlg
  /** The JWK's own `kid`, when the key was given as a JWK that has one. */
  kid: string | null
}

const HASH: Record<JwsAlg, string> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512'
}
/** The EC curve each ES algorithm signs with (RFC 7518 3.4). */
const CURVE_ALG: Record<string, JwsAlg> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }

export const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url')

/**
 * Reads the service app's private key: PEM (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, SEC1
 * `EC PRIVATE KEY`) or a private JWK as JSON. RSA signs RS256 (or the JWK's RS384/RS512), EC P-256 ES256
 * (P-384 ES384, P-521 ES512), as Okta's SDK defaults [I12]. The problem text never quotes the key.
 */
export function readSigningKey(text: string): SigningKey | { problem: string } {
  const trimmed = text.trim()
  let key: KeyObject
  let kid: string | null = null
  let jwkAlg: unknown
  if (trimmed.startsWith('{')) {
    let jwk: Record<string, unknown>
    try {
      jwk = JSON.parse(trimmed) as Record<string, unknown>
    } catch {
      return { problem: 'it looks like a JWK but is not valid JSON' }
    }
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return { problem: 'the JWK is not a JSON object' }
    if (typeof jwk.d !== 'string') return { problem: 'the JWK is a public key (it has no "d"): give the private key' }
    try {
      key = createPrivateKey({ key: jwk as never, format: 'jwk' })
    } catch {
      return { problem: 'the JWK is not a usable RSA or EC private key' }
    }
    kid = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : null
    jwkAlg = jwk.alg
  } else if (trimmed.includes('-----BEGIN')) {
    if (trimmed.includes('ENCRYPTED')) return { problem: 'the PEM key is encrypted: give it without a passphrase' }
    try {
      key = createPrivateKey({ key: trimmed, format: 'pem' })
    } catch {
      return { problem: 'the PEM is not a readable private key (PKCS#8, PKCS#1 or SEC1)' }
    }
  } else {
    return { problem: 'it is neither a PEM private key nor a JWK (JSON)' }
  }
  if (key.asymmetricKeyType === 'rsa') {
    const alg = jwkAlg === 'RS384' || jwkAlg === 'RS512' ? jwkAlg : 'RS256'
    return { key, alg, kid }
  }
  if (key.asymmetricKeyType === 'ec') {
    const alg = CURVE_ALG[key.asymmetricKeyDetails?.namedCurve ?? '']
    if (!alg) return { problem: 'the EC key is on a curve Okta does not sign with (P-256, P-384 or P-521)' }
    return { key, alg, kid }
  }
  return { problem: `a ${key.asymmetricKeyType ?? 'unknown'} key: Okta takes RSA or EC keys` }
}

/** A compact JWS: base64url(header).base64url(payload).base64url(signature). */
export function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: SigningKey): string {
  const input = `${b64url(JSON.stringify({ ...header, alg: key.alg }))}.${b64url(JSON.stringify(payload))}`
  const signature = key.alg.startsWith('ES')
    ? sign(HASH[key.alg], Buffer.from(input), { key: key.key, dsaEncoding: 'ieee-p1363' })
    : sign(HASH[key.alg], Buffer.from(input), key.key)
  return `${input}.${b64url(signature)}`
}

/** Assertions and proofs live this long: Okta's SDK uses five minutes [I12] (Okta allows up to an hour [I3]). */
export const ASSERTION_LIFETIME_S = 300

/**
 * The `private_key_jwt` client assertion [I1][I3]: iss = sub = the client id, aud = the token URL, iat,
 * exp = iat + 5 min, a fresh jti every time (Okta refuses a replayed one).
 */
export function clientAssertion(clientId: string, tokenUrl: string, key: SigningKey, keyId: string | null, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000)
  const kid = keyId ?? key.kid
  return signJwt(
    { typ: 'JWT', ...(kid ? { kid } : {}) },
    { iss: clientId, sub: clientId, aud: tokenUrl, iat, exp: iat + ASSERTION_LIFETIME_S, jti: randomUUID() },
    key
  )
}

/** A DPoP key for one run: a fresh P-256 pair, its public half sent as the proof's `jwk` [I2]. */
export interface DpopKey {
  signing: SigningKey
  publicJwk: { kty: string; crv: string; x: string; y: string }
}

export function newDpopKey(): DpopKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string }
  return { signing: { key: privateKey, alg: 'ES256', kid: null }, publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } }
}

/** `htu`: the URL without its query and fragment (RFC 9449 4.2; as Okta's SDK sends it [I12]). */
export function htuOf(url: string): string {
  const u = new URL(url)
  return `${u.origin}${u.pathname}`
}

/** `ath`: base64url(SHA-256(access token)) (RFC 9449 4.2). */
export const athOf = (accessToken: string): string => b64url(createHash('sha256').update(accessToken).digest())

/** A DPoP proof JWT for one request (RFC 9449 4.2): typ dpop+jwt, the public jwk; htm, htu, iat, jti, [nonce], [ath]. */
export function dpopProof(
  dpop: DpopKey,
  method: string,
  url: string,
  nowMs: number,
  extra: { nonce?: string | null; accessToken?: string | null } = {}
): string {
  return signJwt(
    { typ: 'dpop+jwt', jwk: dpop.publicJwk },
    {
      htm: method,
      htu: htuOf(url),
      iat: Math.floor(nowMs / 1000),
      jti: randomUUID(),
      ...(extra.nonce ? { nonce: extra.nonce } : {}),
      ...(extra.accessToken ? { ath: athOf(extra.accessToken) } : {})
    },
    dpop.signing
  )
}
