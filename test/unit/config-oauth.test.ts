import { describe, expect, it } from 'vitest';
import { parseOAuthConfig } from '../../api/config/oauth.ts';

const microsoft = { OAUTH_MICROSOFT_CLIENT_ID: 'ms-id', OAUTH_MICROSOFT_CLIENT_SECRET: 'ms-secret' };
const google = { OAUTH_GOOGLE_CLIENT_ID: 'g-id', OAUTH_GOOGLE_CLIENT_SECRET: 'g-secret' };

describe('operator configuration of the sign-in providers', () => {
  it('offers nothing without client ids, and asks for nothing', () => {
    expect(parseOAuthConfig({ PUBLIC_URL: 'https://api.example' })).toEqual({
      redirectUri: 'https://api.example/v1/oauth/callback',
      providers: {},
      missing: [],
    });
  });

  it("uses the providers' public endpoints by default", () => {
    const config = parseOAuthConfig({ PUBLIC_URL: 'https://api.example/', ...microsoft, ...google });
    expect(config.redirectUri).toBe('https://api.example/v1/oauth/callback');
    expect(config.providers.microsoft).toMatchObject({
      authorizationEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      tokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      revocationEndpoint: null,
      scopes: 'openid email offline_access https://outlook.office.com/SMTP.Send',
      allowsInsecureRequests: false,
    });
    expect(config.providers.google).toMatchObject({
      authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenEndpoint: 'https://oauth2.googleapis.com/token',
      revocationEndpoint: 'https://oauth2.googleapis.com/revoke',
      scopes: 'openid email https://mail.google.com/',
      authorizationParams: { access_type: 'offline', prompt: 'consent' },
    });
    expect(config.missing).toEqual([]);
  });

  it("expects Microsoft's ID token from the tenant signed in to under a multi-tenant authority, else from the authority", () => {
    const common = parseOAuthConfig({ PUBLIC_URL: 'https://api.example', ...microsoft }).providers.microsoft!;
    expect(common.expectedIssuer({ tid: '9188040d-6c67-4c5b-b112-36a304b66dad' })).toBe(
      'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
    );
    const single = parseOAuthConfig({
      PUBLIC_URL: 'https://api.example',
      ...microsoft,
      OAUTH_MICROSOFT_AUTHORITY: 'https://login.microsoftonline.com/contoso.onmicrosoft.com',
    }).providers.microsoft!;
    expect(single.expectedIssuer({ tid: 'x' })).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    const g = parseOAuthConfig({ PUBLIC_URL: 'https://api.example', ...google }).providers.google!;
    expect(g.expectedIssuer({ iss: 'accounts.google.com' })).toBe('accounts.google.com');
    expect(g.expectedIssuer({ iss: 'https://accounts.google.com' })).toBe('https://accounts.google.com');
  });

  it('does not offer a half-configured provider and names what is missing', () => {
    const noSecret = parseOAuthConfig({ PUBLIC_URL: 'https://api.example', OAUTH_GOOGLE_CLIENT_ID: 'g-id' });
    expect(noSecret.providers).toEqual({});
    expect(noSecret.missing).toEqual(['OAUTH_GOOGLE_CLIENT_SECRET']);
    const noPublicUrl = parseOAuthConfig({ ...microsoft, ...google });
    expect(noPublicUrl.providers).toEqual({});
    expect(noPublicUrl.missing).toEqual(['PUBLIC_URL']);
  });

  it('refuses plain http except to this machine', () => {
    const remote = parseOAuthConfig({
      PUBLIC_URL: 'https://api.example',
      ...microsoft,
      OAUTH_MICROSOFT_AUTHORITY: 'http://login.example/common',
    });
    expect(remote.providers.microsoft).toBeUndefined();
    expect(remote.missing).toEqual(['OAUTH_MICROSOFT_AUTHORITY']);
    const local = parseOAuthConfig({
      PUBLIC_URL: 'http://127.0.0.1:8787',
      ...microsoft,
      OAUTH_MICROSOFT_AUTHORITY: 'http://127.0.0.1:9000/common',
    });
    expect(local.providers.microsoft).toMatchObject({ allowsInsecureRequests: true });
    expect(parseOAuthConfig({ PUBLIC_URL: 'not a url', ...google }).missing).toEqual(['PUBLIC_URL']);
  });

  it("sends tokens to the providers' own submission servers and to the ones the operator adds", () => {
    const plain = parseOAuthConfig({ PUBLIC_URL: 'https://api.example', ...microsoft, ...google });
    expect(plain.providers.microsoft!.smtpHosts).toEqual(['smtp.office365.com', 'smtp-mail.outlook.com']);
    expect(plain.providers.google!.smtpHosts).toEqual(['smtp.gmail.com']);
    const more = parseOAuthConfig({
      PUBLIC_URL: 'https://api.example',
      ...microsoft,
      OAUTH_MICROSOFT_SMTP_HOSTS: ' SMTP.Office365.us , ,localhost',
    });
    expect(more.providers.microsoft!.smtpHosts).toEqual([
      'smtp.office365.com',
      'smtp-mail.outlook.com',
      'smtp.office365.us',
      'localhost',
    ]);
  });
});
