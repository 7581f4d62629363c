// GENERATED FILE, DO NOT EDIT. Regenerate with `npm run waha:types`.
// Made by @hey-api/openapi-ts (plugin @hey-api/typescript) from ../shared/waha/openapi.json
// (WAHA's own spec, version 2026.7.1) by test/tools/waha-types/generate.ts.
// WAHA's departures from its spec are in the hand-written overlay ../waha.types.ts.

export type ClientOptions = {
  baseUrl: '{protocol}://{host}:{port}/{baseUrl}' | (string & {});
};

export type Webhooks =
  | PostSessionStatusWebhookRequest
  | PostMessageWebhookRequest
  | PostMessageReactionWebhookRequest
  | PostMessageAnyWebhookRequest
  | PostMessageAckWebhookRequest
  | PostMessageAckGroupWebhookRequest
  | PostMessageRevokedWebhookRequest
  | PostMessageEditedWebhookRequest
  | PostGroupV2JoinWebhookRequest
  | PostGroupV2LeaveWebhookRequest
  | PostGroupV2UpdateWebhookRequest
  | PostGroupV2ParticipantsWebhookRequest
  | PostPresenceUpdateWebhookRequest
  | PostPollVoteWebhookRequest
  | PostPollVoteFailedWebhookRequest
  | PostChatArchiveWebhookRequest
  | PostCallReceivedWebhookRequest
  | PostCallAcceptedWebhookRequest
  | PostCallRejectedWebhookRequest
  | PostLabelUpsertWebhookRequest
  | PostLabelDeletedWebhookRequest
  | PostLabelChatAddedWebhookRequest
  | PostLabelChatDeletedWebhookRequest
  | PostEventResponseWebhookRequest
  | PostEventResponseFailedWebhookRequest
  | PostEngineEventWebhookRequest
  | PostGroupJoinWebhookRequest
  | PostGroupLeaveWebhookRequest
  | PostStateChangeWebhookRequest;

export type Base64File = {
  mimetype: string;
  data: string;
};

export type QRCodeValue = {
  value: string;
};

export type RequestCodeRequest = {
  /**
   * Mobile phone number in international format
   */
  phoneNumber: string;
  /**
   * How would you like to receive the one time code for registration? |sms|voice. Leave empty for Web pairing.
   */
  method?: string;
};

export type PasskeyAllowedCredential = {
  /**
   * Base64url-encoded credential ID.
   */
  id: string;
  /**
   * Always "public-key".
   */
  type: string;
  /**
   * Authenticator transports the credential supports.
   */
  transports?: Array<string>;
};

export type PasskeyChallenge = {
  /**
   * Base64url-encoded challenge to sign.
   */
  challenge: string;
  /**
   * How long the challenge is valid for, in milliseconds.
   */
  timeout: number;
  /**
   * Relying party ID.
   */
  rpId: string;
  allowCredentials: Array<PasskeyAllowedCredential>;
  userVerification: string;
  /**
   * WebAuthn extensions requested by WhatsApp.
   */
  extensions?: {
    [key: string]: unknown;
  };
};

export type PasskeyAssertionResponseData = {
  /**
   * Base64url-encoded clientDataJSON from the authenticator.
   */
  clientDataJSON: string;
  /**
   * Base64url-encoded authenticatorData from the authenticator.
   */
  authenticatorData: string;
  /**
   * Base64url-encoded signature from the authenticator.
   */
  signature: string;
  /**
   * Base64url-encoded user handle, if returned by the authenticator.
   */
  userHandle?: string;
};

export type PasskeyAssertionRequest = {
  /**
   * Credential ID, as returned by navigator.credentials.get().toJSON().
   */
  id: string;
  /**
   * Base64url-encoded raw credential ID.
   */
  rawId: string;
  /**
   * Always "public-key".
   */
  type: string;
  response: PasskeyAssertionResponseData;
};

export type PasskeyConfirmationResponse = {
  /**
   * The code the user must verify against the one shown on their phone.
   */
  code: string;
};

export type SessionActionsDTO = {
  /**
   * Read session data (messages, contacts, chats, groups, etc.)
   */
  read?: boolean;
  /**
   * Send messages and manage session entities (groups, labels, channels, contacts, profile)
   */
  send?: boolean;
  /**
   * Session lifecycle: start, stop, restart, logout, authenticate
   */
  control?: boolean;
  /**
   * Session config: update session settings
   */
  setting?: boolean;
  /**
   * Manage apps
   */
  app?: boolean;
  /**
   * Delete the session
   */
  delete?: boolean;
};

export type ApiKeyRequest = {
  isAdmin: boolean;
  session: string | null;
  isActive: boolean;
  actions?: SessionActionsDTO | null;
};

export type ApiKeyDTO = {
  id: string;
  key: string;
  isActive: boolean;
  isAdmin: boolean;
  session?: string | null;
  actions?: SessionActionsDTO | null;
};

export type ScopedApiKeyRequest = {
  session: string;
};

export type ChatWootCommandsConfig = {
  server: boolean;
  queue?: boolean;
};

export type ChatWootConversationsConfig = {
  /**
   * Process message.ack events to mark ChatWoot conversations as read. Enabled by default.
   */
  markAsRead?: boolean;
  sort: 'activity_newest' | 'created_newest' | 'created_oldest' | 'activity_oldest';
  status: Array<'open' | 'pending' | 'snoozed' | 'resolved'> | null;
};

export type ChatWootAppConfig = {
  url: string;
  accountId: number;
  accountToken: string;
  inboxId: number;
  inboxIdentifier: string;
  linkPreview?: 'OFF' | 'LG' | 'HG';
  locale: string;
  templates?: {
    [key: string]: unknown;
  };
  commands?: ChatWootCommandsConfig;
  conversations?: ChatWootConversationsConfig;
};

export type CallsAppChannelConfig = {
  /**
   * Reject incoming calls for this chat type
   */
  reject: boolean;
  /**
   * Optional auto-reply message sent after the call is rejected. If empty, no message is sent.
   */
  message?: string;
  /**
   * Seconds to wait before declining the call. If not set or undefined, the call is declined immediately (0 seconds).
   */
  waitBeforeDecline?: number;
  /**
   * Seconds to wait before sending the auto-reply message. If not set or undefined, the message is sent immediately (0 seconds).
   */
  waitBeforeResponse?: number;
};

export type CallsAppConfig = {
  /**
   * Rules applied to direct messages (non-group calls)
   */
  dm: CallsAppChannelConfig;
  /**
   * Rules applied to group calls
   */
  group: CallsAppChannelConfig;
};

export type McpAppConfig = {
  /**
   * Permission scopes for the generated API key.
   */
  actions: SessionActionsDTO;
  /**
   * ID of the API key created for this app. Read-only.
   */
  readonly key_id?: string | null;
  /**
   * The API key value. Populated on read; not persisted in this record.
   */
  readonly key?: string | null;
};

export type App = {
  /**
   * Enable or disable this app without deleting it. If omitted, treated as enabled (true).
   */
  enabled?: boolean;
  id: string;
  session: string;
  app: 'chatwoot' | 'calls' | 'mcp';
  config: {
    [key: string]: unknown;
  };
};

export type MeInfo = {
  id: string;
  lid?: string;
  /**
   * Your id with device number
   */
  jid?: string;
  pushName: string;
};

export type ProxyConfig = {
  server: string;
  username?: string;
  password?: string;
};

export type IgnoreConfig = {
  /**
   * Ignore a status@broadcast (stories) events
   */
  status?: boolean;
  /**
   * Ignore groups events
   */
  groups?: boolean;
  /**
   * Ignore channels events
   */
  channels?: boolean;
  /**
   * Ignore broadcast events (broadcast list and status)
   */
  broadcast?: boolean;
};

export type ClientSessionConfig = {
  deviceName?: string;
  browserName?: string;
};

export type NowebStoreConfig = {
  /**
   * Enable or disable the store for contacts, chats, and messages.
   */
  enabled: boolean;
  /**
   * Enable full sync on session initialization (when scanning QR code).
   * Full sync will download all contacts, chats, and messages from the phone.
   * If disabled, only messages early than 90 days will be downloaded and some contacts may be missing.
   */
  fullSync: boolean;
};

export type NowebConfig = {
  /**
   * Mark the session as online when it connects to the server.
   */
  markOnline: boolean;
  store?: NowebStoreConfig;
};

export type GowsStorageConfig = {
  /**
   * Store messages locally. Set to false to disable; omit or null to keep enabled.
   */
  messages?: boolean | null;
  /**
   * Store groups locally. Set to false to disable; omit or null to keep enabled.
   */
  groups?: boolean | null;
  /**
   * Store chats locally. Set to false to disable; omit or null to keep enabled.
   */
  chats?: boolean | null;
  /**
   * Store labels locally. Set to false to disable; omit or null to keep enabled.
   */
  labels?: boolean | null;
};

export type GowsConfig = {
  storage?: GowsStorageConfig;
};

export type WebjsConfig = {
  /**
   * Enable emission of special 'tag:*' engine events required for presence.update and message.ack.
   * WARNING: Enabling this may have performance and stability impact. Disabled by default.
   */
  tagsEventsOn?: boolean;
};

export type HmacConfiguration = {
  key?: string;
};

export type RetriesConfiguration = {
  delaySeconds?: number;
  attempts?: number;
  policy?: 'linear' | 'exponential' | 'constant';
};

export type CustomHeader = {
  name: string;
  value: string;
};

export type WebhookConfig = {
  /**
   * You can use https://docs.webhook.site/ to test webhooks and see the payload
   */
  url: string;
  events: Array<{
    [key: string]: unknown;
  }>;
  hmac?: HmacConfiguration;
  retries?: RetriesConfiguration;
  customHeaders?: Array<CustomHeader>;
};

export type SessionConfig = {
  /**
   * Metadata for the session. You'll get 'metadata' in all webhooks.
   */
  metadata?: {
    [key: string]: unknown;
  };
  proxy?: ProxyConfig;
  debug?: boolean;
  /**
   * Ignore some events related to specific chats
   */
  ignore?: IgnoreConfig;
  /**
   * How connected session renders in device - in format 'Browser (Device)' - Firefox (MacOS)
   */
  client?: ClientSessionConfig;
  noweb?: NowebConfig;
  gows?: GowsConfig;
  /**
   * WebJS-specific settings.
   */
  webjs?: WebjsConfig;
  webhooks?: Array<WebhookConfig>;
};

export type SessionInfo = {
  /**
   * Session name (id)
   */
  name: string;
  /**
   * Apps configured for the session.
   */
  apps?: Array<App> | null;
  me?: MeInfo;
  assignedWorker?: string;
  presence: {
    [key: string]: unknown;
  };
  timestamps: {
    activity: number | null;
  };
  status:
    | 'STOPPED'
    | 'STARTING'
    | 'SCAN_QR_CODE'
    | 'PASSKEY_REQUIRED'
    | 'PASSKEY_CONFIRMATION_REQUIRED'
    | 'WORKING'
    | 'FAILED';
  config?: SessionConfig;
};

export type SessionCreateRequest = {
  /**
   * Session name (id)
   */
  name?: string;
  /**
   * Apps to be synchronized for this session.
   */
  apps?: Array<App> | null;
  /**
   * Start session after creation
   */
  start?: boolean;
  config?: SessionConfig;
};

export type SessionDTO = {
  /**
   * Session name (id)
   */
  name: string;
  status:
    | 'STOPPED'
    | 'STARTING'
    | 'SCAN_QR_CODE'
    | 'PASSKEY_REQUIRED'
    | 'PASSKEY_CONFIRMATION_REQUIRED'
    | 'WORKING'
    | 'FAILED';
  config?: SessionConfig;
};

export type SessionUpdateRequest = {
  /**
   * Apps to be synchronized for this session.
   */
  apps?: Array<App> | null;
  config?: SessionConfig;
};

export type SessionStartDeprecatedRequest = {
  /**
   * Session name (id)
   */
  name: string;
  config?: SessionConfig;
};

export type SessionStopDeprecatedRequest = {
  /**
   * Session name (id)
   */
  name: string;
  /**
   * Stop and logout from the session.
   */
  logout?: boolean;
};

export type SessionLogoutDeprecatedRequest = {
  /**
   * Session name (id)
   */
  name: string;
};

export type MyProfile = {
  id: string;
  picture: string | null;
  name: string;
};

export type ProfileNameRequest = {
  name: string;
};

export type Result = {
  success: boolean;
};

export type ProfileStatusRequest = {
  status: string;
};

export type RemoteFile = {
  /**
   * MIME type of the attachment.
   */
  mimetype: string;
  /**
   * Document file name. Value can be null
   */
  filename?: string;
  url: string;
};

export type BinaryFile = {
  /**
   * MIME type of the attachment.
   */
  mimetype: string;
  /**
   * Document file name. Optional
   */
  filename?: string;
  /**
   * Base64-encoded data of the file
   */
  data: string;
};

export type ProfilePictureRequest = {
  file: RemoteFile | BinaryFile;
};

