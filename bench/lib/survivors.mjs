// `node --import ./bench/lib/survivors.mjs ...`: samples, from start to exit, the allocations that
// outlive a minor GC (V8's sampling heap profiler with objects collected by major GCs kept and those
// collected by minor GCs left out): what a scavenge has to copy. Writes
// $BENCH_SURVIVORS_DIR/<pid>.heapprofile (default: the system temp directory) at exit; summarise it
// with `node bench/lib/survivors-top.mjs FILE`. Used by docs/benchmarks.md, "p99: where the tail
// comes from" (through BENCH_PG_RECEIVER_NODE_FLAGS="--import ./bench/lib/survivors.mjs").
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const session = new Session()
session.connect()
session.post('HeapProfiler.startSampling', {
  samplingInterval: 2048,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: false,
})
process.on('exit', () => {
  // The inspector answers a session of this thread synchronously, so the profile is written before exit.
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return console.error(`survivors: ${error.message}`)
    writeFileSync(join(process.env.BENCH_SURVIVORS_DIR ?? tmpdir(), `${process.pid}.heapprofile`), JSON.stringify(result.profile))
  })
})
