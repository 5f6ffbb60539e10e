import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Messages } from '../translations/en.ts';

export type Language = 'de' | 'en';

/**
 * The message tables, each loaded on first use: the CDN build puts each in a chunk next to the
 * bundle, so a page downloads only the language it shows. A failed load is tried again on the next
 * update.
 */
const loaders: Record<Language, () => Promise<{ default: Messages }>> = {
  de: () => import('../translations/de.ts'),
  en: () => import('../translations/en.ts'),
};
const tables: Partial<Record<Language, Messages>> = {};
const loading: Partial<Record<Language, Promise<void>>> = {};
function loadTable(lang: Language): Promise<void> | undefined {
  if (tables[lang]) return undefined;
  loading[lang] ??= loaders[lang]().then(
    (module) => {
      tables[lang] = module.default;
    },
    (error: unknown) => {
      delete loading[lang];
      throw error;
    },
  );
  return loading[lang];
}

/**
 * Something to say. The element's own words are kept as a function of the message table, so they
 * follow a language change; the API's words are kept with the language they were asked for in and
 * shown only while the element speaks it.
 */
export interface Words {
  text?: ((t: Messages) => string) | undefined;
  api?: string | undefined;
  lang?: Language | undefined;
}

/** The `lang` of the element or its closest ancestor with one, looking past shadow roots to their hosts. */
function closestLang(element: Element): string {
  for (let node: Element | null = element; node; ) {
    const owner = node.closest('[lang]');
    if (owner) return owner.getAttribute('lang') ?? '';
    const root = node.getRootNode();
    node = root instanceof ShadowRoot ? root.host : null;
  }
  return '';
}

/**
 * The element's language: its own `lang`, else the closest ancestor's (also past shadow hosts), else
 * the document's; followed as it changes. `lang` is the language of the last render, so what was
 * written in it can be told from what was written before a change; `onChange` runs on a change.
 */
export class LanguageController implements ReactiveController {
  private _observer: MutationObserver | null = null;
  private _shown?: Language;
  /** The date format, with the tag it was made for. */
  private _dates?: [string, Intl.DateTimeFormat];

  constructor(
    private readonly _host: ReactiveControllerHost & HTMLElement,
    private readonly _onChange: () => void,
  ) {
    _host.addController(this);
  }

  hostConnected(): void {
    // Follow `lang` changes on the element and on any ancestor, in every shadow root around it up to
    // the document; moved, it may have another one already.
    this._observer = new MutationObserver(() => this._host.requestUpdate());
    for (let root = this._host.getRootNode(); ; root = (root as ShadowRoot).host.getRootNode()) {
      this._observer.observe(root, { subtree: true, attributeFilter: ['lang'] });
      if (!(root instanceof ShadowRoot)) break;
    }
    this._host.requestUpdate();
  }

  hostDisconnected(): void {
    this._observer?.disconnect();
  }

  /**
   * Settles when the table of the page's language is there (undefined when it is already): the
   * element waits for it before it renders, so it never shows a moment of the other language.
   */
  get ready(): Promise<void> | undefined {
    return loadTable(this.current);
  }

  hostUpdate(): void {
    const now = this.current;
    if (now === this._shown) return;
    const changed = !!this._shown;
    this._shown = now;
    if (changed) this._onChange();
  }

  /** The page's language tag here (e.g. en-GB, for dates). */
  get locale(): string {
    return closestLang(this._host) || document.documentElement.lang || 'de';
  }

  /** The language as the page says now (requests ask in it). */
  get current(): Language {
    return this.locale.toLowerCase().startsWith('de') ? 'de' : 'en';
  }

  /** The language shown (of the last render; before the first one, the current one). */
  get lang(): Language {
    return this._shown ?? this.current;
  }

  get t(): Messages {
    // Rendering waits for `ready`, so the table of the language shown is there.
    return tables[this.lang]!;
  }

  /**
   * The words as shown now: the element's own, and the API's if they are in the language shown, or
   * in another one when they are all there is to say (a failure must not go silent on a switch).
   */
  say({ text, api, lang }: Words): string {
    return [text?.(this.t), (!text || lang === this._shown) && api].filter(Boolean).join(' ');
  }

  /**
   * The one date format of the element: day, month as a word, year and 24-hour time, so no reader
   * mistakes the day for the month ("7 Dec 2026, 14:05", "7. Dez. 2026, 14:05"). A page that names a
   * region (en-US) gets that region's order; English without one gets the day first.
   */
  dateFormat(): Intl.DateTimeFormat {
    const { locale, current } = this;
    const bare = current === 'en' ? 'en-GB' : current;
    const tag = locale.toLowerCase().startsWith(`${current}-`) ? locale : bare;
    if (this._dates?.[0] !== tag) {
      const options = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' } as const;
      const format = (tag: string) => new Intl.DateTimeFormat(tag, { ...options, hourCycle: 'h23' });
      let dates: Intl.DateTimeFormat;
      try {
        dates = format(tag);
      } catch {
        dates = format(bare); // not a valid language tag
      }
      this._dates = [tag, dates];
    }
    return this._dates[1];
  }
}
