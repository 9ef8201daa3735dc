/**
 * The Deno guide's install recipe (docs/guides/deno.md, "Install"), followed as a Deno user follows
 * it while the packages are not on the npm registry: scripts/pack.mjs packs the tarballs (what
 * `pnpm run pack:all` runs after the build), a fresh app folder outside the workspace gets the
 * guide's deno.json and runs the guide's `npm install` block against them, and the guide's sample
 * (docs/guides/examples/deno.ts, saved as server.ts) runs there under the real Deno
 * (node_modules/.bin/deno) with the guide's `deno run` command, on a loopback port. Notifications
 * signed and sent with the installed @banksocket-webhooks/testing get `ok`, then `duplicate`.
 *
 * Needs the packages built (`pnpm run build`; CI builds before testing), npm on PATH, and the npm
 * registry for fp-ts, io-ts and eventemitter3, as test/consumer.test.ts does. That file packs into
 * a folder of its own, removed when it ends, so this one packs again (a few seconds) rather than
 * depend on the order in which the files run.
 */
import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type * as Testing from '../packages/testing/src/index.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const guide = readFileSync(join(root, 'docs', 'guides', 'deno.md'), 'utf8')
const examples = join(root, 'docs', 'guides', 'examples')
const deno = join(root, 'node_modules', '.bin', 'deno')
const work = mkdtempSync(join(tmpdir(), 'banksocket-deno-install-'))
const packs = join(work, 'packs')
const app = join(work, 'app')
const SECRET = 'deno-install-secret-3f9a'

let server: ChildProcess | undefined
const stopServer = (): void => {
  if (server?.pid === undefined || server.exitCode !== null || server.signalCode !== null) return
  try {
    process.kill(-server.pid, 'SIGKILL') // its process group: the `deno` launcher and Deno itself
  } catch {
    server.kill('SIGKILL')
  }
}
process.on('exit', () => {
  stopServer()
  rmSync(work, { recursive: true, force: true })
})

/** Children get a clean environment: no npm_config_* that `pnpm run` sets for its scripts. */
const childEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_/i.test(name)) env[name] = value
  return { ...env, NO_COLOR: '1', FORCE_COLOR: '0', DENO_NO_UPDATE_CHECK: '1' }
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = childEnv()): SpawnSyncReturns<string> =>
  spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 })

const explain = (r: SpawnSyncReturns<string>): string => `exit ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`

/** The guide's shell block after `<!-- NAME -->`. */
const block = (name: string): string => {
  const found = new RegExp(`<!-- ${name} -->\n\`\`\`sh\n([\\s\\S]*?)\n\`\`\`\n`).exec(guide)?.[1]
  assert.ok(found !== undefined, `docs/guides/deno.md has a sh block marked <!-- ${name} -->`)
  return found
}

let packed = false
let installed = false

test('the guide keeps `deno add` for when the packages are published, and says it fails until then', () => {
  assert.match(guide, /Once the packages are published to npm[^\n]*\n\n```sh\ndeno add npm:@banksocket-webhooks\/adapter-fetch\n```/)
  assert.match(guide, /npm:@banksocket-webhooks\/adapter-fetch was not found/)
})

test('scripts/pack.mjs packs the tarballs the recipe installs', () => {
  // Without the npm_* variables of a surrounding `npx` or `pnpm run`: pack.mjs then runs the pinned pnpm through npx.
  const r = run(process.execPath, [join(root, 'scripts', 'pack.mjs'), '--out', packs], root)
  assert.is(r.status, 0, explain(r))
  const manifest = JSON.parse(readFileSync(join(packs, 'packs.json'), 'utf8')) as Array<{ name: string }>
  for (const name of [
    '@banksocket-webhooks/adapter-fetch',
    '@banksocket-webhooks/receiver',
    '@banksocket-webhooks/core',
    '@banksocket-webhooks/testing',
  ])
    assert.ok(
      manifest.some((m) => m.name === name),
      `${name} is packed`,
    )
  packed = true
})

