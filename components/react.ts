// Package entry `./react`: <mail-server-settings> as a React component, its events as typed
// `on…` props. Importing it also registers the element (through the element's module).
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import type {
  MailServerDeliveryProblemEvent,
  MailServerErrorEvent,
  MailServerOAuthConnectedEvent,
  MailServerOAuthDisconnectedEvent,
  MailServerResetEvent,
  MailServerSavedEvent,
  MailServerTestedEvent,
} from './events.ts';
import { MailServerSettings as MailServerSettingsElement } from './index.ts';

export const MailServerSettings = createComponent({
  react: React,
  tagName: 'mail-server-settings',
  elementClass: MailServerSettingsElement,
  events: {
    onMailServerSaved: 'mail-server-saved' as EventName<MailServerSavedEvent>,
    onMailServerReset: 'mail-server-reset' as EventName<MailServerResetEvent>,
    onMailServerTested: 'mail-server-tested' as EventName<MailServerTestedEvent>,
    onMailServerError: 'mail-server-error' as EventName<MailServerErrorEvent>,
    onMailServerOAuthConnected: 'mail-server-oauth-connected' as EventName<MailServerOAuthConnectedEvent>,
    onMailServerOAuthDisconnected: 'mail-server-oauth-disconnected' as EventName<MailServerOAuthDisconnectedEvent>,
    onMailServerDeliveryProblem: 'mail-server-delivery-problem' as EventName<MailServerDeliveryProblemEvent>,
  },
  displayName: 'MailServerSettings',
});

export type MailServerSettingsProps = React.ComponentProps<typeof MailServerSettings>;
