import * as v from 'valibot';
import type { TestResult, VerifyResult } from '../../../contract/index.ts';
import { BODY_PROBLEMS, describeRoute, jsonRequest, jsonResponse, problems, tenantAuth } from '../../http/openapi.ts';
import { smtpErrorSchema, testWarningSchema, transcriptLineSchema } from '../../http/openapi-schemas.ts';
import { mailServerInputSchema } from '../mail-server/schema.ts';

const common = {
  durationMs: v.number(),
  transcript: v.array(transcriptLineSchema),
  warnings: v.array(testWarningSchema),
};

const testResultSchema = v.variant('ok', [
  v.strictObject({ ok: v.literal(true), messageId: v.string(), response: v.string(), ...common }),
  v.strictObject({ ok: v.literal(false), error: smtpErrorSchema, ...common }),
]) satisfies v.GenericSchema<TestResult>;

const verifyResultSchema = v.variant('ok', [
  v.strictObject({ ok: v.literal(true), response: v.string(), ...common }),
  v.strictObject({ ok: v.literal(false), error: smtpErrorSchema, ...common }),
]) satisfies v.GenericSchema<VerifyResult>;

const example: TestResult = {
  ok: false,
  error: {
    stage: 'auth',
    code: 'auth_failed',
    responseCode: 535,
    response: '535 5.7.8 Authentication credentials invalid',
    message: 'The server rejected the user name or password.',
    hint: 'Check the user name and password; some providers need an app password.',
  },
  durationMs: 412,
  transcript: [
    { dir: 'i', line: 'Connected to smtp.example.com:587' },
    { dir: 's', line: '535 5.7.8 Authentication credentials invalid' },
  ],
  warnings: [],
};

/** The same 200 as Server-Sent Events, for a request that accepts `text/event-stream`. */
function withEventStream(response: ReturnType<typeof jsonResponse>, result: string) {
  const events = [
    'With `Accept: text/event-stream`: Server-Sent Events, each `event:` and one `data:` JSON line —',
    '`start` `{ id, kind }` (the delivery row; `POST /v1/mail-server/checks/{id}/cancel` ends the session),',
    '`stage` `{ stage, status: started|passed|failed, reply?, elapsedMs }` per SMTP stage (replies redacted),',
    `then \`result\`, ${result}; then the stream ends. Between events a comment line (\`: \`) every 0.3 s.`,
    'Errors before the session are problem+json as usual.',
  ].join(' ');
  return {
    description: `${response.description} ${events}`,
    content: {
      ...response.content,
      'text/event-stream': {
        schema: { type: 'string' as const },
        example:
          'event: start\ndata: {"id":"5f0c…","kind":"test"}\n\nevent: stage\ndata: {"stage":"connect","status":"started","elapsedMs":0}\n\n',
      },
    },
  };
}

export const docs = {
  post: describeRoute({
    operationId: 'testMailServer',
    tags: ['settings'],
    summary: 'Send a test mail to the tenant’s own address, with a draft (body) or the saved settings (no body)',
    ...tenantAuth,
    requestBody: jsonRequest(mailServerInputSchema, { host: 'smtp.example.com', security: 'tls' }, false),
    responses: {
      200: withEventStream(
        jsonResponse(
          'The outcome (a failing server is a 200 with `ok: false`), the SMTP transcript without secrets, warnings.',
          testResultSchema,
          example,
        ),
        'the JSON body the plain request answers',
      ),
      ...problems(401, 409, 429, ...BODY_PROBLEMS),
    },
  }),
  verify: describeRoute({
    operationId: 'verifyMailServer',
    tags: ['settings'],
    summary:
      'Check a draft (body) or the saved settings (no body) up to RCPT TO the tenant’s own address, then RSET and QUIT: nothing is sent',
    ...tenantAuth,
    requestBody: jsonRequest(mailServerInputSchema, { host: 'smtp.example.com', security: 'tls' }, false),
    responses: {
      200: withEventStream(
        jsonResponse(
          'The outcome, as for a test but without a message id (`response` is the reply to RCPT TO); it counts against the test rate limit.',
          verifyResultSchema,
          { ok: true, response: '250 2.1.5 Ok', durationMs: 380, transcript: [], warnings: [] },
        ),
        'the JSON body the plain verify answers',
      ),
      ...problems(401, 409, 429, ...BODY_PROBLEMS),
    },
  }),
  cancel: describeRoute({
    operationId: 'cancelCheck',
    tags: ['settings'],
    summary: 'Cancel a running test or verify (the `id` of its `start` event): the SMTP session ends at once',
    ...tenantAuth,
    parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
    responses: {
      204: {
        description:
          'Cancelled: the check ends failed with code `cancelled` (it still counts against the rate limit). A check that had already finished keeps its outcome and answers 204 as well; so does a second cancel.',
      },
      ...problems(401, 404),
    },
  }),
};
