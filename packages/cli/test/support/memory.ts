/**
 * Runs the CLI in this process with captured output, for the large matrices of usage errors where
 * spawning one process per case would only measure Node's start-up.
 */
import { type CliIo, runCli } from '../../src/index.ts'

export const runInProcess = async (
  args: ReadonlyArray<string>,
  options: { env?: Readonly<Record<string, string>>; tty?: boolean } = {},
): Promise<Readonly<{ code: number; stdout: string; stderr: string }>> => {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: { write: (text) => void (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text) => void (stderr += text), isTTY: options.tty ?? false },
    env: options.env ?? {},
    onSignal: () => () => {},
    exit: (code) => {
      throw new Error(`exit(${code}) called`)
    },
  }
  const code = await runCli(args, io)
  return { code, stdout, stderr }
}
