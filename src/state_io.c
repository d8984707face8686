/*
 * src/state_io.c: the binary and text forms of aggregate states, read with
 * every length and every character checked.
 *
 * No SQL objects live here.  Binary forms (the state types' send and
 * receive functions, and the serialize and deserialize functions of
 * internal states) are a format-version byte followed by big-endian fields
 * (pq_send*); they are read back through these helpers, which check every
 * length first so that a truncated or corrupt state is an error with
 * SQLSTATE 22P03 instead of a read past the end (pq_getmsg* would raise a
 * protocol-violation error, which is the wrong class for a bad value).
 *
 * Text forms (the state types' output and input functions, which is how
 * Citus moves states between nodes) are
 *     <version> <form> <key>=<value> <key>=<value> ...
 * with the keys in a fixed order, integers and numerics in plain decimal,
 * doubles in their shortest exact form (double_to_shortest_decimal, never
 * extra_float_digits), and nothing that depends on a setting, an OID or
 * the platform.  A reader that finds anything else raises 22P02 naming
 * the type and what it expected.
 */
#include "postgres.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>

#include "common/shortest_dec.h"
#include "libpq/pqformat.h"
#include "nodes/primnodes.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"

#include "cprof.h"

static void
corrupt(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid cprof aggregate state"),
			 errdetail("%s", detail)));
}

static void
need(StringInfo buf, int n)
{
	if (n < 0 || buf->len - buf->cursor < n)
		corrupt("The serialized state ends early.");
}

/* Point buf at the bytes of a bytea (a serialized state), to read them. */
void
cprof_bytea_reader(StringInfo buf, bytea *bytes)
{
	buf->data = VARDATA_ANY(bytes);
	buf->len = VARSIZE_ANY_EXHDR(bytes);
	buf->maxlen = buf->len;
	buf->cursor = 0;
}

/*
 * Point buf at the bytes of a serialized state and check its format-version
 * byte; 'what' names the aggregate in the error.
 */
void
cprof_recv_begin(StringInfo buf, bytea *state, int version, const char *what)
{
	int			v;

	cprof_bytea_reader(buf, state);
	v = cprof_recv_byte(buf);
	if (v != version)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s aggregate state: format version %d, expected %d",
						what, v, version),
				 errhint("Serialized states are only exchanged between workers of one query; run the query again.")));
}

/*
 * Check the format-version byte at the start of a type's binary form
 * (receive functions); 'type' names the type in the error.
 */
void
cprof_recv_version(StringInfo buf, int version, const char *type)
{
	int			v = cprof_recv_byte(buf);

	if (v != version)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type %s: format version %d, expected %d",
						type, v, version),
				 errhint("Binary values of cprof's state types are read by the cprof version that wrote them.")));
}

/* A value of a type's binary form breaks an invariant: 22P03. */
void
cprof_binary_invalid(const char *type, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary data for type %s", type),
			 errdetail("%s", detail)));
}

int64
cprof_recv_int64(StringInfo buf)
{
	need(buf, 8);
	return pq_getmsgint64(buf);
}

int32
cprof_recv_int32(StringInfo buf)
{
	need(buf, 4);
	return (int32) pq_getmsgint(buf, 4);
}

int
cprof_recv_byte(StringInfo buf)
{
	need(buf, 1);
	return pq_getmsgbyte(buf);
}

double
cprof_recv_float8(StringInfo buf)
{
	need(buf, 8);
	return pq_getmsgfloat8(buf);
}

void
cprof_send_float8(StringInfo buf, double value)
{
	pq_sendfloat8(buf, value);
}

/*
 * A signed integer in zigzag LEB128 form: 1 byte for -64..63, at most 10.
 * Used for counts and sums that are small in the common case.
 */
void
cprof_send_varint(StringInfo buf, int64 value)
{
	uint64		u = ((uint64) value << 1) ^ (uint64) (value >> 63);

	while (u >= 0x80)
	{
		pq_sendbyte(buf, (uint8) (u | 0x80));
		u >>= 7;
	}
	pq_sendbyte(buf, (uint8) u);
}

