// docs/integrating.md shows the token minting example as tested: the TypeScript block is the
// example file's code (which test/api/integrating-examples.test.ts runs), so the two cannot drift.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

it("the guide's jose example is examples/mint-tenant-token.ts", () => {
  const guide = read('docs/integrating.md');
  const block = /```ts\n(import \{ SignJWT \} from 'jose';[\s\S]*?)```/.exec(guide)?.[1];
  expect(block).toBeDefined();
  expect(read('examples/mint-tenant-token.ts')).toContain(block);
});
