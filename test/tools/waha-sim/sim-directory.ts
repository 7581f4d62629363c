/**
 * Who the account knows: its groups (subject, participants, roles) and the linked ids (LIDs)
 * whose phone numbers it has learnt, with the shapes WAHA answers them in. The groups list,
 * a group and its v1 participants are each engine's own objects (WAHA passes them through);
 * participants/v2 is the spec's GroupParticipant, the lids API the spec's LidToPhoneNumber.
 */
import { randomInt } from 'node:crypto';

import type { MeInfo } from '../../../src/waha/waha.types.js';
import { SimControlError } from './sim-errors.js';
import { jid } from './sim-raw.js';
import type {
  SimEngineName,
  SimGroup,
  SimGroupParticipant,
  SimGroupRole,
  SimSession,
} from './sim-session.js';

export interface CreateGroupInput {
  /** Default: a new `120363…@g.us`. */
  id?: string;
  subject: string;
  description?: string;
  /** The account joins too (as `participant`) unless it is listed. */
  participants: { id: string; pn?: string; role?: SimGroupRole }[];
}

const PERSON = /^\d{1,20}@(c\.us|lid)$/;
const PHONE = /^\d{1,20}@c\.us$/;
const LID = /^\d{1,20}@lid$/;
const GROUP = /^\d{1,20}(-\d{1,20})?@g\.us$/;
const ROLES: readonly SimGroupRole[] = ['participant', 'admin', 'superadmin'];

const bad = (message: string) => new SimControlError(400, message);

export function createGroup(session: SimSession, input: CreateGroupInput): SimGroup {
  if (!session.me) throw new SimControlError(409, `session ${session.name} is not linked to a phone`);
  const id =
    input?.id ?? `120363${String(randomInt(100_000, 999_999))}${String(randomInt(100_000, 999_999))}@g.us`;
  if (typeof id !== 'string' || !GROUP.test(id)) throw bad('group `id` must be <digits>@g.us');
  if (session.groups.has(id)) throw new SimControlError(409, `group ${id} exists in session ${session.name}`);
  if (typeof input.subject !== 'string' || input.subject.length === 0) throw bad('a group needs a `subject`');
  if (input.description !== undefined && typeof input.description !== 'string') {
    throw bad('group `description` must be a string');
  }
  if (!Array.isArray(input.participants)) throw bad('a group needs `participants`: [{id, pn?, role?}]');
  const participants: SimGroupParticipant[] = input.participants.map((p, i) => {
    if (typeof p?.id !== 'string' || !PERSON.test(p.id)) {
      throw bad(`participants.${i}.id must be <digits>@c.us or <digits>@lid`);
    }
    if (p.pn !== undefined && (typeof p.pn !== 'string' || !PHONE.test(p.pn) || !LID.test(p.id))) {
      throw bad(`participants.${i}.pn must be <digits>@c.us, for a participant named by LID`);
    }
    if (p.role !== undefined && !ROLES.includes(p.role)) {
      throw bad(`participants.${i}.role must be one of ${ROLES.join(', ')}`);
    }
    return { id: p.id, ...(p.pn ? { pn: p.pn } : {}), role: p.role ?? 'participant' };
  });
  const me = session.me;
  if (!participants.some((p) => p.id === me.id || p.id === me.lid)) {
    participants.push({ id: me.id, role: 'participant' });
  }
  const group: SimGroup = {
    id,
    subject: input.subject,
    description: input.description ?? '',
    participants,
    createdAt: Math.floor(Date.now() / 1000),
  };
  session.groups.set(id, group);
  for (const p of participants) if (p.pn) session.lids.set(p.id, p.pn);
  return structuredClone(group);
}

export function setLid(session: SimSession, lid: string, pn: string): { lid: string; pn: string } {
  if (typeof lid !== 'string' || !LID.test(lid)) throw bad('`lid` must be <digits>@lid');
  if (typeof pn !== 'string' || !PHONE.test(pn)) throw bad('`pn` must be <digits>@c.us');
  session.lids.set(lid, pn);
  return { lid, pn };
}

/** `123` or `123@lid` (WAHA's lids API takes either). */
export function lidOf(value: string): string {
  return value.includes('@') ? value : `${value}@lid`;
}

/** `123` or `123@c.us`. */
export function pnOf(value: string): string {
  return value.includes('@') ? value : `${value}@c.us`;
}

export function lidByPn(session: SimSession, pn: string): string | null {
  for (const [lid, known] of session.lids) if (known === pn) return lid;
  return null;
}

/** `GET …/participants/v2`: the spec's GroupParticipant. */
export function participantsV2(group: SimGroup): { id: string; pn?: string; role: string }[] {
  return group.participants.map((p) => ({ id: p.id, ...(p.pn ? { pn: p.pn } : {}), role: p.role }));
}

function webjsId(id: string) {
  const [user = '', server = ''] = id.split('@');
  return { server, user, _serialized: id };
}

/** `GET …/participants`: the engine's own participants. */
export function engineParticipants(engine: SimEngineName, group: SimGroup): unknown[] {
  return group.participants.map((p) => {
    if (engine === 'WEBJS') {
      return { id: webjsId(p.id), isAdmin: p.role !== 'participant', isSuperAdmin: p.role === 'superadmin' };
    }
    if (engine === 'NOWEB') {
      return {
        id: jid(p.id),
        ...(p.pn ? { phoneNumber: jid(p.pn), lid: p.id } : {}),
        admin: p.role === 'participant' ? null : p.role,
      };
    }
    return {
      JID: jid(p.id),
      PhoneNumber: p.pn ? jid(p.pn) : p.id.endsWith('@c.us') ? jid(p.id) : '',
      LID: p.id.endsWith('@lid') ? p.id : '',
      IsAdmin: p.role !== 'participant',
      IsSuperAdmin: p.role === 'superadmin',
      DisplayName: '',
      Error: 0,
    };
  });
}

/** `GET …/groups/{id}` and each item of `GET …/groups`: the engine's own group object. */
export function engineGroup(engine: SimEngineName, group: SimGroup, me: MeInfo, withParticipants = true) {
  const participants = withParticipants ? engineParticipants(engine, group) : undefined;
  const owner = group.participants.find((p) => p.role === 'superadmin')?.id ?? me.id;
  const lid = group.participants.some((p) => p.id.endsWith('@lid'));
  if (engine === 'WEBJS') {
    return {
      id: webjsId(group.id),
      name: group.subject,
      isGroup: true,
      isReadOnly: false,
      timestamp: group.createdAt,
      groupMetadata: {
        id: webjsId(group.id),
        creation: group.createdAt,
        owner: webjsId(owner),
        subject: group.subject,
        desc: group.description,
        ...(participants ? { participants } : {}),
      },
    };
  }
  if (engine === 'NOWEB') {
    return {
      id: group.id,
      addressingMode: lid ? 'lid' : 'pn',
      subject: group.subject,
      subjectTime: group.createdAt,
      creation: group.createdAt,
      owner: jid(owner),
      desc: group.description,
      size: group.participants.length,
      restrict: false,
      announce: false,
      joinApprovalMode: false,
      memberAddMode: true,
      ...(participants ? { participants } : {}),
    };
  }
  return {
    JID: group.id,
    OwnerJID: jid(owner),
    Name: group.subject,
    Topic: group.description,
    IsLocked: false,
    IsAnnounce: false,
    IsEphemeral: false,
    IsJoinApprovalRequired: false,
    AddressingMode: lid ? 'lid' : 'pn',
    GroupCreated: new Date(group.createdAt * 1000).toISOString(),
    ...(participants ? { Participants: participants } : {}),
  };
}
