// A Worker with nothing of this project in it: Nodemailer sends the message it is given over
// STARTTLS + AUTH, a new connection per request. `npm run bench` runs it under wrangler dev to
// show what HTTP through wrangler dev plus Nodemailer in workerd cost before any of the API's
// own work (token, database, checks, transcript), next to the API's test send.
import net from 'node:net';
import nodemailer from 'nodemailer';

interface SendRequest {
  host: string;
  port: number;
  username: string;
  password: string;
  message: Record<string, unknown>;
}

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response('ok');
    const { host, port, username, password, message } = (await request.json()) as SendRequest;
    const transport = nodemailer.createTransport({
      host,
      port,
      name: 'bench.example',
      secure: false,
      requireTLS: true,
      auth: { user: username, pass: password },
      authMethod: 'PLAIN',
      // As Nodemailer must run in workerd (DESIGN.md §3): the socket opened by host name, so
      // workerd's connect() resolves it (Nodemailer's own lookup would go to DNS over HTTPS).
      getSocket: (_options: unknown, callback: (error: Error | null, socket?: { connection: net.Socket }) => void) => {
        const socket = net.connect({ host, port });
        socket.once('connect', () => callback(null, { connection: socket }));
        socket.once('error', (error) => callback(error));
      },
    } as Parameters<typeof nodemailer.createTransport>[0]);
    try {
      const info = await transport.sendMail(message);
      return Response.json({ ok: true, response: info.response });
    } catch (error) {
      return Response.json({ ok: false, error: String(error) }, { status: 502 });
    } finally {
      transport.close();
    }
  },
};
