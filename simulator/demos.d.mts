import type { World } from './github-fake.mjs'

export interface Demo {
  scenario: string
  title: string
  inputs: Record<string, string>
  /** Print the job summary too. */
  summary?: boolean
}

export const DEMOS: Demo[]
export function demoWorld(name: string): { world: World; token: string }
