// The packages as a user gets them. Packs every public package (scripts/pack.mjs), checks each
// tarball (LICENSE, metadata, publint, attw's checks), installs them with npm into a fresh app outside the
// workspace (no links: their dependencies come from the npm registry), and uses them there: an
// ESM program receives a signed notification over loopback, a TypeScript consumer type-checks with
// `nodenext`, `bundler` and `node10` resolution (TypeScript from the workspace), the CLI's bin
// runs, and `require()` does what the README's Install section says it does on this Node.
//
// Needs the packages built (`pnpm run build`; CI builds before testing). `pnpm run smoke` builds
// and runs only this file.
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = fileURLToPath(new URL('..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'banksocket-consumer-'))
const packsDir = join(work, 'packs')
const app = join(work, 'app')
process.on('exit', () => rmSync(work, { recursive: true, force: true }))

type Manifest = Record<string, unknown> & {
  name: string
  version: string
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  engines?: { node?: string }
}
type Packed = Readonly<{ name: string; version: string; file: string; dir: string }>

/** The public packages of the workspace, read independently of scripts/pack.mjs. */
const publicPackages = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest & { private?: boolean } }))
  .filter(({ pkg }) => pkg.private !== true)

/** Children get a clean environment: no npm_config_* that `pnpm run` sets for its scripts. */
/**
 * The environment of the commands this test runs (npm, pnpm, node, tsc): npm's own variables left
 * out, and the Node running this test first on the PATH, so that `npm install` and the installed
 * app run on it (CI runs this file on Node 22, 20 and 24; the PATH it inherits leads to Node 22).
 */
const childEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_/i.test(name)) env[name] = value
  return { ...env, PATH: [dirname(process.execPath), env['PATH']].filter(Boolean).join(delimiter), NO_COLOR: '1', FORCE_COLOR: '0' }
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = childEnv()): SpawnSyncReturns<string> =>
  spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 })

const explain = (r: SpawnSyncReturns<string>): string => `exit ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`

const runAsync = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('close', (code) => resolve({ code, output }))
  })

/** The regular files of a .tgz, by path (`package/…`), read without any tar binary. */
const tarEntries = (file: string): Map<string, Buffer> => {
  const data = gunzipSync(readFileSync(file))
  const entries = new Map<string, Buffer>()
  let longName: string | undefined
  for (let offset = 0; offset + 512 <= data.length; ) {
    const header = data.subarray(offset, offset + 512)
    if (header.every((b) => b === 0)) break
    const field = (start: number, length: number): string =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0[\s\S]*$/, '')
    const size = Number.parseInt(field(124, 12).trim() || '0', 8)
    const type = field(156, 1)
    const body = data.subarray(offset + 512, offset + 512 + size)
    const prefix = field(345, 155)
    const name = longName ?? (prefix === '' ? field(0, 100) : `${prefix}/${field(0, 100)}`)
    longName = undefined
    if (type === 'x') longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1]
    else if (type === '0' || type === '') entries.set(name, body)
    offset += 512 + Math.ceil(size / 512) * 512
  }
  return entries
}

