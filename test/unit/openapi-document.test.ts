import { Validator } from '@seriousme/openapi-schema-validator';
import { expect, it } from 'vitest';
import committed from '../../openapi.json';

it('the committed openapi.json is valid OpenAPI 3.1', async () => {
  const result = await new Validator().validate(structuredClone(committed));
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(committed.openapi).toMatch(/^3\.1\./);
  // The validator is a real one: a security scheme of an unknown type is refused.
  const broken = structuredClone(committed) as { components: { securitySchemes: Record<string, unknown> } };
  broken.components.securitySchemes.tenantToken = { type: 'password' };
  expect((await new Validator().validate(broken)).valid).toBe(false);
});
