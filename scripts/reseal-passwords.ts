// `npm run keys:reseal`: after a new key was put first in SETTINGS_ENCRYPTION_KEY, seals every
// stored SMTP password and sign-in token again with it (DATABASE_URL, DATABASE_AUTH_TOKEN for Turso). When it reports
// nothing left under an old key, that key can be removed.
import { resealGrants } from './lib/reseal-grants.ts';
import { resealPasswords } from './lib/reseal.ts';

const { DATABASE_URL: url, DATABASE_AUTH_TOKEN: authToken, SETTINGS_ENCRYPTION_KEY: keys } = process.env;
if (!url || !keys) {
  console.error('DATABASE_URL and SETTINGS_ENCRYPTION_KEY (all keys, the new one first) must be set');
  process.exit(1);
}
const report = await resealPasswords(url, authToken, keys);
console.log(
  `${report.resealed} password(s) sealed again with the current key, ${report.current} already under it (${report.keyed} of them given the MAC for the last check)`,
);
if (report.remaining.length > 0) {
  console.error(
    `${report.remaining.length} password(s) were saved under an old key meanwhile (tenants: ${report.remaining.join(', ')}); run again once every instance has the new key first, and keep the old key until none is left`,
  );
}
if (report.unreadable.length > 0) {
  console.error(
    `${report.unreadable.length} password(s) open with none of the configured keys (tenants: ${report.unreadable.join(', ')}); they stay as they are, and a test asks the tenant to enter them again`,
  );
}
const grants = await resealGrants(url, authToken, keys);
console.log(`${grants.resealed} sign-in(s) sealed again with the current key`);
if (grants.remaining.length > 0) {
  console.error(
    `${grants.remaining.length} sign-in(s) were refreshed under an old key meanwhile (${grants.remaining.join(', ')}); run again, and keep the old key until none is left`,
  );
}
if (grants.unreadable.length > 0) {
  console.error(
    `${grants.unreadable.length} sign-in(s) open with none of the configured keys (${grants.unreadable.join(', ')}); those tenants sign in again`,
  );
}
const incomplete = [report.unreadable, report.remaining, grants.unreadable, grants.remaining].some((l) => l.length > 0);
if (incomplete) process.exit(2);
