/**
 * fast-check arbitraries from the JSON schemas of an OpenAPI document: values that satisfy the schema
 * (types, enums, bounds, lengths, required properties, `nullable`), preferring the documented
 * `example`s and the system's formats (ids, timestamps, base64 images), so many reach the handlers.
 */
import fc, { type Arbitrary } from 'fast-check';

export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  nullable?: boolean;
  format?: string;
  example?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  description?: string;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  operationId: string;
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
  responses: Record<string, unknown>;
  security?: unknown[];
}

/** Values the system's fields take (by property name), so a generated body is often accepted. */
export interface Samples {
  /** A small real JPEG, base64. */
  jpegBase64: string;
  cameraId: string;
  section: string;
}

export function resolve(doc: OpenApiDocument, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let i = 0; s.$ref && i < 16; i++) s = doc.components?.schemas?.[s.$ref.split('/').pop()!] ?? {};
  if (s.allOf) return Object.assign({}, ...s.allOf.map((p) => resolve(doc, p)));
  return s;
}

/** A recent RFC 3339 timestamp (what a camera sends). */
const recentTimestamp = fc.integer({ min: -60_000, max: 0 }).map((d) => new Date(Date.now() + d).toISOString());

function byName(name: string, samples: Samples): Arbitrary<unknown> | undefined {
  switch (name) {
    case 'timestamp':
      return recentTimestamp;
    case 'frameId':
      return fc.integer({ min: 1, max: 2 ** 40 }).map((seq) => `${samples.cameraId}:${seq}`);
    case 'cameraId':
      return fc.constant(samples.cameraId);
    case 'section':
      return fc.constant(samples.section);
    case 'image':
      return fc.constant(samples.jpegBase64);
    case 'images':
      return fc.constant([samples.jpegBase64]);
    case 'seq':
      return fc.integer({ min: 1, max: 2 ** 40 });
    default:
      return undefined;
  }
}

export function arbitraryOf(
  doc: OpenApiDocument,
  raw: Schema | undefined,
  samples: Samples,
  name = '',
  depth = 0,
): Arbitrary<unknown> {
  const schema = resolve(doc, raw);
  const named = byName(name, samples);
  let arb: Arbitrary<unknown>;
  if (named) arb = named;
  else if (schema.enum?.length) arb = fc.constantFrom(...schema.enum);
  else if (schema.oneOf?.length || schema.anyOf?.length)
    arb = fc.oneof(...(schema.oneOf ?? schema.anyOf)!.map((s) => arbitraryOf(doc, s, samples, name, depth + 1)));
  else {
    switch (schema.type) {
      case 'integer':
        arb = fc.integer({
          min: Math.ceil(schema.minimum ?? 0),
          max: Math.floor(Math.min(schema.maximum ?? 10_000, 2 ** 31)),
        });
        break;
      case 'number':
        arb = fc.double({
          min: schema.minimum ?? 0,
          max: schema.maximum ?? 10_000,
          noNaN: true,
          noDefaultInfinity: true,
        });
        break;
      case 'boolean':
        arb = fc.boolean();
        break;
      case 'array':
        arb =
          depth > 4
            ? fc.constant([])
            : fc.array(arbitraryOf(doc, schema.items, samples, name, depth + 1), {
                minLength: schema.minItems ?? 0,
                maxLength: Math.min(schema.maxItems ?? 4, 4),
              });
        break;
      case 'object':
      case undefined:
        if (schema.properties) {
          const required = new Set(schema.required ?? []);
          const record: Record<string, Arbitrary<unknown>> = {};
          for (const [key, prop] of Object.entries(schema.properties))
            record[key] = arbitraryOf(doc, prop, samples, key, depth + 1);
          arb = fc.record(record, { requiredKeys: [...required].filter((k) => k in record) });
        } else if (schema.type === 'object') {
          arb = fc.constant({});
        } else {
          arb = fc.constant(undefined);
        }
        break;
      default: {
        // string
        const example = typeof schema.example === 'string' ? fc.constant(schema.example) : undefined;
        const free = fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 24, 64) });
        arb = example ? fc.oneof({ arbitrary: example, weight: 3 }, { arbitrary: free, weight: 1 }) : free;
      }
    }
  }
  return schema.nullable ? fc.oneof({ arbitrary: arb, weight: 4 }, { arbitrary: fc.constant(null), weight: 1 }) : arb;
}
