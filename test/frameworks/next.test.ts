/**
 * docs/guides/frameworks.md, Next.js: the App Router app of examples/next-app, built and served the
 * way Next runs in production (`next build`, then `next start` on a free loopback port), answers
 * signed notifications at its route handler, app/banksocket/route.ts.
 *
 * The app is copied to a temporary directory under .tmp/ (inside the repository, so that
 * Turbopack's root, the directory of pnpm-lock.yaml, holds it and the packages it imports), with a
 * `node_modules` link to the guides package's, and built there: nothing Next writes (`.next`,
 * `next-env.d.ts`, `tsconfig.json`) lands in docs/. `CI=1` keeps Next from installing anything.
 *
 * Next insists on `@types/react` before it builds a TypeScript app (it would install it; with
 * `CI=1` it fails instead): the guides package has it, so route.ts is built as it is and Next
 * type-checks it as well.
 */
import { spawn } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as assert from 'uvu/assert'
import { SECRET, webhookCases } from './support/cases.ts'
import { startProcess } from './support/process.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const guides = join(root, 'docs', 'guides')
const sample = join(guides, 'examples', 'next-app')
const env = { CI: '1', NEXT_TELEMETRY_DISABLED: '1' }

/** Runs `next <args>` in `cwd` to its end; resolves with its output, rejects if it fails. */
const next = (cwd: string, args: readonly string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(cwd, 'node_modules', 'next', 'dist', 'bin', 'next'), ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')))
    child.once('error', reject)
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`next ${args.join(' ')} exited with ${code}:\n${output}`))))
  })

webhookCases('Next.js App Router (next build, next start)', async () => {
  mkdirSync(join(root, '.tmp'), { recursive: true })
  const dir = mkdtempSync(join(root, '.tmp', 'frameworks-next-'))
  try {
    cpSync(sample, dir, { recursive: true })
    symlinkSync(join(guides, 'node_modules'), join(dir, 'node_modules'), 'dir')
    const started = Date.now()
    const built = await next(dir, ['build'])
    assert.match(built, /ƒ \/banksocket/, 'the route is built as a dynamic route handler')
    console.log(`next build: ${((Date.now() - started) / 1000).toFixed(1)}s`)
    const served = await startProcess({
      command: process.execPath,
      args: [join(dir, 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', '--hostname', '127.0.0.1', '--port', '0'],
      cwd: dir,
      env: { ...env, BANKSOCKET_SECRET: SECRET },
      ready: /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/,
      path: '/banksocket',
      timeoutMs: 60_000,
    })
    return {
      ...served,
      stop: async () => {
        await served.stop()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}).run()
