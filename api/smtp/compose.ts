import { wrap as wrapBase64 } from 'nodemailer/lib/base64';
import MailComposer from 'nodemailer/lib/mail-composer';
import { encode as encodeQp, wrap as wrapQp } from 'nodemailer/lib/qp';

/** The parts of Nodemailer's MimeNode this renderer reads (all set by MailComposer's compile()). */
interface MimeNodeLike {
  content?: unknown;
  multipart?: string | false;
  boundary?: string | false;
  childNodes: MimeNodeLike[];
  _raw?: unknown;
  getHeader(key: string): string | undefined;
  getTransferEncoding(): string | false;
  buildHeaders(): string;
  build(): Promise<Buffer>;
}

/** Lines of encoded content: what Nodemailer's encoders use. */
const LINE_LENGTH = 76;

/** Nodemailer's QP stream encoder works in slices of this size (qp/index.js ENCODE_SLICE_SIZE). */
const QP_SLICE_BYTES = 64 * 1024;

/** String or Buffer content the renderer can encode at once; anything else (streams, paths, URLs) is not. */
function plainContent(content: unknown): string | Buffer | null {
  if (typeof content === 'string') return content;
  return Buffer.isBuffer(content) ? (content as Buffer) : null;
}

/** Appends the node and its children to `out`; false when a node needs Nodemailer's own streaming. */
function render(node: MimeNodeLike, out: (string | Buffer)[]): boolean {
  if (node._raw) return false;
  const encoding = node.getTransferEncoding();
  out.push(`${node.buildHeaders()}\r\n\r\n`);
  if (node.content) {
    const content = plainContent(node.content);
    if (content === null) return false;
    if (encoding === 'base64') {
      out.push(
        wrapBase64(
          (typeof content === 'string' ? Buffer.from(content, 'utf8') : content).toString('base64'),
          LINE_LENGTH,
        ),
      );
    } else if (encoding === 'quoted-printable') {
      // Outside text a lone CR or LF is data, which Nodemailer's binary QP mode keeps; and its
      // stream encoder wraps longer content slice by slice: neither is rendered here.
      if (!/^text\//i.test(node.getHeader('Content-Type') ?? '') || Buffer.byteLength(content) > QP_SLICE_BYTES)
        return false;
      out.push(wrapQp(encodeQp(content), LINE_LENGTH));
    } else {
      out.push(content);
    }
  }
  if (!node.multipart) return true;
  for (let i = 0; i < node.childNodes.length; i++) {
    out.push(`${i > 0 ? '\r\n' : ''}--${node.boundary}\r\n`);
    if (!render(node.childNodes[i]!, out)) return false;
  }
  out.push(`\r\n--${node.boundary}--\r\n`);
  return true;
}

/**
 * The whole message as one Buffer: Nodemailer's MailComposer builds the MIME tree (headers,
 * encoded words, boundaries), and its string and Buffer contents are encoded here in one go.
 * Nodemailer would stream every part through a chain of Transform streams, one event-loop turn
 * per part, and hand the socket a write per piece; inside workerd each of those costs. The
 * bytes are the same as Nodemailer's own build (test/api/compose.test.ts compares them); a tree
 * this does not cover is built by Nodemailer itself.
 */
export async function composeMessage(data: Record<string, unknown>): Promise<Buffer> {
  const root = new (MailComposer as unknown as new (data: Record<string, unknown>) => { compile(): MimeNodeLike })(
    data,
  ).compile();
  const out: (string | Buffer)[] = [];
  if (!render(root, out)) return root.build();
  // The last part that has any bytes (an empty content adds an empty one).
  const last = out.findLast((part) => part.length > 0);
  const text = typeof last === 'string' ? last : last?.toString('latin1', Math.max(0, last.length - 2));
  // Nodemailer ends every message with a line break (its LastNewline stage).
  if (!text?.endsWith('\n')) out.push(text?.endsWith('\r') ? '\n' : '\r\n');
  return Buffer.concat(out.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
}
