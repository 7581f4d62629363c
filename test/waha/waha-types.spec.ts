import path from 'node:path';

import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

import { loadSpec, normalizedSchemas, REPO_ROOT } from './support/openapi.js';

/**
 * Proves src/waha/waha.types.ts, the overlay over the types generated from WAHA's spec
 * (src/waha/generated/, `npm run waha:types`), with the TypeScript compiler:
 * - against the spec: every property of each type exists in its `components.schemas` entry,
 *   with the same required-ness and the same JSON type (literal unions within the spec's
 *   enum), the spec read with WAHA's known departures (test/waha/support/openapi.ts). A type
 *   may be wider only by `null` (reading tolerantly what WAHA sends);
 * - against the generated types: each type is the generated one except for the properties
 *   listed in OVERLAY_DEPARTURES, and each listed property does differ, so the list says
 *   exactly where the overlay departs.
 * That the generated files match the spec is `npm run waha:check`.
 */
const TYPES_FILE = path.join(REPO_ROOT, 'src', 'waha', 'waha.types.ts');
const GENERATED_FILE = path.join(REPO_ROOT, 'src', 'waha', 'generated', 'types.gen.ts');

/** TypeScript declaration → the spec schema it mirrors. */
const MIRRORS: Record<string, string> = {
  MeInfo: 'MeInfo',
  HmacConfiguration: 'HmacConfiguration',
  RetriesConfiguration: 'RetriesConfiguration',
  CustomHeader: 'CustomHeader',
  WebhookConfig: 'WebhookConfig',
  SessionConfig: 'SessionConfig',
  SessionCreateRequest: 'SessionCreateRequest',
  SessionUpdateRequest: 'SessionUpdateRequest',
  SessionDTO: 'SessionDTO',
  SessionInfo: 'SessionInfo',
  QRCodeValue: 'QRCodeValue',
  Base64File: 'Base64File',
  RequestCodeRequest: 'RequestCodeRequest',
  MessageTextRequest: 'MessageTextRequest',
  ChatRequest: 'ChatRequest',
  SendSeenRequest: 'SendSeenRequest',
  WAMessage: 'WAMessage',
  WAMessageAckBody: 'WAMessageAckBody',
  WANumberExistResult: 'WANumberExistResult',
  ChatSummary: 'ChatSummary',
  WorkerInfo: 'WorkerInfo',
  WAHAEnvironment: 'WAHAEnvironment',
  ServerStatusResponse: 'ServerStatusResponse',
  PingResponse: 'PingResponse',
  SessionStatusPoint: 'SessionStatusPoint',
  WASessionStatusBody: 'WASessionStatusBody',
  WAHAWebhookSessionStatus: 'WAHAWebhookSessionStatus',
  WAHAWebhookMessage: 'WAHAWebhookMessage',
  WAHAWebhookMessageAny: 'WAHAWebhookMessageAny',
  WAHAWebhookMessageAck: 'WAHAWebhookMessageAck',
};

/**
 * The properties where the overlay is not the generated type, each for a reason given in
 * waha.types.ts: WAHA departs from its spec, or a departure is carried into a type that holds
 * it (a SessionConfig holds WebhookConfigs, a webhook's payload is a WAMessage).
 */
const OVERLAY_DEPARTURES: Record<string, string[]> = {
  WebhookConfig: ['events'],
  SessionConfig: ['metadata', 'webhooks'],
  SessionCreateRequest: ['config'],
  SessionUpdateRequest: ['config'],
  SessionDTO: ['config'],
  SessionInfo: ['config', 'presence'],
  WAMessage: ['participant', 'mediaUrl'],
  WAMessageAckBody: ['participant'],
  ChatSummary: ['lastMessage'],
  WAHAWebhookSessionStatus: ['event', 'metadata'],
  WAHAWebhookMessage: ['event', 'metadata', 'payload'],
  WAHAWebhookMessageAny: ['event', 'metadata', 'payload'],
  WAHAWebhookMessageAck: ['event', 'metadata', 'payload'],
};

