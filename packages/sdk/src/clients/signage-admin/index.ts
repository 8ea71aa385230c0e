/** The signage fleet admin client (browser and Node). */
export {
  SignageAdminClient,
  createSignageAdminClient,
  type AdminCommand,
  type AdminCommandOptions,
  type MediaUpload,
  type MediaUploadOptions,
  type SignageAdminAuth,
  type SignageAdminClientOptions,
} from './admin-client';
export {
  SignageEventsClient,
  createSignageEventsClient,
  type SignageEventsClientEvents,
  type SignageEventsClientOptions,
} from './events-client';
