import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../api/config/config.ts';
import { DEFAULT_WEBHOOK_DELAYS, sendableWebhooks } from '../../api/config/webhooks.ts';

const secret = `whsec_${btoa('k'.repeat(32))}`;

describe('webhook configuration', () => {
  it('stores no events without WEBHOOK_URL, and schedules retries over about a day by default', () => {
    expect(parseConfig({ WEBHOOK_SECRET: secret }).webhooks).toBeNull();
    const config = parseConfig({ WEBHOOK_URL: 'https://portal.example/hooks', WEBHOOK_SECRET: secret });
    expect(config.webhooks).toEqual({
      url: 'https://portal.example/hooks',
      secret,
      retryDelays: DEFAULT_WEBHOOK_DELAYS,
      invalid: [],
    });
    const total = DEFAULT_WEBHOOK_DELAYS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(20 * 3600);
    expect(total).toBeLessThan(30 * 3600);
    const custom = parseConfig({
      WEBHOOK_URL: 'https://p.example/',
      WEBHOOK_SECRET: secret,
      WEBHOOK_RETRY_DELAYS: '1, 2',
    });
    expect(custom.webhooks?.retryDelays).toEqual([1, 2]);
  });

  it('names a malformed secret or an unguarded URL (no throw: every request goes on), and sends nothing then', () => {
    const invalidOf = (env: Record<string, string>) => {
      const webhooks = parseConfig(env).webhooks;
      // Events are still stored (the config is there), but none is sent.
      expect(webhooks).not.toBeNull();
      if (webhooks!.invalid.length > 0) expect(sendableWebhooks(webhooks)).toBeNull();
      return webhooks!.invalid;
    };
    for (const bad of ['', 'whsec_', 'k'.repeat(40), `whsec_${btoa('short')}`, `whsec_${btoa('k'.repeat(32))}!`])
      expect(invalidOf({ WEBHOOK_URL: 'https://p.example/', WEBHOOK_SECRET: bad })).toEqual([
        'WEBHOOK_SECRET (invalid)',
      ]);
    for (const url of [
      'http://p.example/',
      'https://127.0.0.1/',
      'https://10.0.0.5/',
      'ftp://p.example/',
      'https://u:p@p.example/',
      'not a url',
    ])
      expect(invalidOf({ WEBHOOK_URL: url, WEBHOOK_SECRET: secret })).toEqual(['WEBHOOK_URL (invalid)']);
    expect(invalidOf({ WEBHOOK_URL: 'http://p.example/' })).toEqual([
      'WEBHOOK_URL (invalid)',
      'WEBHOOK_SECRET (invalid)',
    ]);
    expect(
      sendableWebhooks(parseConfig({ WEBHOOK_URL: 'https://p.example/', WEBHOOK_SECRET: secret }).webhooks),
    ).not.toBeNull();
    // Development (and tests with private hosts) may post to this machine.
    expect(
      invalidOf({ ENVIRONMENT: 'development', WEBHOOK_URL: 'http://127.0.0.1:9/h', WEBHOOK_SECRET: secret }),
    ).toEqual([]);
  });
});
