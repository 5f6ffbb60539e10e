// The closed sets of values the wire types are built from: one list each, used by the API's
// request schemas, the database's enums and the system relay's URL parser.

export const SECURITIES = ['none', 'starttls', 'tls'] as const;
/** Methods that log in with a user name and a stored password (or not at all). */
export const PASSWORD_AUTH_METHODS = ['none', 'plain', 'login', 'cram-md5'] as const;
/** `xoauth2`: an access token from a grant the tenant gave by signing in with its provider. */
export const AUTH_METHODS = [...PASSWORD_AUTH_METHODS, 'xoauth2'] as const;
/** Identity providers whose mailboxes can be signed in to (XOAUTH2). */
export const OAUTH_PROVIDERS = ['microsoft', 'google'] as const;
