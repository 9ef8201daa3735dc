/**
 * Keeping the API token out of errors. By construction, the token is only ever put in the
 * `Authentication` header, and every message is built from parts that never hold it: the method,
 * the URL (checked to have no credentials), the status, and the cause's message (which describes a
 * connection, not the request's headers). The one place it can still arrive is a response body:
 * a server may echo the header back. So response bodies, and only they, go through
 * {@link bodyWithoutToken}:
 *
 * - a body that does not contain the token is kept as received;
 * - a token of {@link MIN_REDACTED_TOKEN_LENGTH} characters or more is replaced by `[redacted]`
 *   wherever it occurs in the body (as is, and JSON-escaped);
 * - a shorter token cannot be replaced without corrupting the text (a token `e` occurs in almost
 *   every word), so a body that contains it is dropped whole, and {@link WITHHELD_BODY} says why.
 *
 * The cause's message of a network failure goes through {@link textWithoutToken}, a safety net for
 * an injected `fetch` that would quote the request's headers: a long token is replaced, and a short
 * one is left alone. Free text such as `getaddrinfo ENOTFOUND api.example` is never cut up for a
 * short token: replacing a token `T` everywhere turned it into `ENO[redacted]FOUND`.
 *
 * @internal
 * @module
 */

/**
 * The shortest token replaced in place in a response body; the CLI's redactor uses the same bound.
 *
 * @internal
 * @example
 * MIN_REDACTED_TOKEN_LENGTH // 8
 */
const MIN_REDACTED_TOKEN_LENGTH = 8

/**
 * What replaces a response body that contains a token too short to be replaced in place.
 *
 * @internal
 * @example
 * bodyWithoutToken('{"error":"bad key"}', 'e') === WITHHELD_BODY // true
 */
const WITHHELD_BODY = '[body withheld: it contains the API token, which is too short to redact in place]'

/** What replaces each occurrence of a long token. */
const REDACTED = '[redacted]'

/** The forms of `token` found in `text`: as is, and JSON-escaped (as an echo in a JSON body holds it). */
const formsIn = (text: string, token: string): ReadonlyArray<string> =>
  [...new Set([token, JSON.stringify(token).slice(1, -1)])].filter((form) => form !== '' && text.includes(form))

/** `text` with every form of `token` replaced, longest first (a form that contains another is replaced whole). */
const replaceForms = (text: string, forms: ReadonlyArray<string>): string =>
  [...forms].sort((a, b) => b.length - a.length).reduce((out, form) => out.split(form).join(REDACTED), text)

/**
 * `text` with a long token (at least {@link MIN_REDACTED_TOKEN_LENGTH} characters) replaced by
 * `[redacted]`; a shorter token is left alone, since replacing it would corrupt the text.
 *
 * @internal
 * @example
 * textWithoutToken('sent sk_live_abcdef12', 'sk_live_abcdef12') // 'sent [redacted]'
 * textWithoutToken('getaddrinfo ENOTFOUND api.example', 'T') // unchanged
 */
export const textWithoutToken = (text: string, token: string): string =>
  token.length < MIN_REDACTED_TOKEN_LENGTH ? text : replaceForms(text, formsIn(text, token))

/**
 * `body` without `token`: as is when it does not contain the token, with every occurrence of a
 * long token replaced by `[redacted]`, or {@link WITHHELD_BODY} when a short token occurs in it.
 *
 * @internal
 * @example
 * bodyWithoutToken('token sk_live_abcdef12 rejected', 'sk_live_abcdef12') // 'token [redacted] rejected'
 * bodyWithoutToken('{"error":"unauthorized"}', 'T') // '{"error":"unauthorized"}': no "T" in it
 * bodyWithoutToken('{"error":"unauthorized"}', 'e') // WITHHELD_BODY
 */
export const bodyWithoutToken = (body: string, token: string): string => {
  const forms = formsIn(body, token)
  if (forms.length === 0) return body
  return token.length < MIN_REDACTED_TOKEN_LENGTH ? WITHHELD_BODY : replaceForms(body, forms)
}
