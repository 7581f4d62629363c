import { DomainError } from '../common/domain-error.js';
import { validIdArgument } from '../common/input-checks.js';
import { storableText } from '../common/storable.js';
import { isStorableChatId } from '../waha/chat-ids.js';

/** A group chat id: what WAHA's groups API takes. */
export const GROUP_CHAT_ID = /^[\d-]+@g\.us$/;
/** WhatsApp's largest groups (a community's announcement group) have a few thousand members. */
export const MAX_PARTICIPANTS = 5000;
const PHONE_ID = /^\d+@c\.us$/;
/** WAHA's GroupParticipant.role: left, participant, admin, superadmin (kept as said if WAHA adds one). */
const ROLE = /^[a-z_]{1,20}$/;

export interface GroupParticipant {
  id: string;
  phoneId: string | null;
  role: string | null;
}

/** A group's chat id, or BAD_USER_INPUT on `field`: judged from the id alone, before any lookup. */
export function validGroupChatId(chatId: string, field: string): string {
  validIdArgument(chatId, field);
  if (!GROUP_CHAT_ID.test(chatId)) {
    throw DomainError.badInput(field, 'A group chat id is <digits-and-dashes>@g.us');
  }
  return chatId;
}

/**
 * WAHA's participants of a group as n8n reports them (GroupParticipant: id in @c.us or @lid
 * form, `pn` as phoneId, role), judged whole before anything is stored: one bad member refuses
 * the report on its field. A member listed twice is kept once (the first).
 */
export function validParticipants(
  participants: { id: string; phoneId?: string | null; role?: string | null }[],
  field: string,
): GroupParticipant[] {
  if (participants.length > MAX_PARTICIPANTS) {
    throw DomainError.badInput(field, `At most ${MAX_PARTICIPANTS} participants`);
  }
  const seen = new Set<string>();
  const valid: GroupParticipant[] = [];
  participants.forEach((participant, index) => {
    const at = `${field}[${index}]`;
    const { id } = participant;
    if (!isStorableChatId(id) || !(id.endsWith('@c.us') || id.endsWith('@lid'))) {
      throw DomainError.badInput(`${at}.id`, "A participant's id is <digits>@c.us or <id>@lid");
    }
    const phoneId = participant.phoneId ?? null;
    if (phoneId !== null && !PHONE_ID.test(phoneId)) {
      throw DomainError.badInput(`${at}.phoneId`, "A participant's phoneId is <digits>@c.us");
    }
    const role = participant.role ?? null;
    if (role !== null && !ROLE.test(role)) {
      throw DomainError.badInput(
        `${at}.role`,
        'A role is participant, admin, superadmin or left, as WAHA says',
      );
    }
    if (seen.has(id)) return;
    seen.add(id);
    valid.push({ id, phoneId, role });
  });
  return valid;
}

/** A group's subject as a chat name: WAHA's text kept as PostgreSQL holds it, cut to the column; none when blank. */
export function subjectName(subject: string | null | undefined): string | null {
  if (subject === null || subject === undefined || subject.trim() === '') return null;
  return storableText(subject.trim(), 200);
}
