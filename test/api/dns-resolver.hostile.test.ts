// Hostile DoH answers inside workerd (the server runs in Node, see test/support/hostile-doh.ts).
import { describe } from 'vitest';
import { hostileDohTests } from '../support/hostile-doh-cases.ts';

describe('DNS over HTTPS from workerd against a hostile resolver', hostileDohTests);
