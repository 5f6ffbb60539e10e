// The demo portal's React host: the widget through its React wrapper (components/react.ts, the
// package's `./react` entry), with the language as a prop and the events as `on…` props.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { MailServerSettings } from '../components/react.ts';

const params = new URLSearchParams(location.search);
const tenant = {
  tenant: params.get('tenant') ?? 'demo-tenant',
  email: params.get('email') ?? 'demo@example.com',
  name: params.get('name') ?? 'Demo GmbH',
};

// What a portal does: ask its backend for a short-lived tenant token (here: the dev endpoint).
async function getToken(): Promise<string> {
  const res = await fetch(`/dev/token?${new URLSearchParams(tenant)}`);
  if (!res.ok) throw new Error(`token request failed: HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

function Portal() {
  const [lang, setLang] = useState(params.get('lang') === 'de' ? 'de' : 'en');
  const [events, setEvents] = useState<string[]>([]);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const log = (event: CustomEvent) =>
    setEvents((lines) => [
      `${new Date().toLocaleTimeString()} ${event.type}\n${JSON.stringify(event.detail, null, 2)}`,
      ...lines,
    ]);

  return (
    <>
      <header>
        <strong>Demo Portal (React)</strong>
        <a href="/">The plain page</a>
        <label>
          Language{' '}
          <select id="language" value={lang} onChange={(event) => setLang(event.target.value)}>
            <option value="en">English</option>
            <option value="de">Deutsch</option>
          </select>
        </label>
      </header>
      <main>
        <section aria-labelledby="page-title">
          <h1 id="page-title">Mail server</h1>
          <MailServerSettings
            lang={lang}
            getToken={getToken}
            onMailServerSaved={log}
            onMailServerReset={log}
            onMailServerTested={log}
            onMailServerError={log}
            onMailServerOAuthConnected={log}
            onMailServerOAuthDisconnected={log}
          />
        </section>
        <aside>
          <h2>Events through React props</h2>
          <pre id="log">{events.join('\n\n')}</pre>
        </aside>
      </main>
    </>
  );
}

createRoot(document.getElementById('portal')!).render(<Portal />);
