import { Hono, type Context } from 'hono';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../http/problem.ts';
import { fieldMessage, type FieldCode } from '../../i18n/field-messages.ts';
import { isPrivateHost } from '../../mail/target.ts';
import { mailServerInputSchema, type MailServerInput } from './schema.ts';
import { isSavedServer } from '../../../contract/rules/saved-server.ts';
import { etagOf, parseIfMatch } from './if-match.ts';
import { CredentialsMissingError, deleteSettings, readSettings, writeSettings, type PasswordChange } from './store.ts';
import { mailServerResponse } from './view.ts';
import type { MailServerRow } from '../../db/schema.ts';
import { jsonBody, validationError } from '../../http/body.ts';
import { secretBox } from '../../wiring.ts';
import type { FieldError } from '../../http/problem.ts';

/** Field errors for settings that are valid in general but not on this runtime (DESIGN.md §3). */
export function runtimeFieldErrors(c: Context<AppEnv>, input: MailServerInput): FieldError[] {
  const { capabilities } = c.var.deps;
  const lang = c.var.lang;
  const errors: FieldError[] = [];
  // Anti-SSRF: the API must not become a probe of internal networks (checked again before connecting).
  if (!c.var.deps.config.allowPrivateHosts && isPrivateHost(input.host)) {
    errors.push({ path: 'host', code: 'host_private', message: fieldMessage('host_private', lang) });
  }
  if (capabilities.blockedPorts.includes(input.port)) {
    errors.push({ path: 'port', code: 'port_blocked', message: fieldMessage('port_blocked', lang) });
  }
  if (input.allowUntrustedCertificate && !capabilities.allowUntrustedCertificate) {
    errors.push({
      path: 'allowUntrustedCertificate',
      code: 'untrusted_certificate_unsupported',
      message: fieldMessage('untrusted_certificate_unsupported', lang),
    });
  }
  return errors;
}

/** Why a save without password has none: nothing stored, or stored for another server only. */
async function missingPasswordCode(
  c: Context<AppEnv>,
  input: MailServerInput,
): Promise<{ code: FieldCode; message: string }> {
  const saved =
    input.auth.password === undefined ? await readSettings(c.var.deps.db, c.var.tenant, c.var.deps.now()) : undefined;
  const code: FieldCode =
    saved?.passwordCiphertext && !isSavedServer(saved, input)
      ? 'password_required_for_new_server'
      : 'password_required';
  return { code, message: fieldMessage(code, c.var.lang) };
}

function respond(c: Context<AppEnv>, row: MailServerRow | undefined) {
  const body = mailServerResponse(row, c.var.tenant, c.var.deps.config.systemFrom, c.var.deps.capabilities);
  c.header('etag', etagOf(body.version));
  c.header('cache-control', 'no-store');
  return c.json(body, 200);
}

export const mailServerRoutes = new Hono<AppEnv>()
  .use(requireTenant)
  .get('/', async (c) => {
    const row = await readSettings(c.var.deps.db, c.var.tenant, c.var.deps.now());
    return respond(c, row);
  })
  .put('/', jsonBody(mailServerInputSchema), async (c) => {
    const input = c.req.valid('json');
    const expected = parseIfMatch(c.req.header('if-match'));
    const runtimeErrors = runtimeFieldErrors(c, input);
    if (runtimeErrors.length > 0) throw validationError(runtimeErrors);

    const { tenant, deps } = c.var;
    let password: PasswordChange;
    if (input.auth.password === undefined) password = { kind: 'keep' };
    else if (input.auth.password === null) password = { kind: 'clear' };
    else
      password = {
        kind: 'set',
        sealed: await (await secretBox(c.var.deps.config)).seal(input.auth.password, tenant.id),
      };

    let row: MailServerRow | undefined;
    try {
      row = await writeSettings(deps.db, tenant, input, password, expected, deps.now());
    } catch (error) {
      if (!(error instanceof CredentialsMissingError)) throw error;
      throw validationError([{ path: 'auth.password', ...(await missingPasswordCode(c, input)) }]);
    }
    if (!row) throw new ApiError(412, 'precondition_failed');
    return respond(c, row);
  })
  .delete('/', async (c) => {
    const deleted = await deleteSettings(c.var.deps.db, c.var.tenant, parseIfMatch(c.req.header('if-match')));
    if (!deleted) throw new ApiError(412, 'precondition_failed');
    return c.body(null, 204);
  });
