#!/usr/bin/env node
/**
 * The `banksocket` executable: runs the command line, waits for stdout and stderr to flush, and
 * exits with the command's code (0 success, 1 failure, 2 usage error).
 *
 * @module
 */
import { runCli } from './cli.ts'
import { flushNodeIo, nodeIo } from './io.ts'

const flushed = (stream: NodeJS.WriteStream): Promise<void> =>
  new Promise((resolve) => {
    if (stream.writableLength === 0) resolve()
    else stream.write('', () => resolve())
  })

const code = await runCli(process.argv.slice(2), nodeIo())
flushNodeIo()
await Promise.all([flushed(process.stdout), flushed(process.stderr)])
process.exit(code)
