/**
 * What the specs of test/n8n share: the committed workflow and credential files as they are on
 * disk, the node descriptions of the n8n version the project runs (for n8n's own validation),
 * and helpers to walk a workflow and run its Code nodes' JavaScript as n8n's task runner would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type INodeType, type INodeTypeDescription, type INodeTypes } from 'n8n-workflow';

import { repoN8nDir } from '../../n8n/build/files.js';
import { type N8nNode, type N8nWorkflow } from '../../n8n/build/workflow.js';
import { n8nNodeDescriptionsFile } from '../support/n8n-node-descriptions.js';

export const N8N_DIR = repoN8nDir();
const WORKFLOWS_DIR = join(N8N_DIR, 'workflows');

export interface WorkflowFile {
  file: string;
  text: string;
  workflow: N8nWorkflow;
}

export const files: WorkflowFile[] = readdirSync(WORKFLOWS_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((file) => {
    const text = readFileSync(join(WORKFLOWS_DIR, file), 'utf8');
    return { file, text, workflow: JSON.parse(text) as N8nWorkflow };
  });
export const credentialsText = readFileSync(join(N8N_DIR, 'credentials.json'), 'utf8');
export const credentials = JSON.parse(credentialsText) as {
  id: string;
  name: string;
  type: string;
  data: Record<string, string>;
}[];

// ---------------------------------------------------------------------------------------------
// Node descriptions of the pinned n8n

type Description = INodeTypeDescription & { name: string; version: number | number[] };

export function loadNodeTypes(): {
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

export const byName = (workflow: N8nWorkflow, name: string): N8nNode => {
  const node = workflow.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`${workflow.id} has no node ${name}`);
  return node;
};
export const ofType = (workflow: N8nWorkflow, type: string): N8nNode[] =>
  workflow.nodes.filter((node) => node.type === `n8n-nodes-base.${type}`);
export const targets = (workflow: N8nWorkflow, from: string, output: number): string[] =>
  (workflow.connections[from]?.main[output] ?? []).map((c) => c.node);

/** Runs a Code node's JavaScript as n8n's task runner would, with `$input` and `$(name)` given. */
export function runCode(
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

export const workflowOf = (id: string): N8nWorkflow => {
  const found = files.find((f) => f.workflow.id === id);
  if (!found) throw new Error(`no workflow ${id}`);
  return found.workflow;
};

/**
 * Evaluates an n8n expression parameter (`={{ … }}`) of a node as n8n would, with `$json`,
 * `$(name)` and `$env` given: how a node's URL, body or write-back variables come out.
 */
export function evalExpression(
  workflow: N8nWorkflow,
  nodeName: string,
  parameter: string,
  $json: unknown,
  others: Record<string, unknown> = {},
  $env: Record<string, string> = {},
): unknown {
  const value = byName(workflow, nodeName).parameters[parameter];
  const match = typeof value === 'string' ? /^=\{\{ ([\s\S]*) \}\}$/.exec(value) : null;
  if (!match) throw new Error(`${nodeName}.${parameter} is not an expression: ${String(value)}`);
  const $ = (name: string) => {
    if (!(name in others)) throw new Error(`${nodeName} read $('${name}'), which the test did not give`);
    return { first: () => ({ json: others[name] }), last: () => ({ json: others[name] }) };
  };
  return new Function('$json', '$', '$env', `return (${match[1]});`)($json, $, $env) as unknown;
}