export type MessageTextRequest = {
  chatId: string;
  /**
   * Pre-generated message id
   */
  id?: string;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  text: string;
  linkPreview?: boolean;
  linkPreviewHighQuality?: boolean;
  session: string;
};

export type S3MediaData = {
  /**
   * The name of the S3 bucket
   */
  Bucket: string;
  /**
   * The key of the object in the S3 bucket
   */
  Key: string;
};

export type WAMedia = {
  /**
   * The URL for the media in the message if any
   */
  url?: string;
  /**
   * mimetype for the media in the message if any
   */
  mimetype?: string;
  /**
   * The original filename in mediaUrl in the message if any
   */
  filename?: string;
  /**
   * S3 attributes for the media in the message if you are using S3 media storage
   */
  s3?: S3MediaData;
  /**
   * Error message if there's an error downloading the media
   */
  error?: {
    [key: string]: unknown;
  };
};

export type WALocation = {
  latitude: string;
  longitude: string;
  live: boolean;
  name?: string;
  address?: string;
  url?: string;
  description?: string;
  thumbnail?: string;
};

export type ReplyToMessage = {
  /**
   * Message ID
   */
  id: string;
  participant?: string;
  body?: string;
  /**
   * Indicates if the message has media available for download
   */
  hasMedia: boolean;
  /**
   * Media object for the message if any and downloaded
   */
  media?: WAMedia;
  /**
   * Raw data from reply's message
   */
  _data?: {
    [key: string]: unknown;
  };
};

export type WAMessage = {
  /**
   * Message ID
   */
  id: string;
  /**
   * Unix timestamp for when the message was created
   */
  timestamp: number;
  /**
   * ID for the Chat that this message was sent to, except if the message was sent by the current user
   */
  from: string;
  /**
   * Indicates if the message was sent by the current user
   */
  fromMe: boolean;
  /**
   * The device that sent the message - either API or APP. Available in events (webhooks/websockets) only and only "fromMe: true" messages.
   */
  source: 'api' | 'app';
  /**
   *
   * * ID for who this message is for.
   * * If the message is sent by the current user, it will be the Chat to which the message is being sent.
   * * If the message is sent by another user, it will be the ID for the current user.
   *
   */
  to: string;
  /**
   * For groups - participant who sent the message
   */
  participant: string;
  /**
   * Message content
   */
  body: string;
  /**
   * Indicates if the message has media available for download
   */
  hasMedia: boolean;
  /**
   * Media object for the message if any and downloaded
   */
  media?: WAMedia;
  /**
   * Use `media.url` instead! The URL for the media in the message if any
   *
   * @deprecated
   */
  mediaUrl: string;
  /**
   * ACK status for the message
   */
  ack: -1 | 0 | 1 | 2 | 3 | 4;
  /**
   * ACK status name for the message
   */
  ackName: string;
  /**
   * If the message was sent to a group, this field will contain the user that sent the message.
   */
  author?: string;
  /**
   * Location information contained in the message, if the message is type "location"
   */
  location?: WALocation;
  /**
   * List of vCards contained in the message.
   */
  vCards?: Array<string>;
  /**
   * Message in a raw format that we get from WhatsApp. May be changed anytime, use it with caution! It depends a lot on the underlying backend.
   */
  _data?: {
    [key: string]: unknown;
  };
  replyTo?: ReplyToMessage;
};

export type MessageImageRequest = {
  chatId: string;
  file: RemoteFile | BinaryFile;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  caption?: string;
  session: string;
};

export type MessageFileRequest = {
  chatId: string;
  file: RemoteFile | BinaryFile;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  caption?: string;
  session: string;
};

export type VoiceBinaryFile = {
  /**
   * MIME type of the attachment.
   */
  mimetype: {
    [key: string]: unknown;
  };
  /**
   * Document file name. Optional
   */
  filename: {
    [key: string]: unknown;
  };
  /**
   * Base64-encoded data of the file
   */
  data: string;
};

export type VoiceRemoteFile = {
  /**
   * MIME type of the attachment.
   */
  mimetype: {
    [key: string]: unknown;
  };
  url: string;
};

export type MessageVoiceRequest = {
  chatId: string;
  file: VoiceRemoteFile | VoiceBinaryFile;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  /**
   * Convert the input file to the required format using ffmpeg before sending
   */
  convert: boolean;
  session: string;
};

export type VideoRemoteFile = {
  /**
   * MIME type of the attachment.
   */
  mimetype: {
    [key: string]: unknown;
  };
  /**
   * Document file name. Optional
   */
  filename: {
    [key: string]: unknown;
  };
  url: string;
};

export type VideoBinaryFile = {
  /**
   * MIME type of the attachment.
   */
  mimetype: {
    [key: string]: unknown;
  };
  /**
   * Document file name. Optional
   */
  filename: {
    [key: string]: unknown;
  };
  /**
   * Base64-encoded data of the file
   */
  data: string;
};

export type MessageVideoRequest = {
  chatId: string;
  file: VideoRemoteFile | VideoBinaryFile;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  /**
   * Send as video note (aka instant or round video).
   */
  asNote?: boolean;
  /**
   * Convert the input file to the required format using ffmpeg before sending
   */
  convert: boolean;
  caption?: string;
  session: string;
};

export type FileURL = {
  url?: string;
};

export type FileContent = {
  /**
   * Base64-encoded data of the file
   */
  data?: string;
};

export type LinkPreviewData = {
  image?: FileURL | FileContent;
  url: string;
  title: string;
  description: string;
};

export type MessageLinkCustomPreviewRequest = {
  chatId: string;
  /**
   * The text to send. MUST include the URL provided in preview.url
   */
  text: string;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  linkPreviewHighQuality?: boolean;
  preview: LinkPreviewData;
  session: string;
};

export type Button = {
  text: string;
  id?: string;
  url?: string;
  phoneNumber?: string;
  copyCode?: string;
  type: 'reply' | 'url' | 'call' | 'copy';
};

export type SendButtonsRequest = {
  chatId: string;
  header: string;
  headerImage?: RemoteFile | BinaryFile;
  body: string;
  footer: string;
  buttons: Array<Button>;
  session: string;
};

export type Row = {
  title: string;
  description?: string;
  rowId: string;
};

export type Section = {
  title: string;
  rows: Array<Row>;
};

export type SendListMessage = {
  title: string;
  description?: string;
  footer?: string;
  button: string;
  sections: Array<Section>;
};

export type SendListRequest = {
  chatId: string;
  message: SendListMessage;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  session: string;
};

export type MessageForwardRequest = {
  chatId: string;
  /**
   * Pre-generated message id
   */
  id?: string;
  messageId: string;
  session: string;
};

export type SendSeenRequest = {
  chatId: string;
  /**
   * @deprecated
   */
  messageId?: string;
  messageIds?: Array<string>;
  /**
   * NOWEB engine only - the ID of the user that sent the message (undefined for individual chats)
   */
  participant?: string;
  session: string;
};

export type ChatRequest = {
  chatId: string;
  session: string;
};

export type MessageReactionRequest = {
  messageId: string;
  /**
   * Emoji to react with. Send an empty string to remove the reaction
   */
  reaction: string;
  session: string;
};

export type MessageStarRequest = {
  messageId: string;
  chatId: string;
  star: boolean;
  session: string;
};

export type MessagePoll = {
  name: string;
  options: Array<string>;
  multipleAnswers: {
    [key: string]: unknown;
  };
};

export type MessagePollRequest = {
  chatId: string;
  /**
   * Pre-generated message id
   */
  id?: string;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  poll: MessagePoll;
  session: string;
};

export type MessagePollVoteRequest = {
  chatId: string;
  /**
   * The ID of the poll message. Format: {fromMe}_{chatID}_{messageId}[_{participant}] or just ID for GOWS
   */
  pollMessageId: string;
  /**
   * Only for Channels - server message id (if known); if omitted, API may look it up in the storage
   */
  pollServerId?: number;
  votes: Array<Array<string>>;
  session: string;
};

export type MessageLocationRequest = {
  chatId: string;
  /**
   * Pre-generated message id
   */
  id?: string;
  latitude: number;
  longitude: number;
  title: string;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  session: string;
};

export type Contact = {
  /**
   * The full name of the contact
   */
  fullName: string;
  /**
   * The organization of the contact
   */
  organization?: string;
  /**
   * The phone number of the contact
   */
  phoneNumber: string;
  /**
   * The whatsapp id of the contact. DO NOT add + or @c.us
   */
  whatsappId?: string;
  vcard: string;
};

export type VCardContact = {
  /**
   * The vcard string
   */
  vcard: string;
};

export type MessageContactVcardRequest = {
  chatId: string;
  /**
   * Pre-generated message id
   */
  id?: string;
  contacts: Array<VCardContact | Contact>;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  session: string;
};

export type MessageButtonReply = {
  chatId: string;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  replyTo?: string;
  selectedDisplayText: string;
  selectedButtonID: string;
  session: string;
};

export type WANumberExistResult = {
  chatId?: string;
  numberExists: boolean;
};

export type MessageReplyRequest = {
  chatId: string;
  /**
   * Pre-generated message id
   */
  id?: string;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  text: string;
  linkPreview?: boolean;
  linkPreviewHighQuality?: boolean;
  session: string;
};

export type MessageLinkPreviewRequest = {
  chatId: string;
  /**
   * Pre-generated message id
   */
  id?: string;
  url: string;
  title: string;
  session: string;
};

export type NewMessageIDResponse = {
  /**
   * Pre-generated message id
   */
  id: string;
};

export type ChatSummary = {
  id: string;
  name: string | null;
  picture: string | null;
  lastMessage: {
    [key: string]: unknown;
  };
  _chat: {
    [key: string]: unknown;
  };
};

export type GetChatsOverviewParams = {
  /**
   * Merge LID (@lid) and phone-number (@c.us) chats referencing the same contact
   */
  merge?: boolean;
  limit?: number;
  offset?: number;
};

export type OverviewFilter = {
  /**
   * Filter by chat ids
   */
  ids?: Array<string>;
};

export type OverviewBodyRequest = {
  pagination: GetChatsOverviewParams;
  filter?: OverviewFilter;
};

export type ChatPictureResponse = {
  url: string;
};

export type ReadChatMessagesResponse = {
  /**
   * Messages IDs that have been read
   */
  ids?: Array<string>;
};

export type PinMessageRequest = {
  /**
   * Duration in seconds. 24 hours (86400), 7 days (604800), 30 days (2592000)
   */
  duration: number;
};

export type EditMessageRequest = {
  text: string;
  linkPreview?: boolean;
  linkPreviewHighQuality?: boolean;
};

export type RejectCallRequest = {
  from: string;
  /**
   * Call ID
   */
  id: string;
};

export type Channel = {
  /**
   * Newsletter id
   */
  id: string;
  /**
   * Channel name
   */
  name: string;
  /**
   * Invite link
   */
  invite: string;
  /**
   * Preview for channel's picture
   */
  preview?: string;
  /**
   * Channel's picture
   */
  picture?: string;
  role: 'OWNER' | 'ADMIN' | 'SUBSCRIBER' | 'GUEST';
  description?: string;
  verified: boolean;
  subscribersCount: number;
};

export type CreateChannelRequest = {
  name: string;
  description?: string;
  picture?: RemoteFile | BinaryFile;
};

export type ChannelMessage = {
  reactions: {
    [key: string]: number;
  };
  message: WAMessage;
  viewCount: number;
};

export type ChannelSearchByView = {
  view: string;
  countries: Array<string>;
  categories: Array<string>;
  limit: number;
  startCursor: string;
};

export type ChannelPagination = {
  startCursor: string | null;
  endCursor: string | null;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
};

export type ChannelPublicInfo = {
  /**
   * Newsletter id
   */
  id: string;
  /**
   * Channel name
   */
  name: string;
  /**
   * Invite link
   */
  invite: string;
  /**
   * Preview for channel's picture
   */
  preview?: string;
  /**
   * Channel's picture
   */
  picture?: string;
  description?: string;
  verified: boolean;
  subscribersCount: number;
};

export type ChannelListResult = {
  page: ChannelPagination;
  channels: Array<ChannelPublicInfo>;
};

export type ChannelSearchByText = {
  text: string;
  categories: Array<string>;
  limit: number;
  startCursor: string;
};

export type ChannelView = {
  value: string;
  name: string;
};

export type ChannelCountry = {
  code: string;
  name: string;
};

export type ChannelCategory = {
  value: string;
  name: string;
};

export type TextStatus = {
  /**
   * Pre-generated status message id
   */
  id?: string;
  /**
   * Contact list to send the status to.
   */
  contacts?: Array<string>;
  text: string;
  backgroundColor: string;
  font: number;
  linkPreview?: boolean;
  linkPreviewHighQuality?: boolean;
};

export type ImageStatus = {
  /**
   * Pre-generated status message id
   */
  id?: string;
  /**
   * Contact list to send the status to.
   */
  contacts?: Array<string>;
  file: RemoteFile | BinaryFile;
  caption?: string;
};

