import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** The repository root (this file is test/waha/support/openapi.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** WAHA's own spec, 2026.7.1, kept next to the repo. */
export const SPEC_PATH = path.resolve(REPO_ROOT, '..', 'shared', 'waha', 'openapi.json');

type Json = Record<string, unknown>;
export interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}
export interface Spec {
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: Json }> } } }>;
  components: { schemas: Record<string, Json> };
}

export function loadSpec(): Spec {
  return JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;
}

/**
 * Where WAHA itself does not do what its spec says, the simulator does what WAHA does and
 * the departure is listed here, with the reason. The conformance test checks that each one
 * is still in the spec, so this list cannot outlive the spec bug it works around.
 */
export const WAHA_DEPARTURES = [
  {
    schema: 'WAMessage',
    notRequired: 'participant',
    why: 'WAHA sets it only for group messages (the spec describes it as "For groups")',
  },
  {
    schema: 'WAMessage',
    notRequired: 'mediaUrl',
    why: 'deprecated in favour of media.url; WAHA leaves it out of messages without media',
  },
  {
    schema: 'WAMessageAckBody',
    notRequired: 'participant',
    why: 'WAHA sets it only for group messages',
  },
  {
    schema: 'WAMessageEditedBody',
    notRequired: 'participant',
    why: 'a WAMessage: WAHA sets it only for group messages',
  },
  {
    schema: 'WAMessageEditedBody',
    notRequired: 'mediaUrl',
    why: 'a WAMessage: WAHA leaves it out of messages without media',
  },
] as const;

/**
 * Where WAHA sends null for a property its spec types as non-null. The conformance test checks
 * each is still in the spec and still non-null there.
 */
export const WAHA_NULLABLE = [
  {
    schema: 'WAMedia',
    property: 'url',
    why: 'null when WAHA could not download the file (media.error says why)',
  },
  {
    schema: 'WAMedia',
    property: 'filename',
    why: "null for media that has no file name (an image, a voice note), as WAHA's docs show",
  },
  {
    schema: 'WAMedia',
    property: 'error',
    why: "null when the download worked, as WAHA's docs show",
  },
  {
    schema: 'WAMessageRevokedBody',
    property: 'before',
    why: "null in most cases (NOWEB and GOWS always), as WAHA's docs say",
  },
  {
    schema: 'LidToPhoneNumber',
    property: 'pn',
    why: "null when the LID's phone number is not known (WAHA's docs: lids API, not found)",
  },
  {
    schema: 'LidToPhoneNumber',
    property: 'lid',
    why: "null when the phone number's LID is not known (WAHA's docs: lids API, not found)",
  },
] as const;

/**
 * Operations whose 2xx body is not the schema the spec declares: the engine's own object
 * passes through. The conformance test checks the body really does not match.
 */
export const WAHA_ENGINE_ANSWERS = [
  {
    operation: 'POST /api/sendText',
    engines: ['WEBJS', 'NOWEB'],
    why: 'whatsapp-web.js and Baileys answer with their own message objects, not a WAMessage',
  },
  {
    operation: 'GET /api/{session}/groups',
    engines: ['WEBJS', 'NOWEB', 'GOWS'],
    why: "a list (limit/offset/sortBy) of the engine's own group objects; the spec says an object",
  },
  {
    operation: 'PUT /api/reaction',
    engines: ['WEBJS'],
    why: "whatsapp-web.js's react() resolves to nothing: WAHA answers 200 with no body",
  },
] as const;

/** WAHA routes its spec does not list; the simulator answers them as WAHA does. */
export const WAHA_OUTSIDE_SPEC = [
  {
    operation: 'GET /api/files/{session}/{filename}',
    why: "WAHA's static file server for saved media (media.url), behind the API key like /api",
  },
] as const;

