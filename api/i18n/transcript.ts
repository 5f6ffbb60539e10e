import type { TranscriptLine } from '../../contract/index.ts';
import { isSmtpStage, stageLabel } from './stage-names.ts';
import type { Lang } from './lang.ts';

/**
 * German for the transcript's own lines (direction `i`): the engine's own (connecting, TLS,
 * certificate, failure) and the ones Nodemailer logs. They are recorded in English; what client
 * and server said (`c`/`s`) is the protocol itself and stays as it was.
 */
const GERMAN: [RegExp, (...parts: string[]) => string][] = [
  [/^Connecting to (.+?)( \(TLS\))?$/, (to, tls) => `Verbindungsaufbau zu ${to}${tls ? ' (SSL/TLS)' : ''}`],
  [/^TLS established(?: \((.+)\))?$/, (protocol) => `TLS-Verbindung hergestellt${protocol ? ` (${protocol})` : ''}`],
  [/^Server certificate SHA-256 (.+)$/, (fingerprint) => `Zertifikat des Servers, SHA-256 ${fingerprint}`],
  [
    /^Refused: the host is or resolves to an internal /,
    () => 'Abgelehnt: Der Hostname führt zu einer internen Adresse (privat, Loopback oder Link-local)',
  ],
  [
    /^Failed at (\w+): (\S+)(.*)$/,
    (stage, code, rest) =>
      `Fehlgeschlagen bei „${isSmtpStage(stage!) ? stageLabel(stage, 'de') : stage}“: ${code}${rest}`,
  ],
  [/^… (\d+) more lines$/, (n) => `… ${n} weitere Zeilen`],
  [
    /^(Secure connection|Connection) established to (.+)$/,
    (kind, to) => `${kind === 'Connection' ? 'Verbindung' : 'Verschlüsselte Verbindung'} zu ${to} hergestellt`,
  ],
  [/^SMTP handshake finished$/, () => 'SMTP-Sitzung eröffnet'],
  [/^Connection upgraded with STARTTLS$/, () => 'Verbindung mit STARTTLS verschlüsselt'],
  [/^Failed STARTTLS upgrade, continuing unencrypted$/, () => 'STARTTLS fehlgeschlagen, weiter ohne Verschlüsselung'],
  [/^Closing connection to the server using "(.+)"$/, (how) => `Verbindung zum Server wird geschlossen („${how}“)`],
  [/^Connection closed$/, () => 'Verbindung geschlossen'],
  [/^Connection closed unexpectedly$/, () => 'Verbindung unerwartet geschlossen'],
  [
    /^Server closed the idle connection(?:: (.*))?$/,
    (reply) => `Der Server hat die unbenutzte Verbindung geschlossen${reply ? `: ${reply}` : ''}`,
  ],
  [
    /^Discarded (\d+) bytes received in plaintext after the STARTTLS response$/,
    (n) => `${n} Bytes verworfen, die nach der STARTTLS-Antwort unverschlüsselt kamen`,
  ],
];

/** The transcript in the reader's language (only the `i` lines change). */
export function localizeTranscript(lines: TranscriptLine[], lang: Lang): TranscriptLine[] {
  if (lang === 'en') return lines;
  return lines.map((l) => (l.dir === 'i' ? { dir: 'i', line: toGerman(l.line) } : l));
}

function toGerman(line: string): string {
  for (const [pattern, german] of GERMAN) {
    const m = pattern.exec(line);
    if (m) return german(...m.slice(1).map((part) => part ?? ''));
  }
  return line;
}
