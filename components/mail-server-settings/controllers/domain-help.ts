import type { ReactiveControllerHost } from 'lit';
import type { DiscoverCandidate, DiscoverResult, DomainCheckResult } from '../../../contract/index.ts';
import type { MailServerAction } from '../../events.ts';
import { type ApiAnswer, type ApiClient, asRequestFailure, type RequestFailure } from '../api-client.ts';
import type { Language } from './language.ts';

/** One lookup: running, its answer (with the language it was asked in), or why it failed. */
export interface Lookup<T> {
  busy?: boolean;
  body?: T;
  lang?: Language;
  failure?: RequestFailure;
  /** A domain check made for a test: shown in its result. */
  forTest?: boolean;
}

/** What the lookups do through the element. */
export interface DomainHelpHooks {
  api: ApiClient;
  /** Puts a found server into the form. */
  fill(candidate: DiscoverCandidate): void;
  report(action: MailServerAction, failure: RequestFailure): void;
}

/**
 * The two lookups by the tenant's domain, each said in a line next to its button rather than in
 * the form's status (which keeps what Save or Test said): settings found from an address (the best
 * filled in), and the sender domain's SPF and DMARC verdict, asked after a save and a test too.
 */
export class DomainHelp {
  found: Lookup<DiscoverResult> = {};
  domain: Lookup<DomainCheckResult> = {};

  constructor(
    private readonly _host: ReactiveControllerHost,
    private readonly _hooks: DomainHelpHooks,
  ) {}

  async discover(address: string): Promise<void> {
    const body = await this._look('found', 'discover', () => this._hooks.api.discover(address.trim()));
    const best = body?.candidates[0];
    if (best) this._hooks.fill(best);
  }

  /** `address`: the draft's sender; empty for the saved one. `forTest`: shown in the test result. */
  checkDomain(address: string, forTest = false): Promise<unknown> {
    return this._look('domain', 'domain-check', () => this._hooks.api.checkDomain(address.trim()), forTest);
  }

  /** Runs a lookup unless it runs already; a failure is kept (and reported), not thrown. */
  private async _look<K extends 'found' | 'domain'>(
    key: K,
    action: MailServerAction,
    ask: () => Promise<ApiAnswer<NonNullable<this[K]['body']>>>,
    forTest?: boolean,
  ): Promise<this[K]['body']> {
    if (this[key].busy) return;
    const set = (lookup: Lookup<unknown>) => {
      this[key] = { ...lookup, forTest } as this[K];
      this._host.requestUpdate();
    };
    set({ busy: true });
    try {
      const { body, lang } = await ask();
      set({ body, lang });
      return body;
    } catch (error) {
      const failure = asRequestFailure(error);
      set({ failure });
      this._hooks.report(action, failure);
    }
  }
}
