import type { Lang } from './lang.ts';

/** Why the tenant is told: mail failed for good, or went out through the system mail server instead. */
export type NoticeCause = 'failed' | 'fallback';

/** One affected mail as the notice lists it. */
export interface NoticeItem {
  subject: string;
  recipients: string[];
  createdAt: Date;
}

const texts = {
  de: {
    failed: {
      subject: 'Rechnungen und Belege konnten nicht versendet werden',
      intro: 'Die folgenden E-Mails konnten über Ihren Postausgangsserver nicht versendet werden:',
      action:
        'In den Einstellungen des Postausgangsservers sehen Sie den Grund. Dort können Sie die E-Mails erneut senden oder über den System-Mailserver verschicken.',
      footer: 'Zu E-Mails, die nicht versendet werden konnten, erhalten Sie höchstens eine solche Nachricht pro Tag.',
    },
    fallback: {
      subject: 'E-Mails wurden über den System-Mailserver versendet',
      intro:
        'Ihr Postausgangsserver war nicht erreichbar oder hat den Versand abgelehnt. Die folgenden E-Mails wurden deshalb auf dem Ausweichweg über den System-Mailserver versendet, mit der Systemadresse als Absender; Antworten gehen weiterhin an Sie:',
      action:
        'In den Einstellungen des Postausgangsservers sehen Sie, woran der Versand über Ihren Server gescheitert ist.',
      footer:
        'Zu E-Mails, die über den System-Mailserver versendet wurden, erhalten Sie höchstens eine solche Nachricht pro Tag.',
    },
    to: 'an',
  },
  en: {
    failed: {
      subject: 'Invoices and documents could not be sent',
      intro: 'The following e-mails could not be sent through your outgoing mail server:',
      action:
        'The outgoing mail server settings show the reason. There you can send the e-mails again or send them through the system mail server.',
      footer: 'You get at most one such message a day about e-mails that could not be sent.',
    },
    fallback: {
      subject: 'E-mails were sent through the system mail server',
      intro:
        'Your outgoing mail server could not be reached or refused the e-mails. The following e-mails were therefore sent through the system mail server instead, with the system address as the sender; replies still go to you:',
      action: 'The outgoing mail server settings show why sending through your server failed.',
      footer: 'You get at most one such message a day about e-mails sent through the system mail server.',
    },
    to: 'to',
  },
} as const;

const line = (item: NoticeItem, lang: Lang) =>
  `- ${item.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${item.subject} (${texts[lang].to} ${item.recipients.join(', ')})`;

/**
 * The notice mail in the language the tenant saved the settings in; without one (saved before it
 * was stored), in both, German first.
 */
export function noticeText(
  cause: NoticeCause,
  items: NoticeItem[],
  lang: Lang | null,
): { subject: string; text: string } {
  const part = (l: Lang) =>
    [
      texts[l][cause].intro,
      '',
      ...items.map((i) => line(i, l)),
      '',
      texts[l][cause].action,
      texts[l][cause].footer,
    ].join('\n');
  if (lang) return { subject: texts[lang][cause].subject, text: `${part(lang)}\n` };
  return {
    subject: `${texts.de[cause].subject} / ${texts.en[cause].subject}`,
    text: `${part('de')}\n\n---\n\n${part('en')}\n`,
  };
}
