import { DomainError } from '../common/domain-error.js';
import { SENDABLE_CHAT_ID } from '../waha/chat-ids.js';
import { validPhoneNumber } from '../whatsapp-sessions/whatsapp-session.validation.js';

export interface Recipient {
  chatId: string;
  /** Set when the user gave a phone number: n8n checks it exists on WhatsApp before sending. */
  phoneNumber: string | null;
}

/** `to` of sendWhatsappMessage: a WAHA chat id as it is, or a phone number with country code. */
export function validRecipient(to: string, field: string): Recipient {
  const value = to.trim();
  if (value.includes('@')) {
    if (!SENDABLE_CHAT_ID.test(value)) {
      throw DomainError.badInput(
        field,
        'A chat id is <digits>@c.us, <digits-and-dashes>@g.us or <digits>@lid; or give a phone number with country code',
      );
    }
    return { chatId: value, phoneNumber: null };
  }
  const digits = validPhoneNumber(value, field);
  return { chatId: `${digits}@c.us`, phoneNumber: digits };
}
