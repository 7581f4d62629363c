/**
 * The public API's outbound operations (issue 12) as test/e2e/n8n-media.e2e.spec.ts reads and
 * calls them: messages with their file, reply and reactions; a chat with its ids and participants.
 */
export const MESSAGE = `id wahaId chatId fromMe body type caption status failureReason
  media { id state mimetype filename }
  replyTo { messageId }
  reactions { senderId fromMe reaction }`;
export const CREATE = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id } }`;
export const SESSION = `query($id: ID!) { whatsappSession(id: $id) { status lastError { message } } }`;
export const SEND = `mutation($s: ID!, $to: String!, $text: String!, $replyTo: ID, $mediaId: ID) {
  sendWhatsappMessage(sessionId: $s, to: $to, text: $text, replyTo: $replyTo, mediaId: $mediaId) { ${MESSAGE} }
}`;
export const MESSAGES = `query($s: ID!, $c: ID!) { messages(sessionId: $s, chatId: $c) { edges { node { ${MESSAGE} } } } }`;
export const CHAT = `query($s: ID!, $c: ID!) {
  chat(sessionId: $s, chatId: $c) { id chatId chatIds isGroup name participants { wahaId phoneId role } participantsFetchedAt }
}`;
export const REACT = `mutation($input: ReactToWhatsappMessageInput!) { reactToWhatsappMessage(input: $input) }`;
export const REFRESH_GROUP = `mutation($s: ID!, $c: ID!) { refreshWhatsappGroupParticipants(sessionId: $s, chatId: $c) }`;

export interface Message {
  id: string;
  wahaId: string | null;
  chatId: string;
  fromMe: boolean;
  body: string | null;
  type: string;
  caption: string | null;
  status: string;
  failureReason: string | null;
  media: { id: string; state: string; mimetype: string | null; filename: string | null } | null;
  replyTo: { messageId: string } | null;
  reactions: { senderId: string; fromMe: boolean; reaction: string }[];
}
export interface Chat {
  id: string;
  chatId: string;
  chatIds: string[];
  isGroup: boolean;
  name: string | null;
  participants: { wahaId: string; phoneId: string | null; role: string | null }[] | null;
  participantsFetchedAt: string | null;
}
