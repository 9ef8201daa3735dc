/**
 * Small helpers shared by the modules of this package.
 *
 * @internal
 * @module
 */

/**
 * The `code` of a Node system error (`ENOENT`, `EIO`, ...), if any.
 *
 * @internal
 */
export const errorCode = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  const code = (error as { code: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/**
 * A short description of a failure for messages: the system error code when there is one (`EIO`),
 * else the error's name. Never the error's message, which may quote paths or data.
 *
 * @internal
 */
export const describe = (error: unknown): string => errorCode(error) ?? (error instanceof Error ? error.name : 'unknown error')
