// `node bench/lib/survivors-top.mjs FILE.heapprofile`: the sampled bytes of a heap profile written by
// survivors.mjs, by allocating function and by the innermost frame of our own packages.
import { readFileSync } from 'node:fs'

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const bySelf = new Map()
const byOurs = new Map()
let total = 0
const walk = (node, stack) => {
  const frame = node.callFrame
  const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-3).join('/')}:${frame.lineNumber + 1}`
  const path = [...stack, name]
  if (node.selfSize > 0) {
    total += node.selfSize
    bySelf.set(name, (bySelf.get(name) ?? 0) + node.selfSize)
    const ours = path.findLast((f) => f.includes('/dist/')) ?? '(no frame of ours)'
    byOurs.set(ours, (byOurs.get(ours) ?? 0) + node.selfSize)
  }
  for (const child of node.children ?? []) walk(child, path)
}
walk(profile.head, [])
const top = (map) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([name, bytes]) => `${(bytes / 1e6).toFixed(2).padStart(7)} MB ${((100 * bytes) / total).toFixed(1).padStart(5)} %  ${name}`)
    .join('\n')
console.log(`sampled bytes that outlived a minor GC: ${(total / 1e6).toFixed(1)} MB`)
console.log(`\nby allocating function:\n${top(bySelf)}`)
console.log(`\nby innermost frame of our packages:\n${top(byOurs)}`)
