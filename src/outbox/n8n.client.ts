import { Inject, Injectable } from '@nestjs/common';
import got, { type Got } from 'got';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { type CommandEnvelope, commandPath } from './commands.js';

export const N8N_SECRET_HEADER = 'x-whatsapp-hub-secret';

export type DeliveryResult = { ok: true; status: number } | { ok: false; error: string };

/** Delivers commands to n8n's Webhook nodes. One attempt per call: the outbox owns retries. */
@Injectable()
export class N8nClient {
  private readonly http: Got;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.http = got.extend({
      prefixUrl: `${config.n8n.baseUrl}/webhook/${config.n8n.webhookPathPrefix}`,
      headers: { [N8N_SECRET_HEADER]: config.n8n.webhookSecret },
      // got has no timeout by default; an n8n that hangs must not hold a command forever.
      timeout: { request: config.n8n.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
    });
  }

  urlOf(envelope: Pick<CommandEnvelope, 'type'>): string {
    return `${this.config.n8n.baseUrl}/webhook/${this.config.n8n.webhookPathPrefix}/${commandPath(envelope.type)}`;
  }

  async deliver(envelope: CommandEnvelope): Promise<DeliveryResult> {
    try {
      const response = await this.http.post(commandPath(envelope.type), {
        json: envelope,
        headers: { 'idempotency-key': envelope.commandId },
      });
      if (response.statusCode >= 200 && response.statusCode < 300) {
        if (isJsonAnswer(response.headers['content-type'], response.body))
          return { ok: true, status: response.statusCode };
        // While it starts, n8n answers every request 200 "n8n is starting up. Please wait" (text)
        // and runs nothing: taken as delivered, the command was lost. A workflow's answer is
        // JSON (our Respond node's `{accepted: true, commandId}`, or n8n's own
        // `{"message": "Workflow was started"}`), so anything else is retried.
        return {
          ok: false,
          error: `n8n answered HTTP ${response.statusCode} without a workflow's answer (n8n still starting?): ${response.body.slice(0, 100)}`,
        };
      }
      return { ok: false, error: `n8n answered HTTP ${response.statusCode}: ${response.body.slice(0, 300)}` };
    } catch (error) {
      return {
        ok: false,
        error: `n8n unreachable: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
}

/** Whether a 2xx came from a workflow: a JSON object, as n8n's webhook and Respond nodes send. */
function isJsonAnswer(contentType: string | undefined, body: string): boolean {
  if (!contentType?.includes('application/json')) return false;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}
