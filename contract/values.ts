// The closed sets of values the wire types are built from: one list each, used by the API's
// request schemas, the database's enums and the system relay's URL parser.

export const SECURITIES = ['none', 'starttls', 'tls'] as const;
export const AUTH_METHODS = ['none', 'plain', 'login', 'cram-md5'] as const;