type JsonSchema = {
  $ref?: string;
  allOf?: JsonSchema[];
  type?: string | string[];
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

interface Shape {
  kinds: Set<string>;
  literals: unknown[];
  items?: Shape;
}

const schemas = normalizedSchemas(loadSpec()) as Record<string, JsonSchema>;
const program = ts.createProgram([TYPES_FILE], { strict: true, noEmit: true, skipLibCheck: true });
const checker = program.getTypeChecker();
const source = program.getSourceFile(TYPES_FILE) as ts.SourceFile;
const generated = program.getSourceFile(GENERATED_FILE) as ts.SourceFile;

function declarationType(name: string, file = source): { type: ts.Type; node: ts.Node } {
  let found: ts.Node | undefined;
  ts.forEachChild(file, (node) => {
    if ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && node.name.text === name)
      found = node;
  });
  if (!found) throw new Error(`${name} is not declared in ${path.basename(file.fileName)}`);
  const decl = found as ts.InterfaceDeclaration | ts.TypeAliasDeclaration;
  return { type: checker.getTypeAtLocation(decl.name), node: decl };
}

function tsShape(type: ts.Type): Shape {
  const shape: Shape = { kinds: new Set(), literals: [] };
  const parts = type.isUnion() ? type.types : [type];
  for (const part of parts) {
    const f = part.flags;
    if (f & ts.TypeFlags.Undefined) continue;
    if (f & ts.TypeFlags.Null) shape.kinds.add('null');
    else if (part.isStringLiteral()) {
      shape.kinds.add('string');
      shape.literals.push(part.value);
    } else if (part.isNumberLiteral()) {
      shape.kinds.add('number');
      shape.literals.push(part.value);
    } else if (f & ts.TypeFlags.BooleanLike) shape.kinds.add('boolean');
    else if (
      f & ts.TypeFlags.StringLike ||
      (part.isIntersection() && part.types.some((t) => t.flags & ts.TypeFlags.String))
    )
      shape.kinds.add('string');
    else if (f & ts.TypeFlags.NumberLike) shape.kinds.add('number');
    else if (checker.isArrayType(part)) {
      shape.kinds.add('array');
      const [element] = checker.getTypeArguments(part as ts.TypeReference);
      if (element) shape.items = tsShape(element);
    } else if (f & ts.TypeFlags.Object) shape.kinds.add('object');
    else shape.kinds.add(`unknown:${checker.typeToString(part)}`);
  }
  return shape;
}

function resolve(schema: JsonSchema): JsonSchema {
  if (schema.$ref) return resolve(schemas[schema.$ref.replace('waha#/$defs/', '')] as JsonSchema);
  if (schema.allOf?.length === 1 && !schema.type) return resolve(schema.allOf[0] as JsonSchema);
  return schema;
}

function specShape(raw: JsonSchema): Shape | null {
  const schema = resolve(raw);
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const shape: Shape = { kinds: new Set(types), literals: schema.enum ?? [] };
  if (!types.length && schema.enum)
    for (const v of schema.enum) shape.kinds.add(v === null ? 'null' : typeof v);
  if (!types.length && schema.properties) shape.kinds.add('object');
  if (shape.kinds.size === 0) return null; // the spec says nothing about the type
  if (schema.items) shape.items = specShape(schema.items) ?? undefined;
  return shape;
}

function mismatch(where: string, mine: Shape, spec: Shape): string[] {
  const problems: string[] = [];
  const without = (s: Set<string>) => [...s].filter((k) => k !== 'null').sort();
  if (JSON.stringify(without(mine.kinds)) !== JSON.stringify(without(spec.kinds))) {
    problems.push(`${where}: ${without(mine.kinds).join('|')} vs spec ${without(spec.kinds).join('|')}`);
  }
  if (spec.kinds.has('null') && !mine.kinds.has('null')) problems.push(`${where}: the spec allows null`);
  if (spec.literals.length) {
    for (const literal of mine.literals) {
      if (!spec.literals.includes(literal))
        problems.push(`${where}: ${String(literal)} is not in the spec's enum`);
    }
  }
  if (mine.items && spec.items) problems.push(...mismatch(`${where}[]`, mine.items, spec.items));
  return problems;
}