export type VoiceStatus = {
  /**
   * Pre-generated status message id
   */
  id?: string;
  /**
   * Contact list to send the status to.
   */
  contacts?: Array<string>;
  file: VoiceRemoteFile | VoiceBinaryFile;
  /**
   * Convert the input file to the required format using ffmpeg before sending
   */
  convert: boolean;
  backgroundColor: string;
};

export type VideoStatus = {
  /**
   * Pre-generated status message id
   */
  id?: string;
  /**
   * Contact list to send the status to.
   */
  contacts?: Array<string>;
  file: VideoRemoteFile | VideoBinaryFile;
  /**
   * Convert the input file to the required format using ffmpeg before sending
   */
  convert: boolean;
  caption?: string;
};

export type DeleteStatusRequest = {
  /**
   * Status message id to delete
   */
  id?: string;
  /**
   * Contact list to send the status to.
   */
  contacts?: Array<string>;
};

export type Label = {
  /**
   * Label ID
   */
  id: string;
  /**
   * Label name
   */
  name: string;
  /**
   * Color number, not hex
   */
  color: number;
  /**
   * Color in hex
   */
  colorHex: string;
};

export type LabelBody = {
  /**
   * Label name
   */
  name: string;
  /**
   * Color in hex
   */
  colorHex?: string;
  /**
   * Color number, not hex
   */
  color?: number;
};

export type LabelID = {
  /**
   * Label ID
   */
  id: string;
};

export type SetLabelsRequest = {
  labels: Array<LabelID>;
};

export type ContactRequest = {
  contactId: string;
  session: string;
};

export type ContactUpdateBody = {
  /**
   * Contact First Name
   */
  firstName: string;
  /**
   * Contact Last Name
   */
  lastName: string;
};

export type LidToPhoneNumber = {
  /**
   * Linked ID for the user
   */
  lid?: string;
  /**
   * Phone number (chat id) for the user
   */
  pn?: string;
};

export type CountResponse = {
  count: number;
};

export type Participant = {
  id: string;
};

export type CreateGroupRequest = {
  name: string;
  participants: Array<Participant>;
};

export type JoinGroupRequest = {
  /**
   * Group code (123) or url (https://chat.whatsapp.com/123)
   */
  code: string;
};

export type JoinGroupResponse = {
  /**
   * Group ID
   */
  id: string;
};

export type DescriptionRequest = {
  description: string;
};

export type SubjectRequest = {
  subject: string;
};

export type SettingsSecurityChangeInfo = {
  adminsOnly: boolean;
};

export type GroupParticipant = {
  /**
   * Member ID in @c.us or @lid format
   */
  id: string;
  /**
   * Member ID in @c.us format
   */
  pn?: string;
  role: 'left' | 'participant' | 'admin' | 'superadmin';
};

export type ParticipantsRequest = {
  participants: Array<Participant>;
};

export type WAHASessionPresence = {
  /**
   * Chat ID - either group id or contact id. Required for chat-related presence statuses; omit for ONLINE/OFFLINE.
   */
  chatId?: string;
  presence: 'offline' | 'online' | 'typing' | 'recording' | 'paused';
};

export type WAHAPresenceData = {
  /**
   * Chat ID - participant or contact id
   */
  participant: string;
  lastSeen?: number;
  lastKnownPresence: 'offline' | 'online' | 'typing' | 'recording' | 'paused';
};

export type WAHAChatPresences = {
  /**
   * Chat ID - either group id or contact id
   */
  id: string;
  presences: Array<WAHAPresenceData>;
};

export type EventLocation = {
  /**
   * Name of the location
   */
  name: string;
};

export type EventMessage = {
  /**
   * Name of the event
   */
  name: string;
  /**
   * Description of the event
   */
  description?: string;
  /**
   * Start time of the event (Unix timestamp in seconds)
   */
  startTime: number;
  /**
   * End time of the event (Unix timestamp in seconds)
   */
  endTime?: number;
  /**
   * Location of the event
   */
  location?: EventLocation;
  /**
   * Whether extra guests are allowed
   */
  extraGuestsAllowed?: boolean;
};

export type EventMessageRequest = {
  chatId: string;
  /**
   * The ID of the message to reply to - false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA
   */
  reply_to?: string;
  event: EventMessage;
};

export type PingResponse = {
  message: string;
};

export type WAHAEnvironment = {
  version: string;
  engine: string;
  tier: string;
  browser: string;
  platform: string;
  worker: {
    id: string | null;
  };
};

export type WorkerInfo = {
  /**
   * The worker ID.
   */
  id: string;
};

export type ServerStatusResponse = {
  /**
   * The timestamp when the server started (milliseconds).
   */
  startTimestamp: number;
  /**
   * The uptime of the server in milliseconds.
   */
  uptime: number;
  worker: WorkerInfo;
};

export type StopRequest = {
  /**
   * By default, it gracefully stops the server, but you can force it to terminate immediately.
   */
  force?: boolean;
};

export type StopResponse = {
  /**
   * Always 'true' if the server is stopping.
   */
  stopping: boolean;
};

export type VoiceFileDTO = {
  /**
   * The URL for the voice file
   */
  url?: string;
  /**
   * Base64 content of the file
   */
  data?: string;
};

export type VideoFileDTO = {
  /**
   * The URL for the video file
   */
  url?: string;
  /**
   * Base64 content of the file
   */
  data?: string;
};

export type SessionStatusPoint = {
  status:
    | 'STOPPED'
    | 'STARTING'
    | 'SCAN_QR_CODE'
    | 'PASSKEY_REQUIRED'
    | 'PASSKEY_CONFIRMATION_REQUIRED'
    | 'WORKING'
    | 'FAILED';
  timestamp: number;
};

export type WASessionStatusBody = {
  name: string;
  /**
   * Extra info that belongs to the current status, null for most of them.
   * PASSKEY_REQUIRED - the WebAuthn challenge, pass it to navigator.credentials.get({ publicKey: data }).
   * PASSKEY_CONFIRMATION_REQUIRED - { code } - the code to verify against the phone.
   */
  data?: {
    [key: string]: unknown;
  } | null;
  status:
    | 'STOPPED'
    | 'STARTING'
    | 'SCAN_QR_CODE'
    | 'PASSKEY_REQUIRED'
    | 'PASSKEY_CONFIRMATION_REQUIRED'
    | 'WORKING'
    | 'FAILED';
  statuses: Array<SessionStatusPoint>;
};

export type WAHAWebhookSessionStatus = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when the session status changes.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: WASessionStatusBody;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookMessage = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * Incoming message.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: WAMessage;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAReaction = {
  /**
   * Reaction to the message. Either the reaction (emoji) or empty string to remove the reaction
   */
  text: string;
  /**
   * Message ID for the message to react to
   */
  messageId: string;
};

export type WAMessageReaction = {
  /**
   * Message ID
   */
  id: string;
  /**
   * Unix timestamp for when the message was created
   */
  timestamp: number;
  /**
   * ID for the Chat that this message was sent to, except if the message was sent by the current user
   */
  from: string;
  /**
   * Indicates if the message was sent by the current user
   */
  fromMe: boolean;
  /**
   * The device that sent the message - either API or APP. Available in events (webhooks/websockets) only and only "fromMe: true" messages.
   */
  source: 'api' | 'app';
  /**
   *
   * * ID for who this message is for.
   * * If the message is sent by the current user, it will be the Chat to which the message is being sent.
   * * If the message is sent by another user, it will be the ID for the current user.
   *
   */
  to: string;
  /**
   * For groups - participant who sent the message
   */
  participant: string;
  /**
   * Reaction to the message. Either the reaction (emoji) or empty string to remove the reaction
   */
  reaction: WAReaction;
};

export type WAHAWebhookMessageReaction = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when a user reacts or removes a reaction.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: WAMessageReaction;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookMessageAny = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * Fired on all message creations, including your own.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: WAMessage;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAMessageAckBody = {
  /**
   * Message ID
   */
  id: string;
  from: string;
  to: string;
  participant: string;
  fromMe: boolean;
  ack: -1 | 0 | 1 | 2 | 3 | 4;
  ackName: string;
  _data?: {
    [key: string]: unknown;
  };
};

export type WAHAWebhookMessageAck = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * Receive events when server or recipient gets the message, read or played it (contacts only).
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: WAMessageAckBody;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookMessageAckGroup = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * Receive events when participants in a group read or play messages.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: WAMessageAckBody;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAMessageRevokedBody = {
  /**
   * ID of the message that was revoked
   */
  revokedMessageId?: string;
  after?: WAMessage;
  before?: WAMessage;
  _data?: {
    [key: string]: unknown;
  };
};

export type WAHAWebhookMessageRevoked = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when a user, whether it be you or any other participant, revokes a previously sent message.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: WAMessageRevokedBody;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAMessageEditedBody = {
  /**
   * Message ID
   */
  id: string;
  /**
   * Unix timestamp for when the message was created
   */
  timestamp: number;
  /**
   * ID for the Chat that this message was sent to, except if the message was sent by the current user
   */
  from: string;
  /**
   * Indicates if the message was sent by the current user
   */
  fromMe: boolean;
  /**
   * The device that sent the message - either API or APP. Available in events (webhooks/websockets) only and only "fromMe: true" messages.
   */
  source: 'api' | 'app';
  /**
   *
   * * ID for who this message is for.
   * * If the message is sent by the current user, it will be the Chat to which the message is being sent.
   * * If the message is sent by another user, it will be the ID for the current user.
   *
   */
  to: string;
  /**
   * For groups - participant who sent the message
   */
  participant: string;
  /**
   * Message content
   */
  body: string;
  /**
   * Indicates if the message has media available for download
   */
  hasMedia: boolean;
  /**
   * Media object for the message if any and downloaded
   */
  media?: WAMedia;
  /**
   * Use `media.url` instead! The URL for the media in the message if any
   *
   * @deprecated
   */
  mediaUrl: string;
  /**
   * ACK status for the message
   */
  ack: -1 | 0 | 1 | 2 | 3 | 4;
  /**
   * ACK status name for the message
   */
  ackName: string;
  /**
   * If the message was sent to a group, this field will contain the user that sent the message.
   */
  author?: string;
  /**
   * Location information contained in the message, if the message is type "location"
   */
  location?: WALocation;
  /**
   * List of vCards contained in the message.
   */
  vCards?: Array<string>;
  /**
   * Message in a raw format that we get from WhatsApp. May be changed anytime, use it with caution! It depends a lot on the underlying backend.
   */
  _data?: {
    [key: string]: unknown;
  };
  /**
   * ID of the original message that was edited
   */
  editedMessageId?: string;
  replyTo?: ReplyToMessage;
};

export type WAHAWebhookMessageEdited = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when a user edits a previously sent message.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: WAMessageEditedBody;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type GroupInfo = {
  id: string;
  subject: string;
  description: string;
  /**
   * Invite URL
   */
  invite?: string;
  /**
   * Members can add new members
   */
  membersCanAddNewMember: boolean;
  /**
   * Members can send messages to the group
   */
  membersCanSendMessages: boolean;
  /**
   * Admin approval required for new members
   */
  newMembersApprovalRequired: boolean;
  participants: Array<GroupParticipant>;
};

export type GroupV2JoinEvent = {
  /**
   * Unix timestamp
   */
  timestamp: number;
  group: GroupInfo;
  _data: {
    [key: string]: unknown;
  };
};

export type WebhookGroupV2Join = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * When you joined or were added to a group
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: GroupV2JoinEvent;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type GroupId = {
  id: string;
};

export type GroupV2LeaveEvent = {
  /**
   * Unix timestamp
   */
  timestamp: number;
  group: GroupId;
  _data: {
    [key: string]: unknown;
  };
};

export type WebhookGroupV2Leave = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * When you left or were removed from a group
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: GroupV2LeaveEvent;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type GroupV2UpdateEvent = {
  /**
   * Unix timestamp
   */
  timestamp: number;
  group: {
    [key: string]: unknown;
  };
  _data: {
    [key: string]: unknown;
  };
};

export type WebhookGroupV2Update = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * When group info is updated
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: GroupV2UpdateEvent;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type GroupV2ParticipantsEvent = {
  /**
   * Type of the event
   */
  type: 'join' | 'leave' | 'promote' | 'demote';
  /**
   * Unix timestamp
   */
  timestamp: number;
  group: GroupId;
  participants: Array<GroupParticipant>;
  _data: {
    [key: string]: unknown;
  };
};

export type WebhookGroupV2Participants = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * When participants changed - join, leave, promote to admin
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: GroupV2ParticipantsEvent;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookPresenceUpdate = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The most recent presence information for a chat.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: WAHAChatPresences;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type PollVote = {
  /**
   * Message ID
   */
  id: string;
  /**
   * Option that user has selected
   */
  selectedOptions: Array<string>;
  /**
   * Timestamp, ms
   */
  timestamp: number;
  to: string;
  from: string;
  fromMe: boolean;
  participant?: string;
};

export type MessageDestination = {
  /**
   * Message ID
   */
  id: string;
  to: string;
  from: string;
  fromMe: boolean;
  participant?: string;
};

export type PollVotePayload = {
  vote: PollVote;
  poll: MessageDestination;
  _data?: {
    [key: string]: unknown;
  };
};

