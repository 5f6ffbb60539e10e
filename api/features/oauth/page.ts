import type { OAuthCallbackMessage } from '../../../contract/index.ts';
import type { PageText } from '../../i18n/oauth-pages.ts';
import type { Lang } from '../../i18n/lang.ts';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** JSON inside a <script>: nothing in it can end the script element. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, '');

export interface CallbackPage {
  html: string;
  /** For the Content-Security-Policy: the one inline script and style this page runs. */
  nonce: string;
}

/**
 * The page the provider's redirect lands on. With a known starting origin it posts the result to
 * that origin only (the opener, i.e. the widget's page) and closes; the text says the same for a
 * browser that keeps the window open.
 */
export function callbackPage(
  text: PageText,
  lang: Lang,
  message: OAuthCallbackMessage | null,
  targetOrigin: string | null,
): CallbackPage {
  const nonce = crypto.randomUUID().replace(/-/g, '');
  const script =
    message && targetOrigin
      ? `<script nonce="${nonce}">
(function () {
  var message = ${scriptJson(message)};
  if (window.opener) { window.opener.postMessage(message, ${scriptJson(targetOrigin)}); window.close(); }
})();
</script>`
      : '';
  const html = `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(text.title)}</title>
<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}h1{font-size:1.3rem}</style>
</head>
<body>
<main>
<h1>${escapeHtml(text.title)}</h1>
<p>${escapeHtml(text.body)}</p>
</main>
${script}
</body>
</html>`;
  return { html, nonce };
}