/** The lowest Node version a semver range admits (`>=20.3`, `^20.19.0 || >=22.12.0`, `18 - 22`, `*`). */
const floorOf = (range: string): Version => {
  const floors = range.split('||').map((alternative) => {
    const m = /(?:>=|\^|~|=|v)?\s*(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?/.exec(alternative.trim())
    if (m === null || /^\s*>\s*\d/.test(alternative)) return [0, 0, 0] as const
    const part = (s: string | undefined): number => (s === undefined || s === 'x' || s === '*' ? 0 : Number(s))
    return [part(m[1]), part(m[2]), part(m[3])] as const
  })
  return floors.reduce((a, b) => (compare(a, b) <= 0 ? a : b))
}
type Version = readonly [number, number, number]
const compare = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
const [major = 0, minor = 0, patch = 0] = process.versions.node.split('.').map(Number)
const current: Version = [major, minor, patch]
const show = (v: Version): string => v.join('.')

let packed: ReadonlyArray<Packed> = []
let installed: SpawnSyncReturns<string> | undefined

const needPacks = (): void => assert.ok(packed.length > 0, 'nothing was packed (see the first test)')
const needInstall = (): void => assert.ok(installed?.status === 0, 'the tarballs were not installed (see the install test)')

test('scripts/pack.mjs packs every public package into one folder', () => {
  const r = run(process.execPath, [join(root, 'scripts', 'pack.mjs'), '--out', packsDir], root, { ...process.env, NO_COLOR: '1' })
  assert.is(r.status, 0, explain(r))
  const manifest = JSON.parse(readFileSync(join(packsDir, 'packs.json'), 'utf8')) as Array<{ name: string; version: string; file: string }>
  assert.equal(manifest.map((m) => m.name).sort(), publicPackages.map((p) => p.pkg.name).sort())
  packed = manifest.map((m) => ({ ...m, file: join(packsDir, m.file), dir: publicPackages.find((p) => p.pkg.name === m.name)?.dir ?? '?' }))
  for (const p of packed) assert.ok(existsSync(p.file), p.file)
})

test('each tarball holds the LICENSE, a README, its dist and complete, publishable metadata', () => {
  needPacks()
  const license = readFileSync(join(root, 'LICENSE'), 'utf8')
  assert.match(license, /^MIT License\n/)
  const ours = new Map(packed.map((p) => [p.name, p.version]))
  const problems: string[] = []
  const expect = (holds: boolean, what: string): void => void (holds || problems.push(what))
  for (const p of packed) {
    const files = tarEntries(p.file)
    const has = (path: unknown): boolean => typeof path === 'string' && files.has(`package/${path.replace(/^\.\//, '')}`)
    const at = `${p.name}:`
    expect(files.get('package/LICENSE')?.toString('utf8') === license, `${at} LICENSE is the repository's`)
    expect(files.has('package/README.md'), `${at} README.md`)
    const pkg = JSON.parse(files.get('package/package.json')?.toString('utf8') ?? '{}') as Manifest
    expect(pkg['license'] === 'MIT', `${at} "license": "MIT"`)
    expect(pkg['type'] === 'module', `${at} "type": "module"`)
    const repository = pkg['repository'] as { type?: string; url?: string; directory?: string } | undefined
    expect(typeof repository?.url === 'string' && repository.url !== '', `${at} repository.url`)
    expect(repository?.directory === `packages/${p.dir}`, `${at} repository.directory is packages/${p.dir}`)
    expect(typeof pkg.engines?.node === 'string', `${at} engines.node`)
    expect(typeof pkg['sideEffects'] === 'boolean' || Array.isArray(pkg['sideEffects']), `${at} sideEffects`)
    expect(Array.isArray(pkg['files']), `${at} files`)
    expect(has(pkg['types']), `${at} "types" names a file in the tarball (got ${JSON.stringify(pkg['types'])})`)
    const main = (pkg['exports'] as Record<string, Record<string, string>> | undefined)?.['.']
    expect(main !== undefined && Object.keys(main)[0] === 'types', `${at} exports['.'] lists "types" first`)
    for (const target of Object.values(main ?? {})) expect(has(target), `${at} exports target ${target} is in the tarball`)
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      for (const [name, range] of Object.entries(pkg[field] ?? {})) {
        expect(!range.startsWith('workspace:'), `${at} ${field}.${name} is ${range}`)
        if (ours.has(name)) expect(range === `^${ours.get(name)}`, `${at} ${field}.${name} is ${range}, not the packed ^${ours.get(name)}`)
      }
    }
  }
  assert.equal(problems, [])
})

test('publint finds nothing to report in any tarball (strict, suggestions included)', async () => {
  needPacks()
  const problems: string[] = []
  for (const p of packed) {
    const bytes = readFileSync(p.file)
    const { messages, pkg } = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      strict: true,
      level: 'suggestion',
    })
    for (const m of messages) problems.push(`${p.name}: ${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`)
  }
  assert.equal(problems, [])
})