/**
 * The spec is OpenAPI 3.1 written by NestJS' generator with 3.0 habits. To read it as JSON
 * Schema 2020-12 these mechanical fixes are applied (none changes what a field means):
 * 1. `nullable: true` (3.0) becomes a `"null"` member of `type`;
 * 2. `required: true` on a property (invalid) moves into its parent's `required` list;
 * 3. `type: "object"` with an all-string `enum` (every WAHAWebhook*.event) becomes `type: "string"`;
 * 4. `WebhookConfig.events` items are declared objects but are event names: strings;
 * 5. `#/components/schemas/X` refs point into `$defs` of one schema document (`waha`);
 * 6. a property typed `object` whose default is a string (VoiceRemoteFile's and
 *    VideoRemoteFile's `mimetype` and `filename`) is a string.
 */
export function normalizedSchemas(spec: Spec): Record<string, Json> {
  const schemas = structuredClone(spec.components.schemas);
  for (const schema of Object.values(schemas)) fix(schema);
  const events = ((schemas.WebhookConfig as Json).properties as Json).events as Json;
  events.items = { type: 'string' };
  for (const departure of WAHA_DEPARTURES) {
    const schema = schemas[departure.schema] as Json;
    schema.required = (schema.required as string[]).filter((r) => r !== departure.notRequired);
  }
  for (const departure of WAHA_NULLABLE) {
    const properties = (schemas[departure.schema] as Json).properties as Record<string, Json>;
    properties[departure.property] = { anyOf: [properties[departure.property], { type: 'null' }] };
  }
  return schemas;
}

function fix(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(fix);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Json;
  if (typeof schema.$ref === 'string')
    schema.$ref = schema.$ref.replace('#/components/schemas/', 'waha#/$defs/');
  if (
    schema.type === 'object' &&
    Array.isArray(schema.enum) &&
    schema.enum.every((v) => typeof v === 'string')
  ) {
    schema.type = 'string';
  }
  if (schema.type === 'object' && typeof schema.default === 'string') schema.type = 'string';
  if (schema.nullable === true) {
    delete schema.nullable;
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    else if (!schema.type && !schema.$ref)
      schema.type = ['string', 'number', 'boolean', 'object', 'array', 'null'];
    if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
  }
  const properties = schema.properties as Record<string, Json> | undefined;
  if (properties && typeof properties === 'object') {
    for (const [name, property] of Object.entries(properties)) {
      if (property && property.required === true) {
        delete property.required;
        schema.required = [...new Set([...((schema.required as string[] | undefined) ?? []), name])];
      }
    }
  }
  for (const value of Object.values(schema)) fix(value);
}

export interface SpecValidator {
  spec: Spec;
  schemas: Record<string, Json>;
  /** Errors of `data` against an inline spec schema (refs into components allowed); [] when valid. */
  errors(schema: Json, data: unknown): string[];
  /** Errors of `data` against `components.schemas[name]`. */
  errorsFor(name: string, data: unknown): string[];
  operation(method: string, specPath: string): Operation;
}

export function createSpecValidator(spec = loadSpec()): SpecValidator {
  const schemas = normalizedSchemas(spec);
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: 'waha', $defs: schemas });
  const cache = new Map<string, ReturnType<Ajv2020['compile']>>();

  const compile = (schema: Json) => {
    const key = JSON.stringify(schema);
    let validate = cache.get(key);
    if (!validate) {
      const copy = structuredClone(schema);
      fix(copy);
      validate = ajv.compile(copy);
      cache.set(key, validate);
    }
    return validate;
  };
  const errors = (schema: Json, data: unknown) => {
    const validate = compile(schema);
    return validate(data)
      ? []
      : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  };

  return {
    spec,
    schemas,
    errors,
    errorsFor: (name, data) => errors({ $ref: `#/components/schemas/${name}` }, data),
    operation(method, specPath) {
      const op = spec.paths[specPath]?.[method.toLowerCase()];
      if (!op) throw new Error(`the spec has no ${method} ${specPath}`);
      return op;
    },
  };
}
