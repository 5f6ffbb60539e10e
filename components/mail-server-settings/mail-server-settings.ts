import { MailServerSettings } from './mail-server-settings.component.ts';

export { MailServerSettings };
export default MailServerSettings;

// Guarded: loading the module twice (e.g. the CDN bundle and the package) must not throw.
if (!customElements.get('mail-server-settings')) {
  customElements.define('mail-server-settings', MailServerSettings);
}

declare global {
  interface HTMLElementTagNameMap {
    'mail-server-settings': MailServerSettings;
  }
}
