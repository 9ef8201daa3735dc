// CPU profiles of a piece of in-process work, through the inspector (the same V8 sampler as
// `node --cpu-prof`, but started and stopped around the work only, so set-up such as generating
// notifications stays out of the profile). Server processes are profiled with `--cpu-prof`.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'

/**
 * Runs `work()` under the V8 CPU profiler and writes the profile to `file` (.cpuprofile).
 *
 * @template T
 * @param {string} file
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
export const profiled = async (file, work) => {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 100 })
  await session.post('Profiler.start')
  try {
    return await work()
  } finally {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(file, JSON.stringify(profile))
    session.disconnect()
  }
}