export type WAHAWebhookPollVote = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * With this event, you receive new votes for the poll sent.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: PollVotePayload;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookPollVoteFailed = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * There may be cases when it fails to decrypt a vote from the user. Read more about how to handle such events in the documentations.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: PollVotePayload;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type ChatArchiveEvent = {
  id: string;
  archived: boolean;
  timestamp: number;
};

export type WAHAWebhookChatArchive = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when the chat is archived or unarchived
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: ChatArchiveEvent;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type CallData = {
  /**
   * Call ID
   */
  id: string;
  from?: string;
  timestamp: number;
  isVideo: boolean;
  isGroup: boolean;
  _data: {
    [key: string]: unknown;
  };
};

export type WAHAWebhookCallReceived = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when the call is received by the user.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: CallData;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookCallAccepted = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when the call is accepted by the user.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: CallData;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookCallRejected = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when the call is rejected by the user.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: CallData;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookLabelUpsert = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when a label is created or updated
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: Label;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookLabelDeleted = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when a label is deleted
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: Label;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type LabelChatAssociation = {
  /**
   * Label ID
   */
  labelId: string;
  /**
   * Chat ID
   */
  chatId: string;
  label: Label | null;
};

export type WAHAWebhookLabelChatAdded = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when a label is added to a chat
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: LabelChatAssociation;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookLabelChatDeleted = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when a label is deleted from a chat
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: LabelChatAssociation;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type EventResponse = {
  response: 'UNKNOWN' | 'GOING' | 'NOT_GOING' | 'MAYBE';
  timestampMs: number;
  extraGuestCount: number;
};

export type EventResponsePayload = {
  /**
   * Message ID
   */
  id: string;
  /**
   * Unix timestamp for when the message was created
   */
  timestamp: number;
  /**
   * ID for the Chat that this message was sent to, except if the message was sent by the current user
   */
  from: string;
  /**
   * Indicates if the message was sent by the current user
   */
  fromMe: boolean;
  /**
   * The device that sent the message - either API or APP. Available in events (webhooks/websockets) only and only "fromMe: true" messages.
   */
  source: 'api' | 'app';
  /**
   *
   * * ID for who this message is for.
   * * If the message is sent by the current user, it will be the Chat to which the message is being sent.
   * * If the message is sent by another user, it will be the ID for the current user.
   *
   */
  to: string;
  /**
   * For groups - participant who sent the message
   */
  participant: string;
  /**
   * Message in a raw format that we get from WhatsApp. May be changed anytime, use it with caution! It depends a lot on the underlying backend.
   */
  _data?: {
    [key: string]: unknown;
  };
  eventCreationKey: MessageDestination;
  eventResponse?: EventResponse;
};

export type WAHAWebhookEventResponse = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when the event response is received.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: EventResponsePayload;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookEventResponseFailed = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * The event is triggered when the event response is failed to decrypt.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: EventResponsePayload;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type EnginePayload = {
  event: string;
  data: {
    [key: string]: unknown;
  };
};

export type WAHAWebhookEngineEvent = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * Internal engine event.
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: EnginePayload;
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookGroupJoin = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * Some one join a group.
   *
   * @deprecated
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: {
    [key: string]: unknown;
  };
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookGroupLeave = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * Some one left a group.
   *
   * @deprecated
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: {
    [key: string]: unknown;
  };
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type WAHAWebhookStateChange = {
  /**
   * Unique identifier for the event - lower case ULID format. https://github.com/ulid/spec
   */
  id: string;
  /**
   * Unix timestamp (ms) for when the event was created.
   */
  timestamp: number;
  session: string;
  /**
   * Metadata for the session.
   */
  metadata?: {
    [key: string]: unknown;
  };
  engine: 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';
  /**
   * It’s an internal engine’s state, not session status.
   *
   * @deprecated
   */
  event:
    | 'session.status'
    | 'message'
    | 'message.reaction'
    | 'message.any'
    | 'message.ack'
    | 'message.ack.group'
    | 'message.waiting'
    | 'message.revoked'
    | 'message.edited'
    | 'state.change'
    | 'group.join'
    | 'group.leave'
    | 'group.v2.join'
    | 'group.v2.leave'
    | 'group.v2.update'
    | 'group.v2.participants'
    | 'presence.update'
    | 'poll.vote'
    | 'poll.vote.failed'
    | 'chat.archive'
    | 'call.received'
    | 'call.accepted'
    | 'call.rejected'
    | 'label.upsert'
    | 'label.deleted'
    | 'label.chat.added'
    | 'label.chat.deleted'
    | 'event.response'
    | 'event.response.failed'
    | 'engine.event';
  payload: {
    [key: string]: unknown;
  };
  me?: MeInfo;
  environment: WAHAEnvironment;
};

export type McpAppConfigWritable = {
  /**
   * Permission scopes for the generated API key.
   */
  actions: SessionActionsDTO;
};

export type AuthControllerGetQrData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query: {
    format: 'image' | 'raw';
  };
  url: '/api/{session}/auth/qr';
};

export type AuthControllerGetQrResponses = {
  200: Base64File | QRCodeValue;
};

export type AuthControllerGetQrResponse = AuthControllerGetQrResponses[keyof AuthControllerGetQrResponses];

export type AuthControllerRequestCodeData = {
  body: RequestCodeRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/auth/request-code';
};

export type AuthControllerRequestCodeResponses = {
  201: unknown;
};

export type AuthControllerGetPasskeyChallengeData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/auth/passkey/challenge';
};

export type AuthControllerGetPasskeyChallengeResponses = {
  200: PasskeyChallenge;
};

export type AuthControllerGetPasskeyChallengeResponse =
  AuthControllerGetPasskeyChallengeResponses[keyof AuthControllerGetPasskeyChallengeResponses];

export type AuthControllerSubmitPasskeyData = {
  body: PasskeyAssertionRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/auth/passkey';
};

export type AuthControllerSubmitPasskeyResponses = {
  201: unknown;
};

export type AuthControllerGetPasskeyConfirmationData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/auth/passkey/confirmation';
};

export type AuthControllerGetPasskeyConfirmationResponses = {
  200: PasskeyConfirmationResponse;
};

export type AuthControllerGetPasskeyConfirmationResponse =
  AuthControllerGetPasskeyConfirmationResponses[keyof AuthControllerGetPasskeyConfirmationResponses];

export type AuthControllerConfirmPasskeyData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/auth/passkey/confirm';
};

export type AuthControllerConfirmPasskeyResponses = {
  201: unknown;
};

export type ApiKeysControllerListData = {
  body?: never;
  path?: never;
  query?: never;
  url: '/api/keys';
};

export type ApiKeysControllerListResponses = {
  200: Array<ApiKeyDTO>;
};

export type ApiKeysControllerListResponse =
  ApiKeysControllerListResponses[keyof ApiKeysControllerListResponses];

export type ApiKeysControllerCreateData = {
  body: ApiKeyRequest;
  path?: never;
  query?: never;
  url: '/api/keys';
};

export type ApiKeysControllerCreateResponses = {
  201: ApiKeyDTO;
};

export type ApiKeysControllerCreateResponse =
  ApiKeysControllerCreateResponses[keyof ApiKeysControllerCreateResponses];

export type ApiKeysControllerMediaData = {
  body: ScopedApiKeyRequest;
  path?: never;
  query?: never;
  url: '/api/keys/media';
};

export type ApiKeysControllerMediaResponses = {
  201: ApiKeyDTO;
};

export type ApiKeysControllerMediaResponse =
  ApiKeysControllerMediaResponses[keyof ApiKeysControllerMediaResponses];

export type ApiKeysControllerControlData = {
  body: ScopedApiKeyRequest;
  path?: never;
  query?: never;
  url: '/api/keys/control';
};

export type ApiKeysControllerControlResponses = {
  201: ApiKeyDTO;
};

export type ApiKeysControllerControlResponse =
  ApiKeysControllerControlResponses[keyof ApiKeysControllerControlResponses];

export type ApiKeysControllerDeleteData = {
  body?: never;
  path: {
    id: string;
  };
  query?: never;
  url: '/api/keys/{id}';
};

export type ApiKeysControllerDeleteResponses = {
  200: unknown;
};

export type ApiKeysControllerUpdateData = {
  body: ApiKeyRequest;
  path: {
    id: string;
  };
  query?: never;
  url: '/api/keys/{id}';
};

export type ApiKeysControllerUpdateResponses = {
  200: ApiKeyDTO;
};

export type ApiKeysControllerUpdateResponse =
  ApiKeysControllerUpdateResponses[keyof ApiKeysControllerUpdateResponses];

export type SessionsControllerListData = {
  body?: never;
  path?: never;
  query?: {
    /**
     * Expand additional session details.
     */
    expand?: Array<'apps'>;
    /**
     * Return all sessions, including those that are in the STOPPED state.
     */
    all?: boolean;
  };
  url: '/api/sessions';
};

export type SessionsControllerListResponses = {
  200: Array<SessionInfo>;
};

export type SessionsControllerListResponse =
  SessionsControllerListResponses[keyof SessionsControllerListResponses];

export type SessionsControllerCreateData = {
  body: SessionCreateRequest;
  path?: never;
  query?: never;
  url: '/api/sessions';
};

export type SessionsControllerCreateResponses = {
  201: SessionDTO;
};

export type SessionsControllerCreateResponse =
  SessionsControllerCreateResponses[keyof SessionsControllerCreateResponses];

export type SessionsControllerDeleteData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/sessions/{session}';
};

export type SessionsControllerDeleteResponses = {
  200: unknown;
};

export type SessionsControllerGetData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: {
    /**
     * Expand additional session details.
     */
    expand?: Array<'apps'>;
  };
  url: '/api/sessions/{session}';
};

export type SessionsControllerGetResponses = {
  200: SessionInfo;
};

export type SessionsControllerGetResponse =
  SessionsControllerGetResponses[keyof SessionsControllerGetResponses];

export type SessionsControllerUpdateData = {
  body: SessionUpdateRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/sessions/{session}';
};

export type SessionsControllerUpdateResponses = {
  200: SessionDTO;
};

export type SessionsControllerUpdateResponse =
  SessionsControllerUpdateResponses[keyof SessionsControllerUpdateResponses];

export type SessionsControllerGetMeData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/sessions/{session}/me';
};

export type SessionsControllerGetMeResponses = {
  200: MeInfo;
};

export type SessionsControllerGetMeResponse =
  SessionsControllerGetMeResponses[keyof SessionsControllerGetMeResponses];

export type SessionsControllerStartData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/sessions/{session}/start';
};

export type SessionsControllerStartResponses = {
  201: SessionDTO;
};

export type SessionsControllerStartResponse =
  SessionsControllerStartResponses[keyof SessionsControllerStartResponses];

export type SessionsControllerStopData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/sessions/{session}/stop';
};

export type SessionsControllerStopResponses = {
  201: SessionDTO;
};

export type SessionsControllerStopResponse =
  SessionsControllerStopResponses[keyof SessionsControllerStopResponses];

export type SessionsControllerLogoutData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/sessions/{session}/logout';
};

export type SessionsControllerLogoutResponses = {
  201: SessionDTO;
};

export type SessionsControllerLogoutResponse =
  SessionsControllerLogoutResponses[keyof SessionsControllerLogoutResponses];

export type SessionsControllerRestartData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/sessions/{session}/restart';
};

export type SessionsControllerRestartResponses = {
  201: SessionDTO;
};

export type SessionsControllerRestartResponse =
  SessionsControllerRestartResponses[keyof SessionsControllerRestartResponses];

export type SessionsControllerDepracatedStartData = {
  body: SessionStartDeprecatedRequest;
  path?: never;
  query?: never;
  url: '/api/sessions/start';
};

export type SessionsControllerDepracatedStartResponses = {
  201: SessionDTO;
};

export type SessionsControllerDepracatedStartResponse =
  SessionsControllerDepracatedStartResponses[keyof SessionsControllerDepracatedStartResponses];

export type SessionsControllerDeprecatedStopData = {
  body: SessionStopDeprecatedRequest;
  path?: never;
  query?: never;
  url: '/api/sessions/stop';
};

export type SessionsControllerDeprecatedStopResponses = {
  201: unknown;
};

export type SessionsControllerDeprecatedLogoutData = {
  body: SessionLogoutDeprecatedRequest;
  path?: never;
  query?: never;
  url: '/api/sessions/logout';
};

export type SessionsControllerDeprecatedLogoutResponses = {
  201: unknown;
};

export type ProfileControllerGetMyProfileData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/profile';
};

export type ProfileControllerGetMyProfileResponses = {
  200: MyProfile;
};

export type ProfileControllerGetMyProfileResponse =
  ProfileControllerGetMyProfileResponses[keyof ProfileControllerGetMyProfileResponses];

export type ProfileControllerSetProfileNameData = {
  body: ProfileNameRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/profile/name';
};

export type ProfileControllerSetProfileNameResponses = {
  200: Result;
};

