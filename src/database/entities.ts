import { OutboxCommand } from '../n8n/outbox-command.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';

/** Every entity the ORM knows; one list for the app, the CLIs and the tests. */
export const entities = [Tenant, WhatsappSession, OutboxCommand];
