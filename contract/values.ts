// The closed sets of values the wire types are built from: one list each, used by the API's
// request schemas, the database's enums and the system relay's URL parser.

export const SECURITIES = ['none', 'starttls', 'tls'] as const;
/** Methods that log in with a user name and a stored password (or not at all). */
export const PASSWORD_AUTH_METHODS = ['none', 'plain', 'login', 'cram-md5'] as const;
/** `xoauth2`: an access token from a grant the tenant gave by signing in with its provider. */
export const AUTH_METHODS = [...PASSWORD_AUTH_METHODS, 'xoauth2'] as const;
/** Identity providers whose mailboxes can be signed in to (XOAUTH2). */
export const OAUTH_PROVIDERS = ['microsoft', 'google'] as const;

/**
 * The providers' own submission servers: the only ones an access token is sent to (an operator
 * may name others, e.g. a sovereign cloud's or a local test server, per provider).
 */
export const OAUTH_SMTP_HOSTS = {
  microsoft: ['smtp.office365.com', 'smtp-mail.outlook.com'],
  google: ['smtp.gmail.com'],
} as const satisfies Record<(typeof OAUTH_PROVIDERS)[number], readonly string[]>;