test("the guide's deno.json and npm install block install the tarballs into a fresh app folder", () => {
  assert.ok(packed, 'nothing was packed (see the previous test)')
  mkdirSync(app, { recursive: true })
  assert.match(guide, /<!-- file: examples\/deno\.json -->\n```json\n/)
  copyFileSync(join(examples, 'deno.json'), join(app, 'deno.json'))
  assert.is((JSON.parse(readFileSync(join(app, 'deno.json'), 'utf8')) as { nodeModulesDir?: string }).nodeModulesDir, 'manual')
  const recipe = block('install: deno')
  assert.match(recipe, /^packs=\S+$/m, 'the recipe starts from the packs folder')
  const env = { ...childEnv(), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_loglevel: 'error' }
  const r = run('bash', ['-euo', 'pipefail', '-c', recipe.replace(/^packs=\S+$/m, `packs='${packs}'`)], app, env)
  assert.is(r.status, 0, explain(r))
  for (const name of ['adapter-fetch', 'receiver', 'core', 'testing']) {
    const dir = join(app, 'node_modules', '@banksocket-webhooks', name)
    assert.ok(existsSync(join(dir, 'package.json')), `@banksocket-webhooks/${name} is installed in the app`)
    assert.not.ok(lstatSync(dir).isSymbolicLink(), `@banksocket-webhooks/${name} is a copy, not a link`)
  }
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  assert.match(manifest.dependencies?.['@banksocket-webhooks/adapter-fetch'] ?? '', /^file:.*\.tgz$/)
  installed = true
})

/** Collects a stream's text and waits for a pattern in it. */
const collect = (stream: NodeJS.ReadableStream | null) => {
  const state = { text: '' }
  stream?.on('data', (chunk: Buffer) => (state.text += chunk.toString('utf8')))
  const waitFor = async (pattern: RegExp, ms = 30_000): Promise<RegExpExecArray> => {
    for (const started = Date.now(); Date.now() - started < ms; ) {
      const match = pattern.exec(state.text)
      if (match !== null) return match
      if (server?.exitCode !== null) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const match = pattern.exec(state.text)
    if (match !== null) return match
    throw new Error(`no ${pattern} (deno exit ${server?.exitCode ?? server?.signalCode ?? 'none yet'})`)
  }
  return { state, waitFor }
}

test("the guide's sample runs there under Deno with the guide's command: ok, then duplicate", async () => {
  assert.ok(installed, 'the tarballs were not installed (see the previous test)')
  copyFileSync(join(examples, 'deno.ts'), join(app, 'server.ts'))
  const command = /^BANKSOCKET_SECRET=\S+ deno (run .*server\.ts)$/.exec(block('run: deno'))?.[1]
  assert.ok(command !== undefined, "the guide's run block is `BANKSOCKET_SECRET=... deno run ... server.ts`")
  server = spawn(deno, command.split(' '), {
    cwd: app,
    env: { ...childEnv(), BANKSOCKET_SECRET: SECRET, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const out = collect(server.stdout)
  const err = collect(server.stderr)
  const logs = (): string => `stdout:\n${out.state.text}\nstderr:\n${err.state.text}`
  try {
    // Deno.serve announces its address on stderr.
    const [, origin] = await err.waitFor(/Listening on (http:\/\/127\.0\.0\.1:\d+)\//).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${logs()}`)
    })
    // The testing package the recipe installed, from the app's node_modules.
    const testing = (await import(
      pathToFileURL(createRequire(join(app, 'package.json')).resolve('@banksocket-webhooks/testing')).href
    )) as typeof Testing
    const notification = await testing.signNotification({ amount: '250.00', balance: '1250.00', description: 'SN:1 SİPARİŞ #1001' }, SECRET)()
    const answers: unknown[] = []
    for (const encoding of ['form', 'json'] as const) {
      const sent = await testing.sendNotification(`${origin}/banksocket`, notification, { encoding })()
      answers.push(sent._tag === 'Right' ? { status: sent.right.status, body: sent.right.json } : { failed: sent.left })
    }
    assert.equal(
      answers,
      [
        { status: 200, body: { status: 'ok' } },
        { status: 200, body: { status: 'duplicate' } },
      ],
      logs(),
    )
    await out.waitFor(/credit 250\.00 TRY to account 69: SN:1 SİPARİŞ #1001/, 5_000)
    assert.is(out.state.text.split('credit ').length - 1, 1, 'the duplicate is not logged as a second credit')
    assert.not.ok(logs().includes(SECRET))
  } finally {
    const exited = new Promise((resolve) => (server?.exitCode !== null ? resolve(undefined) : server.once('close', resolve)))
    stopServer()
    await exited
  }
})

test.run()
