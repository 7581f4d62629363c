/**
 * The JavaScript of message.send's Code nodes that knows WAHA's send requests: the payload
 * check and the request for a text or a file (n8n/CONTRACT.md, WAHA's `MessageTextRequest`,
 * `MessageImageRequest`, `MessageVideoRequest`, `MessageVoiceRequest`, `MessageFileRequest`).
 */

/** Part of the `Command` node: a bad payload fails the run, tagged with the message. */
export const MESSAGE_SEND_PAYLOAD_JS = `
if (typeof payload.messageId !== 'string' || payload.messageId === '') reject('payload.messageId is missing');
if (typeof payload.text !== 'string') reject('payload.text is missing');
if (typeof payload.chatId !== 'string' && typeof payload.phoneNumber !== 'string') reject('payload needs chatId or phoneNumber');
if (payload.phoneNumber !== null && payload.phoneNumber !== undefined && !/^\\d{6,20}$/.test(String(payload.phoneNumber))) {
  reject('payload.phoneNumber must be digits');
}
if (payload.replyTo !== null && payload.replyTo !== undefined && (typeof payload.replyTo !== 'string' || payload.replyTo === '')) {
  reject('payload.replyTo must be a WAHA message id or null');
}
const media = payload.media === undefined ? null : payload.media;
if (media === null) {
  if (payload.text === '') reject('payload.text is missing');
} else {
  if (typeof media !== 'object' || !['image', 'video', 'voice', 'document'].includes(media.kind)) {
    reject('payload.media.kind must be image, video, voice or document');
  }
  // WAHA fetches the file itself: only a URL it can fetch.
  if (typeof media.url !== 'string' || !/^https?:\\/\\/\\S+$/.test(media.url)) reject('payload.media.url must be an http(s) URL');
  if (typeof media.mimetype !== 'string' || !/^[\\w.+-]+\\/[\\w.+-]+/.test(media.mimetype)) {
    reject('payload.media.mimetype must be a MIME type');
  }
  if (media.filename !== null && media.filename !== undefined && typeof media.filename !== 'string') {
    reject('payload.media.filename must be a string or null');
  }
  // WAHA's sendVoice has no caption: refused rather than sent without the text.
  if (media.kind === 'voice' && payload.text !== '') reject('a voice message has no caption (WAHA sendVoice takes none)');
}
`;

/**
 * The `Compose message` node: WAHA's endpoint and body for the chat the previous node settled
 * on (`$json.chatId`). A text goes to sendText; a file to sendImage / sendVideo / sendVoice /
 * sendFile by kind, as WAHA's RemoteFile (`{url, mimetype, filename}`: WAHA downloads it), with
 * the text as its caption. `reply_to` only when replying.
 */
export const COMPOSE_MESSAGE_JS = `
const cmd = $('Command').first().json;
const p = cmd.payload;
const chatId = $input.first().json.chatId;
const replyTo = typeof p.replyTo === 'string' && p.replyTo !== '' ? { reply_to: p.replyTo } : {};
const media = p.media === undefined ? null : p.media;
if (media === null) {
  return [{ json: { path: '/api/sendText', body: { session: cmd.sessionId, chatId, text: p.text, ...replyTo } } }];
}
const filename = typeof media.filename === 'string' && media.filename !== '' ? media.filename : null;
const caption = p.text !== '' ? { caption: p.text } : {};
if (media.kind === 'voice') {
  // VoiceRemoteFile has no filename. WhatsApp plays OGG/Opus voice notes: anything else WAHA converts.
  const file = { url: media.url, mimetype: media.mimetype };
  const convert = !/^audio\\/ogg\\b/i.test(media.mimetype);
  return [{ json: { path: '/api/sendVoice', body: { session: cmd.sessionId, chatId, file, convert, ...replyTo } } }];
}
if (media.kind === 'video') {
  // VideoRemoteFile needs a filename; WhatsApp plays MP4: anything else WAHA converts.
  const file = { url: media.url, mimetype: media.mimetype, filename: filename ?? 'video.mp4' };
  const convert = !/^video\\/mp4\\b/i.test(media.mimetype);
  return [{ json: { path: '/api/sendVideo', body: { session: cmd.sessionId, chatId, file, ...caption, convert, asNote: false, ...replyTo } } }];
}
const file = { url: media.url, mimetype: media.mimetype, ...(filename === null ? {} : { filename }) };
const path = media.kind === 'image' ? '/api/sendImage' : '/api/sendFile';
return [{ json: { path, body: { session: cmd.sessionId, chatId, file, ...caption, ...replyTo } } }];
`;
