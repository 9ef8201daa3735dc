/**
 * The admin port of `listen` and `forward` (`--admin-port PORT`, `--admin-host HOST`): a small
 * HTTP server of its own, never the webhook port, for an orchestrator's probes and a Prometheus
 * scraper.
 *
 * - `GET /healthz`: 200 `{"status":"ok"}` while the process runs;
 * - `GET /readyz`: 200 `{"status":"ready"}` when the store answered its last check, else 503
 *   `{"status":"not_ready","reason":…}` (see `readiness.ts`);
 * - `GET /metrics`: the Prometheus text format (see `telemetry.ts`).
 *
 * Other paths are 404, other methods 405 (HEAD is GET without the body), each with a JSON body. It
 * starts before the store is opened, so that `/readyz` says why the command is not ready while it
 * waits for the store, and closes last.
 *
 * @module
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Meter } from '@opentelemetry/api'
import * as E from 'fp-ts/lib/Either.js'
import { type Arguments, stringFlag } from './argv.ts'
import { ExitCode } from './exit.ts'
import { type CliIo, createRedactor } from './io.ts'
import { createReadiness, type Readiness, type StoreCheck } from './readiness.ts'
import { closing, type ResourceStack } from './resources.ts'
import type { FlagSpec } from './spec.ts'
import { apiTelemetry, prometheusTelemetry, type Telemetry } from './telemetry.ts'
import type { UsageError } from './usage.ts'
import { durationFlag, integerFlag, optionalFlag } from './values.ts'

/**
 * Where the admin port listens and how often `/readyz` checks the store (ms).
 *
 * @example
 * import type { AdminSettings } from './admin.ts'
 * const settings: AdminSettings = { port: 9464, host: '127.0.0.1', readyInterval: 5_000 }
 */
export type AdminSettings = Readonly<{ port: number; host: string; readyInterval: number }>

const DEFAULT_READY_INTERVAL = 5_000

/**
 * The flags `--admin-port`, `--admin-host` and `--ready-interval`, as help shows them.
 *
 * @example
 * import { adminFlagSpecs } from './admin.ts'
 * const flags = { port: portSpec, ...adminFlagSpecs }
 */
export const adminFlagSpecs: Readonly<Record<string, FlagSpec>> = {
  'admin-port': {
    type: 'string',
    value: 'PORT',
    description: 'serve GET /healthz, /readyz and /metrics (Prometheus) on this port (0 picks a free one); never the webhook port',
    default: 'no admin port',
  },
  'admin-host': { type: 'string', value: 'HOST', description: 'interface of the admin port', default: '127.0.0.1' },
  'ready-interval': { type: 'string', value: 'DURATION', description: 'how often /readyz checks the store (200ms, 5s, 1m)', default: '5s' },
}

const needsAdminPort = (flag: string): UsageError => ({
  _tag: 'FlagNeeds',
  flag,
  needs: '--admin-port PORT',
  reason: 'there is no admin port without it',
})

/**
 * `--admin-port PORT` (with `--admin-host`, `--ready-interval`), or `undefined` without it. Given
 * the command's webhook port, an admin port equal to it is a usage error (0 is not: both pick a
 * free port of their own); `--admin-host` and `--ready-interval` without `--admin-port` are too.
 *
 * @example
 * import { adminFlags } from './admin.ts'
 * adminFlags(args, 3000) // Right({ port: 9464, host: '127.0.0.1', readyInterval: 5000 }) for --admin-port 9464
 */
export const adminFlags = (args: Arguments, webhookPort?: number): E.Either<UsageError, AdminSettings | undefined> => {
  const port = integerFlag(args, 'admin-port', { min: 0, max: 65535 })
  if (E.isLeft(port)) return port
  const host = optionalFlag(args, 'admin-host', 'expected a host name or address')
  if (E.isLeft(host)) return host
  const interval = durationFlag(args, 'ready-interval', DEFAULT_READY_INTERVAL)
  if (E.isLeft(interval)) return interval
  if (port.right === undefined) {
    if (host.right !== undefined) return E.left(needsAdminPort('admin-host'))
    if (stringFlag(args, 'ready-interval') !== undefined) return E.left(needsAdminPort('ready-interval'))
    return E.right(undefined)
  }
  if (port.right !== 0 && port.right === webhookPort) {
    return E.left({
      _tag: 'InvalidValue',
      flag: 'admin-port',
      reason: `${port.right} is the webhook port (--port): the admin port is a port of its own, never the one Banksocket posts to`,
    })
  }
  return E.right({ port: port.right, host: host.right ?? '127.0.0.1', readyInterval: interval.right })
}

/**
 * Why a server could not listen, in a few words.
 *
 * @example
 * import { listenFailure } from './admin.ts'
 * listenFailure(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' })) // 'the port is in use'
 */
export const listenFailure = (error: unknown): string => {
  const code = (error as { code?: unknown }).code
  if (code === 'EADDRINUSE') return 'the port is in use'
  if (code === 'EACCES') return 'permission denied'
  return error instanceof Error ? error.message : String(error)
}

/** A host as it is written in a URL (an IPv6 address in brackets). */
const hostForUrl = (host: string): string => (host.includes(':') ? `[${host}]` : host)

/** The content type of the Prometheus text format. */
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8'

const ALLOWED = 'GET, HEAD'

const sendJson = (res: ServerResponse, status: number, body: object, headers: Readonly<Record<string, string>> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
  res.end(`${JSON.stringify(body)}\n`)
}

