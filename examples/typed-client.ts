// The operator API from a TypeScript backend: `hc<AppType>` knows every route's path, body and
// answer, so a changed route fails the portal's type check instead of its invoices.
import { hc } from 'hono/client';
import type { AppType } from '../api/app.ts';

/** A client that sends the operator key on every call; `fetch` defaults to the global one. */
export function operatorClient(apiBase: string, operatorKey: string, fetch?: typeof globalThis.fetch) {
  return hc<AppType>(apiBase, { fetch, headers: { authorization: `Bearer ${operatorKey}` } });
}

type OperatorClient = ReturnType<typeof operatorClient>;

/** Creates the tenant or updates its name and address (the widget's tenant token names its id). */
export async function upsertTenant(api: OperatorClient, id: string, name: string, email: string) {
  const res = await api.v1.tenants[':tenantId'].$put({ param: { tenantId: id }, json: { name, email } });
  if (!res.ok) throw new Error(`PUT /v1/tenants/${id}: HTTP ${res.status}`);
  return res.json();
}

/** Hands an invoice to the outbox; the same key with the same body is the same mail, sent once. */
export async function sendInvoice(
  api: OperatorClient,
  tenantId: string,
  invoiceNumber: string,
  to: string,
  pdf: string,
) {
  const res = await api.v1.tenants[':tenantId'].messages.$post(
    {
      param: { tenantId },
      json: {
        kind: 'invoice',
        to: [to],
        subject: `Rechnung ${invoiceNumber}`,
        text: 'Anbei Ihre Rechnung.',
        attachments: [{ filename: `Rechnung-${invoiceNumber}.pdf`, contentType: 'application/pdf', content: pdf }],
        reference: invoiceNumber,
      },
    },
    // The route reads this header itself (no validator declares it), so it goes with the request options.
    { headers: { 'idempotency-key': `invoice-${invoiceNumber}` } },
  );
  if (res.status !== 202) throw new Error(`POST messages: HTTP ${res.status}`);
  return res.json();
}

/** Where the mail stands: queued, sending, sent (with the server's reply), failed (with why). */
export async function messageStatus(api: OperatorClient, tenantId: string, id: string) {
  const res = await api.v1.tenants[':tenantId'].messages[':id'].$get({ param: { tenantId, id } });
  if (!res.ok) throw new Error(`GET message ${id}: HTTP ${res.status}`);
  return res.json();
}
