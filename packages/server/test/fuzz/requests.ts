/**
 * Requests for one route of the SDK's tables: its path parameters, query and body generated from
 * its zod schemas (valid-shaped, mutated, hostile), sent by any kind of caller, in well-formed and
 * odd encodings (wrong content types, invalid UTF-8, truncated JSON, bodies over the limit, bad
 * multipart, malformed percent-encoding in the path and the query).
 */
import type { RouteDef } from '@marquee/sdk/protocol';
import fc from 'fast-check';
import { CALLERS, MAX_BODY_BYTES, SERIAL, type Caller } from './harness';
import { fuzzedValues, hostileStrings, toJsonText, validValues } from './values';

export interface FuzzRequest {
  readonly caller: Caller;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
  /** How the request was made odd (`valid` when it was not). */
  readonly encoding: string;
  /** False when the path or query was made malformed (the route may then not match at all). */
  readonly routable: boolean;
}

/** Path segments no decoder should choke on. */
const MALFORMED_SEGMENTS = [
  '%',
  '%2',
  '%zz',
  '%c3%28',
  '%ff%fe',
  '%ed%a0%80',
  '%00',
  '%2e%2e',
  '..',
  '%2f..%2f..%2fetc%2fpasswd',
  '%25',
  '\u00ff\u00fe',
  'a%',
  '%u0041',
];

/**
 * Percent-encodes the UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD's bytes, as any
 * UTF-8 encoder writes it; `encodeURIComponent` would throw).
 */
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A path parameter: a valid value of its schema, a hostile string, or a malformed segment. */
function paramValue(
  schema: unknown,
  name: string,
): fc.Arbitrary<{ text: string; routable: boolean }> {
  const encoded = (value: unknown) => ({ text: percentEncode(String(value)), routable: true });
  const fromSchema =
    schema === undefined
      ? fc.string({ minLength: 1, maxLength: 12 }).map(encoded)
      : validValues(schema as never).map(encoded);
  const known = fc
    .constantFrom(...(name === 'sn_number' ? [SERIAL] : ['1', '2', '3']))
    .map(encoded);
  return fc.oneof(
    { weight: 4, arbitrary: fromSchema },
    { weight: 2, arbitrary: known },
    {
      weight: 2,
      arbitrary: hostileStrings.filter((s) => s !== '').map(encoded),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...MALFORMED_SEGMENTS).map((text) => ({ text, routable: false })),
    },
  );
}

function pathArbitrary(route: RouteDef): fc.Arbitrary<{ path: string; routable: boolean }> {
  const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
  if (names.length === 0) return fc.constant({ path: route.path, routable: true });
  const shape = route.params?.shape ?? {};
  return fc.tuple(...names.map((name) => paramValue(shape[name], name))).map((values) => {
    let path = route.path;
    names.forEach((name, i) => (path = path.replace(`{${name}}`, values[i]?.text ?? '')));
    return { path, routable: values.every((value) => value.routable) };
  });
}

const MALFORMED_QUERIES = [
  '?%',
  '?a=%zz',
  '?%ff=%fe',
  '?sn_number=%00',
  '?limit=1&limit=2',
  '?limit[]=1',
  '?__proto__=1',
  '?constructor=x&hasOwnProperty=1',
  '?&&&=&=',
  `?q=${'x'.repeat(8000)}`,
];

function queryArbitrary(route: RouteDef): fc.Arbitrary<{ query: string; routable: boolean }> {
  const generated = (route.query === undefined ? fc.constant({}) : fuzzedValues(route.query)).map(
    (value) => {
      const params = new URLSearchParams();
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [key, each] of Object.entries(value)) {
          // Cut short: Node refuses a request line over 16 KB (431) before any route sees it.
          params.append(key, (typeof each === 'string' ? each : toJsonText(each)).slice(0, 1500));
        }
      }
      const text = params.toString();
      return { query: text === '' ? '' : `?${text}`, routable: true };
    },
  );
  return fc.oneof(
    { weight: 6, arbitrary: generated },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...MALFORMED_QUERIES).map((query) => ({ query, routable: false })),
    },
  );
}

interface Body {
  readonly body: Buffer | undefined;
  readonly contentType: string | undefined;
  readonly encoding: string;
}

const json = (text: string, encoding: string, contentType = 'application/json'): Body => ({
  body: Buffer.from(text, 'utf8'),
  contentType,
  encoding,
});

