/*
 * src/state_io.c: checked reading of serialized aggregate states.
 *
 * No SQL objects live here.  Every cprof serialize function writes a
 * format-version byte followed by big-endian fields (pq_send*); the
 * deserialize functions read them back through these helpers, which check
 * every length first so that a truncated or corrupt state is an error with
 * SQLSTATE 22P03 instead of a read past the end (pq_getmsg* would raise a
 * protocol-violation error, which is the wrong class for a bad value).
 * The errors for states that a final or combine function cannot take, and
 * the name of the aggregate being computed, for messages, live here too.
 */
#include "postgres.h"

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

/*
 * Point buf at the bytes of a serialized state and check its format-version
 * byte; 'what' names the aggregate in the error.
 */
void
cprof_recv_begin(StringInfo buf, bytea *state, int version, const char *what)
{
	int			v;

	buf->data = VARDATA_ANY(state);
	buf->len = VARSIZE_ANY_EXHDR(state);
	buf->maxlen = buf->len;
	buf->cursor = 0;
	v = cprof_recv_byte(buf);
	if (v != version)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s aggregate state: format version %d, expected %d",
						what, v, version),
				 errhint("Serialized states are only exchanged between workers of one query; run the query again.")));
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
	StringInfoData nbuf;
	Numeric		result;

	need(buf, len);
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
 * The error for a state that a combine or final function cannot take: one
 * of another form of the same aggregate family (or with a parameter out of
 * the final function's range), which the family's deserialize function
 * accepts and only a hand-made aggregate can pass.
 */
void
cprof_state_mismatch(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid %s aggregate state", what),
			 errdetail("The state was made by another form of the aggregate, or its parameter is out of range.")));
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
