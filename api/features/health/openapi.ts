import * as v from 'valibot';
import { describeRoute, jsonResponse } from '../../http/openapi.ts';

const incomplete = v.optional(v.array(v.string()));

export const docs = {
  get: describeRoute({
    operationId: 'getHealth',
    tags: ['service'],
    summary: 'Health: the database with every migration, the secrets present and usable',
    responses: {
      200: jsonResponse(
        'Ready. `incomplete` names optional parts left half-configured (e.g. a sign-in provider).',
        v.strictObject({ ok: v.literal(true), incomplete }),
        { ok: true },
      ),
      503: jsonResponse(
        'Not ready: what is missing (names, never values) and the database state.',
        v.strictObject({ ok: v.literal(false), missing: v.array(v.string()), database: v.string(), incomplete }),
        { ok: false, missing: ['SETTINGS_ENCRYPTION_KEY'], database: 'ok' },
      ),
    },
  }),
};
