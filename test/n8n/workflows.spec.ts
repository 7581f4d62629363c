/**
 * The committed n8n workflows, checked without starting n8n: with n8n's own validation
 * (`n8n-workflow`) against the node descriptions of the n8n version the project runs, against
 * the command contract (src/n8n/commands.ts), for secrets, and for drift from their builder.
 * The Code nodes' JavaScript is run here too, on the answers WAHA gives.
 * test/e2e/n8n-workflows.e2e.spec.ts runs the same files in a real n8n.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  type INode,
  type INodeType,
  type INodeTypeDescription,
  type INodeTypes,
  NodeHelpers,
  safeParseWorkflowStructure,
  validateWorkflowHasTriggerLikeNode,
} from 'n8n-workflow';

import { n8nNodeDescriptionsFile } from '../support/n8n-node-descriptions.js';
import { COMMAND_TYPES, commandPath } from '../../src/outbox/commands.js';
import {
  CREDENTIALS,
  ERROR_WORKFLOW_ID,
  type N8nNode,
  type N8nWorkflow,
  renderFiles,
  repoN8nDir,
  WAHA_TIMEOUT_MS,
  WEBHOOK_PATH_PREFIX,
} from './workflows.build.js';

const N8N_DIR = repoN8nDir();
const WORKFLOWS_DIR = join(N8N_DIR, 'workflows');

interface WorkflowFile {
  file: string;
  text: string;
  workflow: N8nWorkflow;
}

const files: WorkflowFile[] = readdirSync(WORKFLOWS_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((file) => {
    const text = readFileSync(join(WORKFLOWS_DIR, file), 'utf8');
    return { file, text, workflow: JSON.parse(text) as N8nWorkflow };
  });
const credentialsText = readFileSync(join(N8N_DIR, 'credentials.json'), 'utf8');
const credentials = JSON.parse(credentialsText) as {
  id: string;
  name: string;
  type: string;
  data: Record<string, string>;
}[];

// ---------------------------------------------------------------------------------------------
// Node descriptions of the pinned n8n

type Description = INodeTypeDescription & { name: string; version: number | number[] };

function loadNodeTypes(): {
  nodeTypes: INodeTypes;
  describe: (type: string, version: number) => Description;
} {
  const descriptions = JSON.parse(readFileSync(n8nNodeDescriptionsFile(), 'utf8')) as Description[];
  const find = (type: string, version: number): Description | undefined => {
    const name = type.replace(/^n8n-nodes-base\./, '');
    if (name === type) return undefined;
    return descriptions.find(
      (d) =>
        d.name === name && (Array.isArray(d.version) ? d.version.includes(version) : d.version === version),
    );
  };
  const asNodeType = (description: Description): INodeType => {
    // nodes.json holds descriptions only; what makes a node trigger-like is which of these exist.
    const nodeType: Partial<INodeType> = { description };
    if (description.webhooks?.length) nodeType.webhook = async () => ({});
    if (description.polling) nodeType.poll = async () => null;
    if (description.group.includes('trigger') && !description.webhooks?.length)
      nodeType.trigger = async () => ({});
    return nodeType as INodeType;
  };
  const nodeTypes: INodeTypes = {
    getByName: (type) => {
      const match = descriptions.find((d) => `n8n-nodes-base.${d.name}` === type);
      if (!match) throw new Error(`unknown node type ${type}`);
      return asNodeType(match);
    },
    getByNameAndVersion: (type, version) => {
      const match = find(type, version ?? 1);
      return (match ? asNodeType(match) : undefined) as INodeType;
    },
    getKnownTypes: () => ({}),
  };
  return {
    nodeTypes,
    describe: (type, version) => {
      const match = find(type, version);
      if (!match) throw new Error(`n8n 2.41.1 has no node ${type} version ${version}`);
      return match;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers over a workflow

const byName = (workflow: N8nWorkflow, name: string): N8nNode => {
  const node = workflow.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`${workflow.id} has no node ${name}`);
  return node;
};
const ofType = (workflow: N8nWorkflow, type: string): N8nNode[] =>
  workflow.nodes.filter((node) => node.type === `n8n-nodes-base.${type}`);
const targets = (workflow: N8nWorkflow, from: string, output: number): string[] =>
  (workflow.connections[from]?.main[output] ?? []).map((c) => c.node);

/** Runs a Code node's JavaScript as n8n's task runner would, with `$input` and `$(name)` given. */
function runCode(
  workflow: N8nWorkflow,
  nodeName: string,
  input: unknown,
  others: Record<string, unknown> = {},
): { json: Record<string, unknown> }[] {
  const jsCode = byName(workflow, nodeName).parameters['jsCode'] as string;
  const item = (json: unknown) => ({ json });
  const $input = { first: () => item(input), all: () => [item(input)] };
  const $ = (name: string) => {
    if (!(name in others)) throw new Error(`${nodeName} read $('${name}'), which the test did not give`);
    const value = others[name];
    const items = Array.isArray(value) ? value.map(item) : [item(value)];
    return {
      first: () => items[0],
      last: () => items.at(-1),
      all: () => items,
      isExecuted: value !== undefined,
    };
  };
  return new Function('$input', '$', jsCode)($input, $) as { json: Record<string, unknown> }[];
}

