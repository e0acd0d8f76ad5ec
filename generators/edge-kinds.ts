/**
 * The kinds of edge a generated delivery can carry, and of breakage an invalid one can carry.
 *
 * Every edge keeps the body schema-valid. `zoom` says whether Zoom itself can plausibly send it: a receiver that
 * fails on a plausible edge fails for real (a MUST finding); an implausible one is hostile-but-valid input (a
 * SHOULD finding) and carries the rationale for still caring.
 */

export interface EdgeKind {
  id: string;
  title: string;
  /** True when Zoom itself can send this (users type it, Zoom omits or adds fields, ids reach this range). */
  zoom: boolean;
  rationale: string;
}

function kinds<const T extends Record<string, Omit<EdgeKind, 'id'>>>(table: T): { [K in keyof T]: EdgeKind } {
  return Object.fromEntries(Object.entries(table).map(([id, kind]) => [id, { id, ...kind }])) as { [K in keyof T]: EdgeKind };
}

export const EDGE_KINDS = kinds({
  'number.zero': { title: 'zero in a numeric field', zoom: true, rationale: 'Durations, counts and sizes are 0 in real deliveries.' },
  'number.negative': {
    title: 'a negative number where the schema allows one',
    zoom: false,
    rationale: 'The schema sets no minimum; a receiver should not crash on a sign it did not expect.',
  },
  'number.max-safe': { title: '2^53-1 (largest exact double)', zoom: false, rationale: 'The largest integer a JavaScript number holds exactly.' },
  'int64.above-safe': {
    title: '2^53+1 written exactly in an int64 field',
    zoom: false,
    rationale: 'int64 fields may exceed 2^53; a receiver that parses them as doubles silently changes the id.',
  },
  'int64.max': {
    title: '9223372036854775807 (int64 max) written exactly',
    zoom: false,
    rationale: 'The top of the declared int64 range; overflows 64-bit signed arithmetic done carelessly.',
  },
  'string.empty': { title: 'an empty string', zoom: true, rationale: 'Zoom sends "" for text it does not have (names, ids of guests).' },
  'string.long': {
    title: 'a very long string',
    zoom: false,
    rationale: 'Longer than any Zoom UI allows; tests buffers, column sizes and log lines.',
  },
  'string.astral-emoji': { title: 'astral-plane emoji (surrogate pairs)', zoom: true, rationale: 'Users put emoji in topics and names.' },
  'string.combining-marks': { title: 'combining marks', zoom: true, rationale: 'Decomposed accents and stacked marks occur in real names.' },
  'string.rtl': { title: 'right-to-left text and bidi controls', zoom: true, rationale: 'Arabic and Hebrew names and topics are common.' },
  'string.zero-width': { title: 'zero-width characters', zoom: true, rationale: 'Pasted text carries zero-width joiners and spaces.' },
  'string.control-escaped': {
    title: 'control characters (escaped in the JSON text)',
    zoom: false,
    rationale: 'NUL and other C0 controls are valid JSON escapes; they break C strings, logs and terminals.',
  },
  'string.markup': { title: 'markup-looking text (<script>, onerror=)', zoom: true, rationale: 'Anyone can name a meeting "<script>"; it must never execute.' },
  'string.injection': {
    title: 'injection-looking text (SQL, template, path, JNDI)',
    zoom: true,
    rationale: 'User-typed text reaches databases, templates and loggers.',
  },
  'datetime.boundary': {
    title: 'a boundary date-time (epoch, far future, fraction, offset)',
    zoom: false,
    rationale: 'Valid RFC 3339 that Zoom does not usually emit; date parsers differ on it.',
  },
  'email.unusual': { title: 'an unusual but valid e-mail address', zoom: true, rationale: 'Plus tags, subdomains and long local parts are real addresses.' },
  'object.optional-absent': { title: 'every optional field absent', zoom: true, rationale: 'Zoom omits fields it has no value for.' },
  'object.optional-present': { title: 'every optional field present', zoom: true, rationale: 'The largest documented shape of the event.' },
  'object.unknown-properties': {
    title: 'unknown extra properties on an open object',
    zoom: true,
    rationale: 'Zoom adds fields to events without notice; the schema declares these objects open.',
  },
  'array.empty': { title: 'an empty array', zoom: true, rationale: 'Lists with nothing in them are sent as [].' },
  'array.large': { title: 'a large array (body up to about 1 MB)', zoom: false, rationale: 'Far larger than usual deliveries; tests body-size limits and timeouts.' },
  'encoding.whitespace': {
    title: 'insignificant whitespace in the JSON text',
    zoom: false,
    rationale: 'Same JSON value, different bytes: a signature check over re-serialized JSON fails on it.',
  },
  'encoding.unicode-escapes': {
    title: '\\uXXXX escapes for characters',
    zoom: false,
    rationale: 'Same JSON value, different bytes: a signature check over re-serialized JSON fails on it.',
  },
  'encoding.escaped-slash': {
    title: 'escaped slashes (\\/)',
    zoom: false,
    rationale: 'Same JSON value, different bytes: a signature check over re-serialized JSON fails on it.',
  },
  'encoding.key-order': {
    title: 'object keys in another order',
    zoom: false,
    rationale: 'Same JSON value, different bytes: a signature check over re-serialized JSON fails on it.',
  },
});

export type EdgeKindId = keyof typeof EDGE_KINDS;

/** Ways an invalid delivery breaks: the schema, or JSON itself. */
export const INVALID_KINDS = kinds({
  'schema.missing-required': { title: 'a required field removed', zoom: false, rationale: 'Breaks the schema.' },
  'schema.wrong-type': { title: 'a value of the wrong JSON type', zoom: false, rationale: 'Breaks the schema.' },
  'schema.out-of-enum': { title: 'a value outside the possible values', zoom: false, rationale: 'Breaks the schema.' },
  'schema.bad-format': { title: 'a string that breaks its declared format', zoom: false, rationale: 'Breaks the schema.' },
  'json.truncated': { title: 'JSON text cut short', zoom: false, rationale: 'Not JSON.' },
  'json.empty': { title: 'an empty body', zoom: false, rationale: 'Not JSON.' },
  'json.trailing-garbage': { title: 'JSON followed by garbage', zoom: false, rationale: 'Not JSON.' },
  'json.form-encoded': { title: 'a form-encoded body', zoom: false, rationale: 'Not JSON.' },
  'json.wrong-encoding': { title: 'the JSON text in UTF-16 instead of UTF-8', zoom: false, rationale: 'Not JSON as RFC 8259 requires it (UTF-8).' },
  'json.invalid-utf8': { title: 'bytes that are not valid UTF-8 inside a string', zoom: false, rationale: 'Not valid UTF-8, so not JSON.' },
});

export type InvalidKindId = keyof typeof INVALID_KINDS;