test('attw: types resolve under node10, node16 (ESM) and bundler; from CJS only the documented ESM-only answer', async () => {
  needPacks()
  const problems: string[] = []
  for (const p of packed) {
    // Are the types wrong (attw's engine, in this process: one TypeScript load for every tarball).
    const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(readFileSync(p.file))))
    if (!analysis.types) {
      problems.push(`${p.name}: no types found`)
      continue
    }
    // CJSResolvesToESM is what "ESM-only" means; the README's Install section says so and the require() test checks it.
    for (const problem of analysis.problems) if (problem.kind !== 'CJSResolvesToESM') problems.push(`${p.name}: ${JSON.stringify(problem)}`)
  }
  assert.equal(problems, [])
})

/** The README's install recipe for `tool`, with its `packs=` line pointed at this run's tarballs. */
const recipe = (tool: 'npm' | 'pnpm'): string => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const block = new RegExp(`<!-- install: ${tool} -->\n\`\`\`sh\n([\\s\\S]*?)\n\`\`\`\n`).exec(readme)?.[1]
  assert.ok(block !== undefined, `README.md has an install recipe for ${tool}`)
  assert.match(block, /^packs=\S+$/m, `the ${tool} recipe starts from the packs folder`)
  return block.replace(/^packs=\S+$/m, `packs='${packsDir}'`)
}

test("the README's npm recipe installs the tarballs into a fresh app, with no workspace link", () => {
  needPacks()
  mkdirSync(app, { recursive: true })
  // @types/node for the TypeScript consumer below; the recipe's `npm install` installs it too.
  const manifest = { name: 'banksocket-consumer', version: '1.0.0', private: true, type: 'module', devDependencies: { '@types/node': '^20.19.0' } }
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2))
  // --no-audit --no-fund --loglevel=warn, as environment (the recipe is run as written)
  const env = { ...childEnv(), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_loglevel: 'warn' }
  installed = run('bash', ['-euo', 'pipefail', '-c', recipe('npm')], app, env)
  assert.is(installed.status, 0, explain(installed))
  for (const p of packed) {
    const dir = join(app, 'node_modules', ...p.name.split('/'))
    assert.ok(existsSync(join(dir, 'package.json')), `${p.name} is installed`)
    assert.not.ok(lstatSync(dir).isSymbolicLink(), `${p.name} is a copy, not a link`)
  }
})

test("the README's pnpm recipe installs what it names from the tarballs", () => {
  needPacks()
  const pnpmApp = join(work, 'app-pnpm')
  const bin = join(work, 'bin')
  mkdirSync(pnpmApp, { recursive: true })
  mkdirSync(bin, { recursive: true })
  writeFileSync(
    join(pnpmApp, 'package.json'),
    JSON.stringify({ name: 'banksocket-pnpm-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2),
  )
  // `pnpm` on PATH: the one running this test (`pnpm run …` sets npm_execpath), else the pinned one through npx.
  const execpath = process.env['npm_execpath']
  const pinned = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { packageManager: string }).packageManager
  const target = execpath !== undefined && /pnpm/.test(execpath) ? `'${process.execPath}' '${execpath}'` : `npx --yes ${pinned}`
  writeFileSync(join(bin, 'pnpm'), `#!/bin/sh\nexec ${target} "$@"\n`, { mode: 0o755 })
  const env = { ...childEnv(), PATH: `${bin}:${process.env['PATH'] ?? ''}` }
  const r = run('bash', ['-euo', 'pipefail', '-c', recipe('pnpm')], pnpmApp, env)
  assert.is(r.status, 0, explain(r))
  const check = run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const m = await import('@banksocket-webhooks/adapter-node-server'); const c = await import('@banksocket-webhooks/core'); console.log(typeof m.createNodeReceiver, typeof c.receive)",
    ],
    pnpmApp,
  )
  assert.is(check.status, 0, explain(check))
  assert.is(check.stdout.trim(), 'function function')
})