export type ProfileControllerSetProfileNameResponse =
  ProfileControllerSetProfileNameResponses[keyof ProfileControllerSetProfileNameResponses];

export type ProfileControllerSetProfileStatusData = {
  body: ProfileStatusRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/profile/status';
};

export type ProfileControllerSetProfileStatusResponses = {
  200: Result;
};

export type ProfileControllerSetProfileStatusResponse =
  ProfileControllerSetProfileStatusResponses[keyof ProfileControllerSetProfileStatusResponses];

export type ProfileControllerDeleteProfilePictureData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/profile/picture';
};

export type ProfileControllerDeleteProfilePictureResponses = {
  200: Result;
};

export type ProfileControllerDeleteProfilePictureResponse =
  ProfileControllerDeleteProfilePictureResponses[keyof ProfileControllerDeleteProfilePictureResponses];

export type ProfileControllerSetProfilePictureData = {
  body: ProfilePictureRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/profile/picture';
};

export type ProfileControllerSetProfilePictureResponses = {
  200: Result;
};

export type ProfileControllerSetProfilePictureResponse =
  ProfileControllerSetProfilePictureResponses[keyof ProfileControllerSetProfilePictureResponses];

export type ChattingControllerSendTextGetData = {
  body?: never;
  path?: never;
  query: {
    phone: string;
    text: string;
    session: string;
  };
  url: '/api/sendText';
};

export type ChattingControllerSendTextGetResponses = {
  200: {
    [key: string]: unknown;
  };
};

export type ChattingControllerSendTextGetResponse =
  ChattingControllerSendTextGetResponses[keyof ChattingControllerSendTextGetResponses];

export type ChattingControllerSendTextData = {
  body: MessageTextRequest;
  path?: never;
  query?: never;
  url: '/api/sendText';
};

export type ChattingControllerSendTextResponses = {
  201: WAMessage;
};

export type ChattingControllerSendTextResponse =
  ChattingControllerSendTextResponses[keyof ChattingControllerSendTextResponses];

export type ChattingControllerSendImageData = {
  body: MessageImageRequest;
  path?: never;
  query?: never;
  url: '/api/sendImage';
};

export type ChattingControllerSendImageResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChattingControllerSendImageResponse =
  ChattingControllerSendImageResponses[keyof ChattingControllerSendImageResponses];

export type ChattingControllerSendFileData = {
  body: MessageFileRequest;
  path?: never;
  query?: never;
  url: '/api/sendFile';
};

export type ChattingControllerSendFileResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChattingControllerSendFileResponse =
  ChattingControllerSendFileResponses[keyof ChattingControllerSendFileResponses];

export type ChattingControllerSendVoiceData = {
  body: MessageVoiceRequest;
  path?: never;
  query?: never;
  url: '/api/sendVoice';
};

export type ChattingControllerSendVoiceResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChattingControllerSendVoiceResponse =
  ChattingControllerSendVoiceResponses[keyof ChattingControllerSendVoiceResponses];

export type ChattingControllerSendVideoData = {
  body: MessageVideoRequest;
  path?: never;
  query?: never;
  url: '/api/sendVideo';
};

export type ChattingControllerSendVideoResponses = {
  201: unknown;
};

export type ChattingControllerSendLinkCustomPreviewData = {
  body: MessageLinkCustomPreviewRequest;
  path?: never;
  query?: never;
  url: '/api/send/link-custom-preview';
};

export type ChattingControllerSendLinkCustomPreviewResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChattingControllerSendLinkCustomPreviewResponse =
  ChattingControllerSendLinkCustomPreviewResponses[keyof ChattingControllerSendLinkCustomPreviewResponses];

export type ChattingControllerSendButtonsData = {
  body: SendButtonsRequest;
  path?: never;
  query?: never;
  url: '/api/sendButtons';
};

export type ChattingControllerSendButtonsResponses = {
  201: unknown;
};

export type ChattingControllerSendListData = {
  body: SendListRequest;
  path?: never;
  query?: never;
  url: '/api/sendList';
};

export type ChattingControllerSendListResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChattingControllerSendListResponse =
  ChattingControllerSendListResponses[keyof ChattingControllerSendListResponses];

export type ChattingControllerForwardMessageData = {
  body: MessageForwardRequest;
  path?: never;
  query?: never;
  url: '/api/forwardMessage';
};

export type ChattingControllerForwardMessageResponses = {
  201: WAMessage;
};

export type ChattingControllerForwardMessageResponse =
  ChattingControllerForwardMessageResponses[keyof ChattingControllerForwardMessageResponses];

export type ChattingControllerSendSeenData = {
  body: SendSeenRequest;
  path?: never;
  query?: never;
  url: '/api/sendSeen';
};

export type ChattingControllerSendSeenResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChattingControllerSendSeenResponse =
  ChattingControllerSendSeenResponses[keyof ChattingControllerSendSeenResponses];

export type ChattingControllerStartTypingData = {
  body: ChatRequest;
  path?: never;
  query?: never;
  url: '/api/startTyping';
};

export type ChattingControllerStartTypingResponses = {
  201: unknown;
};

export type ChattingControllerStopTypingData = {
  body: ChatRequest;
  path?: never;
  query?: never;
  url: '/api/stopTyping';
};

export type ChattingControllerStopTypingResponses = {
  201: unknown;
};

export type ChattingControllerSetReactionData = {
  body: MessageReactionRequest;
  path?: never;
  query?: never;
  url: '/api/reaction';
};

export type ChattingControllerSetReactionResponses = {
  200: {
    [key: string]: unknown;
  };
};

export type ChattingControllerSetReactionResponse =
  ChattingControllerSetReactionResponses[keyof ChattingControllerSetReactionResponses];

export type ChattingControllerSetStarData = {
  body: MessageStarRequest;
  path?: never;
  query?: never;
  url: '/api/star';
};

export type ChattingControllerSetStarResponses = {
  200: unknown;
};

export type ChattingControllerSendPollData = {
  body: MessagePollRequest;
  path?: never;
  query?: never;
  url: '/api/sendPoll';
};

export type ChattingControllerSendPollResponses = {
  201: unknown;
};

export type ChattingControllerSendPollVoteData = {
  body: MessagePollVoteRequest;
  path?: never;
  query?: never;
  url: '/api/sendPollVote';
};

export type ChattingControllerSendPollVoteResponses = {
  201: unknown;
};

export type ChattingControllerSendLocationData = {
  body: MessageLocationRequest;
  path?: never;
  query?: never;
  url: '/api/sendLocation';
};

export type ChattingControllerSendLocationResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChattingControllerSendLocationResponse =
  ChattingControllerSendLocationResponses[keyof ChattingControllerSendLocationResponses];

export type ChattingControllerSendContactVcardData = {
  body: MessageContactVcardRequest;
  path?: never;
  query?: never;
  url: '/api/sendContactVcard';
};

export type ChattingControllerSendContactVcardResponses = {
  201: unknown;
};

export type ChattingControllerSendButtonsReplyData = {
  body: MessageButtonReply;
  path?: never;
  query?: never;
  url: '/api/send/buttons/reply';
};

export type ChattingControllerSendButtonsReplyResponses = {
  201: unknown;
};

export type ChattingControllerGetMessagesData = {
  body?: never;
  path?: never;
  query: {
    /**
     * Sort by field
     */
    sortBy?: 'timestamp' | 'messageTimestamp';
    /**
     * Sort order - <b>desc</b>ending (Z => A, New first) or <b>asc</b>ending (A => Z, Old first)
     */
    sortOrder?: 'desc' | 'asc';
    /**
     * Download media for messages
     */
    downloadMedia?: boolean;
    /**
     * Merge LID (@lid) and phone-number (@c.us) chats referencing the same contact
     */
    merge?: boolean;
    chatId: string;
    session: string;
    limit: number;
    offset?: number;
    /**
     * Filter messages before this timestamp (inclusive)
     */
    'filter.timestamp.lte'?: number;
    /**
     * Filter messages after this timestamp (inclusive)
     */
    'filter.timestamp.gte'?: number;
    /**
     * From me filter (by default shows all messages)
     */
    'filter.fromMe'?: boolean;
    /**
     * Filter messages by acknowledgment status
     */
    'filter.ack'?: 'ERROR' | 'PENDING' | 'SERVER' | 'DEVICE' | 'READ' | 'PLAYED';
  };
  url: '/api/messages';
};

export type ChattingControllerGetMessagesResponses = {
  200: Array<WAMessage>;
};

export type ChattingControllerGetMessagesResponse =
  ChattingControllerGetMessagesResponses[keyof ChattingControllerGetMessagesResponses];

export type ChattingControllerDeprecatedCheckNumberStatusData = {
  body?: never;
  path?: never;
  query: {
    /**
     * The phone number to check
     */
    phone: string;
    session: string;
  };
  url: '/api/checkNumberStatus';
};

export type ChattingControllerDeprecatedCheckNumberStatusResponses = {
  200: WANumberExistResult;
};

export type ChattingControllerDeprecatedCheckNumberStatusResponse =
  ChattingControllerDeprecatedCheckNumberStatusResponses[keyof ChattingControllerDeprecatedCheckNumberStatusResponses];

export type ChattingControllerReplyData = {
  body: MessageReplyRequest;
  path?: never;
  query?: never;
  url: '/api/reply';
};

export type ChattingControllerReplyResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChattingControllerReplyResponse =
  ChattingControllerReplyResponses[keyof ChattingControllerReplyResponses];

export type ChattingControllerSendLinkPreviewDeprecatedData = {
  body: MessageLinkPreviewRequest;
  path?: never;
  query?: never;
  url: '/api/sendLinkPreview';
};

export type ChattingControllerSendLinkPreviewDeprecatedResponses = {
  201: unknown;
};

export type ChattingControllerGetNewMessageIdData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/new-message-id';
};

export type ChattingControllerGetNewMessageIdResponses = {
  200: NewMessageIDResponse;
};

export type ChattingControllerGetNewMessageIdResponse =
  ChattingControllerGetNewMessageIdResponses[keyof ChattingControllerGetNewMessageIdResponses];

export type ChatsControllerGetChatsData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: {
    /**
     * Sort by field
     */
    sortBy?: 'conversationTimestamp' | 'id' | 'name';
    /**
     * Sort order - <b>desc</b>ending (Z => A, New first) or <b>asc</b>ending (A => Z, Old first)
     */
    sortOrder?: 'desc' | 'asc';
    /**
     * Merge LID (@lid) and phone-number (@c.us) chats referencing the same contact
     */
    merge?: boolean;
    limit?: number;
    offset?: number;
  };
  url: '/api/{session}/chats';
};

export type ChatsControllerGetChatsResponses = {
  200: unknown;
};

export type ChatsControllerGetChatsOverviewData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: {
    /**
     * Merge LID (@lid) and phone-number (@c.us) chats referencing the same contact
     */
    merge?: boolean;
    limit?: number;
    offset?: number;
    /**
     * Filter by chat ids
     */
    ids?: Array<string>;
  };
  url: '/api/{session}/chats/overview';
};

export type ChatsControllerGetChatsOverviewResponses = {
  200: Array<ChatSummary>;
};

export type ChatsControllerGetChatsOverviewResponse =
  ChatsControllerGetChatsOverviewResponses[keyof ChatsControllerGetChatsOverviewResponses];

export type ChatsControllerPostChatsOverviewData = {
  body: OverviewBodyRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/chats/overview';
};

export type ChatsControllerPostChatsOverviewResponses = {
  201: Array<ChatSummary>;
};

export type ChatsControllerPostChatsOverviewResponse =
  ChatsControllerPostChatsOverviewResponses[keyof ChatsControllerPostChatsOverviewResponses];

export type ChatsControllerDeleteChatData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: never;
  url: '/api/{session}/chats/{chatId}';
};

export type ChatsControllerDeleteChatResponses = {
  200: unknown;
};

export type ChatsControllerGetChatPictureData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    chatId: string;
  };
  query?: {
    /**
     * Refresh the picture from the server (24h cache by default). Do not refresh if not needed, you can get rate limit error
     */
    refresh?: boolean;
  };
  url: '/api/{session}/chats/{chatId}/picture';
};

export type ChatsControllerGetChatPictureResponses = {
  200: ChatPictureResponse;
};

export type ChatsControllerGetChatPictureResponse =
  ChatsControllerGetChatPictureResponses[keyof ChatsControllerGetChatPictureResponses];

export type ChatsControllerClearMessagesData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: never;
  url: '/api/{session}/chats/{chatId}/messages';
};

export type ChatsControllerClearMessagesResponses = {
  200: unknown;
};

