import { type EntityManager } from '@mikro-orm/core';
import { DomainError } from '../common/domain-error.js';
import { hasControlChar, isStorableText } from '../common/storable.js';
import { type CommandType } from '../outbox/commands.js';
import { OutboxCommand } from '../outbox/outbox-command.entity.js';

/** Longer than any emoji WhatsApp offers (a family or a flag with modifiers is about a dozen UTF-16 units). */
const MAX_REACTION_LENGTH = 32;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/** A pictograph, a flag (regional indicators) or a keycap (1️⃣): what a WhatsApp reaction is. */
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;

/**
 * A reaction as WhatsApp takes it: one emoji, or '' to remove it. Refused on `field` otherwise
 * (text, two emoji, whitespace, control characters): WAHA would pass it on and WhatsApp drop it.
 */
export function validReaction(reaction: string, field: string): string {
  if (reaction === '') return reaction;
  const ok =
    reaction.length <= MAX_REACTION_LENGTH &&
    isStorableText(reaction) &&
    !hasControlChar(reaction) &&
    !/\s/u.test(reaction) &&
    [...graphemes.segment(reaction)].length === 1 &&
    EMOJI.test(reaction);
  if (!ok) throw DomainError.badInput(field, "A reaction is one emoji, or '' to remove it");
  return reaction;
}

/**
 * When the dashboard asked for what n8n reports: the creation time of the command the report
 * answers (`commandId`, of `type` for the session). Dating a report by its command, not by its
 * arrival, makes a retried report the same report (it changes nothing again) and lets the later
 * request win over an earlier one whose report arrives last. A report without a known command
 * is dated by its arrival.
 */
export async function commandTime(
  em: EntityManager,
  type: CommandType,
  sessionId: string,
  commandId: string | null | undefined,
): Promise<Date> {
  if (commandId) {
    const command = await em.fork().findOne(OutboxCommand, { id: commandId, type, sessionId });
    if (command) return command.createdAt;
  }
  return new Date();
}