const workflowOf = (id: string): N8nWorkflow => {
  const found = files.find((f) => f.workflow.id === id);
  if (!found) throw new Error(`no workflow ${id}`);
  return found.workflow;
};

// ---------------------------------------------------------------------------------------------

describe('n8n workflows (static)', () => {
  let n8n: ReturnType<typeof loadNodeTypes>;

  beforeAll(() => {
    n8n = loadNodeTypes();
  });

  it('are the files their builder generates (regenerate with `node test/n8n/workflows.build.ts`)', async () => {
    const expected = await renderFiles();
    const actual: Record<string, string> = { 'credentials.json': credentialsText };
    for (const { file, text } of files) actual[`workflows/${file}`] = text;
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, text] of Object.entries(expected))
      expect({ file, text: actual[file] }).toEqual({ file, text });
  });

  describe.each(files.map((f) => [f.file, f] as const))('%s', (_file, { workflow }) => {
    it('is a valid n8n workflow document: structure, node types and versions, required parameters', () => {
      const parsed = safeParseWorkflowStructure(workflow);
      expect(parsed.success ? [] : parsed.issues).toEqual([]);
      expect(workflow.id).toMatch(/^[A-Za-z0-9]{1,21}$/);
      expect(workflow.active).toBe(false);
      expect(workflow.settings['executionOrder']).toBe('v1');

      const problems: string[] = [];
      for (const node of workflow.nodes) {
        const description = n8n.describe(node.type, node.typeVersion);
        const issues = NodeHelpers.getNodeParametersIssues(
          description.properties,
          node as unknown as INode,
          description,
        );
        if (issues) problems.push(`${node.name}: ${JSON.stringify(issues)}`);
        // Parameters n8n does not know for this node and version would be dropped silently.
        const known = new Set(description.properties.map((p) => p.name));
        for (const key of Object.keys(node.parameters))
          if (!known.has(key)) problems.push(`${node.name}: unknown parameter ${key}`);
      }
      expect(problems).toEqual([]);
    });

    it('can be activated (has a trigger-like node) and every node is reachable from it', () => {
      const nodes = Object.fromEntries(workflow.nodes.map((node) => [node.name, node as unknown as INode]));
      expect(validateWorkflowHasTriggerLikeNode(nodes, n8n.nodeTypes)).toEqual({ isValid: true });

      const triggers = workflow.nodes.filter((node) => /\.(webhook|errorTrigger)$/.test(node.type));
      expect(triggers).toHaveLength(1);
      const seen = new Set<string>([triggers[0]!.name]);
      const queue = [triggers[0]!.name];
      while (queue.length > 0) {
        for (const output of workflow.connections[queue.shift()!]?.main ?? [])
          for (const { node } of output)
            if (!seen.has(node)) {
              seen.add(node);
              queue.push(node);
            }
      }
      expect(workflow.nodes.map((node) => node.name).filter((name) => !seen.has(name))).toEqual([]);
    });

    it('uses only the committed credentials, each for a credential type its node accepts', () => {
      for (const node of workflow.nodes) {
        for (const [type, ref] of Object.entries(node.credentials ?? {})) {
          const credential = credentials.find((c) => c.id === ref.id);
          expect({ node: node.name, credential }).toEqual({
            node: node.name,
            credential: expect.objectContaining({ id: ref.id, name: ref.name, type }),
          });
          // The HTTP Request node takes any credential type, named by its genericAuthType.
          const accepted =
            node.parameters['authentication'] === 'genericCredentialType'
              ? [node.parameters['genericAuthType']]
              : (n8n.describe(node.type, node.typeVersion).credentials ?? []).map((c) => c.name);
          expect(accepted).toContain(type);
        }
      }
    });

    it('answers on one header-authenticated webhook with a fixed webhookId, at once', () => {
      const webhooks = ofType(workflow, 'webhook');
      if (workflow.id === ERROR_WORKFLOW_ID) {
        expect(webhooks).toEqual([]);
        expect(ofType(workflow, 'errorTrigger')).toHaveLength(1);
        return;
      }
      expect(webhooks).toHaveLength(1);
      const webhook = webhooks[0]!;
      expect(webhook.webhookId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(webhook.parameters).toMatchObject({
        httpMethod: 'POST',
        authentication: 'headerAuth',
        responseMode: 'responseNode',
      });
      expect(webhook.credentials).toEqual({
        httpHeaderAuth: { id: CREDENTIALS.webhookSecret.id, name: CREDENTIALS.webhookSecret.name },
      });
      // The Respond node comes first: the command is accepted before any WAHA step runs.
      const [first] = targets(workflow, webhook.name, 0);
      expect(byName(workflow, first!).type).toBe('n8n-nodes-base.respondToWebhook');
      expect(byName(workflow, first!).parameters['options']).toEqual({ responseCode: 202 });
      expect(workflow.settings['errorWorkflow']).toBe(ERROR_WORKFLOW_ID);
    });

    it('gives every WAHA call a timeout and turns every answer (and no answer) into an item that is checked', () => {
      for (const node of ofType(workflow, 'httpRequest')) {
        expect({ node: node.name, url: node.parameters['url'] }).toEqual({
          node: node.name,
          url: expect.stringMatching(/^=\{\{ \$env\.WAHA_URL \+ /),
        });
        expect(node.parameters['options']).toEqual({
          timeout: WAHA_TIMEOUT_MS,
          response: { response: { fullResponse: true, neverError: true } },
        });
        expect(node.onError).toBe('continueRegularOutput');
        expect(node.credentials).toEqual({
          httpHeaderAuth: { id: CREDENTIALS.wahaApiKey.id, name: CREDENTIALS.wahaApiKey.name },
        });
        const next = targets(workflow, node.name, 0);
        expect(next).toHaveLength(1);
        const check = byName(workflow, next[0]!);
        expect(check.type).toBe('n8n-nodes-base.code');
        expect(check.parameters['jsCode']).toContain('wahaResult(');
      }
    });

    it('writes back to the internal API with its key, and a refused write-back fails the run visibly', () => {
      for (const node of ofType(workflow, 'graphql')) {
        expect(node.parameters).toMatchObject({
          endpoint: '={{ $env.WHATSAPP_HUB_INTERNAL_URL }}',
          authentication: 'headerAuth',
          requestFormat: 'json',
        });
        expect(node.credentials).toEqual({
          httpHeaderAuth: { id: CREDENTIALS.internalKey.id, name: CREDENTIALS.internalKey.name },
        });
        expect(node.parameters['query']).toMatch(
          /^mutation \w+\(\$input: \w+Input!\) \{\n {2}\w+\(input: \$input\)/,
        );
        if (workflow.id === ERROR_WORKFLOW_ID) {
          expect(node).toMatchObject({ retryOnFail: true, maxTries: 5 });
          continue;
        }
        expect(node.onError).toBe('continueErrorOutput');
        expect(targets(workflow, node.name, 1)).toEqual(['Write-back failed']);
      }
    });
  });

  it('has exactly one workflow per command, on the path the service POSTs to', () => {
    const byPath = new Map<string, string[]>();
    for (const { workflow } of files) {
      for (const webhook of ofType(workflow, 'webhook')) {
        const path = String(webhook.parameters['path']);
        byPath.set(path, [...(byPath.get(path) ?? []), workflow.id]);
      }
    }
    const expected = COMMAND_TYPES.map((type) => `${WEBHOOK_PATH_PREFIX}/${commandPath(type)}`).sort();
    expect([...byPath.keys()].sort()).toEqual(expected);
    for (const [path, ids] of byPath) expect({ path, ids: ids.length }).toEqual({ path, ids: 1 });

    // And each one accepts only its own command type.
    for (const type of COMMAND_TYPES) {
      const path = `${WEBHOOK_PATH_PREFIX}/${commandPath(type)}`;
      const workflow = files.find(
        (f) => ofType(f.workflow, 'webhook')[0]?.parameters['path'] === path,
      )!.workflow;
      expect(workflow.name).toBe(`whatsapp-hub: ${type}`);
      if (type === 'message.received') continue;
      expect(byName(workflow, 'Command').parameters['jsCode']).toContain(
        `const EXPECTED_TYPE = ${JSON.stringify(type)};`,
      );
    }
  });

  it('has unique workflow ids, and one error workflow every other workflow names', () => {
    const ids = files.map((f) => f.workflow.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(ERROR_WORKFLOW_ID);
    for (const { workflow } of files)
      if (workflow.id !== ERROR_WORKFLOW_ID)
        expect(workflow.settings['errorWorkflow']).toBe(ERROR_WORKFLOW_ID);
  });

  it('carries no secret: credentials take every value from the environment', () => {
    expect(credentials.map((c) => c.id).sort()).toEqual(
      Object.values(CREDENTIALS)
        .map((c) => c.id)
        .sort(),
    );
    for (const credential of credentials) {
      expect(credential.type).toBe('httpHeaderAuth');
      expect(credential.data['value']).toMatch(/^=\{\{ \$env\.[A-Z][A-Z0-9_]* \}\}$/);
    }
    // Secret-looking literals anywhere in n8n/*.json and n8n/workflows/*.json: the service's
    // development defaults, header values set outside a credential, long random-looking tokens.
    const envSource = readFileSync(new URL('../../src/config/env.ts', import.meta.url), 'utf8');
    const devSecrets = [...envSource.matchAll(/const DEV_\w+ = '([^']+)'/g)].map((m) => m[1]!);
    expect(devSecrets.length).toBeGreaterThan(0);
    const texts = [
      ...readdirSync(N8N_DIR)
        .filter((name) => name.endsWith('.json'))
        .map((name) => ({ file: name, text: readFileSync(join(N8N_DIR, name), 'utf8') })),
      ...files.map(({ file, text }) => ({ file: `workflows/${file}`, text })),
    ];
    expect(texts.length).toBeGreaterThan(files.length);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const { file, text } of texts) {
      for (const secret of devSecrets)
        expect({ file, containsDevSecret: text.includes(secret) }).toEqual({
          file,
          containsDevSecret: false,
        });
      const tokens = [...text.matchAll(/"([A-Za-z0-9+/=_-]{24,})"/g)]
        .map((m) => m[1]!)
        .filter((t) => !uuid.test(t) && /\d/.test(t) && /[a-z]/i.test(t));
      expect({ file, tokens }).toEqual({ file, tokens: [] });
      expect({
        file,
        headerSecrets:
          /"name":\s*"(x-api-key|x-internal-key|x-whatsapp-hub-secret)"/i.test(text) &&
          file !== 'credentials.json',
      }).toEqual({
        file,
        headerSecrets: false,
      });
    }
  });
});

describe('n8n workflows (their Code nodes on what WAHA answers)', () => {
  const create = () => workflowOf('whHubSessionCreate');
  const refused = (cause: Record<string, unknown>) => ({ error: cause, details: {} });

  it('counts a created session, and a 422 "already exists" from a redelivered command, as created', () => {
    const route = (answer: unknown) => runCode(create(), 'Check create', answer)[0]!.json['route'];
    expect(route({ statusCode: 201, body: { name: 'ws_1', status: 'STARTING' } })).toBe(0);
    expect(
      route({
        statusCode: 422,
        body: { statusCode: 422, message: "Session 'ws_1' already exists. Use PUT to update it." },
      }),
    ).toBe(0);
    expect(route({ statusCode: 422, body: { statusCode: 422, message: 'Something else' } })).toBe(1);
  });

  it('describes a refused WAHA call with its status and message, and an unanswered one with the cause', () => {
    const fail = (answer: unknown) => runCode(create(), 'Check create', answer)[0]!.json['failure'];
    expect(
      fail({ statusCode: 503, body: { statusCode: 503, message: 'Busy', error: 'Service Unavailable' } }),
    ).toEqual({
      reason: 'WAHA refused POST /api/sessions',
      wahaStatusCode: 503,
      wahaMessage: 'Busy',
      status: null,
    });
    expect(fail({ statusCode: 401, body: { message: 'Unauthorized', statusCode: 401 } })).toMatchObject({
      wahaStatusCode: 401,
      wahaMessage: 'Unauthorized',
    });
    expect(
      fail({ statusCode: 400, body: { message: ['name must be …', 'start must be a boolean value'] } }),
    ).toMatchObject({
      wahaMessage: 'name must be …; start must be a boolean value',
    });
    expect(fail(refused({ message: 'connect ECONNREFUSED 127.0.0.1:3000', code: 'ECONNREFUSED' }))).toEqual({
      reason: 'WAHA did not answer POST /api/sessions: connect ECONNREFUSED 127.0.0.1:3000; ECONNREFUSED',
      wahaStatusCode: null,
      wahaMessage: null,
      status: null,
    });
    expect(fail(refused({ code: 'ECONNABORTED' }))).toMatchObject({
      reason: 'WAHA did not answer POST /api/sessions: ECONNABORTED',
    });
  });

  it('polls until SCAN_QR_CODE, then fetches the QR or requests the code by the auth method', () => {
    const route = (status: string, authMethod: string, receivedAt = Date.now()) =>
      runCode(
        create(),
        'Check session status',
        { statusCode: 200, body: { name: 'ws_1', status } },
        {
          Command: { payload: { authMethod }, receivedAt },
        },
      )[0]!.json;
    expect(route('STARTING', 'QR').route).toBe(0);
    expect(route('SCAN_QR_CODE', 'QR').route).toBe(1);
    expect(route('SCAN_QR_CODE', 'PHONE_CODE').route).toBe(2);
    expect(route('WORKING', 'QR').route).toBe(3);
    expect(route('FAILED', 'QR').route).toBe(4);
    const late = route('STARTING', 'QR', Date.now() - 61_000);
    expect(late).toMatchObject({
      route: 5,
      failure: {
        reason: 'WAHA session did not reach SCAN_QR_CODE within 60 s (status STARTING)',
        status: 'STARTING',
      },
    });
  });

  it('reports the linked account only with the fields the internal API takes', () => {
    const out = runCode(
      create(),
      'Check linking',
      {
        statusCode: 200,
        body: { status: 'WORKING', me: { id: '491@c.us', pushName: 'Shop', lid: '1@lid' } },
      },
      {
        Command: { payload: { authMethod: 'QR' }, receivedAt: Date.now() },
        'Wait for the link': { lastQr: 'q1' },
      },
    )[0]!.json;
    expect(out).toMatchObject({ route: 2, status: 'WORKING', me: { id: '491@c.us', pushName: 'Shop' } });
  });

  it('reports a rotated QR once, and ignores a QR fetch the status change beat', () => {
    const check = (answer: unknown, lastQr: string) =>
      runCode(create(), 'Check current QR', answer, { 'Check linking': { lastQr } })[0]!.json;
    expect(check({ statusCode: 200, body: { value: 'q2' } }, 'q1')).toEqual({
      route: 0,
      value: 'q2',
      lastQr: 'q2',
    });
    expect(check({ statusCode: 200, body: { value: 'q1' } }, 'q1')).toEqual({ route: 1, lastQr: 'q1' });
    expect(
      check({ statusCode: 422, body: { status: 'WORKING', expected: ['SCAN_QR_CODE'] } }, 'q1').route,
    ).toBe(1);
  });

  it('answers a QR fetch that came after the link with the status WAHA gave, not with a failure', () => {
    const fetchQr = workflowOf('whHubSessionFetchQr');
    const route = (answer: unknown) => runCode(fetchQr, 'Check WAHA answer', answer)[0]!.json;
    expect(route({ statusCode: 200, body: { value: 'q' } }).route).toBe(0);
    const moved = route({
      statusCode: 422,
      body: {
        error: 'Session status is not as expected.',
        session: 's',
        status: 'WORKING',
        expected: ['SCAN_QR_CODE'],
      },
    });
    expect(moved).toMatchObject({ route: 2, failure: { status: 'WORKING' } });
    expect(targets(fetchQr, 'Succeeded?', 2)).toEqual(['Report the status WAHA gave']);
    expect(route({ statusCode: 404, body: { message: 'Session not found' } }).route).toBe(1);
  });

  it("reads WAHA's message id from each engine's sendText answer", () => {
    const send = workflowOf('whHubMessageSend');
    const id = (body: unknown) => runCode(send, 'Check sent', { statusCode: 201, body })[0]!.json;
    expect(id({ id: 'true_491@c.us_AAA' })).toEqual({ route: 0, wahaMessageId: 'true_491@c.us_AAA' });
    expect(id({ id: { fromMe: true, _serialized: 'true_491@c.us_BBB' } }).wahaMessageId).toBe(
      'true_491@c.us_BBB',
    );
    expect(id({ key: { remoteJid: '491@s.whatsapp.net', fromMe: true, id: 'CCC' } }).wahaMessageId).toBe(
      'true_491@c.us_CCC',
    );
    expect(id({ something: 'else' })).toMatchObject({ route: 1, failure: { wahaStatusCode: 201 } });
  });

  it('fails a message to a number that is not on WhatsApp, and sends to the chat WAHA names otherwise', () => {
    const send = workflowOf('whHubMessageSend');
    const check = (body: unknown) =>
      runCode(
        send,
        'Check number result',
        { statusCode: 200, body },
        {
          Command: { payload: { phoneNumber: '4915100000000', messageId: 'm1' } },
        },
      )[0]!.json;
    expect(check({ numberExists: false })).toMatchObject({
      route: 1,
      failure: { reason: '+4915100000000 is not on WhatsApp: nothing was sent' },
    });
    expect(check({ numberExists: true, chatId: '4915100000000@c.us' })).toEqual({
      route: 0,
      chatId: '4915100000000@c.us',
    });
  });

  it('refuses an envelope whose session id could not be a WAHA session name, tagged for the error workflow', () => {
    const body = { commandId: 'c1', type: 'session.stop', sessionId: '../api/sessions', payload: {} };
    expect(() => runCode(workflowOf('whHubSessionStop'), 'Command', { body })).toThrow(
      '[whatsapp-hub session=../api/sessions command=c1 message=-] Invalid session.stop command: sessionId is not a WAHA session name',
    );
  });

  it('attributes a tagged failure to its message, else its session, and leaves untagged ones to n8n', () => {
    const errors = workflowOf(ERROR_WORKFLOW_ID);
    const attribute = (message: string) =>
      runCode(errors, 'Attribute the failure', {
        execution: { id: '7', error: { message }, lastNodeExecuted: 'Write-back failed' },
        workflow: { id: 'whHubMessageSend', name: 'whatsapp-hub: message.send' },
      });
    expect(attribute('[whatsapp-hub session=ws_1 command=c1 message=m1] boom [line 8]')).toEqual([
      {
        json: {
          route: 1,
          variables: {
            input: {
              messageId: 'm1',
              commandId: 'c1',
              reason: 'n8n workflow "whatsapp-hub: message.send" failed at "Write-back failed": boom',
            },
          },
        },
      },
    ]);
    expect(attribute('[whatsapp-hub session=ws_1 command=c1 message=-] boom')[0]!.json).toMatchObject({
      route: 0,
      variables: { input: { sessionId: 'ws_1', commandId: 'c1' } },
    });
    expect(attribute('Cannot read properties of undefined')).toEqual([]);
  });
});
