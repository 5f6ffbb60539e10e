import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../problem.ts';
import { sha256 } from '../../util/sha256.ts';

/** Compares digests, so the time taken says nothing about how much of the key matched. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256(given), sha256(expected)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

/** Server-to-server calls of the host application: `Authorization: Bearer <OPERATOR_API_KEY>`. */
export const requireOperator: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.var.deps.config.operatorApiKey;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
  if (!key || !match || !(await sameSecret(match[1]!, key))) {
    throw new ApiError(401, 'operator_unauthorized', [], {
      'www-authenticate': 'Bearer realm="mail-server-settings-operator"',
    });
  }
  await next();
};