export type ChatsControllerGetChatMessagesData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query: {
    /**
     * Sort by field
     */
    sortBy?: 'timestamp' | 'messageTimestamp';
    /**
     * Sort order - <b>desc</b>ending (Z => A, New first) or <b>asc</b>ending (A => Z, Old first)
     */
    sortOrder?: 'desc' | 'asc';
    /**
     * Download media for messages
     */
    downloadMedia?: boolean;
    /**
     * Merge LID (@lid) and phone-number (@c.us) chats referencing the same contact
     */
    merge?: boolean;
    limit: number;
    offset?: number;
    /**
     * Filter messages before this timestamp (inclusive)
     */
    'filter.timestamp.lte'?: number;
    /**
     * Filter messages after this timestamp (inclusive)
     */
    'filter.timestamp.gte'?: number;
    /**
     * From me filter (by default shows all messages)
     */
    'filter.fromMe'?: boolean;
    /**
     * Filter messages by acknowledgment status
     */
    'filter.ack'?: 'ERROR' | 'PENDING' | 'SERVER' | 'DEVICE' | 'READ' | 'PLAYED';
  };
  url: '/api/{session}/chats/{chatId}/messages';
};

export type ChatsControllerGetChatMessagesResponses = {
  200: Array<WAMessage>;
};

export type ChatsControllerGetChatMessagesResponse =
  ChatsControllerGetChatMessagesResponses[keyof ChatsControllerGetChatMessagesResponses];

export type ChatsControllerReadChatMessagesData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: {
    /**
     * How much messages to read (latest first)
     */
    messages?: number;
    /**
     * How much days to read (latest first)
     */
    days?: number;
  };
  url: '/api/{session}/chats/{chatId}/messages/read';
};

export type ChatsControllerReadChatMessagesResponses = {
  201: ReadChatMessagesResponse;
};

export type ChatsControllerReadChatMessagesResponse =
  ChatsControllerReadChatMessagesResponses[keyof ChatsControllerReadChatMessagesResponses];

export type ChatsControllerDeleteMessageData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
    /**
     * Message ID in format <code>{fromMe}_{chat}_{message_id}[_{participant}]</code>
     */
    messageId: string;
  };
  query?: never;
  url: '/api/{session}/chats/{chatId}/messages/{messageId}';
};

export type ChatsControllerDeleteMessageResponses = {
  200: unknown;
};

export type ChatsControllerGetChatMessageData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
    messageId: string;
  };
  query?: {
    /**
     * Download media for messages
     */
    downloadMedia?: boolean;
    /**
     * Merge LID (@lid) and phone-number (@c.us) chats referencing the same contact
     */
    merge?: boolean;
  };
  url: '/api/{session}/chats/{chatId}/messages/{messageId}';
};

export type ChatsControllerGetChatMessageResponses = {
  200: WAMessage;
};

export type ChatsControllerGetChatMessageResponse =
  ChatsControllerGetChatMessageResponses[keyof ChatsControllerGetChatMessageResponses];

export type ChatsControllerEditMessageData = {
  body: EditMessageRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
    /**
     * Message ID in format <code>{fromMe}_{chat}_{message_id}[_{participant}]</code>
     */
    messageId: string;
  };
  query?: never;
  url: '/api/{session}/chats/{chatId}/messages/{messageId}';
};

export type ChatsControllerEditMessageResponses = {
  200: unknown;
};

export type ChatsControllerPinMessageData = {
  body: PinMessageRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
    messageId: string;
  };
  query?: never;
  url: '/api/{session}/chats/{chatId}/messages/{messageId}/pin';
};

export type ChatsControllerPinMessageResponses = {
  201: unknown;
};

export type ChatsControllerUnpinMessageData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
    messageId: string;
  };
  query?: never;
  url: '/api/{session}/chats/{chatId}/messages/{messageId}/unpin';
};

export type ChatsControllerUnpinMessageResponses = {
  201: unknown;
};

export type ChatsControllerArchiveChatData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: never;
  url: '/api/{session}/chats/{chatId}/archive';
};

export type ChatsControllerArchiveChatResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChatsControllerArchiveChatResponse =
  ChatsControllerArchiveChatResponses[keyof ChatsControllerArchiveChatResponses];

export type ChatsControllerUnarchiveChatData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: never;
  url: '/api/{session}/chats/{chatId}/unarchive';
};

export type ChatsControllerUnarchiveChatResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChatsControllerUnarchiveChatResponse =
  ChatsControllerUnarchiveChatResponses[keyof ChatsControllerUnarchiveChatResponses];

export type ChatsControllerUnreadChatData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: never;
  url: '/api/{session}/chats/{chatId}/unread';
};

export type ChatsControllerUnreadChatResponses = {
  201: {
    [key: string]: unknown;
  };
};

export type ChatsControllerUnreadChatResponse =
  ChatsControllerUnreadChatResponses[keyof ChatsControllerUnreadChatResponses];

export type CallsControllerRejectCallData = {
  body: RejectCallRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/calls/reject';
};

export type CallsControllerRejectCallResponses = {
  201: unknown;
};

export type ChannelsControllerListData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: {
    role?: 'OWNER' | 'ADMIN' | 'SUBSCRIBER';
  };
  url: '/api/{session}/channels';
};

export type ChannelsControllerListResponses = {
  200: Array<Channel>;
};

export type ChannelsControllerListResponse =
  ChannelsControllerListResponses[keyof ChannelsControllerListResponses];

export type ChannelsControllerCreateData = {
  body: CreateChannelRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/channels';
};

export type ChannelsControllerCreateResponses = {
  201: Channel;
};

export type ChannelsControllerCreateResponse =
  ChannelsControllerCreateResponses[keyof ChannelsControllerCreateResponses];

export type ChannelsControllerDeleteData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * WhatsApp Channel ID
     */
    id: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/{id}';
};

export type ChannelsControllerDeleteResponses = {
  200: unknown;
};

export type ChannelsControllerGetData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * WhatsApp Channel ID or invite code from invite link https://www.whatsapp.com/channel/11111
     */
    id: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/{id}';
};

export type ChannelsControllerGetResponses = {
  200: Channel;
};

export type ChannelsControllerGetResponse =
  ChannelsControllerGetResponses[keyof ChannelsControllerGetResponses];

export type ChannelsControllerPreviewChannelMessagesData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Channel id or invite code
     */
    id: unknown;
  };
  query: {
    downloadMedia: boolean;
    limit: number;
  };
  url: '/api/{session}/channels/{id}/messages/preview';
};

export type ChannelsControllerPreviewChannelMessagesResponses = {
  200: Array<ChannelMessage>;
};

export type ChannelsControllerPreviewChannelMessagesResponse =
  ChannelsControllerPreviewChannelMessagesResponses[keyof ChannelsControllerPreviewChannelMessagesResponses];

export type ChannelsControllerFollowData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * WhatsApp Channel ID
     */
    id: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/{id}/follow';
};

export type ChannelsControllerFollowResponses = {
  201: unknown;
};

export type ChannelsControllerUnfollowData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * WhatsApp Channel ID
     */
    id: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/{id}/unfollow';
};

export type ChannelsControllerUnfollowResponses = {
  201: unknown;
};

export type ChannelsControllerMuteData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * WhatsApp Channel ID
     */
    id: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/{id}/mute';
};

export type ChannelsControllerMuteResponses = {
  201: unknown;
};

export type ChannelsControllerUnmuteData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * WhatsApp Channel ID
     */
    id: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/{id}/unmute';
};

export type ChannelsControllerUnmuteResponses = {
  201: unknown;
};

export type ChannelsControllerSearchByViewData = {
  body: ChannelSearchByView;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/search/by-view';
};

export type ChannelsControllerSearchByViewResponses = {
  200: ChannelListResult;
};

export type ChannelsControllerSearchByViewResponse =
  ChannelsControllerSearchByViewResponses[keyof ChannelsControllerSearchByViewResponses];

export type ChannelsControllerSearchByTextData = {
  body: ChannelSearchByText;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/search/by-text';
};

export type ChannelsControllerSearchByTextResponses = {
  200: ChannelListResult;
};

export type ChannelsControllerSearchByTextResponse =
  ChannelsControllerSearchByTextResponses[keyof ChannelsControllerSearchByTextResponses];

export type ChannelsControllerGetSearchViewsData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/search/views';
};

export type ChannelsControllerGetSearchViewsResponses = {
  200: Array<ChannelView>;
};

export type ChannelsControllerGetSearchViewsResponse =
  ChannelsControllerGetSearchViewsResponses[keyof ChannelsControllerGetSearchViewsResponses];

export type ChannelsControllerGetSearchCountriesData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/search/countries';
};

export type ChannelsControllerGetSearchCountriesResponses = {
  200: Array<ChannelCountry>;
};

export type ChannelsControllerGetSearchCountriesResponse =
  ChannelsControllerGetSearchCountriesResponses[keyof ChannelsControllerGetSearchCountriesResponses];

export type ChannelsControllerGetSearchCategoriesData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/channels/search/categories';
};

export type ChannelsControllerGetSearchCategoriesResponses = {
  200: Array<ChannelCategory>;
};

export type ChannelsControllerGetSearchCategoriesResponse =
  ChannelsControllerGetSearchCategoriesResponses[keyof ChannelsControllerGetSearchCategoriesResponses];

export type StatusControllerSendTextStatusData = {
  body: TextStatus;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/status/text';
};

export type StatusControllerSendTextStatusResponses = {
  201: unknown;
};

export type StatusControllerSendImageStatusData = {
  body: ImageStatus;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/status/image';
};

export type StatusControllerSendImageStatusResponses = {
  201: unknown;
};

export type StatusControllerSendVoiceStatusData = {
  body: VoiceStatus;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/status/voice';
};

export type StatusControllerSendVoiceStatusResponses = {
  201: unknown;
};

export type StatusControllerSendVideoStatusData = {
  body: VideoStatus;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/status/video';
};

export type StatusControllerSendVideoStatusResponses = {
  201: unknown;
};

export type StatusControllerDeleteStatusData = {
  body: DeleteStatusRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/status/delete';
};

export type StatusControllerDeleteStatusResponses = {
  201: unknown;
};

export type StatusControllerGetNewMessageIdData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/status/new-message-id';
};

export type StatusControllerGetNewMessageIdResponses = {
  200: NewMessageIDResponse;
};

export type StatusControllerGetNewMessageIdResponse =
  StatusControllerGetNewMessageIdResponses[keyof StatusControllerGetNewMessageIdResponses];

export type LabelsControllerGetAllData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/labels';
};

export type LabelsControllerGetAllResponses = {
  200: Array<Label>;
};

export type LabelsControllerGetAllResponse =
  LabelsControllerGetAllResponses[keyof LabelsControllerGetAllResponses];

export type LabelsControllerCreateData = {
  body: LabelBody;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/labels';
};

export type LabelsControllerCreateResponses = {
  201: Label;
};

export type LabelsControllerCreateResponse =
  LabelsControllerCreateResponses[keyof LabelsControllerCreateResponses];

export type LabelsControllerDeleteData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    labelId: string;
  };
  query?: never;
  url: '/api/{session}/labels/{labelId}';
};

export type LabelsControllerDeleteResponses = {
  200: {
    [key: string]: unknown;
  };
};

export type LabelsControllerDeleteResponse =
  LabelsControllerDeleteResponses[keyof LabelsControllerDeleteResponses];

export type LabelsControllerUpdateData = {
  body: LabelBody;
  path: {
    /**
     * Session name
     */
    session: unknown;
    labelId: string;
  };
  query?: never;
  url: '/api/{session}/labels/{labelId}';
};

export type LabelsControllerUpdateResponses = {
  200: Label;
};

export type LabelsControllerUpdateResponse =
  LabelsControllerUpdateResponses[keyof LabelsControllerUpdateResponses];

export type LabelsControllerGetChatLabelsData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: never;
  url: '/api/{session}/labels/chats/{chatId}';
};

export type LabelsControllerGetChatLabelsResponses = {
  200: Array<Label>;
};

export type LabelsControllerGetChatLabelsResponse =
  LabelsControllerGetChatLabelsResponses[keyof LabelsControllerGetChatLabelsResponses];

export type LabelsControllerPutChatLabelsData = {
  body: SetLabelsRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: never;
  url: '/api/{session}/labels/chats/{chatId}';
};

export type LabelsControllerPutChatLabelsResponses = {
  200: unknown;
};

export type LabelsControllerGetChatsByLabelData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    labelId: string;
  };
  query?: never;
  url: '/api/{session}/labels/{labelId}/chats';
};

export type LabelsControllerGetChatsByLabelResponses = {
  200: unknown;
};

export type ContactsControllerGetAllData = {
  body?: never;
  path?: never;
  query: {
    session: string;
    /**
     * Sort by field
     */
    sortBy?: 'id' | 'name';
    /**
     * Sort order - <b>desc</b>ending (Z => A, New first) or <b>asc</b>ending (A => Z, Old first)
     */
    sortOrder?: 'desc' | 'asc';
    limit?: number;
    offset?: number;
  };
  url: '/api/contacts/all';
};

export type ContactsControllerGetAllResponses = {
  200: unknown;
};

export type ContactsControllerGetData = {
  body?: never;
  path?: never;
  query: {
    contactId: string;
    session: string;
  };
  url: '/api/contacts';
};

export type ContactsControllerGetResponses = {
  200: unknown;
};

export type ContactsControllerCheckExistsData = {
  body?: never;
  path?: never;
  query: {
    /**
     * The phone number to check
     */
    phone: string;
    session: string;
  };
  url: '/api/contacts/check-exists';
};

