/**
 * Commands on one stream, one at a time within one instance: concurrent credits for one
 * expectation queue instead of racing, so version conflicts remain for other processes only.
 *
 * @internal
 * @module
 */

/**
 * A queue per stream: {@link StreamQueue.run} starts a task once the previous task on the same
 * stream has settled (fulfilled or rejected); tasks on different streams do not wait for each
 * other. A stream with nothing under way holds no entry.
 *
 * @internal
 * @example
 * import { StreamQueue } from './stream-queue.ts'
 * const queue = new StreamQueue()
 * const [a, b] = await Promise.all([queue.run('payment-1', slowTask), queue.run('payment-1', quickTask)]) // quickTask starts after slowTask
 */
export class StreamQueue {
  /** The command under way on each stream: commands on one stream run one after the other. */
  readonly #queues = new Map<string, Promise<void>>()

  /** Runs `task` after the tasks already queued on `stream`; resolves or rejects as it does. */
  run<A>(stream: string, task: () => Promise<A>): Promise<A> {
    const previous = this.#queues.get(stream) ?? Promise.resolve()
    const run = previous.then(task)
    const done = run.then(
      () => undefined,
      () => undefined,
    )
    this.#queues.set(stream, done)
    void done.then(() => {
      if (this.#queues.get(stream) === done) this.#queues.delete(stream)
    })
    return run
  }
}
