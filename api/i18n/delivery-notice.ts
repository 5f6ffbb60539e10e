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
      intro: 'Die folgenden E-Mails konnten über Ihren Mailserver nicht zugestellt werden:',
      action:
        'In den Mailserver-Einstellungen sehen Sie den Grund und können sie erneut senden oder über den System-Mailserver verschicken.',
    },
    fallback: {
      subject: 'E-Mails wurden über den System-Mailserver versendet',
      intro:
        'Ihr Mailserver war nicht erreichbar oder hat abgelehnt. Diese E-Mails gingen daher vom System-Absender aus, Antworten gehen weiterhin an Sie:',
      action: 'In den Mailserver-Einstellungen sehen Sie, woran Ihr Server gescheitert ist.',
    },
    to: 'an',
    footer: 'Sie erhalten höchstens eine solche Nachricht pro Tag.',
  },
  en: {
    failed: {
      subject: 'Invoices and documents could not be sent',
      intro: 'The following emails could not be delivered through your mail server:',
      action: 'The mail server settings show the reason and let you send them again or through the system mail server.',
    },
    fallback: {
      subject: 'Emails were sent through the system mail server',
      intro:
        'Your mail server could not be reached or refused. These emails therefore went out from the system sender; replies still go to you:',
      action: 'The mail server settings show why your server failed.',
    },
    to: 'to',
    footer: 'You get at most one such message a day.',
  },
} as const;

const line = (item: NoticeItem, lang: Lang) =>
  `- ${item.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${item.subject} (${texts[lang].to} ${item.recipients.join(', ')})`;

/** The notice mail in both languages (the tenant's language is not stored), German first. */
export function noticeText(cause: NoticeCause, items: NoticeItem[]): { subject: string; text: string } {
  const part = (lang: Lang) =>
    [
      texts[lang][cause].intro,
      '',
      ...items.map((i) => line(i, lang)),
      '',
      texts[lang][cause].action,
      texts[lang].footer,
    ].join('\n');
  return {
    subject: `${texts.de[cause].subject} / ${texts.en[cause].subject}`,
    text: `${part('de')}\n\n---\n\n${part('en')}\n`,
  };
}
