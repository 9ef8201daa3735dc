import { vectors } from '../../../test-support/src/vectors.ts'
import { type SignedFields, sign } from '../../src/index.ts'

export const SECRET = 's3cr3t-ÇĞİÖŞÜ-key'

const { hash: _sampleHash, ...sample } = vectors.doc_sample.fields

/** The documented sample notification's fields, without its hash. */
export const baseFields = sample

/** Signs fields (merged over the documented sample) and returns them with `hash`. */
export const signed = async (
  overrides: Partial<Record<keyof typeof baseFields, string>> & Record<string, string> = {},
  secret = SECRET,
): Promise<Record<string, string>> => {
  const fields: Record<string, string> = { ...baseFields, ...overrides }
  const hash = await sign(fields as unknown as SignedFields, secret)()
  return { ...fields, hash }
}
