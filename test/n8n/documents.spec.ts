/**
 * Each committed n8n workflow, checked without starting n8n: with n8n's own validation
 * (`n8n-workflow`) against the node descriptions of the n8n version the project runs, and for
 * the shape every workflow shares (accept at once, every WAHA call checked, every write-back
 * with its key and a visible failure). test/e2e/n8n-workflows.e2e.spec.ts runs them in a real n8n.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  type INode,
  NodeHelpers,
  safeParseWorkflowStructure,
  validateWorkflowHasTriggerLikeNode,
} from 'n8n-workflow';

import { CREDENTIALS, ERROR_WORKFLOW_ID, WAHA_TIMEOUT_MS } from '../../n8n/build/names.js';
import { byName, credentials, files, loadNodeTypes, ofType, targets } from './support.js';

describe('n8n workflow documents', () => {
  let n8n: ReturnType<typeof loadNodeTypes>;

  beforeAll(() => {
    n8n = loadNodeTypes();
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
});
