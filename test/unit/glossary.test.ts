// One term per thing (docs/texts.md): every German and English text of the API (api/i18n/) and of
// the widget's tables is read from its source, so private tables and the fixed parts of texts built
// from values are covered too, and none of them may use a word the glossary rules out.
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

type Lang = 'de' | 'en';
interface Found {
  file: string;
  lang: Lang | null;
  text: string;
}
interface Rule {
  /** The word ruled out, and what to write instead. */
  name: string;
  pattern: RegExp;
  /** Only for texts in this language; without it, for every text. */
  lang?: Lang;
}

const RULES: Rule[] = [
  { name: '„Mails“/“mails” → E-Mails / e-mails', pattern: /(?<![\w-])[Mm]ails?\b(?![- ][Ss]erver)/ },
  { name: '„email“ → E-Mail / e-mail', pattern: /\b[Ee]-?[Mm]ail(?<!E-Mail|[Ee]-mail)/ },
  { name: '„E-mail“ → E-Mail', pattern: /E-mail/, lang: 'de' },
  { name: '“E-Mail” → e-mail', pattern: /E-Mail/, lang: 'en' },
  { name: '„Mailserver“ alone → Postausgangsserver or System-Mailserver', pattern: /(?<!System-)Mailserver/ },
  {
    name: '“mail server” alone → outgoing mail server or system mail server',
    pattern: /(?<!(?:[Oo]utgoing|[Ss]ystem) )\b[Mm]ail server/,
  },
  { name: '„Mail-Server“ → Postausgangsserver or System-Mailserver', pattern: /Mail-Server/ },
  { name: '“outgoing server” → outgoing mail server', pattern: /[Oo]utgoing server/ },
  {
    name: '„Versandsystem“, “relay” → System-Mailserver / system mail server',
    pattern: /Versandsystem|sending system|\b[Rr]elay\b/,
  },
  { name: '„Testmail“ → Test-E-Mail / test e-mail', pattern: /\b[Tt]est-?[Mm]ail\b/ },
  { name: '„Fallback“ → Ausweichweg', pattern: /Fallback/, lang: 'de' },
  { name: '„Provider“ → Anbieter', pattern: /Provider/, lang: 'de' },
  { name: '„Postfachanbieter“ → E-Mail-Anbieter', pattern: /Postfachanbieter/ },
  { name: '„Anmeldedaten“ → Zugangsdaten', pattern: /Anmeldedaten/ },
  { name: '„Absender-Adresse“ → Absenderadresse', pattern: /Absender-Adresse/ },
  { name: '„Kennwort“ → Passwort', pattern: /Kennwort/ },
  { name: '„SMTP Server“ → SMTP-Server / SMTP server', pattern: /SMTP Server/ },
  { name: '„Authentifizierung“ → Anmeldeverfahren / Anmeldung', pattern: /Authentifizierung/ },
  { name: '“authentication”, “login” → sign-in method / sign-in', pattern: /[Aa]uthentication|\b[Ll]og-?ins?\b/ },
];

/** Names the tenant meets as they are, not our words: Microsoft's own menu, setting and feature names. */
const QUOTED = [
  '→ Mail → Manage email apps →',
  'SmtpClientAuthenticationDisabled',
  'mehrstufige Authentifizierung (MFA)',
  'multi-factor authentication (MFA)',
  'Basic Authentication',
];

const ROOT = new URL('../../', import.meta.url);
const I18N = readdirSync(new URL('api/i18n/', ROOT), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `api/i18n/${f}`);
const WIDGET = ['de', 'en'].map((l) => `components/mail-server-settings/translations/${l}.ts`);

/** The language of a literal: its file (de.ts, en.ts), a `de:`/`en:` key, a `lang === 'de' ?` branch or a table named GERMAN. */
function langOf(node: ts.Node, file: string): Lang | null {
  for (let n = node; n.parent; n = n.parent) {
    const p = n.parent;
    if (ts.isVariableDeclaration(p) && p.name.getText() === 'GERMAN') return 'de';
    if (ts.isPropertyAssignment(p) && p.initializer === n && /^(de|en)$/.test(p.name.getText()))
      return p.name.getText() as Lang;
    if (ts.isConditionalExpression(p) && /^lang === 'de'$/.test(p.condition.getText()) && n !== p.condition)
      return n === p.whenTrue ? 'de' : 'en';
  }
  return /\/(de|en)\.ts$/.exec(file)?.[1] as Lang | null;
}

