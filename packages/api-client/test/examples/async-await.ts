import { ApiRequestError, createPromiseClient, isUnauthorized } from '@banksocket-webhooks/api-client'

/** The same with Promises: rejections are ApiRequestError carrying the typed ApiError. */
export const createThenDelete = async (token: string, baseUrl?: string): Promise<number> => {
  const api = createPromiseClient({ token, baseUrl })
  try {
    const webhook = await api.createWebhook({ title: 'debits', endpoint: 'https://shop.example/banksocket', event: 'NEW_DEBIT', account: 69 })
    await api.deleteWebhook(webhook.id) // { status: 'success' }
    return webhook.id
  } catch (error) {
    if (error instanceof ApiRequestError && isUnauthorized(error.error)) throw new Error('Banksocket refused the token')
    throw error
  }
}
