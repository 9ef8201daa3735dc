#!/usr/bin/env node
// Every public export has a summary and an example. typedoc's `validation.notDocumented` (on, with
// warnings as errors) already fails the docs build on an export without a doc comment; this adds
// the `@example` half, which typedoc cannot require. It reads the JSON model typedoc writes next
// to the site (typedoc.json `outputs`), so "public export" means exactly what the site documents:
// each package's `src/index.ts` exports, `@internal` ones excluded.
//
//   node scripts/check-examples.mjs [path/to/api.json]    (after `pnpm run docs:api`)
//
// Prints each export that lacks a summary or an `@example`, then `N exports checked, N lacking`.
// Exits 1 if any does.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const file = process.argv[2] ?? fileURLToPath(new URL('../.tmp/docs/api.json', import.meta.url))
if (!existsSync(file)) {
  console.error(`check-examples: ${file} does not exist; run \`pnpm run docs:api\` first`)
  process.exit(2)
}
const project = JSON.parse(readFileSync(file, 'utf8'))

const KIND = { 2: 'module', 4: 'namespace', 8: 'enum', 32: 'variable', 64: 'function', 128: 'class', 256: 'interface', 2097152: 'type' }

/** The comment of a declaration: on the declaration, else on its first call or get signature. */
const commentOf = (decl) => decl.comment ?? decl.signatures?.find((s) => s.comment)?.comment ?? decl.getSignature?.comment

const text = (parts = []) =>
  parts
    .map((p) => p.text)
    .join('')
    .trim()

const modules = (project.children ?? []).filter((c) => c.kind === 2)
let checked = 0
const lacking = []
for (const module of modules) {
  const byName = new Map()
  for (const decl of module.children ?? []) byName.set(`${decl.kind}:${decl.name}`, decl)
  for (const decl of module.children ?? []) {
    checked++
    // A codec and its type share one name (`export const Webhook = t.type(…)` and `export type
    // Webhook = t.TypeOf<typeof Webhook>`, whose comment is at most `@see`): the codec's comment
    // documents both.
    const codec = decl.kind === 2097152 && text(decl.comment?.summary) === '' ? byName.get(`32:${decl.name}`) : undefined
    const comment = commentOf(codec ?? decl)
    const missing = []
    if (text(comment?.summary) === '') missing.push('summary')
    if (!(comment?.blockTags ?? []).some((tag) => tag.tag === '@example' && text(tag.content) !== '')) missing.push('@example')
    if (missing.length > 0) lacking.push(`${module.name}: ${KIND[decl.kind] ?? `kind ${decl.kind}`} ${decl.name} lacks ${missing.join(' and ')}`)
  }
}
for (const line of lacking) console.log(line)
console.log(`${checked} exports checked in ${modules.length} packages, ${lacking.length} lacking a summary or an example`)
process.exit(lacking.length === 0 && checked > 0 ? 0 : 1)
