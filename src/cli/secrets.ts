/**
 * The IdP secrets' I/O: each read from its file (--okta-api-token-file, …) or
 * its environment variable, per secretPlan. A message names the flag and,
 * when it cannot be a secret pasted in the wrong place, the path: never the
 * file's content.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { secretPlan, type CliArgs, type IdpSecrets } from './args.js'

/** Largest secret file read: a PEM or JWK key is a few KiB. */
export const MAX_SECRET_FILE = 64 * 1024

/**
 * A path as a message may show it. A value that might itself be the secret
 * (pasted after --okta-api-token-file instead of a path: one long word with
 * no directory, or several lines) is not shown.
 */
export function shownPath(path: string): string | null {
  if (/[\r\n]|-----/.test(path) || path.length > 300) return null
  const looksRandom =
    !path.includes('/') &&
    !path.includes('\\') &&
    path.length >= 16 &&
    /[0-9]/.test(path) &&
    /[A-Za-z]/.test(path) &&
    !/\.[A-Za-z]{1,5}$/.test(path)
  return looksRandom ? null : JSON.stringify(path)
}

function fileText(flag: string, path: string, what: string): string {
  const shown = shownPath(path)
  return shown === null
    ? `--${flag}: ${what} (the path is not shown: it looks like it could be the secret itself; --${flag} takes the path of a file that holds it)`
    : `--${flag}: ${shown} ${what}`
}

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  EACCES: 'cannot be read (permission denied)',
  EPERM: 'cannot be read (permission denied)',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'does not exist (a part of the path is not a directory)',
  ELOOP: 'cannot be read (too many symbolic links)',
  ENAMETOOLONG: 'does not exist (the name is too long)'
}

/** At most MAX_SECRET_FILE + 1 bytes of a regular file or a pipe: one more than allowed tells a file too large. */
export function readSecretFile(flag: string, path: string): { ok: true; value: string } | { ok: false; error: string } {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? ''
    return { ok: false, error: fileText(flag, path, READ_ERRORS[code] ?? `cannot be read${code ? ` (${code})` : ''}`) }
  }
  try {
    const stat = fstatSync(fd)
    if (stat.isDirectory()) return { ok: false, error: fileText(flag, path, READ_ERRORS.EISDIR ?? '') }
    // A pipe too: `--okta-api-token-file <(pass show okta)` keeps the secret off the disk.
    if (!stat.isFile() && !stat.isFIFO()) return { ok: false, error: fileText(flag, path, 'is not a regular file') }
    const buffer = Buffer.alloc(MAX_SECRET_FILE + 1)
    let length = 0
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null)
      if (n === 0) break
      length += n
    }
    if (length > MAX_SECRET_FILE)
      return {
        ok: false,
        error: fileText(flag, path, `is larger than ${MAX_SECRET_FILE / 1024} KiB: it is not a secret (the content is not shown)`)
      }
    const value = buffer.subarray(0, length).toString('utf8')
    if (value.trim() === '') return { ok: false, error: fileText(flag, path, 'is empty') }
    return { ok: true, value }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? ''
    return { ok: false, error: fileText(flag, path, READ_ERRORS[code] ?? `cannot be read${code ? ` (${code})` : ''}`) }
  } finally {
    closeSync(fd)
  }
}

/** The run's IdP secrets, or the usage errors that stop it (each names its flag). */
export function readIdpSecrets(args: CliArgs, env: NodeJS.ProcessEnv): { ok: true; secrets: IdpSecrets } | { ok: false; errors: string[] } {
  const secrets: IdpSecrets = {}
  const errors: string[] = []
  for (const source of secretPlan(args, env)) {
    if ('env' in source) {
      secrets[source.input] = { value: source.value, from: source.env }
      continue
    }
    const read = readSecretFile(source.flag, source.file)
    if (read.ok) secrets[source.input] = { value: read.value, from: `--${source.flag}` }
    else errors.push(read.error)
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, secrets }
}