int64
cprof_recv_varint(StringInfo buf)
{
	uint64		u = 0;

	for (int shift = 0;; shift += 7)
	{
		int			b;

		if (shift > 63)
			corrupt("A variable-length integer in the serialized state is too long.");
		b = cprof_recv_byte(buf);
		u |= (uint64) (b & 0x7F) << shift;
		if ((b & 0x80) == 0)
			break;
	}
	return (int64) (u >> 1) ^ -(int64) (u & 1);
}

/* A numeric as its length and numeric_send bytes. */
void
cprof_send_numeric(StringInfo buf, Numeric value)
{
	bytea	   *b = DatumGetByteaPP(DirectFunctionCall1(numeric_send,
														NumericGetDatum(value)));

	pq_sendint32(buf, VARSIZE_ANY_EXHDR(b));
	pq_sendbytes(buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	pfree(b);
}

/* Read a numeric written by cprof_send_numeric, in the current context. */
Numeric
cprof_recv_numeric(StringInfo buf)
{
	int32		len = cprof_recv_int32(buf);
	uint16		ndigits = 0;
	StringInfoData nbuf;
	Numeric		result;

	need(buf, len);
	/*
	 * numeric_send's form is ndigits, weight, sign, dscale (int16 each) and
	 * ndigits int16 digits: a length that does not match would make
	 * numeric_recv read past its bytes, a protocol error (08P01) instead of
	 * a corrupt state
	 */
	if (len >= 2)
		memcpy(&ndigits, buf->data + buf->cursor, 2);
	if (len < 8 || len != 8 + 2 * (int32) (int16) pg_ntoh16(ndigits))
		corrupt("A numeric in the serialized state has a length that does not match its digits.");
	nbuf.data = buf->data + buf->cursor;
	nbuf.len = len;
	nbuf.maxlen = len;
	nbuf.cursor = 0;
	result = DatumGetNumeric(DirectFunctionCall3(numeric_recv,
												 PointerGetDatum(&nbuf),
												 ObjectIdGetDatum(InvalidOid),
												 Int32GetDatum(-1)));
	if (nbuf.cursor != nbuf.len)
		corrupt("A numeric in the serialized state has trailing bytes.");
	buf->cursor += len;
	return result;
}

/* Every byte of a serialized state must have been read. */
void
cprof_recv_end(StringInfo buf)
{
	if (buf->cursor != buf->len)
		corrupt("The serialized state has trailing bytes.");
}

/*
 * The SQL name of the aggregate that a transition or final function is
 * computing, for messages; 'fallback' when it is not called by an Agg node
 * (an aggregate used as a window function).
 */
const char *
cprof_agg_name(FunctionCallInfo fcinfo, const char *fallback)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	char	   *name = aggref != NULL ? get_func_name(aggref->aggfnoid) : NULL;

	return name != NULL ? name : fallback;
}

/*
 * ---------------------------------------------------------------------------
 * The text form
 * ---------------------------------------------------------------------------
 */

/* "<version> <form>" */
void
cprof_text_begin(StringInfo buf, int version, const char *form)
{
	appendStringInfo(buf, "%d %s", version, form);
}

/* " <key>=" */
void
cprof_text_key(StringInfo buf, const char *key)
{
	appendStringInfo(buf, " %s=", key);
}

/* A double in its shortest form that reads back exactly. */
void
cprof_text_double(StringInfo buf, double x)
{
	char		s[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(x, s);
	appendStringInfoString(buf, s);
}

/* The text is not a value of the type: 22P02, with what was expected. */
void
cprof_text_invalid(const CprofTextReader *rd, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", rd->type, rd->input),
			 errdetail("%s", detail)));
}

static void
expected(const CprofTextReader *rd, const char *what)
{
	cprof_text_invalid(rd, psprintf("Expected %s at character %d.", what,
									(int) (rd->p - rd->input) + 1));
}

/* The characters of a token: up to a space, a '/', a ',', or the end. */
static int
token_len(const CprofTextReader *rd)
{
	int			n = 0;

	while (rd->p[n] != '\0' && rd->p[n] != ' ' && rd->p[n] != '/' && rd->p[n] != ',')
		n++;
	return n;
}