export type ContactsControllerCheckExistsResponses = {
  200: WANumberExistResult;
};

export type ContactsControllerCheckExistsResponse =
  ContactsControllerCheckExistsResponses[keyof ContactsControllerCheckExistsResponses];

export type ContactsControllerGetAboutData = {
  body?: never;
  path?: never;
  query: {
    contactId: string;
    session: string;
  };
  url: '/api/contacts/about';
};

export type ContactsControllerGetAboutResponses = {
  200: unknown;
};

export type ContactsControllerGetProfilePictureData = {
  body?: never;
  path?: never;
  query: {
    contactId: string;
    /**
     * Refresh the picture from the server (24h cache by default). Do not refresh if not needed, you can get rate limit error
     */
    refresh?: boolean;
    session: string;
  };
  url: '/api/contacts/profile-picture';
};

export type ContactsControllerGetProfilePictureResponses = {
  200: unknown;
};

export type ContactsControllerBlockData = {
  body: ContactRequest;
  path?: never;
  query?: never;
  url: '/api/contacts/block';
};

export type ContactsControllerBlockResponses = {
  201: unknown;
};

export type ContactsControllerUnblockData = {
  body: ContactRequest;
  path?: never;
  query?: never;
  url: '/api/contacts/unblock';
};

export type ContactsControllerUnblockResponses = {
  201: unknown;
};

export type ContactsSessionControllerGetData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Contact ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/contacts/{id}';
};

export type ContactsSessionControllerGetResponses = {
  200: unknown;
};

export type ContactsSessionControllerPutData = {
  body: ContactUpdateBody;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: never;
  url: '/api/{session}/contacts/{chatId}';
};

export type ContactsSessionControllerPutResponses = {
  200: Result;
};

export type ContactsSessionControllerPutResponse =
  ContactsSessionControllerPutResponses[keyof ContactsSessionControllerPutResponses];

export type LidsControllerGetAllData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: {
    limit?: number;
    offset?: number;
  };
  url: '/api/{session}/lids';
};

export type LidsControllerGetAllResponses = {
  200: Array<LidToPhoneNumber>;
};

export type LidsControllerGetAllResponse = LidsControllerGetAllResponses[keyof LidsControllerGetAllResponses];

export type LidsControllerGetLidsCountData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/lids/count';
};

export type LidsControllerGetLidsCountResponses = {
  200: CountResponse;
};

export type LidsControllerGetLidsCountResponse =
  LidsControllerGetLidsCountResponses[keyof LidsControllerGetLidsCountResponses];

export type LidsControllerFindPnByLidData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    lid: string;
  };
  query?: never;
  url: '/api/{session}/lids/{lid}';
};

export type LidsControllerFindPnByLidResponses = {
  200: LidToPhoneNumber;
};

export type LidsControllerFindPnByLidResponse =
  LidsControllerFindPnByLidResponses[keyof LidsControllerFindPnByLidResponses];

export type LidsControllerFindLidByPhoneNumberData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    phoneNumber: string;
  };
  query?: never;
  url: '/api/{session}/lids/pn/{phoneNumber}';
};

export type LidsControllerFindLidByPhoneNumberResponses = {
  200: LidToPhoneNumber;
};

export type LidsControllerFindLidByPhoneNumberResponse =
  LidsControllerFindLidByPhoneNumberResponses[keyof LidsControllerFindLidByPhoneNumberResponses];

export type GroupsControllerGetGroupsData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: {
    /**
     * Sort by field
     */
    sortBy?: 'id' | 'subject';
    /**
     * Sort order - <b>desc</b>ending (Z => A, New first) or <b>asc</b>ending (A => Z, Old first)
     */
    sortOrder?: 'desc' | 'asc';
    limit?: number;
    offset?: number;
    /**
     * Exclude fields
     */
    exclude?: Array<'' | 'participants'>;
  };
  url: '/api/{session}/groups';
};

export type GroupsControllerGetGroupsResponses = {
  200: {
    [key: string]: unknown;
  };
};

export type GroupsControllerGetGroupsResponse =
  GroupsControllerGetGroupsResponses[keyof GroupsControllerGetGroupsResponses];

export type GroupsControllerCreateGroupData = {
  body: CreateGroupRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/groups';
};

export type GroupsControllerCreateGroupResponses = {
  201: unknown;
};

export type GroupsControllerJoinInfoGroupData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query: {
    /**
     * Group code (123) or url (https://chat.whatsapp.com/123)
     */
    code: string;
  };
  url: '/api/{session}/groups/join-info';
};

export type GroupsControllerJoinInfoGroupResponses = {
  200: {
    [key: string]: unknown;
  };
};

export type GroupsControllerJoinInfoGroupResponse =
  GroupsControllerJoinInfoGroupResponses[keyof GroupsControllerJoinInfoGroupResponses];

export type GroupsControllerJoinGroupData = {
  body: JoinGroupRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/groups/join';
};

export type GroupsControllerJoinGroupResponses = {
  200: JoinGroupResponse;
};

export type GroupsControllerJoinGroupResponse =
  GroupsControllerJoinGroupResponses[keyof GroupsControllerJoinGroupResponses];

export type GroupsControllerGetGroupsCountData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/groups/count';
};

export type GroupsControllerGetGroupsCountResponses = {
  200: CountResponse;
};

export type GroupsControllerGetGroupsCountResponse =
  GroupsControllerGetGroupsCountResponses[keyof GroupsControllerGetGroupsCountResponses];

export type GroupsControllerRefreshGroupsData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/groups/refresh';
};

export type GroupsControllerRefreshGroupsResponses = {
  200: unknown;
};

export type GroupsControllerDeleteGroupData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}';
};

export type GroupsControllerDeleteGroupResponses = {
  200: unknown;
};

export type GroupsControllerGetGroupData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}';
};

export type GroupsControllerGetGroupResponses = {
  200: unknown;
};

export type GroupsControllerLeaveGroupData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/leave';
};

export type GroupsControllerLeaveGroupResponses = {
  200: unknown;
};

export type GroupsControllerDeletePictureData = {
  body?: never;
  path: {
    /**
     * Group ID
     */
    id: string;
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/picture';
};

export type GroupsControllerDeletePictureResponses = {
  200: Result;
};

export type GroupsControllerDeletePictureResponse =
  GroupsControllerDeletePictureResponses[keyof GroupsControllerDeletePictureResponses];

export type GroupsControllerGetChatPictureData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: {
    /**
     * Refresh the picture from the server (24h cache by default). Do not refresh if not needed, you can get rate limit error
     */
    refresh?: boolean;
  };
  url: '/api/{session}/groups/{id}/picture';
};

export type GroupsControllerGetChatPictureResponses = {
  200: ChatPictureResponse;
};

export type GroupsControllerGetChatPictureResponse =
  GroupsControllerGetChatPictureResponses[keyof GroupsControllerGetChatPictureResponses];

export type GroupsControllerSetPictureData = {
  body: ProfilePictureRequest;
  path: {
    /**
     * Group ID
     */
    id: string;
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/picture';
};

export type GroupsControllerSetPictureResponses = {
  200: Result;
};

export type GroupsControllerSetPictureResponse =
  GroupsControllerSetPictureResponses[keyof GroupsControllerSetPictureResponses];

export type GroupsControllerSetDescriptionData = {
  body: DescriptionRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/description';
};

export type GroupsControllerSetDescriptionResponses = {
  200: unknown;
};

export type GroupsControllerSetSubjectData = {
  body: SubjectRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/subject';
};

export type GroupsControllerSetSubjectResponses = {
  200: unknown;
};

export type GroupsControllerGetInfoAdminOnlyData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/settings/security/info-admin-only';
};

export type GroupsControllerGetInfoAdminOnlyResponses = {
  200: SettingsSecurityChangeInfo;
};

export type GroupsControllerGetInfoAdminOnlyResponse =
  GroupsControllerGetInfoAdminOnlyResponses[keyof GroupsControllerGetInfoAdminOnlyResponses];

export type GroupsControllerSetInfoAdminOnlyData = {
  body: SettingsSecurityChangeInfo;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/settings/security/info-admin-only';
};

export type GroupsControllerSetInfoAdminOnlyResponses = {
  200: unknown;
};

export type GroupsControllerGetMessagesAdminOnlyData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/settings/security/messages-admin-only';
};

export type GroupsControllerGetMessagesAdminOnlyResponses = {
  200: SettingsSecurityChangeInfo;
};

export type GroupsControllerGetMessagesAdminOnlyResponse =
  GroupsControllerGetMessagesAdminOnlyResponses[keyof GroupsControllerGetMessagesAdminOnlyResponses];

export type GroupsControllerSetMessagesAdminOnlyData = {
  body: SettingsSecurityChangeInfo;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/settings/security/messages-admin-only';
};

export type GroupsControllerSetMessagesAdminOnlyResponses = {
  200: unknown;
};

export type GroupsControllerGetInviteCodeData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/invite-code';
};

export type GroupsControllerGetInviteCodeResponses = {
  200: string;
};

export type GroupsControllerGetInviteCodeResponse =
  GroupsControllerGetInviteCodeResponses[keyof GroupsControllerGetInviteCodeResponses];

export type GroupsControllerRevokeInviteCodeData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/invite-code/revoke';
};

export type GroupsControllerRevokeInviteCodeResponses = {
  200: string;
};

export type GroupsControllerRevokeInviteCodeResponse =
  GroupsControllerRevokeInviteCodeResponses[keyof GroupsControllerRevokeInviteCodeResponses];

export type GroupsControllerGetParticipantsData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/participants';
};

export type GroupsControllerGetParticipantsResponses = {
  200: unknown;
};

export type GroupsControllerGetGroupParticipantsData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/participants/v2';
};

export type GroupsControllerGetGroupParticipantsResponses = {
  200: Array<GroupParticipant>;
};

export type GroupsControllerGetGroupParticipantsResponse =
  GroupsControllerGetGroupParticipantsResponses[keyof GroupsControllerGetGroupParticipantsResponses];

export type GroupsControllerAddParticipantsData = {
  body: ParticipantsRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/participants/add';
};

export type GroupsControllerAddParticipantsResponses = {
  200: unknown;
};

export type GroupsControllerRemoveParticipantsData = {
  body: ParticipantsRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/participants/remove';
};

export type GroupsControllerRemoveParticipantsResponses = {
  200: unknown;
};

export type GroupsControllerPromoteToAdminData = {
  body: ParticipantsRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/admin/promote';
};

export type GroupsControllerPromoteToAdminResponses = {
  200: unknown;
};

export type GroupsControllerDemoteToAdminData = {
  body: ParticipantsRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Group ID
     */
    id: string;
  };
  query?: never;
  url: '/api/{session}/groups/{id}/admin/demote';
};

export type GroupsControllerDemoteToAdminResponses = {
  200: unknown;
};

export type PresenceControllerGetPresenceAllData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/presence';
};

export type PresenceControllerGetPresenceAllResponses = {
  200: Array<WAHAChatPresences>;
};

export type PresenceControllerGetPresenceAllResponse =
  PresenceControllerGetPresenceAllResponses[keyof PresenceControllerGetPresenceAllResponses];

export type PresenceControllerSetPresenceData = {
  body: WAHASessionPresence;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/presence';
};

export type PresenceControllerSetPresenceResponses = {
  201: unknown;
};

export type PresenceControllerGetPresenceData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: never;
  url: '/api/{session}/presence/{chatId}';
};

export type PresenceControllerGetPresenceResponses = {
  200: WAHAChatPresences;
};

export type PresenceControllerGetPresenceResponse =
  PresenceControllerGetPresenceResponses[keyof PresenceControllerGetPresenceResponses];

export type PresenceControllerSubscribeData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
    /**
     * Chat ID
     */
    chatId: string;
  };
  query?: never;
  url: '/api/{session}/presence/{chatId}/subscribe';
};

export type PresenceControllerSubscribeResponses = {
  201: unknown;
};

export type ScreenshotControllerScreenshotData = {
  body?: never;
  path?: never;
  query: {
    session: string;
  };
  url: '/api/screenshot';
};

export type ScreenshotControllerScreenshotResponses = {
  200: Base64File;
};

export type ScreenshotControllerScreenshotResponse =
  ScreenshotControllerScreenshotResponses[keyof ScreenshotControllerScreenshotResponses];

export type EventsControllerSendEventData = {
  body: EventMessageRequest;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/events';
};

export type EventsControllerSendEventResponses = {
  201: WAMessage;
};

export type EventsControllerSendEventResponse =
  EventsControllerSendEventResponses[keyof EventsControllerSendEventResponses];

export type PingControllerPingData = {
  body?: never;
  path?: never;
  query?: never;
  url: '/ping';
};

export type PingControllerPingResponses = {
  200: PingResponse;
};

export type PingControllerPingResponse = PingControllerPingResponses[keyof PingControllerPingResponses];

export type HealthControllerCheckData = {
  body?: never;
  path?: never;
  query?: never;
  url: '/health';
};