const BAD_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=zz',
  'application/jsonx',
  'application/json, text/plain',
  'APPLICATION/JSON',
  '*/*',
  ';;;',
];

/** Odd encodings every route gets, whatever its body kind. */
function oddBodies(valid: fc.Arbitrary<unknown>): fc.Arbitrary<Body> {
  return fc.oneof(
    fc.constant<Body>({ body: undefined, contentType: undefined, encoding: 'no body' }),
    fc.constant(json('', 'empty json')),
    fc.tuple(valid, fc.nat()).map(([value, cut]) => {
      const text = toJsonText(value);
      return json(text.slice(0, cut % Math.max(1, text.length)), 'truncated json');
    }),
    fc
      .tuple(valid, fc.constantFrom(...BAD_CONTENT_TYPES))
      .map(([value, type]) => json(toJsonText(value), `content-type ${type}`, type)),
    fc
      .constantFrom(
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('{"a":"\\ud800"}'),
        Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
        Buffer.from([0x00, 0x7b, 0x7d]),
      )
      .map((body) => ({ body, contentType: 'application/json', encoding: 'invalid utf-8' })),
    fc.constant(json(`{"a":"${'x'.repeat(MAX_BODY_BYTES + 10)}"}`, 'over the body limit')),
  );
}

function jsonBodies(route: RouteDef): fc.Arbitrary<Body> {
  const values = fuzzedValues(route.body);
  const valid = route.body === undefined ? fc.jsonValue({ maxDepth: 2 }) : validValues(route.body);
  const bodies: fc.WeightedArbitrary<Body>[] = [
    { weight: 6, arbitrary: values.map((value) => json(toJsonText(value), 'json')) },
    { weight: 2, arbitrary: oddBodies(valid) },
  ];
  if (route.bodyKind === 'json-or-form') {
    bodies.push({
      weight: 1,
      arbitrary: values.map((value) => {
        const params = new URLSearchParams();
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          for (const [key, each] of Object.entries(value)) params.append(key, toJsonText(each));
        }
        return json(params.toString(), 'form', 'application/x-www-form-urlencoded');
      }),
    });
  }
  return fc.oneof(...bodies);
}

/** A multipart body: the route's fields (fuzzed) and a file part, or a broken envelope. */
function multipartBodies(route: RouteDef): fc.Arbitrary<Body> {
  const fileField = route.path.includes('screenshot') ? 'image_file' : 'file';
  const boundary = 'fuzzBoundary7MA4YWxkTrZu0gW';
  const part = (name: string, value: string | Buffer, filename?: string) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"` +
          (filename === undefined ? '' : `; filename="${filename}"\r\nContent-Type: image/jpeg`) +
          '\r\n\r\n',
      ),
      Buffer.isBuffer(value) ? value : Buffer.from(value),
      Buffer.from('\r\n'),
    ]);
  const fileBytes = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
    fc
      .uint8Array({ maxLength: 512 })
      .map((bytes) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(bytes)])),
    fc
      .uint8Array({ maxLength: 512 })
      .map((bytes) =>
        Buffer.concat([Buffer.from('\u0089PNG\r\n\u001a\n', 'latin1'), Buffer.from(bytes)]),
      ),
    fc.constant(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')),
  );
  const fields = fuzzedValues(route.body);
  const wellFormed = fc
    .tuple(
      fields,
      fileBytes,
      fc.oneof(hostileStrings, fc.constantFrom('shot.jpg', 'a.png', '../../x.jpg')),
      fc.constantFrom(fileField, fileField, 'other', ''),
      fc.boolean(),
    )
    .map(([value, bytes, filename, name, fileFirst]) => {
      const fieldParts: Buffer[] = [];
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [key, each] of Object.entries(value)) {
          fieldParts.push(part(key, typeof each === 'string' ? each : toJsonText(each)));
        }
      }
      const file = part(name, bytes, filename.replace(/["\r\n]/g, '_'));
      const parts = fileFirst ? [file, ...fieldParts] : [...fieldParts, file];
      return {
        body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]),
        contentType: `multipart/form-data; boundary=${boundary}`,
        encoding: 'multipart',
      };
    });
  const broken = fc
    .tuple(
      wellFormed,
      fc.nat(),
      fc.constantFrom(
        'truncated',
        'no boundary',
        'other boundary',
        'garbage headers',
        'two files',
        'no closing',
      ),
    )
    .map(([good, cut, how]): Body => {
      const body = good.body ?? Buffer.alloc(0);
      switch (how) {
        case 'truncated':
          return {
            ...good,
            body: body.subarray(0, cut % Math.max(1, body.length)),
            encoding: 'multipart truncated',
          };
        case 'no boundary':
          return {
            ...good,
            contentType: 'multipart/form-data',
            encoding: 'multipart without boundary',
          };
        case 'other boundary':
          return {
            ...good,
            contentType: 'multipart/form-data; boundary=nope',
            encoding: 'multipart wrong boundary',
          };
        case 'garbage headers':
          return {
            ...good,
            body: Buffer.from(
              `--${boundary}\r\nContent-Disposition: ;;;\r\nX\r\n\r\nzz\r\n--${boundary}--\r\n`,
            ),
            encoding: 'multipart garbage headers',
          };
        case 'two files':
          return {
            ...good,
            body: Buffer.concat([
              part(fileField, Buffer.from('a'), 'a.jpg'),
              part(fileField, Buffer.from('b'), 'b.jpg'),
              Buffer.from(`--${boundary}--\r\n`),
            ]),
            encoding: 'multipart two files',
          };
        case 'no closing':
          return {
            ...good,
            body: body.subarray(0, body.length - boundary.length - 6),
            encoding: 'multipart unterminated',
          };
      }
    });
  return fc.oneof(
    { weight: 4, arbitrary: wellFormed },
    { weight: 3, arbitrary: broken },
    { weight: 1, arbitrary: oddBodies(fc.jsonValue({ maxDepth: 1 })) },
  );
}

