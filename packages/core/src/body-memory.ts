/**
 * What one body parser remembers from body to body: decoders by charset label, parsed
 * `Content-Type` headers, the decoded values of the form fields that repeat from notification to
 * notification, and scratch space for decoding. Each parser has its own (an inbox makes one, see
 * `createBodyParser`), so nothing is shared between inboxes or kept at module level. Every part is
 * bounded.
 *
 * @module
 */
import { type Decoder, makeDecoder } from './charset.ts'
import { type ContentType, parseContentType } from './content-type.ts'
import { KNOWN_NAMES } from './fields.ts'
import { Scratch } from './percent-decoding.ts'

/** Decoders remembered, at most: a sender uses one or two charsets. */
const DECODERS = 64
/** `Content-Type` headers remembered, at most, and the longest remembered. */
const CONTENT_TYPES = 32
const CONTENT_TYPE_LENGTH = 256
/** Per known field, values remembered, in slots chosen by the raw value's length. */
const SLOTS = 8
/** The longest raw value remembered. */
const REMEMBERED_LENGTH = 256

/**
 * A body parser's memory: see the module's description. Made by the parser that uses it.
 *
 * @internal
 * @example
 * const memory = new BodyMemory()
 * memory.contentType('application/json').mediaType // 'application/json' (parsed once, then remembered)
 */
export class BodyMemory {
  readonly #decoders = new Map<string, Decoder | undefined>()
  readonly #contentTypes = new Map<string, ContentType>()
  /**
   * Per known field, {@link SLOTS} raw values (escaped, as received) and what each decodes to: a
   * field that arrives the same on every notification of an account (`account`, `bank`: text with
   * percent-escaped letters) is decoded once. A raw value is kept as a copy, never as a slice of a
   * body.
   */
  readonly #raw: Array<string | undefined> = new Array<string | undefined>(KNOWN_NAMES.length * SLOTS).fill(undefined)
  readonly #decoded: string[] = new Array<string>(KNOWN_NAMES.length * SLOTS).fill('')
  /** Working space for percent-decoding. */
  readonly scratch = new Scratch(256)

  /** The fatal decoder of a charset label (see `makeDecoder`), made once per label. */
  decoder(label: string): Decoder | undefined {
    if (this.#decoders.has(label)) return this.#decoders.get(label)
    const decoder = makeDecoder(label)
    if (this.#decoders.size < DECODERS) this.#decoders.set(label, decoder)
    return decoder
  }

  /** `parseContentType` of a header, parsed once per header (the results are frozen and shared). */
  contentType(header: string): ContentType {
    const known = this.#contentTypes.get(header)
    if (known !== undefined) return known
    const parsed = parseContentType(header)
    const frozen: ContentType = Object.freeze({ mediaType: parsed.mediaType, params: Object.freeze(parsed.params) })
    if (this.#contentTypes.size < CONTENT_TYPES && header.length <= CONTENT_TYPE_LENGTH) this.#contentTypes.set(header, frozen)
    return frozen
  }

  /** What the raw value `text[from, to)` of known field `k` decoded to when it was remembered, if it was. */
  recall(k: number, text: string, from: number, to: number): string | undefined {
    const length = to - from
    const slot = k * SLOTS + (length % SLOTS)
    const raw = this.#raw[slot]
    return raw !== undefined && raw.length === length && text.startsWith(raw, from) ? this.#decoded[slot] : undefined
  }

  /** Remembers that the raw value `text[from, to)` of known field `k` decodes to `value` (a long value is not). */
  remember(k: number, text: string, from: number, to: number, value: string): void {
    const length = to - from
    if (length > REMEMBERED_LENGTH) return
    const slot = k * SLOTS + (length % SLOTS)
    this.#raw[slot] = `${text.slice(from, to)} `.slice(0, -1)
    this.#decoded[slot] = value
  }
}
