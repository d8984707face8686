'use strict';
// test/clients/node/composite.js: reading PostgreSQL composite values (such
// as cprof's profit, rfm, bgnbd) in node-postgres, which hands them over as
// their text form "(v1,v2,...)".  parseRecord splits that text into fields;
// compositeParser turns it into an object with one typed property per field;
// registerComposites installs those parsers for a list of types, looking up
// their OIDs and fields in the catalog.

// The text form: fields separated by commas inside parentheses; an empty
// field is NULL; a field in double quotes may hold commas, parentheses and
// spaces, with "" and \x standing for " and x.
function parseRecord(text) {
  if (text[0] !== '(' || text[text.length - 1] !== ')') {
    throw new Error(`not a record: ${text}`);
  }
  const fields = [];
  let i = 1;
  const end = text.length - 1;
  for (;;) {
    let value = null;
    if (text[i] === '"') {
      value = '';
      i++;
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new Error(`unterminated quote in ${text}`);
        if (c === '"' && text[i + 1] === '"') { value += '"'; i += 2; continue; }
        if (c === '"') { i++; break; }
        if (c === '\\') { value += text[i + 1]; i += 2; continue; }
        value += c;
        i++;
      }
    }
    const start = i;
    while (i < end && text[i] !== ',') i++;
    if (value === null && i > start) value = text.slice(start, i);
    else if (value !== null && i > start) value += text.slice(start, i);
    fields.push(value);
    if (i >= end) break;
    i++; // the comma
  }
  return fields;
}

// How a field of each type is decoded.  numeric and bigint stay strings:
// a JavaScript number would round money and counts above 2^53.
const fieldDecoders = {
  numeric: (s) => s,
  bigint: (s) => s,
  integer: (s) => parseInt(s, 10),
  'double precision': (s) => parseFloat(s),
  boolean: (s) => s === 't',
  date: (s) => s,
  text: (s) => s,
};

function compositeParser(fields) {
  return (text) => {
    const values = parseRecord(text);
    if (values.length !== fields.length) {
      throw new Error(`expected ${fields.length} fields, got ${values.length}: ${text}`);
    }
    const out = {};
    fields.forEach(([name, type], k) => {
      const decode = fieldDecoders[type] || ((s) => s);
      out[name] = values[k] === null ? null : decode(values[k]);
    });
    return out;
  };
}

// registerComposites(client, types, names): for each composite type name,
// fetch its OID and fields and install a parser in `types` (pg.types, or a
// per-client types object), for the type and for arrays of it.
async function registerComposites(client, types, names) {
  const { rows } = await client.query(
    `SELECT t.typname, t.oid::int AS oid, t.typarray::int AS array_oid,
            array_agg(a.attname::text ORDER BY a.attnum) AS names,
            array_agg(format_type(a.atttypid, NULL) ORDER BY a.attnum) AS types
     FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE t.oid = ANY (SELECT to_regtype(n)::oid FROM unnest($1::text[]) n)
     GROUP BY t.typname, t.oid, t.typarray`,
    [names]);
  if (rows.length !== names.length) throw new Error(`composite types not found: ${names}`);
  const arrayParser = types.getTypeParser(1009); // text[]: splits an array into element strings
  for (const r of rows) {
    const parse = compositeParser(r.names.map((n, k) => [n, r.types[k]]));
    types.setTypeParser(r.oid, parse);
    types.setTypeParser(r.array_oid, (text) => arrayParser(text).map((e) => (e === null ? null : parse(e))));
  }
}

module.exports = { parseRecord, compositeParser, registerComposites };
