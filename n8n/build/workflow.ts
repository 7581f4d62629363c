import { createHash } from 'node:crypto';

import { ERROR_WORKFLOW_ID, type CredentialRef } from './names.js';

export interface N8nNode {
  id: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  credentials?: Record<string, CredentialRef>;
  webhookId?: string;
  onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow';
  retryOnFail?: boolean;
  maxTries?: number;
  waitBetweenTries?: number;
  notes?: string;
  notesInFlow?: boolean;
}

export interface N8nWorkflow {
  id: string;
  name: string;
  active: boolean;
  nodes: N8nNode[];
  connections: Record<string, { main: { node: string; type: 'main'; index: number }[][] }>;
  settings: Record<string, unknown>;
  pinData: Record<string, never>;
  meta: Record<string, unknown>;
  tags: never[];
}

/** Stable UUID-shaped ids, so regenerating changes nothing. */
export function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A small workflow builder: nodes placed on a grid, connected by name, with stable ids. */
export class Workflow {
  readonly nodes: N8nNode[] = [];
  readonly connections: N8nWorkflow['connections'] = {};

  readonly id: string;
  readonly name: string;

  constructor(id: string, name: string) {
    this.id = id;
    this.name = name;
  }

  add(node: Omit<N8nNode, 'id' | 'position'>, at: [number, number]): string {
    if (this.nodes.some((existing) => existing.name === node.name)) {
      throw new Error(`${this.id}: two nodes named ${node.name}`);
    }
    this.nodes.push({
      id: stableUuid(this.id, node.name),
      ...node,
      position: [at[0] * 240, at[1] * 180],
    });
    return node.name;
  }

  connect(from: string, to: string, output = 0): void {
    const outputs = (this.connections[from] ??= { main: [] }).main;
    while (outputs.length <= output) outputs.push([]);
    outputs[output]!.push({ node: to, type: 'main', index: 0 });
  }

  build(): N8nWorkflow {
    return {
      id: this.id,
      name: this.name,
      active: false,
      nodes: this.nodes,
      connections: this.connections,
      settings: {
        executionOrder: 'v1',
        ...(this.id === ERROR_WORKFLOW_ID ? {} : { errorWorkflow: ERROR_WORKFLOW_ID }),
        callerPolicy: 'workflowsFromSameOwner',
      },
      pinData: {},
      meta: { templateCredsSetupCompleted: true, generatedBy: 'n8n/build' },
      tags: [],
    };
  }
}

/** n8n splits expressions on `{{` and `}}`: a `}}` inside one would end it early. */
export function expr(code: string): string {
  if (code.includes('}}') || code.includes('{{')) throw new Error(`expression contains {{ or }}: ${code}`);
  return `={{ ${code} }}`;
}
