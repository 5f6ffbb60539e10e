// Package entry: importing it registers <mail-server-settings>.
export { MailServerSettings } from './mail-server-settings/mail-server-settings.ts';
export {
  MailServerDeliveryProblemEvent,
  MailServerErrorEvent,
  MailServerOAuthConnectedEvent,
  MailServerOAuthDisconnectedEvent,
  MailServerResetEvent,
  MailServerSavedEvent,
  MailServerTestedEvent,
  type MailServerAction,
  type MailServerErrorDetail,
  type MailServerOAuthConnectedDetail,
} from './events.ts';
export type * from '../contract/index.ts';
