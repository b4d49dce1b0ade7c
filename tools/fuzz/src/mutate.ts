/**
 * Requests for one operation: valid ones (from the schemas) and mutated ones — each field replaced by
 * a wrong type, a boundary number, a huge or odd string; fields missing or extra; the whole body of
 * another shape, truncated, or of another content type; hostile images; hostile headers and path
 * parameters. Every request is labelled with its kind, so the report counts them.
 */
import fc, { type Arbitrary } from 'fast-check';
import { type OpenApiDocument, type Operation, type Samples, arbitraryOf, resolve } from './schema.js';

export interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Whether the request is meant to be valid (it may still be refused by a stricter check). */
  valid: boolean;
}

export interface Images {
  jpeg: Uint8Array;
  png: Uint8Array;
}

const BOUNDARY_NUMBERS = [0, -1, -0, 1e308, -1e308, 5e-324, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 0.5, 1e21];
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\u202eevil',
  '../../../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '%00%0d%0a',
  '{{7*7}}${7*7}',
  '__proto__',
  'constructor',
  '2026-W01-1',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.000Z',
  'NaN',
  '1e400',
  '😀'.repeat(200),
  'Ｘ'.repeat(1000),
];
const HUGE = 'A'.repeat(100_000);

/** A value of another kind than the field's: what the validation must refuse. */
export const hostileValue: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...BOUNDARY_NUMBERS),
  fc.constantFrom(...ODD_STRINGS),
  fc.constant(HUGE),
  fc.constantFrom(true, false, null, [], {}, [1, 'a'], { $gt: '' }, { __proto__: { admin: true } }),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
);

function hostileImages(images: Images): Uint8Array[] {
  const jpeg = images.jpeg;
  const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff);
  const pngBomb = new Uint8Array(images.png); // claims 100000×100000 pixels
  new DataView(pngBomb.buffer).setUint32(16, 100_000);
  new DataView(pngBomb.buffer).setUint32(20, 100_000);
  return [
    jpeg.slice(0, Math.floor(jpeg.length / 2)), // truncated
    new Uint8Array([...jpeg.slice(0, 2), ...garbage, 0xff, 0xd9]), // start and end markers, corrupt body
    pngBomb,
    new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"></svg>'),
    new TextEncoder().encode('GIF89a\x01\x00\x01\x00\x00\x00\x00;'),
    new Uint8Array([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), // TIFF header
    new Uint8Array(0),
    garbage,
  ];
}

const HOSTILE_HEADERS: Record<string, string>[] = [
  { authorization: 'Bearer' },
  { authorization: `Bearer ${'A'.repeat(8000)}` },
  { authorization: 'Basic YWRtaW46YWRtaW4=' },
  { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJjb2xsZWN0b3IifQ.' },
  { authorization: 'Bearer a.b.c' },
  { cookie: 'am_session=eyJhbGciOiJub25lIn0.eyJyb2xlIjoib3BlcmF0b3IifQ.' },
  { cookie: `am_session=${'x'.repeat(4000)}` },
  { 'x-forwarded-for': '127.0.0.1, ::1, 999.999.999.999' },
  { 'x-forwarded-proto': 'gopher' },
  { origin: 'http://evil.example' },
  { accept: 'application/xml;q=2, */*;q=-1' },
  { 'accept-encoding': 'gzip;q=1, br, zstd, x-unknown' },
  { 'x-b3-traceid': 'zz', 'x-b3-spanid': '-1', traceparent: '00-zz-zz-zz' },
  { 'idempotency-key': HUGE.slice(0, 6000) },
  { 'x-big': 'y'.repeat(7000) },
];
const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'image/svg+xml',
  'image/gif',
  'application/octet-stream',
];

export interface OperationContext {
  doc: OpenApiDocument;
  path: string;
  method: string;
  op: Operation;
  samples: Samples;
  images: Images;
}

/** A string a URL can carry: lone surrogates replaced (String.prototype.toWellFormed, ES2024). */
function wellFormed(text: string): string {
  return (text as unknown as { toWellFormed(): string }).toWellFormed();
}

function setAt(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  return { ...target, [key]: value };
}

/** The path with its parameters filled from the schema (or given values). */
function fillPath(ctx: OperationContext, values: Record<string, unknown>): string {
  return ctx.path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
    encodeURIComponent(wellFormed(String(values[name] ?? '1'))),
  );
}

