// A domain's own autoconfig web servers for the discovery tests (Node only: started by the vitest
// global setup). Two HTTPS servers with the test CA's `localhost` certificate: `autoconfigPort`
// plays `autoconfig.<domain>` and answers by the local part of `?emailaddress=`, `wellKnownPort`
// plays `<domain>` and serves its well-known config. The tests map their made-up names onto these
// ports (`connectTo`: workerd resolves no made-up names, not even `*.localhost`). A plain-HTTP server
// serves the same config (what a client that followed a redirect to http would get) and lists
// every request the three servers saw.
//
//   autoconfigPort  /mail/config-v1.1.xml?emailaddress=
//     valid@…     a clientConfig with two SMTP servers
//     oversize@…  200 KiB of XML, streamed without a length
//     declared@…  a Content-Length of 200 KiB, then never the body
//     notxml@…    an HTML page
//     silent@…    never answers
//     tohttp@…    302 to http://elsewhere.test/… (map it onto httpPort)
//     tohttps@…   302 to https://elsewhere.test/.well-known/… (map it onto wellKnownPort)
//   wellKnownPort   /.well-known/autoconfig/mail/config-v1.1.xml: the config
//   anything else: 404

import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { fileURLToPath } from 'node:url';

export interface AutoconfigServerInfo {
  autoconfigPort: number;
  wellKnownPort: number;
  httpPort: number;
  /** `GET` → `{ server: 'autoconfig' | 'wellKnown' | 'http', path }[]`, every request so far. */
  requestsUrl: string;
}

const tlsDir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
const CONFIG_PATH = '/mail/config-v1.1.xml';
const WELL_KNOWN_PATH = '/.well-known/autoconfig/mail/config-v1.1.xml';

export const AUTOCONFIG_XML = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="firma.test">
    <domain>firma.test</domain>
    <displayName>Müller &amp; Töchter</displayName>
    <incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.%EMAILDOMAIN%</hostname><port>465</port><socketType>SSL</socketType>
      <authentication>password-cleartext</authentication><username>%EMAILADDRESS%</username>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>mail.%EMAILDOMAIN%</hostname><port>587</port><socketType>STARTTLS</socketType>
      <authentication>password-encrypted</authentication><username>%EMAILLOCALPART%</username>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`;

function xml(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(body);
}

function streamOversize(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.write('<?xml version="1.0"?><clientConfig version="1.1"><!-- ');
  for (let i = 0; i < 13; i++) res.write('x'.repeat(16 * 1024));
  res.end(' --></clientConfig>');
}

function answerAutoconfig(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://x');
  const local = url.pathname === CONFIG_PATH ? (url.searchParams.get('emailaddress') ?? '').split('@')[0] : '';
  if (local === 'valid') xml(res, AUTOCONFIG_XML);
  else if (local === 'oversize') streamOversize(res);
  else if (local === 'declared') res.writeHead(200, { 'content-length': String(200 * 1024) }).flushHeaders();
  else if (local === 'notxml') res.writeHead(200, { 'content-type': 'text/html' }).end('<html><p>Hi<br></html>');
  else if (local === 'tohttp') res.writeHead(302, { location: `http://elsewhere.test${CONFIG_PATH}` }).end();
  else if (local === 'tohttps') res.writeHead(302, { location: `https://elsewhere.test${WELL_KNOWN_PATH}` }).end();
  else if (local !== 'silent') res.writeHead(404).end(); // silent: the socket stays open, nothing is ever sent
}

function answerWellKnown(req: IncomingMessage, res: ServerResponse): void {
  if (new URL(req.url ?? '/', 'https://x').pathname === WELL_KNOWN_PATH) xml(res, AUTOCONFIG_XML);
  else res.writeHead(404).end();
}

const listen = (server: HttpServer) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );

export async function startAutoconfigServer(): Promise<{ info: AutoconfigServerInfo; stop(): Promise<void> }> {
  const seen: { server: string; path: string }[] = [];
  const tls = { key: readFileSync(`${tlsDir}server.key`), cert: readFileSync(`${tlsDir}server.pem`) };
  const https = (name: string, answer: typeof answerWellKnown) =>
    createHttpsServer(tls, (req, res) => {
      seen.push({ server: name, path: req.url ?? '' });
      answer(req, res);
    });
  const autoconfig = https('autoconfig', answerAutoconfig);
  const wellKnown = https('wellKnown', answerWellKnown);
  const http = createHttpServer((req, res) => {
    if (req.url === '/requests') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
    else {
      seen.push({ server: 'http', path: req.url ?? '' });
      xml(res, AUTOCONFIG_XML);
    }
  });
  const servers = [autoconfig, wellKnown, http];
  for (const server of servers) server.on('clientError', (_err, socket) => socket.destroy());
  const [autoconfigPort, wellKnownPort, httpPort] = await Promise.all(servers.map(listen));
  const close = (server: HttpServer) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    info: {
      autoconfigPort: autoconfigPort!,
      wellKnownPort: wellKnownPort!,
      httpPort: httpPort!,
      requestsUrl: `http://127.0.0.1:${httpPort}/requests`,
    },
    stop: async () => {
      await Promise.all(servers.map(close));
    },
  };
}
