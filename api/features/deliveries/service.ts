import type { Deps } from '../../http/context.ts';
import { ApiError } from '../../http/problem.ts';
import type { TenantIdentity } from '../../db/schema.ts';
import { SystemRelayConfigError } from '../../config/system-relay.ts';
import { errorSummary } from '../../util/error-summary.ts';
import { type DeliveryAction, requeueForAction } from '../../outbox/actions.ts';

/** Whether the operator set up a usable system relay. */
export const systemRelayOn = (deps: Deps) =>
  !!deps.config.systemRelay && !(deps.config.systemRelay instanceof SystemRelayConfigError);

const REFUSALS = {
  not_found: [404, 'not_found'],
  in_progress: [409, 'delivery_in_progress'],
  already_sent: [409, 'delivery_already_sent'],
  not_resendable: [409, 'delivery_not_resendable'],
} as const;

/**
 * "Retry now" / "Send via the system mail server": the row is made due and handed to the outbox
 * (its claim decides who sends, so a repeat sends nothing twice). Only the tenant's own business
 * mail, only while it is `retrying` or a `failed` one nobody can have received.
 */
export async function actOnDelivery(deps: Deps, tenant: TenantIdentity, id: string, action: DeliveryAction) {
  if (
    action === 'send-via-system' &&
    (!deps.config.systemRelay || deps.config.systemRelay instanceof SystemRelayConfigError)
  )
    throw new ApiError(409, 'system_relay_unavailable');
  const result = await requeueForAction(deps.db, { id, tenantId: tenant.id }, action, tenant.email, deps.now());
  if ('refused' in result) {
    const [status, code] = REFUSALS[result.refused];
    throw new ApiError(status, code);
  }
  // Should the enqueue be lost, the row is due: the sweeper hands it over within a minute.
  await deps
    .enqueue({ id, tenantId: tenant.id })
    .catch((e) =>
      console.error(`deliveries: enqueue after ${action} failed (the sweeper sends it): ${errorSummary(e)}`),
    );
  return result.row;
}
