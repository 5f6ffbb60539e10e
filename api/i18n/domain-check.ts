import type { DmarcPolicy, DomainCheckFindingCode } from '../../contract/index.ts';
import type { Lang, Localized } from './lang.ts';

/** What a finding's text may name. */
export interface FindingFacts {
  domain: string;
  /** The SPF term that authorizes the route's server: `include:spf.protection.outlook.com`, `ip4:192.0.2.5`. */
  term?: string;
  /** The sending server: its host name, or null for the system relay. */
  server?: string | null;
  ip?: string;
  /** Why SPF is broken (mailauth's permerror text, e.g. "Too many DNS requests"). */
  permerror?: 'lookups' | 'records' | 'other';
  policy?: DmarcPolicy;
  /** Where the DMARC record is (`_dmarc.<domain>` or the organizational domain's). */
  dmarcName?: string;
  /** DKIM selectors the provider uses, with its name. */
  selectors?: string[];
  provider?: string;
}

type Text = (f: FindingFacts) => Localized;

/** The sending server in a sentence; German asks for its case (`Ihr`/`Ihren Server`, `der`/`den System-Mailserver`). */
const serverName = (f: Pick<FindingFacts, 'server'>, accusative = true): Localized =>
  f.server
    ? { de: `${accusative ? 'Ihren' : 'Ihr'} Server ${f.server}`, en: `your server ${f.server}` }
    : { de: `${accusative ? 'den' : 'der'} System-Mailserver`, en: 'the system mail server' };

const addTerm = (f: FindingFacts): Localized => ({
  de: `Fügen Sie \`${f.term}\` zum SPF-Eintrag von ${f.domain} hinzu (vor dem abschließenden \`-all\` oder \`~all\`).`,
  en: `Add \`${f.term}\` to the SPF record of ${f.domain} (before the closing \`-all\` or \`~all\`).`,
});

const PERMERROR: Record<NonNullable<FindingFacts['permerror']>, Text> = {
  lookups: (f) => ({
    de: `Der SPF-Eintrag von ${f.domain} braucht mehr als 10 DNS-Abfragen (include, a, mx, redirect …); Empfänger werten ihn dann als fehlerhaft. Entfernen Sie nicht mehr benötigte \`include:\`-Einträge oder ersetzen Sie sie durch \`ip4:\`/\`ip6:\`-Angaben.`,
    en: `The SPF record of ${f.domain} needs more than 10 DNS lookups (include, a, mx, redirect …), so receivers treat it as broken. Remove \`include:\` terms you no longer need, or replace them with \`ip4:\`/\`ip6:\` terms.`,
  }),
  records: (f) => ({
    de: `${f.domain} hat mehrere SPF-Einträge (TXT mit \`v=spf1\`); Empfänger werten das als Fehler. Fassen Sie sie zu einem einzigen Eintrag zusammen.`,
    en: `${f.domain} has several SPF records (TXT with \`v=spf1\`), which receivers treat as an error. Merge them into a single record.`,
  }),
  other: (f) => ({
    de: `Der SPF-Eintrag von ${f.domain} ist fehlerhaft, daher können Empfänger ihn nicht auswerten. Bitte prüfen Sie seine Schreibweise.`,
    en: `The SPF record of ${f.domain} is invalid, so receivers cannot evaluate it. Please check how it is written.`,
  }),
};

