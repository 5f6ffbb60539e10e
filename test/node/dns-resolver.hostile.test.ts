// Hostile DoH answers on Node: the same resolver module, the same cases as inside workerd.
import { describe } from 'vitest';
import { hostileDohTests } from '../support/hostile-doh-cases.ts';

describe('DNS over HTTPS on Node against a hostile resolver', hostileDohTests);