/** A literal's text; a template's fixed parts joined where its values go. */
function textOf(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join('…');
  return null;
}

function literals(file: string): Found[] {
  const source = ts.createSourceFile(file, readFileSync(new URL(file, ROOT), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const visit = (node: ts.Node): void => {
    const text = textOf(node);
    if (text !== null && !ts.isImportDeclaration(node.parent) && !ts.isLiteralTypeNode(node.parent)) {
      const lang = langOf(node, file);
      // A string without a language and without a space is code (a key, a stage, a method name).
      if (lang || /\s/.test(text)) found.push({ file, lang, text });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const TEXTS = [...I18N, ...WIDGET].flatMap(literals);

function breaches(texts: Found[]): string[] {
  return texts.flatMap(({ file, lang, text }) => {
    const plain = QUOTED.reduce((t, q) => t.replaceAll(q, '…'), text);
    return RULES.filter((r) => (!r.lang || r.lang === lang) && r.pattern.test(plain)).map(
      (r) => `${file}: ${r.name}: ${text}`,
    );
  });
}

describe('glossary', () => {
  it('reads the texts of every table in both languages', () => {
    const has = (lang: Lang, text: string) => TEXTS.some((t) => t.lang === lang && t.text === text);
    expect(has('de', 'Postausgangsserver')).toBe(true);
    expect(has('en', 'Outgoing mail server')).toBe(true);
    const langs = (file: string) => [...new Set(TEXTS.filter((t) => t.file === file).map((t) => t.lang))].sort();
    expect(langs(WIDGET[0]!)).toEqual(['de']);
    expect(langs(WIDGET[1]!)).toEqual(['en']);
    expect(langs('api/i18n/transcript.ts')).toEqual(['de']);
    expect(langs('api/i18n/smtp-error-texts/connection.ts')).toEqual(['de', 'en']);
  });

  it.each([
    ['de', 'Zwei Mails konnten nicht gesendet werden.', 'Zwei E-Mails konnten nicht gesendet werden.'],
    ['en', 'Recent mails', 'Recent e-mails'],
    ['en', 'Sending a test mail…', 'Sending a test e-mail…'],
    ['en', 'Check your email.', 'Check your e-mail.'],
    ['de', 'E-mail-Adresse', 'E-Mail-Adresse'],
    ['en', 'E-Mail address', 'E-mail address'],
    ['de', 'in den Mailserver-Einstellungen', 'System-Mailserver verwenden'],
    ['en', 'is it your mail server?', 'the system mail server and the outgoing mail server'],
    ['en', 'Mail server settings', 'System mail server unavailable'],
    ['de', 'über das Versandsystem', 'über den System-Mailserver'],
    ['en', 'through the relay', 'through the system mail server'],
    ['de', 'Ihr Mail-Server', 'Ihr Postausgangsserver'],
    ['en', 'your outgoing server', 'your outgoing mail server'],
    ['de', 'Testmail gesendet', 'Test-E-Mail gesendet'],
    ['de', 'Fallback', 'Ausweichweg'],
    ['de', 'Ihr Provider', 'Ihr Anbieter'],
    ['de', 'Postfachanbieter', 'E-Mail-Anbieter'],
    ['de', 'Anmeldedaten', 'Zugangsdaten'],
    ['de', 'Absender-Adresse', 'Absenderadresse'],
    ['de', 'Kennwort', 'Passwort'],
    ['de', 'der SMTP Server', 'der SMTP-Server'],
    ['de', 'Authentifizierung', 'Anmeldeverfahren'],
    ['en', 'The chosen authentication needs a password.', 'The chosen sign-in method needs a password.'],
    ['en', 'Login failed', 'Sign-in failed (LOGIN, PLAIN)'],
  ] as const)('%s: rules out “%s”, lets “%s” pass', (lang, wrong, right) => {
    expect(breaches([{ file: 'example', lang, text: wrong }])).toHaveLength(1);
    expect(breaches([{ file: 'example', lang, text: right }])).toEqual([]);
  });

  it('no text uses a word the glossary rules out', () => {
    expect(breaches(TEXTS)).toEqual([]);
  });
});