function bodyArbitrary(route: RouteDef): fc.Arbitrary<Body> {
  if (route.bodyKind === 'multipart') return multipartBodies(route);
  if (route.body !== undefined) return jsonBodies(route);
  // Routes without a body: mostly none, sometimes one anyway.
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.constant<Body>({ body: undefined, contentType: undefined, encoding: 'valid' }),
    },
    { weight: 1, arbitrary: oddBodies(fc.jsonValue({ maxDepth: 2 })) },
  );
}

/** Requests for `route`. `avoid` lists path values the fuzzer must not hit (fixture accounts). */
export function requestsFor(
  route: RouteDef,
  token: (caller: Caller) => string | undefined,
  avoid: (path: string) => boolean,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      caller: fc.constantFrom(...CALLERS),
      path: pathArbitrary(route).filter(({ path }) => !avoid(path)),
      query: queryArbitrary(route),
      body: bodyArbitrary(route),
    })
    .map(({ caller, path, query, body }) => {
      const headers: Record<string, string> = {};
      const bearer = token(caller);
      if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
      if (body.contentType !== undefined) headers['content-type'] = body.contentType;
      return {
        caller,
        method: route.method,
        path: `${path.path}${query.query}`,
        headers,
        body: body.body,
        encoding: body.encoding,
        routable: path.routable && query.routable,
      };
    });
}

/**
 * Requests to paths no route serves, under `prefix` (`/api/v1/admin/cloud/zz-fuzz-unknown/…`):
 * any method, any caller, any body and encoding. They must be refused in the shape of the surface
 * the prefix belongs to, whatever the body (a malformed or oversized one included).
 */
export function unknownPathRequests(
  prefix: string,
  token: (caller: Caller) => string | undefined,
): fc.Arbitrary<FuzzRequest> {
  const segment = fc.oneof(
    fc.string({ maxLength: 24 }).map(percentEncode),
    hostileStrings.map(percentEncode),
    fc.constantFrom(...MALFORMED_SEGMENTS),
  );
  const body = fc.oneof(
    fuzzedValues(undefined).map((value) => json(toJsonText(value), 'json')),
    oddBodies(fc.jsonValue({ maxDepth: 2 })),
  );
  return fc
    .record({
      caller: fc.constantFrom(...CALLERS),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
      segment,
      body,
    })
    .map(({ caller, method, segment: tail, body: { body: bytes, contentType, encoding } }) => {
      const headers: Record<string, string> = {};
      const bearer = token(caller);
      if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
      if (contentType !== undefined) headers['content-type'] = contentType;
      const separator = prefix.endsWith('/') ? '' : '/';
      return {
        caller,
        method,
        path: `${prefix}${separator}zz-fuzz-unknown/${tail}`,
        headers,
        body: method === 'GET' ? undefined : bytes,
        encoding: method === 'GET' ? 'no body' : encoding,
        routable: false,
      };
    });
}