export type HealthControllerCheckErrors = {
  /**
   * The Health Check is not successful
   */
  503: {
    status?: string;
    info?: {
      [key: string]: {
        status: string;
        [key: string]: unknown;
      };
    } | null;
    error?: {
      [key: string]: {
        status: string;
        [key: string]: unknown;
      };
    } | null;
    details?: {
      [key: string]: {
        status: string;
        [key: string]: unknown;
      };
    };
  };
};

export type HealthControllerCheckError = HealthControllerCheckErrors[keyof HealthControllerCheckErrors];

export type HealthControllerCheckResponses = {
  /**
   * The Health Check is successful
   */
  200: {
    status?: string;
    info?: {
      [key: string]: {
        status: string;
        [key: string]: unknown;
      };
    } | null;
    error?: {
      [key: string]: {
        status: string;
        [key: string]: unknown;
      };
    } | null;
    details?: {
      [key: string]: {
        status: string;
        [key: string]: unknown;
      };
    };
  };
};

export type HealthControllerCheckResponse =
  HealthControllerCheckResponses[keyof HealthControllerCheckResponses];

export type ServerControllerGetData = {
  body?: never;
  path?: never;
  query?: never;
  url: '/api/server/version';
};

export type ServerControllerGetResponses = {
  200: WAHAEnvironment;
};

export type ServerControllerGetResponse = ServerControllerGetResponses[keyof ServerControllerGetResponses];

export type ServerControllerEnvironmentData = {
  body?: never;
  path?: never;
  query?: {
    /**
     * Include all environment variables
     */
    all?: boolean;
  };
  url: '/api/server/environment';
};

export type ServerControllerEnvironmentResponses = {
  200: {
    [key: string]: unknown;
  };
};

export type ServerControllerEnvironmentResponse =
  ServerControllerEnvironmentResponses[keyof ServerControllerEnvironmentResponses];

export type ServerControllerStatusData = {
  body?: never;
  path?: never;
  query?: never;
  url: '/api/server/status';
};

export type ServerControllerStatusResponses = {
  200: ServerStatusResponse;
};

export type ServerControllerStatusResponse =
  ServerControllerStatusResponses[keyof ServerControllerStatusResponses];

export type ServerControllerStopData = {
  body: StopRequest;
  path?: never;
  query?: never;
  url: '/api/server/stop';
};

export type ServerControllerStopResponses = {
  201: StopResponse;
};

export type ServerControllerStopResponse = ServerControllerStopResponses[keyof ServerControllerStopResponses];

export type ServerDebugControllerCpuProfileData = {
  body?: never;
  path?: never;
  query?: {
    /**
     * How many seconds to sample CPU
     */
    seconds?: number;
  };
  url: '/api/server/debug/cpu';
};

export type ServerDebugControllerCpuProfileResponses = {
  200: unknown;
};

export type ServerDebugControllerHeapsnapshotData = {
  body?: never;
  path?: never;
  query?: never;
  url: '/api/server/debug/heapsnapshot';
};

export type ServerDebugControllerHeapsnapshotResponses = {
  200: unknown;
};

export type ServerDebugControllerBrowserTraceData = {
  body?: never;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query: {
    /**
     * How many seconds to trace
     */
    seconds: number;
    /**
     * Categories to trace (all by default)
     */
    categories: Array<string>;
  };
  url: '/api/server/debug/browser/trace/{session}';
};

export type ServerDebugControllerBrowserTraceResponses = {
  200: unknown;
};

export type VersionControllerGetData = {
  body?: never;
  path?: never;
  query?: never;
  url: '/api/version';
};

export type VersionControllerGetResponses = {
  200: WAHAEnvironment;
};

export type VersionControllerGetResponse = VersionControllerGetResponses[keyof VersionControllerGetResponses];

export type MediaControllerConvertVoiceData = {
  body: VoiceFileDTO;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/media/convert/voice';
};

export type MediaControllerConvertVoiceResponses = {
  200: Base64File;
  201: unknown;
};

export type MediaControllerConvertVoiceResponse =
  MediaControllerConvertVoiceResponses[keyof MediaControllerConvertVoiceResponses];

export type MediaControllerConvertVideoData = {
  body: VideoFileDTO;
  path: {
    /**
     * Session name
     */
    session: unknown;
  };
  query?: never;
  url: '/api/{session}/media/convert/video';
};

export type MediaControllerConvertVideoResponses = {
  200: Base64File;
  201: unknown;
};

export type MediaControllerConvertVideoResponse =
  MediaControllerConvertVideoResponses[keyof MediaControllerConvertVideoResponses];

export type AppsControllerListData = {
  body?: never;
  path?: never;
  query: {
    /**
     * Session name to list apps for
     */
    session: string;
  };
  url: '/api/apps';
};

export type AppsControllerListResponses = {
  200: unknown;
};

export type AppsControllerCreateData = {
  body: App;
  path?: never;
  query?: never;
  url: '/api/apps';
};

export type AppsControllerCreateResponses = {
  201: unknown;
};

export type AppsControllerDeleteData = {
  body?: never;
  path: {
    id: string;
  };
  query?: never;
  url: '/api/apps/{id}';
};

export type AppsControllerDeleteResponses = {
  200: unknown;
};

export type AppsControllerGetData = {
  body?: never;
  path: {
    id: string;
  };
  query?: never;
  url: '/api/apps/{id}';
};

export type AppsControllerGetResponses = {
  200: unknown;
};

export type AppsControllerUpdateData = {
  body: App;
  path: {
    id: string;
  };
  query?: never;
  url: '/api/apps/{id}';
};

export type AppsControllerUpdateResponses = {
  200: unknown;
};

export type McpControllerPostData = {
  body?: never;
  path?: never;
  query?: never;
  url: '/mcp';
};

export type McpControllerPostResponses = {
  201: unknown;
};

export type PostSessionStatusWebhookPayload = WAHAWebhookSessionStatus;

export type PostSessionStatusWebhookRequest = {
  body: PostSessionStatusWebhookPayload;
  key: 'session.status';
  path?: never;
  query?: never;
};

export type PostMessageWebhookPayload = WAHAWebhookMessage;

export type PostMessageWebhookRequest = {
  body: PostMessageWebhookPayload;
  key: 'message';
  path?: never;
  query?: never;
};

export type PostMessageReactionWebhookPayload = WAHAWebhookMessageReaction;

export type PostMessageReactionWebhookRequest = {
  body: PostMessageReactionWebhookPayload;
  key: 'message.reaction';
  path?: never;
  query?: never;
};

export type PostMessageAnyWebhookPayload = WAHAWebhookMessageAny;

export type PostMessageAnyWebhookRequest = {
  body: PostMessageAnyWebhookPayload;
  key: 'message.any';
  path?: never;
  query?: never;
};

export type PostMessageAckWebhookPayload = WAHAWebhookMessageAck;

export type PostMessageAckWebhookRequest = {
  body: PostMessageAckWebhookPayload;
  key: 'message.ack';
  path?: never;
  query?: never;
};

export type PostMessageAckGroupWebhookPayload = WAHAWebhookMessageAckGroup;

export type PostMessageAckGroupWebhookRequest = {
  body: PostMessageAckGroupWebhookPayload;
  key: 'message.ack.group';
  path?: never;
  query?: never;
};

export type PostMessageRevokedWebhookPayload = WAHAWebhookMessageRevoked;

export type PostMessageRevokedWebhookRequest = {
  body: PostMessageRevokedWebhookPayload;
  key: 'message.revoked';
  path?: never;
  query?: never;
};

export type PostMessageEditedWebhookPayload = WAHAWebhookMessageEdited;

export type PostMessageEditedWebhookRequest = {
  body: PostMessageEditedWebhookPayload;
  key: 'message.edited';
  path?: never;
  query?: never;
};

export type PostGroupV2JoinWebhookPayload = WebhookGroupV2Join;

export type PostGroupV2JoinWebhookRequest = {
  body: PostGroupV2JoinWebhookPayload;
  key: 'group.v2.join';
  path?: never;
  query?: never;
};

export type PostGroupV2LeaveWebhookPayload = WebhookGroupV2Leave;

export type PostGroupV2LeaveWebhookRequest = {
  body: PostGroupV2LeaveWebhookPayload;
  key: 'group.v2.leave';
  path?: never;
  query?: never;
};

export type PostGroupV2UpdateWebhookPayload = WebhookGroupV2Update;

export type PostGroupV2UpdateWebhookRequest = {
  body: PostGroupV2UpdateWebhookPayload;
  key: 'group.v2.update';
  path?: never;
  query?: never;
};

export type PostGroupV2ParticipantsWebhookPayload = WebhookGroupV2Participants;

export type PostGroupV2ParticipantsWebhookRequest = {
  body: PostGroupV2ParticipantsWebhookPayload;
  key: 'group.v2.participants';
  path?: never;
  query?: never;
};

export type PostPresenceUpdateWebhookPayload = WAHAWebhookPresenceUpdate;

export type PostPresenceUpdateWebhookRequest = {
  body: PostPresenceUpdateWebhookPayload;
  key: 'presence.update';
  path?: never;
  query?: never;
};

export type PostPollVoteWebhookPayload = WAHAWebhookPollVote;

export type PostPollVoteWebhookRequest = {
  body: PostPollVoteWebhookPayload;
  key: 'poll.vote';
  path?: never;
  query?: never;
};

export type PostPollVoteFailedWebhookPayload = WAHAWebhookPollVoteFailed;

export type PostPollVoteFailedWebhookRequest = {
  body: PostPollVoteFailedWebhookPayload;
  key: 'poll.vote.failed';
  path?: never;
  query?: never;
};

export type PostChatArchiveWebhookPayload = WAHAWebhookChatArchive;

export type PostChatArchiveWebhookRequest = {
  body: PostChatArchiveWebhookPayload;
  key: 'chat.archive';
  path?: never;
  query?: never;
};

export type PostCallReceivedWebhookPayload = WAHAWebhookCallReceived;

export type PostCallReceivedWebhookRequest = {
  body: PostCallReceivedWebhookPayload;
  key: 'call.received';
  path?: never;
  query?: never;
};

export type PostCallAcceptedWebhookPayload = WAHAWebhookCallAccepted;

export type PostCallAcceptedWebhookRequest = {
  body: PostCallAcceptedWebhookPayload;
  key: 'call.accepted';
  path?: never;
  query?: never;
};

export type PostCallRejectedWebhookPayload = WAHAWebhookCallRejected;

export type PostCallRejectedWebhookRequest = {
  body: PostCallRejectedWebhookPayload;
  key: 'call.rejected';
  path?: never;
  query?: never;
};

export type PostLabelUpsertWebhookPayload = WAHAWebhookLabelUpsert;

export type PostLabelUpsertWebhookRequest = {
  body: PostLabelUpsertWebhookPayload;
  key: 'label.upsert';
  path?: never;
  query?: never;
};

export type PostLabelDeletedWebhookPayload = WAHAWebhookLabelDeleted;

export type PostLabelDeletedWebhookRequest = {
  body: PostLabelDeletedWebhookPayload;
  key: 'label.deleted';
  path?: never;
  query?: never;
};

export type PostLabelChatAddedWebhookPayload = WAHAWebhookLabelChatAdded;

export type PostLabelChatAddedWebhookRequest = {
  body: PostLabelChatAddedWebhookPayload;
  key: 'label.chat.added';
  path?: never;
  query?: never;
};

export type PostLabelChatDeletedWebhookPayload = WAHAWebhookLabelChatDeleted;

export type PostLabelChatDeletedWebhookRequest = {
  body: PostLabelChatDeletedWebhookPayload;
  key: 'label.chat.deleted';
  path?: never;
  query?: never;
};

export type PostEventResponseWebhookPayload = WAHAWebhookEventResponse;

export type PostEventResponseWebhookRequest = {
  body: PostEventResponseWebhookPayload;
  key: 'event.response';
  path?: never;
  query?: never;
};

export type PostEventResponseFailedWebhookPayload = WAHAWebhookEventResponseFailed;

export type PostEventResponseFailedWebhookRequest = {
  body: PostEventResponseFailedWebhookPayload;
  key: 'event.response.failed';
  path?: never;
  query?: never;
};

export type PostEngineEventWebhookPayload = WAHAWebhookEngineEvent;

export type PostEngineEventWebhookRequest = {
  body: PostEngineEventWebhookPayload;
  key: 'engine.event';
  path?: never;
  query?: never;
};

export type PostGroupJoinWebhookPayload = WAHAWebhookGroupJoin;

export type PostGroupJoinWebhookRequest = {
  body: PostGroupJoinWebhookPayload;
  key: 'group.join';
  path?: never;
  query?: never;
};

export type PostGroupLeaveWebhookPayload = WAHAWebhookGroupLeave;

export type PostGroupLeaveWebhookRequest = {
  body: PostGroupLeaveWebhookPayload;
  key: 'group.leave';
  path?: never;
  query?: never;
};

export type PostStateChangeWebhookPayload = WAHAWebhookStateChange;

export type PostStateChangeWebhookRequest = {
  body: PostStateChangeWebhookPayload;
  key: 'state.change';
  path?: never;
  query?: never;
};
