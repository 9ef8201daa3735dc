/**
 * A module Worker that runs the shared test vectors through core inside workerd and answers what it
 * saw, so the Node side can assert every outcome. Each vector goes through `receive` in the three
 * encodings Banksocket may use (the multipart body is built by workerd's own `FormData`), and
 * `sign` must reproduce every accepted canonical (hex) hash.
 */

import { vectors } from '../../../test-support/src/vectors.ts'
import { encodeForm, receive, type SignedFields, sign } from '../../src/index.ts'

/** One vector in one encoding, as the Worker saw it. */
export type VectorResult = Readonly<{
  name: string
  encoding: 'form' | 'json' | 'multipart'
  outcome: string
  amountMinor?: string
  verifiedDescription?: string
  unverifiedAccount?: string
}>

/** The Worker's whole answer. */
export type VectorReport = Readonly<{
  userAgent: string
  hasProcess: boolean
  results: readonly VectorResult[]
  signatures: ReadonlyArray<Readonly<{ name: string; reproduced: boolean }>>
}>

const multipart = async (fields: Readonly<Record<string, string>>) => {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  const request = new Request('http://worker.invalid/', { method: 'POST', body: form })
  return { contentType: request.headers.get('content-type') ?? '', body: new Uint8Array(await request.arrayBuffer()) }
}

const encodings = {
  form: async (fields: Readonly<Record<string, string>>) => ({ contentType: 'application/x-www-form-urlencoded', body: encodeForm(fields) }),
  json: async (fields: Readonly<Record<string, string>>) => ({ contentType: 'application/json', body: JSON.stringify(fields) }),
  multipart,
} as const

const run = async (): Promise<VectorReport> => {
  const results: VectorResult[] = []
  const signatures: Array<{ name: string; reproduced: boolean }> = []
  for (const c of vectors.cases) {
    for (const encoding of ['form', 'json', 'multipart'] as const) {
      const result = await receive(await encodings[encoding](c.fields), { secrets: [c.secret] })()
      results.push(
        result._tag === 'Right'
          ? {
              name: c.name,
              encoding,
              outcome: 'accepted',
              amountMinor: result.right.amount.minor.toString(),
              verifiedDescription: result.right.verified.description,
              unverifiedAccount: result.right.unverified.account,
            }
          : { name: c.name, encoding, outcome: `rejected:${result.left._tag}` },
      )
    }
    if (c.expect === 'accepted' && atob(c.fields.hash).length === 64) {
      signatures.push({ name: c.name, reproduced: (await sign(c.fields as SignedFields, c.secret)()) === c.fields.hash })
    }
  }
  return { userAgent: navigator.userAgent, hasProcess: 'process' in globalThis, results, signatures }
}

export default {
  async fetch(): Promise<Response> {
    return Response.json(await run())
  },
}
