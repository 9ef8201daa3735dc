#!/usr/bin/env node
// Keeps the code samples in Markdown equal to the files the tests run: every fenced block right
// after a `<!-- file: PATH -->` marker (PATH relative to the Markdown file) is rewritten with that
// file's content. `node scripts/sync-samples.mjs --check` changes nothing and exits 1 if a block
// differs (the tests also compare them; this is the tool that fixes them after a formatter ran).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const check = process.argv.includes('--check')

const markdown = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (['node_modules', 'dist', '.tmp', '.git', 'api'].includes(name)) return []
    return statSync(path).isDirectory() ? markdown(path) : name.endsWith('.md') ? [path] : []
  })

const BLOCK = /(<!-- file: ([^\s]+) -->\n```[a-z]*\n)([\s\S]*?)(```\n)/g
let changed = 0
for (const md of markdown(root)) {
  const text = readFileSync(md, 'utf8')
  const next = text.replace(BLOCK, (whole, head, path, body, tail) => {
    const file = join(dirname(md), path)
    if (!existsSync(file)) return whole
    const content = readFileSync(file, 'utf8')
    const wanted = content.endsWith('\n') ? content : `${content}\n`
    return wanted === body ? whole : `${head}${wanted}${tail}`
  })
  if (next !== text) {
    changed++
    process.stdout.write(`${check ? 'differs' : 'synced'}: ${relative(root, md)}\n`)
    if (!check) writeFileSync(md, next)
  }
}
if (check && changed > 0) process.exit(1)
