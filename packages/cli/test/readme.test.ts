import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseArguments } from '../src/argv.ts'
import { COMMANDS } from '../src/cli.ts'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** Splits a shell command line into words (double and single quotes, no expansions). */
const words = (line: string): string[] => {
  const out: string[] = []
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '')
  return out
}

const commandLines = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((block) => (block[1] ?? '').split('\n'))
  .map((line) => line.trim())
  .filter((line) => line.startsWith('banksocket '))

test('the README shows every command', () => {
  for (const command of COMMANDS) {
    const path = `banksocket ${command.spec.path.join(' ')}`
    assert.ok(commandLines.some((l) => l.startsWith(path)) || readme.includes(`### \`${path}`), `${path} in the README`)
  }
})

test('every command line in the README is valid for its command', () => {
  assert.ok(commandLines.length >= 10)
  for (const line of commandLines) {
    const args = words(line).slice(1)
    const command = COMMANDS.find((c) => c.spec.path.every((word, i) => args[i] === word))
    assert.ok(command !== undefined, `a command for: ${line}`)
    const parsed = parseArguments(command.spec, args.slice(command.spec.path.length))
    const checked = E.chain((a: Parameters<typeof command.check>[0]) => command.check(a, {}))(parsed)
    assert.ok(E.isRight(checked), `${line}: ${JSON.stringify(E.isLeft(checked) ? checked.left : null)}`)
  }
})

test.run()