test('engines tell the truth: no package promises a Node older than a dependency needs, and npm warns only where we said it would', () => {
  needInstall()
  const modules = join(app, 'node_modules')
  const manifestAt = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest
  /** npm's node_modules resolution: nested first, then up to the app's. */
  const resolveFrom = (dir: string, name: string): string | undefined => {
    for (let d = dir; d.startsWith(app); d = join(d, '..')) {
      const candidate = join(d, 'node_modules', ...name.split('/'))
      if (existsSync(join(candidate, 'package.json'))) return candidate
      if (d === app) break
    }
    return undefined
  }
  const problems: string[] = []
  const needsNewerNode = new Set<string>()
  for (const p of packed) {
    const dir = join(modules, ...p.name.split('/'))
    const declared = manifestAt(dir).engines?.node
    if (declared === undefined) continue // the metadata test reports it
    const own = floorOf(declared)
    if (compare(own, current) > 0) needsNewerNode.add(`${p.name}@${p.version}`)
    const seen = new Set<string>()
    const visit = (from: string): void => {
      const manifest = manifestAt(from)
      for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
        const found = resolveFrom(from, name)
        if (found === undefined || seen.has(found)) continue
        seen.add(found)
        const dep = manifestAt(found)
        const floor = floorOf(dep.engines?.node ?? '*')
        if (compare(floor, own) > 0)
          problems.push(`${p.name} declares node ${show(own)}+ but depends on ${dep.name}@${dep.version}, which needs ${dep.engines?.node}`)
        if (compare(floor, current) > 0) needsNewerNode.add(`${dep.name}@${dep.version}`)
        visit(found)
      }
    }
    visit(dir)
  }
  assert.equal(problems, [])
  const warned = new Set([...`${installed?.stderr}`.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map((m) => m[1] ?? ''))
  assert.equal([...warned].sort(), [...needsNewerNode].sort(), `npm's EBADENGINE warnings on Node ${process.versions.node}`)
})

test('an ESM program receives a signed notification over loopback with the installed packages', () => {
  needInstall()
  writeFileSync(
    join(app, 'receive.mjs'),
    `import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { sendNotification, signNotification } from '@banksocket-webhooks/testing'

const secret = 'consumer-smoke-secret'
const credits = []
const receiver = createNodeReceiver({ secrets: [secret] }).on('credit', (tx) => {
  credits.push({ amount: tx.verified.amount, minor: String(tx.amount.minor), currency: tx.amount.currency, account: tx.unverified.account_id })
})
const { port } = await receiver.listen(0, '127.0.0.1')
const url = 'http://127.0.0.1:' + port + '/'
const signed = await signNotification({ amount: '250.00', balance: '18250.00' }, secret)()
const answers = []
for (const [fields, encoding] of [[signed, 'form'], [signed, 'json'], [await signNotification({ amount: '250.00', balance: '18250.00' }, 'not-the-secret')(), 'multipart']]) {
  const sent = await sendNotification(url, fields, { encoding })()
  answers.push(sent._tag === 'Right' ? { status: sent.right.status, body: sent.right.body } : { failed: sent.left })
}
await receiver.close()
console.log(JSON.stringify({ answers, credits }))
`,
  )
  const r = run(process.execPath, ['receive.mjs'], app)
  assert.is(r.status, 0, explain(r))
  assert.equal(JSON.parse(r.stdout), {
    answers: [
      { status: 200, body: '{"status":"ok"}' },
      { status: 200, body: '{"status":"duplicate"}' },
      { status: 401, body: '{"error":"invalid_hash"}' },
    ],
    credits: [{ amount: '250.00', minor: '25000', currency: 'TRY', account: '69' }],
  })
})

