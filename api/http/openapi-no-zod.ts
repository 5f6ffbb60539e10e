// The Worker's stand-in for zod (wrangler.toml `[alias]`): hono-openapi's schema loader imports a
// converter for every schema library, but this API's schemas are valibot, so zod's never runs.
throw new Error('zod is not bundled into the Worker: describe schemas with valibot');
export {};