const TEXTS: Record<DomainCheckFindingCode, Text> = {
  dns_unavailable: (f) => ({
    de: `Die DNS-Einträge von ${f.domain} konnten gerade nicht abgefragt werden, daher wurden SPF und DMARC nicht geprüft. Bitte versuchen Sie es später noch einmal.`,
    en: `The DNS records of ${f.domain} could not be looked up just now, so SPF and DMARC could not be checked. Please try again later.`,
  }),
  server_address_unknown: (f) => ({
    de: `Von welcher IP-Adresse ${serverName(f, false).de} sendet, ließ sich im DNS nicht ermitteln. Daher wurde nicht geprüft, ob der SPF-Eintrag von ${f.domain} diesen Versand erlaubt.`,
    en: `The IP address ${serverName(f).en} sends from could not be found in the DNS, so it was not checked whether the SPF record of ${f.domain} allows it.`,
  }),
  spf_checked_host_address: (f) => ({
    de: `Geprüft wurde die IP-Adresse ${f.ip} von ${f.server}. Versendet Ihr Anbieter über andere Server, fragen Sie ihn nach dem passenden SPF-Eintrag.`,
    en: `The check used the IP address ${f.ip} of ${f.server}. If your provider sends from other servers, ask them for the SPF entry to use.`,
  }),
  spf_missing: (f) =>
    f.term
      ? {
          de: `${f.domain} hat keinen SPF-Eintrag, daher können Empfänger den Absender nicht prüfen. Legen Sie für ${f.domain} einen TXT-Eintrag \`v=spf1 ${f.term} -all\` an.`,
          en: `${f.domain} has no SPF record, so receivers cannot check the sender. Add a TXT record \`v=spf1 ${f.term} -all\` to ${f.domain}.`,
        }
      : {
          de: `${f.domain} hat keinen SPF-Eintrag, daher können Empfänger den Absender nicht prüfen. Legen Sie für ${f.domain} einen TXT-Eintrag mit \`v=spf1\` an, der ${serverName(f).de} erlaubt; den passenden Eintrag nennt Ihnen Ihr Anbieter.`,
          en: `${f.domain} has no SPF record, so receivers cannot check the sender. Add a TXT record with \`v=spf1\` to ${f.domain} that allows ${serverName(f).en}; your provider can tell you the entry to use.`,
        },
  spf_not_authorizing: (f) => ({
    de: `Der SPF-Eintrag von ${f.domain} erlaubt ${serverName(f).de} nicht als Absender. E-Mails über diesen Server werden daher abgelehnt oder als Spam markiert. ${addTerm(f).de}`,
    en: `The SPF record of ${f.domain} does not allow ${serverName(f).en} to send, so e-mails sent through it get rejected or marked as spam. ${addTerm(f).en}`,
  }),
  spf_softfail_only: (f) => ({
    de: `Der SPF-Eintrag von ${f.domain} erlaubt ${serverName(f).de} nicht. Wegen \`~all\` stufen Empfänger diese E-Mails nur als verdächtig ein, sortieren sie aber oft in den Spam-Ordner. ${addTerm(f).de}`,
    en: `The SPF record of ${f.domain} does not allow ${serverName(f).en}. Because of \`~all\`, receivers only mark these e-mails as suspicious, but often move them to spam. ${addTerm(f).en}`,
  }),
  spf_permerror: (f) => PERMERROR[f.permerror ?? 'other'](f),
  dmarc_missing: (f) => ({
    de: `${f.domain} hat keinen DMARC-Eintrag; große E-Mail-Anbieter verlangen ihn zunehmend. Legen Sie einen TXT-Eintrag für \`_dmarc.${f.domain}\` an, z. B. \`v=DMARC1; p=none\`, und verschärfen Sie ihn später auf \`p=quarantine\`.`,
    en: `${f.domain} has no DMARC record, which large e-mail providers increasingly require. Add a TXT record at \`_dmarc.${f.domain}\`, e.g. \`v=DMARC1; p=none\`, and tighten it to \`p=quarantine\` later.`,
  }),
  dmarc_policy_none: (f) => ({
    de: `Die DMARC-Richtlinie von ${f.domain} (\`${f.dmarcName}\`) ist \`p=none\`: Gefälschte E-Mails mit Ihrer Domain werden nur gemeldet, nicht abgewiesen. Sobald SPF für alle Ihre Versandwege stimmt, stellen Sie auf \`p=quarantine\` oder \`p=reject\` um.`,
    en: `The DMARC policy of ${f.domain} (\`${f.dmarcName}\`) is \`p=none\`: forged e-mails using your domain are only reported, not refused. Once SPF covers all the ways you send, change it to \`p=quarantine\` or \`p=reject\`.`,
  }),
  dmarc_reject_unaligned: (f) => ({
    de: `Die DMARC-Richtlinie von ${f.domain} (\`p=${f.policy}\`) lässt Empfänger E-Mails über ${serverName(f).de} ${f.policy === 'reject' ? 'abweisen' : 'in den Spam-Ordner verschieben'}, weil diese die SPF-Prüfung für ${f.domain} nicht bestehen.${f.term ? ` ${addTerm(f).de}` : ''}`,
    en: `The DMARC policy of ${f.domain} (\`p=${f.policy}\`) makes receivers ${f.policy === 'reject' ? 'refuse e-mails' : 'move e-mails'} sent through ${serverName(f).en}${f.policy === 'reject' ? '' : ' to spam'}, because they fail the SPF check for ${f.domain}.${f.term ? ` ${addTerm(f).en}` : ''}`,
  }),
  dkim_selectors_missing: (f) => ({
    de: `Für ${f.domain} gibt es keinen DKIM-Schlüssel unter ${f.selectors?.map((s) => `\`${s}._domainkey\``).join(' / ')}. Schalten Sie DKIM bei ${f.provider} ein und legen Sie die angezeigten DNS-Einträge an: Signierte E-Mails bestehen die DMARC-Prüfung auch dann, wenn SPF einmal nicht greift.`,
    en: `${f.domain} has no DKIM key at ${f.selectors?.map((s) => `\`${s}._domainkey\``).join(' / ')}. Turn DKIM on at ${f.provider} and add the DNS records it shows: signed e-mails pass the DMARC check even when SPF fails.`,
  }),
};

export function findingMessage(code: DomainCheckFindingCode, facts: FindingFacts, lang: Lang): string {
  return TEXTS[code](facts)[lang];
}

/** `spf.detail`: what the check asked of the SPF record. */
export function spfDetail(
  facts: Pick<FindingFacts, 'domain' | 'term' | 'server'> & { ip?: string | null },
  lang: Lang,
): string {
  const who = serverName(facts, false)[lang];
  if (!facts.ip) {
    return lang === 'de'
      ? `Nicht ausgewertet: Die IP-Adresse, von der ${who} sendet, ist nicht bekannt.`
      : `Not evaluated: the IP address ${who} sends from is not known.`;
  }
  const basis = facts.term?.startsWith('include:') ? ` (${facts.term})` : '';
  return lang === 'de'
    ? `Darf ${who}${basis} mit der Adresse ${facts.ip} für ${facts.domain} senden?`
    : `May ${who}${basis} send for ${facts.domain} from ${facts.ip}?`;
}