/*
 * Start reading a state's text: the version must be 'version', and the
 * form one of forms[0 .. nforms); returns its index.
 */
int
cprof_text_open(CprofTextReader *rd, const char *input, const char *type,
				int version, const char *const *forms, int nforms)
{
	int64		v;
	int			n;

	rd->input = input;
	rd->p = input;
	rd->type = type;
	if (!isdigit((unsigned char) *rd->p))
		expected(rd, "the format version");
	v = cprof_text_int64(rd);
	if (v != version)
		cprof_text_invalid(rd, psprintf("Format version " INT64_FORMAT " is not supported; this version of cprof reads version %d.",
										v, version));
	if (*rd->p++ != ' ')
		expected(rd, "a space after the version");
	n = token_len(rd);
	for (int f = 0; f < nforms; f++)
	{
		if ((int) strlen(forms[f]) == n && strncmp(rd->p, forms[f], n) == 0)
		{
			rd->p += n;
			return f;
		}
	}
	expected(rd, "the form of the state");
	pg_unreachable();
}

/* " <key>=" must come next. */
void
cprof_text_expect_key(CprofTextReader *rd, const char *key)
{
	int			n = strlen(key);

	if (rd->p[0] != ' ' || strncmp(rd->p + 1, key, n) != 0 || rd->p[n + 1] != '=')
		expected(rd, psprintf("\" %s=\"", key));
	rd->p += n + 2;
}

/* If the next character is c, skip it and return true. */
bool
cprof_text_next_is(CprofTextReader *rd, char c)
{
	if (*rd->p != c)
		return false;
	rd->p++;
	return true;
}

/* A decimal integer, optionally negative, that fits a bigint. */
int64
cprof_text_int64(CprofTextReader *rd)
{
	bool		neg = *rd->p == '-';
	const char *q = rd->p + (neg ? 1 : 0);
	uint64		u = 0;

	if (!isdigit((unsigned char) *q))
		expected(rd, "an integer");
	while (isdigit((unsigned char) *q))
	{
		int			d = *q++ - '0';

		if (u > (PG_UINT64_MAX - d) / 10)
			expected(rd, "an integer in the range of bigint");
		u = u * 10 + d;
	}
	if (u > (uint64) PG_INT64_MAX + (neg ? 1 : 0))
		expected(rd, "an integer in the range of bigint");
	rd->p = q;
	return neg ? (int64) (0 - u) : (int64) u;
}

/* A finite double, as cprof_text_double writes it. */
double
cprof_text_double_in(CprofTextReader *rd)
{
	int			n = token_len(rd);
	char	   *s = pnstrdup(rd->p, n);
	char	   *end;
	double		x;

	for (int i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char) s[i]) && strchr("+-.e", s[i]) == NULL)
			expected(rd, "a finite number");
	}
	errno = 0;
	x = n > 0 ? strtod(s, &end) : 0;
	/* a subnormal is exact (ERANGE too); a non-zero that underflows to 0 is not */
	if (n == 0 || end != s + n || !isfinite(x) || (errno == ERANGE && x == 0))
		expected(rd, "a finite number");
	pfree(s);
	rd->p += n;
	return x;
}

/* A finite numeric in plain decimal notation, read by numeric_in. */
Numeric
cprof_text_numeric(CprofTextReader *rd)
{
	int			n = token_len(rd);
	char	   *s = pnstrdup(rd->p, n);
	Numeric		result;

	for (int i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char) s[i]) && s[i] != '.' && (s[i] != '-' || i > 0))
			expected(rd, "a decimal number");
	}
	if (n == 0 || (n == 1 && !isdigit((unsigned char) s[0])))
		expected(rd, "a decimal number");
	result = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
												 ObjectIdGetDatum(InvalidOid),
												 Int32GetDatum(-1)));
	pfree(s);
	rd->p += n;
	return result;
}

/* Nothing may follow the last field. */
void
cprof_text_close(CprofTextReader *rd)
{
	if (*rd->p != '\0')
		expected(rd, "the end of the text");
}