test('a TypeScript consumer type-checks with nodenext, bundler and node10 module resolution', async () => {
  needInstall()
  const imports = packed.map((p, i) => `import * as package${i} from '${p.name}'`).join('\n')
  writeFileSync(
    join(app, 'consumer.ts'),
    `${imports}
import { createNodeReceiver, type NodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { signNotification } from '@banksocket-webhooks/testing'
import { type MockBanksocket, startMockBanksocket } from '@banksocket-webhooks/testing/node'

/** The testing package's Node-only entry resolves under every resolution mode too. */
export const startMock: (options: { token: string; secret: string }) => unknown = startMockBanksocket
export type Mock = MockBanksocket

/** Every public package resolves, with its types. */
export const packages = [${packed.map((_, i) => `package${i}`).join(', ')}] as const

export const receiver: NodeReceiver = createNodeReceiver({ secrets: ['s3cr3t'] }).on('credit', (tx) => {
  const minor: bigint = tx.amount.minor
  const amount: string = tx.verified.amount
  // @ts-expect-error the verified amount is the exact decimal string, never a number
  const wrong: number = tx.verified.amount
  void [minor, amount, wrong]
})

export const hash: Promise<string> = signNotification({ amount: '1.00' }, 's3cr3t')().then((fields) => fields.hash)
`,
  )
  // No `lib`: the target's default, as a fresh tsconfig has it (Node 20's globals such as fetch and
  // Request are typed by @types/node and the DOM lib alike). nodenext also checks every .d.ts we
  // ship (skipLibCheck off); the other two check how the imports resolve and type.
  const base = { strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, target: 'ES2022', types: ['node'], noEmit: true }
  const settings = {
    nodenext: { module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: false },
    bundler: { module: 'preserve', moduleResolution: 'bundler', skipLibCheck: true },
    node10: { module: 'commonjs', moduleResolution: 'node10', skipLibCheck: true },
  }
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const results = await Promise.all(
    Object.entries(settings).map(async ([name, options]) => {
      const config = join(app, `tsconfig.${name}.json`)
      writeFileSync(config, JSON.stringify({ compilerOptions: { ...base, ...options }, files: ['consumer.ts'] }, null, 2))
      return { name, ...(await runAsync(process.execPath, [tsc, '-p', config], app)) }
    }),
  )
  assert.equal(
    results.filter((r) => r.code !== 0).map((r) => `moduleResolution ${r.name}: exit ${r.code}\n${r.output}`),
    [],
  )
})

test('the CLI runs from its installed bin', () => {
  needInstall()
  const cli = packed.find((p) => p.name === '@banksocket-webhooks/cli')
  assert.ok(cli !== undefined, 'the cli is packed')
  const r = run(join(app, 'node_modules', '.bin', 'banksocket'), ['--version'], app)
  assert.is(r.status, 0, explain(r))
  assert.is(r.stdout.trim(), cli.version)
})

test("require() on this Node does what the README's Install section says", () => {
  needInstall()
  const names = packed.map((p) => p.name)
  const script = `const out = {}
for (const name of ${JSON.stringify(names)}) {
  try { out[name] = { ok: Object.keys(require(name)).length > 0 } } catch (error) { out[name] = { code: error.code ?? String(error) } }
}
console.log(JSON.stringify(out))`
  const r = run(process.execPath, ['-e', script], app)
  assert.is(r.status, 0, explain(r))
  const outcome = JSON.parse(r.stdout) as Record<string, { ok?: boolean; code?: string }>
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  assert.match(readme, /ESM-only/)
  assert.match(readme, /ERR_REQUIRE_ESM/)
  assert.match(readme, /20\.19/)
  // require(esm) is on by default from Node 20.19 (and 22.12); before that require() of an ES module throws ERR_REQUIRE_ESM.
  const requireEsm = (current[0] === 20 && current[1] >= 19) || compare(current, [22, 12, 0]) >= 0
  for (const name of names) {
    assert.equal(outcome[name], requireEsm ? { ok: true } : { code: 'ERR_REQUIRE_ESM' }, `require('${name}') on Node ${process.versions.node}`)
  }
})

test.run()