/** The properties where `mine` is not `theirs`: missing, extra, other optionality or type. */
function differences(
  mine: { type: ts.Type; node: ts.Node },
  theirs: { type: ts.Type; node: ts.Node },
): string[] {
  const props = (t: { type: ts.Type }) =>
    new Map(checker.getPropertiesOfType(t.type).map((p) => [p.getName(), p]));
  const a = props(mine);
  const b = props(theirs);
  const differ: string[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(name);
    const y = b.get(name);
    if (!x || !y) {
      differ.push(name);
      continue;
    }
    const optional = (p: ts.Symbol) => (p.flags & ts.SymbolFlags.Optional) !== 0;
    const tx = checker.getTypeOfSymbolAtLocation(x, mine.node);
    const ty = checker.getTypeOfSymbolAtLocation(y, theirs.node);
    if (
      optional(x) !== optional(y) ||
      !checker.isTypeAssignableTo(tx, ty) ||
      !checker.isTypeAssignableTo(ty, tx)
    )
      differ.push(name);
  }
  return differ.sort();
}

describe('waha.types.ts mirrors the WAHA spec', () => {
  it('compiles', () => {
    const diagnostics = ts.getPreEmitDiagnostics(program, source);
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  });

  it.each(Object.entries(MIRRORS))('%s matches components.schemas.%s', (tsName, schemaName) => {
    const schema = schemas[schemaName];
    expect(schema).toBeDefined();
    const { type, node } = declarationType(tsName);
    const properties = checker.getPropertiesOfType(type);
    expect(properties.length).toBeGreaterThan(0);
    const problems: string[] = [];
    const specProps = (schema as JsonSchema).properties ?? {};
    const required = new Set((schema as JsonSchema).required ?? []);

    for (const property of properties) {
      const name = property.getName();
      const specProperty = specProps[name];
      if (!specProperty) {
        problems.push(`${name}: not in the spec`);
        continue;
      }
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      if (required.has(name) === optional) {
        problems.push(
          `${name}: ${optional ? 'optional' : 'required'} here, ${optional ? 'required' : 'optional'} in the spec`,
        );
      }
      const spec = specShape(specProperty);
      if (spec)
        problems.push(...mismatch(name, tsShape(checker.getTypeOfSymbolAtLocation(property, node)), spec));
    }
    // Everything the spec requires is in the type (a required field can't be left out).
    for (const name of required) {
      if (!properties.some((p) => p.getName() === name))
        problems.push(`${name}: required by the spec, missing here`);
    }
    expect(problems).toEqual([]);
  });

  it.each(Object.entries(MIRRORS))(
    '%s is the generated %s but for its declared departures',
    (tsName, schemaName) => {
      const declared = [...(OVERLAY_DEPARTURES[tsName] ?? [])].sort();
      expect(differences(declarationType(tsName), declarationType(schemaName, generated))).toEqual(declared);
    },
  );

  it('lists departures only of types it checks', () => {
    expect(Object.keys(OVERLAY_DEPARTURES).filter((name) => !(name in MIRRORS))).toEqual([]);
  });

  it('would notice a drift (a wrong type fails the same check)', () => {
    const spec = specShape((schemas.WAMessage as JsonSchema).properties?.ack as JsonSchema) as Shape;
    expect(mismatch('ack', { kinds: new Set(['string']), literals: [] }, spec)).not.toEqual([]);
    expect(mismatch('ack', { kinds: new Set(['number']), literals: [7] }, spec)).not.toEqual([]);
    expect(mismatch('ack', { kinds: new Set(['number']), literals: [-1, 3] }, spec)).toEqual([]);
    // The generated WAMessage is not the overlay's: participant and mediaUrl are required there.
    expect(differences(declarationType('WAMessage', generated), declarationType('WAMessage'))).toEqual([
      'mediaUrl',
      'participant',
    ]);
  });
});
