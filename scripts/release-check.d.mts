export function parseTag(tag: string | undefined): { version: string; major: string } | null
export function changelogSection(changelog: string, version: string): { heading: string; body: string } | null
export function releaseProblems(x: { tag: string; pkg: { version?: string; private?: boolean }; changelog: string }): string[]
export function distProblems(porcelain: string): string[]
export const PACK_REQUIRED: string[]
export function packProblems(files: string[]): string[]
export function packFiles(root: string): { files: string[]; size: number; unpackedSize: number }
export function main(argv: string[]): number