const sendMetrics = async (res: ServerResponse, scrape: () => Promise<string>): Promise<void> => {
  let text: string
  try {
    text = await scrape()
  } catch (error) {
    sendJson(res, 500, { error: 'metrics_failed', message: error instanceof Error ? error.message : String(error) })
    return
  }
  res.writeHead(200, { 'content-type': PROMETHEUS_TEXT, 'cache-control': 'no-store' })
  res.end(text)
}

const ROUTES = new Set(['/healthz', '/readyz', '/metrics'])

/** Answers one request to the admin port. */
const answer = (req: IncomingMessage, res: ServerResponse, readiness: Readiness, telemetry: Telemetry): void => {
  const path = new URL(req.url ?? '/', 'http://admin').pathname
  if (!ROUTES.has(path)) {
    sendJson(res, 404, { error: 'not_found', paths: [...ROUTES] })
    return
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method_not_allowed', allow: ALLOWED }, { allow: ALLOWED })
    return
  }
  if (path === '/healthz') {
    sendJson(res, 200, { status: 'ok' })
    return
  }
  if (path === '/readyz') {
    const state = readiness.state()
    sendJson(res, state.ready ? 200 : 503, state.ready ? { status: 'ready' } : { status: 'not_ready', reason: state.reason })
    return
  }
  if (telemetry.scrape === undefined) sendJson(res, 404, { error: 'not_found' })
  else void sendMetrics(res, telemetry.scrape)
}

/** The admin server, listening: its port, and `close` (which drops its idle keep-alive connections). */
type AdminServer = Readonly<{ port: number; close: () => Promise<void> }>

const startAdminServer = async (settings: AdminSettings, readiness: Readiness, telemetry: Telemetry): Promise<AdminServer> => {
  const server = createServer((req, res) => answer(req, res, readiness, telemetry))
  server.listen(settings.port, settings.host)
  await once(server, 'listening')
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()))
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.close()
      // Probes and scrapers keep their connections open: nothing the admin port answers is long.
      server.closeAllConnections()
      await closed
    },
  }
}

/**
 * What a command gets from its admin port: the `meter` to hand the libraries (the OpenTelemetry
 * API's no-op meter without `--admin-port`), its `readiness`, the admin URL for the first line
 * (`undefined` without `--admin-port`) and the interval of the store checks.
 *
 * @example
 * import type { Admin } from './admin.ts'
 * const line = (admin: Admin) => (admin.url === undefined ? {} : { admin: admin.url })
 */
export type Admin = Readonly<{ meter: Meter; readiness: Readiness; url: string | undefined; readyInterval: number }>

/**
 * Opens the admin port of `settings` (nothing without them): the metrics, the readiness (not ready
 * for `initial` until the command says otherwise) and the server, each registered on `resources`
 * (the server closes before the metrics end). Readiness reasons are redacted of `secrets` (a
 * database password) before they are served. A port that cannot be taken is one line on stderr and
 * exit code 1.
 *
 * @example
 * import { openAdmin } from './admin.ts'
 * const admin = await openAdmin(config.admin, { command: 'banksocket listen', initial: 'opening the store', secrets: [], io, resources })
 * if (E.isLeft(admin)) return admin.left
 * createNodeReceiver({ secrets, meter: admin.right.meter })
 */
export const openAdmin = async (
  settings: AdminSettings | undefined,
  options: Readonly<{ command: string; initial: string; secrets: ReadonlyArray<string>; io: CliIo; resources: ResourceStack<string> }>,
): Promise<E.Either<ExitCode, Admin>> => {
  const readiness = createReadiness(options.initial, createRedactor(options.secrets))
  if (settings === undefined) return E.right({ meter: apiTelemetry().meter, readiness, url: undefined, readyInterval: DEFAULT_READY_INTERVAL })
  const telemetry = await prometheusTelemetry()
  options.resources.defer(closing(() => telemetry.shutdown()))
  let server: AdminServer
  try {
    server = await startAdminServer(settings, readiness, telemetry)
  } catch (error) {
    options.io.stderr.write(`${options.command}: could not listen on ${settings.host}:${settings.port} (--admin-port): ${listenFailure(error)}\n`)
    return E.left(ExitCode.failure)
  }
  options.resources.defer(closing(() => server.close()))
  return E.right({
    meter: telemetry.meter,
    readiness,
    url: `http://${hostForUrl(settings.host)}:${server.port}`,
    readyInterval: settings.readyInterval,
  })
}

/**
 * Once the store is open: ready now (it just answered), then checked with `check` every interval;
 * the checks stop (not ready: stopping) when `resources` close what was opened since.
 *
 * @example
 * import { watchStore } from './admin.ts'
 * watchStore(admin, async () => E.right(await store.head()()), resources)
 */
export const watchStore = (admin: Admin, check: StoreCheck | undefined, resources: ResourceStack<string>): void => {
  admin.readiness.answered()
  if (check === undefined) return
  admin.readiness.watch(check, admin.readyInterval)
  resources.defer(closing(() => admin.readiness.close('stopping')))
}

/**
 * The password of a PostgreSQL URL, to redact it (none for a file, or a URL without one).
 *
 * @example
 * import { passwordOf } from './admin.ts'
 * passwordOf('postgres://app:s3cr3t-pass@db/app') // ['s3cr3t-pass']
 */
export const passwordOf = (url: string | undefined): ReadonlyArray<string> => {
  if (url === undefined) return []
  try {
    const password = decodeURIComponent(new URL(url).password)
    return password === '' ? [] : [password]
  } catch {
    return []
  }
}
