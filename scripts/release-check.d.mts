export function parseTag(tag: string | undefined): { version: string; major: string } | null
export function changelogSection(changelog: string, version: string): { heading: string; body: string } | null
export function repositorySlug(pkg: { repository?: string | { url?: string } }): string | null
export function majorProblems(x: { major: string; slug: string | null; docs?: Record<string, string> }): string[]
export function releaseProblems(x: {
  tag: string
  pkg: { version?: string; private?: boolean; repository?: string | { url?: string } }
  changelog: string
  docs?: Record<string, string>
}): string[]
export function readDocs(root: string): Record<string, string>
export function distProblems(porcelain: string): string[]
export const PACK_REQUIRED: string[]
export function packProblems(files: string[]): string[]
export function manifestProblems(manifest: Record<string, unknown>): string[]
export function packedPackage(root: string): {
  manifest: Record<string, unknown> & { name?: string; bin?: unknown }
  run: { status: number | null; stdout: string; stderr: string }
}
export function packedRunProblems(run: { status: number | null; stdout: string; stderr: string }): string[]
export function packFiles(root: string): { files: string[]; size: number; unpackedSize: number }
export function main(argv: string[]): number