/** Every kind of request for one operation, as one arbitrary. */
export function requestsFor(ctx: OperationContext): Arbitrary<FuzzRequest> {
  const { doc, op, samples } = ctx;
  const method = ctx.method.toUpperCase();
  const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
  const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
  const paramValue = (p: { name: string; schema?: unknown }) =>
    p.name === 'id' && ctx.path.includes('persons')
      ? fc.uuid()
      : p.name === 'id' || p.name === 'section'
        ? fc.constantFrom('1', '2')
        : arbitraryOf(doc, p.schema as never, samples, p.name);
  const pathArb = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, paramValue(p)])));
  const queryArb = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, paramValue(p)])), {
    requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name),
  });
  const withQuery = (path: string, query: Record<string, unknown>) => {
    const q = Object.entries(query).filter(([, v]) => v !== undefined);
    return q.length
      ? `${path}?${q.map(([k, v]) => `${k}=${encodeURIComponent(wellFormed(String(v)))}`).join('&')}`
      : path;
  };
  const content = op.requestBody?.content ?? {};
  const jsonSchema = content['application/json']?.schema;
  const rawImage = Object.keys(content).some((t) => t.startsWith('image/'));
  const bodySchema = jsonSchema ? resolve(doc, jsonSchema) : undefined;
  const bodyArb: Arbitrary<Record<string, unknown> | undefined> = jsonSchema
    ? (arbitraryOf(doc, jsonSchema, samples) as Arbitrary<Record<string, unknown>>)
    : fc.constant(undefined);
  const base = fc.record({ params: pathArb, query: queryArb, body: bodyArb });
  const json = (body: unknown) => (body === undefined ? undefined : JSON.stringify(body));
  const jsonHeaders = (body: unknown): Record<string, string> =>
    body === undefined ? {} : { 'content-type': 'application/json' };

  const valid = base.map(({ params, query, body }): FuzzRequest => ({
    kind: 'valid',
    method,
    path: withQuery(fillPath(ctx, params), query),
    headers: jsonHeaders(body),
    body: json(body),
    valid: true,
  }));
  const kinds: { arbitrary: Arbitrary<FuzzRequest>; weight: number }[] = [{ arbitrary: valid, weight: 3 }];

  const keys = Object.keys(bodySchema?.properties ?? {});
  if (jsonSchema && keys.length) {
    kinds.push({
      weight: 4,
      arbitrary: fc
        .record({ r: base, key: fc.constantFrom(...keys), value: hostileValue })
        .map(({ r, key, value }) => ({
          kind: 'field-mutated',
          method,
          path: withQuery(fillPath(ctx, r.params), r.query),
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(setAt(r.body ?? {}, key, value)),
          valid: false,
        })),
    });
    kinds.push({
      weight: 2,
      arbitrary: fc.record({ r: base, key: fc.constantFrom(...keys) }).map(({ r, key }) => {
        const body = { ...(r.body ?? {}) };
        delete body[key];
        return {
          kind: 'field-missing',
          method,
          path: withQuery(fillPath(ctx, r.params), r.query),
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          valid: !(bodySchema?.required ?? []).includes(key),
        };
      }),
    });
    kinds.push({
      weight: 1,
      arbitrary: fc
        .record({
          r: base,
          extra: fc.constantFrom('__proto__', 'constructor', 'isAdmin', 'x'.repeat(300)),
          value: hostileValue,
        })
        .map(({ r, extra, value }) => {
          const text = JSON.stringify(r.body ?? {});
          return {
            kind: 'field-extra',
            method,
            path: withQuery(fillPath(ctx, r.params), r.query),
            headers: { 'content-type': 'application/json' },
            body: `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(extra)}:${JSON.stringify(value ?? null)}}`,
            valid: false,
          };
        }),
    });
  }
  if (jsonSchema) {
    kinds.push({
      weight: 2,
      arbitrary: fc
        .record({
          r: base,
          shape: fc.constantFrom('[]', 'null', '"x"', '1', 'true', '{', '{"a":', '', '{}'.repeat(3), '['.repeat(5000)),
          truncate: fc.boolean(),
        })
        .map(({ r, shape, truncate }) => {
          const text = JSON.stringify(r.body ?? {});
          return {
            kind: truncate ? 'body-truncated' : 'body-shape',
            method,
            path: withQuery(fillPath(ctx, r.params), r.query),
            headers: { 'content-type': 'application/json' },
            body: truncate ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : shape,
            valid: false,
          };
        }),
    });
    kinds.push({
      weight: 1,
      arbitrary: fc.record({ r: base, type: fc.constantFrom(...CONTENT_TYPES) }).map(({ r, type }) => ({
        kind: 'content-type',
        method,
        path: withQuery(fillPath(ctx, r.params), r.query),
        headers: { 'content-type': type },
        body: JSON.stringify(r.body ?? {}),
        valid: false,
      })),
    });
  }
  const images = hostileImages(ctx.images);
  if (keys.includes('image') || keys.includes('images') || rawImage) {
    kinds.push({
      weight: 2,
      arbitrary: fc
        .record({ r: base, image: fc.constantFrom(...images), raw: fc.boolean() })
        .map(({ r, image, raw }) => {
          const b64 = Buffer.from(image).toString('base64');
          const asRaw = rawImage && (raw || !jsonSchema);
          const body = asRaw
            ? image
            : JSON.stringify(
                keys.includes('images') ? { ...(r.body ?? {}), images: [b64] } : { ...(r.body ?? {}), image: b64 },
              );
          return {
            kind: 'hostile-image',
            method,
            path: withQuery(fillPath(ctx, r.params), r.query),
            headers: { 'content-type': asRaw ? 'image/jpeg' : 'application/json' },
            body,
            valid: false,
          };
        }),
    });
  }
  if (pathParams.length || queryParams.length) {
    kinds.push({
      weight: 1,
      arbitrary: fc
        .record({
          r: base,
          value: fc.constantFrom(...ODD_STRINGS.filter(Boolean), '-1', '1e9', HUGE.slice(0, 3000)),
          inQuery: fc.boolean(),
        })
        .map(({ r, value, inQuery }) => {
          const param = (inQuery ? queryParams : pathParams)[0] ?? pathParams[0] ?? queryParams[0];
          const isPath = pathParams.includes(param);
          const params = isPath ? { ...r.params, [param.name]: value } : r.params;
          const query = isPath ? r.query : { ...r.query, [param.name]: value };
          return {
            kind: 'param-mutated',
            method,
            path: withQuery(fillPath(ctx, params), query),
            headers: jsonHeaders(r.body),
            body: json(r.body),
            valid: false,
          };
        }),
    });
  }
  kinds.push({
    weight: 1,
    arbitrary: fc.record({ r: base, headers: fc.constantFrom(...HOSTILE_HEADERS) }).map(({ r, headers }) => ({
      kind: 'hostile-headers',
      method,
      path: withQuery(fillPath(ctx, r.params), r.query),
      headers: { ...jsonHeaders(r.body), ...headers },
      body: json(r.body),
      valid: false,
    })),
  });
  return fc.oneof(...kinds);
}
