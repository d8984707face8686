/*
 * src/client_profit.c: the client_profit aggregate family.
 *
 * SQL objects (sql/cprof--1.0.sql):
 *   client_profit(revenue T, cost T)       T numeric, double precision,
 *                                          smallint, integer, bigint
 *   client_profit(amount T, kind text)     returns profit
 *   client_profit(profit)                  returns profit (roll-up)
 *   cprof_client_profit_{trans,minv}       overloaded on the input types
 *   cprof_client_profit_{combine,serialize,deserialize}
 *   cprof_client_profit_final              -> profit
 *   cprof_client_profit_numeric_final      -> numeric
 *   cprof_client_profit_float8_final       -> double precision
 *
 * State: CprofProfitState, one per group, in the aggregate memory context.
 * It holds exact sums (CprofMoney) or, for double precision input,
 * compensated sums (CprofFloatSum) in "buckets":
 *   - client_profit(revenue, cost): one bucket, revenue minus cost;
 *   - the ledger and the roll-up: seven buckets, the independent lines of
 *     the waterfall (revenue, discount, cogs, cost to serve, acquisition,
 *     bad debt, referral).  service, sales, commission and quality all go to
 *     cost to serve: the profit composite does not keep them apart, and
 *     keeping them apart in the state would make the roll-up inexact.
 * Every other field of profit is derived from the buckets in the final
 * function, so re-aggregating profit values gives exactly the raw result.
 *
 * NULL rules: client_profit(revenue, cost) counts a NULL argument as 0 and
 * skips a row whose arguments are both NULL; the ledger skips a row whose
 * amount is NULL and rejects a NULL kind next to an amount; the roll-up
 * skips NULL profit values and counts a NULL field of a profit value as 0.
 * A group that aggregated no row gives NULL, as sum() does.  A skipped row
 * still creates the (empty) state, because a moving-aggregate transition
 * function must never return NULL.  NaN and infinities follow sum(numeric)
 * (see cprof.h).
 *
 * Roll-up rules: a non-NULL profit value is one row, whatever its entries;
 * its seven lines are added, its entries (NULL counts as 0, a negative
 * value is an error) are added to the result's entries, and its derived
 * fields (gross_profit, contribution, net_profit, total_value), when not
 * NULL, must agree with its lines, or the value is rejected: the roll-up
 * recomputes them, and a value whose fields disagree would otherwise lose
 * money silently.  Its margin is not read.  The result is NULL only when
 * no profit value was aggregated.
 *
 * margin = net_profit / revenue, correctly rounded, and NULL when revenue
 * is not positive: a ratio over zero or negative revenue (refunds above
 * sales) means nothing.  A margin past the range of double precision is an
 * error naming it.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "cprof.h"

/* The seven independent lines of the waterfall. */
typedef enum ProfitBucket
{
	BUCKET_REVENUE,
	BUCKET_DISCOUNT,
	BUCKET_COGS,
	BUCKET_COST_TO_SERVE,
	BUCKET_ACQUISITION,
	BUCKET_BAD_DEBT,
	BUCKET_REFERRAL,
	NUM_BUCKETS
} ProfitBucket;

/* Fields of the composite type profit, in order (1-based attnums - 1). */
enum
{
	F_REVENUE,
	F_DISCOUNT,
	F_COGS,
	F_GROSS_PROFIT,
	F_COST_TO_SERVE,
	F_CONTRIBUTION,
	F_ACQUISITION,
	F_BAD_DEBT,
	F_NET_PROFIT,
	F_REFERRAL,
	F_TOTAL_VALUE,
	F_MARGIN,
	F_ENTRIES,
	NUM_PROFIT_FIELDS
};

/* The field of profit that holds each bucket. */
static const int bucket_field[NUM_BUCKETS] = {
	F_REVENUE, F_DISCOUNT, F_COGS, F_COST_TO_SERVE, F_ACQUISITION,
	F_BAD_DEBT, F_REFERRAL
};

/* Ledger kinds (docs/domain.md section 1) and the bucket each feeds. */
static const struct
{
	const char *name;
	int			len;
	ProfitBucket bucket;
}			ledger_kinds[] = {
	{"revenue", 7, BUCKET_REVENUE},
	{"discount", 8, BUCKET_DISCOUNT},
	{"cogs", 4, BUCKET_COGS},
	{"service", 7, BUCKET_COST_TO_SERVE},
	{"sales", 5, BUCKET_COST_TO_SERVE},
	{"commission", 10, BUCKET_COST_TO_SERVE},
	{"quality", 7, BUCKET_COST_TO_SERVE},
	{"acquisition", 11, BUCKET_ACQUISITION},
	{"bad_debt", 8, BUCKET_BAD_DEBT},
	{"referral", 8, BUCKET_REFERRAL},
};

#define PROFIT_STATE_VERSION 2

/* One bucket: an exact sum, or a compensated one for double precision. */
typedef union ProfitSum
{
	CprofMoney	m;				/* numeric and integer input */
	CprofFloatSum f;			/* double precision input */
} ProfitSum;

/* Per-group state of every client_profit aggregate. */
typedef struct CprofProfitState
{
	int64		rows;			/* rows aggregated (skipped rows excluded) */
	int64		entries;		/* the result's entries: rows, or for the
								 * roll-up the sum of the entries fields */
	int32		nbuckets;		/* 1, or NUM_BUCKETS for the profit forms */
	bool		is_float;		/* buckets are CprofFloatSum */
	ProfitSum	bucket[FLEXIBLE_ARRAY_MEMBER];	/* the sums */
} CprofProfitState;

/* What a support function was called for, cached in fn_extra. */
typedef enum ProfitShape
{
	SHAPE_NET,					/* client_profit(revenue, cost) */
	SHAPE_LEDGER,				/* client_profit(amount, kind) */
	SHAPE_ROLLUP				/* client_profit(profit) */
} ProfitShape;

typedef struct ProfitCallInfo
{
	ProfitShape shape;
	Oid			amount_type;	/* type of the amounts, or the profit type */
	TupleDesc	tupdesc;		/* roll-up: descriptor of profit */
} ProfitCallInfo;

static ProfitCallInfo *
profit_call_info(FunctionCallInfo fcinfo)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	ProfitCallInfo *info = (ProfitCallInfo *) flinfo->fn_extra;

	if (info == NULL)
	{
		Oid			type1 = get_fn_expr_argtype(flinfo, 1);
		MemoryContext old;

		info = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(ProfitCallInfo));
		info->amount_type = type1;
		if (PG_NARGS() == 2)
		{
			info->shape = SHAPE_ROLLUP;
			old = MemoryContextSwitchTo(flinfo->fn_mcxt);
			info->tupdesc = lookup_rowtype_tupdesc_copy(type1, -1);
			MemoryContextSwitchTo(old);
		}
		else
		{
			info->shape = get_fn_expr_argtype(flinfo, 2) == TEXTOID ?
				SHAPE_LEDGER : SHAPE_NET;
			if (type1 != NUMERICOID && type1 != FLOAT8OID &&
				type1 != INT2OID && type1 != INT4OID && type1 != INT8OID)
				elog(ERROR, "client_profit support function called with input type %u",
					 type1);
		}
		flinfo->fn_extra = info;
	}
	return info;
}

static CprofProfitState *
profit_state_new(int nbuckets, bool is_float, MemoryContext cxt)
{
	CprofProfitState *state;

	state = MemoryContextAllocZero(cxt, offsetof(CprofProfitState, bucket) +
								   nbuckets * sizeof(ProfitSum));
	state->nbuckets = nbuckets;
	state->is_float = is_float;
	return state;
}

/*
 * Add (or, for the inverse, remove) one amount to a bucket.  Returns false
 * when an inverse cannot be done exactly.
 */
static bool
bucket_apply(ProfitSum *b, Oid type, Datum value, bool negate, bool remove,
			 MemoryContext cxt)
{
	int64		i;

	switch (type)
	{
		case NUMERICOID:
			if (remove)
				return money_sub_numeric(&b->m, value, negate, cxt);
			money_add_numeric(&b->m, value, negate, cxt);
			return true;
		case FLOAT8OID:
			{
				double		x = DatumGetFloat8(value);

				if (negate)
					x = -x;
				if (remove)
					floatsum_remove(&b->f, x);
				else
					floatsum_add(&b->f, x);
				return true;
			}
		case INT2OID:
			i = DatumGetInt16(value);
			break;
		case INT4OID:
			i = DatumGetInt32(value);
			break;
		default:
			i = DatumGetInt64(value);
			break;
	}
	if (remove)
		return money_sub_int64(&b->m, i, negate, cxt);
	money_add_int64(&b->m, i, negate, cxt);
	return true;
}

/* The bucket of a ledger kind, matched case-insensitively and trimmed. */
static ProfitBucket
ledger_bucket(text *kind)
{
	const char *s = VARDATA_ANY(kind);
	int			len = VARSIZE_ANY_EXHDR(kind);

	while (len > 0 && isspace((unsigned char) s[0]))
		s++, len--;
	while (len > 0 && isspace((unsigned char) s[len - 1]))
		len--;
	/* the length and the first letter (ASCII-lowercased) rule out most */
	for (int k = 0; k < (int) lengthof(ledger_kinds); k++)
	{
		if (ledger_kinds[k].len == len &&
			(s[0] | 0x20) == ledger_kinds[k].name[0] &&
			pg_strncasecmp(s, ledger_kinds[k].name, len) == 0)
			return ledger_kinds[k].bucket;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown kind \"%s\" in client_profit(amount, kind)",
					text_to_cstring(kind)),
			 errdetail("Valid kinds are revenue, discount, cogs, service, sales, commission, quality, acquisition, bad_debt and referral."),
			 errhint("Map the ledger's own categories to these kinds, for example with CASE; case and surrounding spaces are ignored.")));
	pg_unreachable();
}

/* a + b for the row and entry counts; overflow is an error (22003). */
static int64
count_add(int64 a, int64 b)
{
	int64		sum;

	if (unlikely(pg_add_s64_overflow(a, b, &sum)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("entries of client_profit out of range: the total exceeds bigint"),
				 errhint("The entries fields of the profit values add up to more than 9223372036854775807.")));
	return sum;
}

/* Names of the fields of profit, for messages. */
static const char *const field_name[NUM_PROFIT_FIELDS] = {
	"revenue", "discount", "cogs", "gross_profit", "cost_to_serve",
	"contribution", "acquisition", "bad_debt", "net_profit", "referral",
	"total_value", "margin", "entries"
};

/* The lines of the waterfall in order, with their signs in it. */
static const struct
{
	int			field;
	int			sign;
}			waterfall_lines[NUM_BUCKETS] = {
	{F_REVENUE, 1}, {F_DISCOUNT, -1}, {F_COGS, -1}, {F_COST_TO_SERVE, -1},
	{F_ACQUISITION, -1}, {F_BAD_DEBT, -1}, {F_REFERRAL, 1}
};

/* Each derived field and how many lines of waterfall_lines give it. */
static const struct
{
	int			field;
	int			nlines;
}			waterfall_derived[] = {
	{F_GROSS_PROFIT, 3}, {F_CONTRIBUTION, 4}, {F_NET_PROFIT, 6}, {F_TOTAL_VALUE, 7}
};

/*
 * Check a profit value given to the roll-up, its money fields decoded in
 * parts: entries must not be negative, and each derived field that is not
 * NULL must be what the waterfall gives from the lines (a NULL line
 * counting as 0).  The int128 fast path decides almost every value; the
 * others (NaN, infinities, more than 38 digits) are compared in numeric.
 */
static void
rollup_check(const Datum *values, const bool *nulls,
			 const CprofNumericParts *parts)
{
	if (!nulls[F_ENTRIES] && DatumGetInt64(values[F_ENTRIES]) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("entries must be 0 or greater in client_profit(profit), got " INT64_FORMAT,
						DatumGetInt64(values[F_ENTRIES])),
				 errdetail("entries counts the ledger entries a profit value sums up."),
				 errhint("Build profit values with client_profit(), or give entries the number of entries behind the value (0 for none, NULL counts as 0).")));
	{
		/* the fast path: one pass of running sums over the lines */
		const CprofNumericParts *terms[NUM_BUCKETS];
		int			signs[NUM_BUCKETS];
		const CprofNumericParts *expect[lengthof(waterfall_derived)];
		int			at[lengthof(waterfall_derived)];
		int			n = 0;
		int			m = 0;
		int			line = 0;

		for (int d = 0; d < (int) lengthof(waterfall_derived); d++)
		{
			for (; line < waterfall_derived[d].nlines; line++)
			{
				if (!nulls[waterfall_lines[line].field])
				{
					terms[n] = &parts[waterfall_lines[line].field];
					signs[n++] = waterfall_lines[line].sign;
				}
			}
			if (!nulls[waterfall_derived[d].field])
			{
				expect[m] = &parts[waterfall_derived[d].field];
				at[m++] = n;
			}
		}
		if (money_parts_running_sums(terms, signs, n, expect, at, m) == -1)
			return;
	}
	/* not decided, or a difference: every derived field, in numeric */
	for (int d = 0; d < (int) lengthof(waterfall_derived); d++)
	{
		int			f = waterfall_derived[d].field;
		CprofMoney	run;

		if (nulls[f])
			continue;
		money_init(&run);
		for (int i = 0; i < waterfall_derived[d].nlines; i++)
		{
			int			line = waterfall_lines[i].field;

			if (!nulls[line])
				money_add_parts(&run, &parts[line], values[line],
								waterfall_lines[i].sign < 0, CurrentMemoryContext);
		}
		if (!money_equals(&run, values[f]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("inconsistent profit value in client_profit(profit): %s is %s, but its lines give %s",
							field_name[f],
							DatumGetCString(DirectFunctionCall1(numeric_out, values[f])),
							DatumGetCString(DirectFunctionCall1(numeric_out,
																NumericGetDatum(money_result(&run))))),
					 errdetail("The roll-up adds the lines revenue, discount, cogs, cost_to_serve, acquisition, bad_debt and referral, and recomputes gross_profit, contribution, net_profit and total_value from them."),
					 errhint("Build profit values with client_profit(), or make gross_profit = revenue - discount - cogs, contribution = gross_profit - cost_to_serve, net_profit = contribution - acquisition - bad_debt and total_value = net_profit + referral (a NULL field counts as 0; a NULL derived field is not checked).")));
	}
}

/*
 * The shared body of the transition and inverse transition functions.
 * Always returns a state (created empty on the first row, even one that
 * is skipped: a moving-aggregate transition function must not return
 * NULL), or NULL when an inverse cannot be done exactly (the executor then
 * recomputes the window frame).
 */
static CprofProfitState *
profit_step(FunctionCallInfo fcinfo, bool remove)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "client_profit");
	ProfitCallInfo *info = profit_call_info(fcinfo);
	CprofProfitState *state = PG_ARGISNULL(0) ? NULL :
	(CprofProfitState *) PG_GETARG_POINTER(0);
	int64		sign = remove ? -1 : 1;
	bool		ok = true;

	if (state == NULL)
		state = profit_state_new(info->shape == SHAPE_NET ? 1 : NUM_BUCKETS,
								 info->amount_type == FLOAT8OID, aggcxt);
	switch (info->shape)
	{
		case SHAPE_NET:
			if (PG_ARGISNULL(1) && PG_ARGISNULL(2))
				return state;
			if (!PG_ARGISNULL(1))
				ok = bucket_apply(&state->bucket[0], info->amount_type,
								  PG_GETARG_DATUM(1), false, remove, aggcxt);
			if (ok && !PG_ARGISNULL(2))
				ok = bucket_apply(&state->bucket[0], info->amount_type,
								  PG_GETARG_DATUM(2), true, remove, aggcxt);
			state->rows += sign;
			state->entries += sign;
			break;

		case SHAPE_LEDGER:
			{
				ProfitBucket b;

				if (PG_ARGISNULL(1))
					return state;
				if (PG_ARGISNULL(2))
					ereport(ERROR,
							(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
							 errmsg("kind must not be null in client_profit(amount, kind)"),
							 errdetail("Every entry with a non-null amount needs a kind."),
							 errhint("Give every ledger entry a kind, or filter the rows with WHERE kind IS NOT NULL.")));
				b = ledger_bucket(PG_GETARG_TEXT_PP(2));
				ok = bucket_apply(&state->bucket[b], info->amount_type,
								  PG_GETARG_DATUM(1), false, remove, aggcxt);
				state->rows += sign;
				state->entries += sign;
				break;
			}

		case SHAPE_ROLLUP:
			{
				HeapTupleHeader th;
				HeapTupleData tuple;
				Datum		values[NUM_PROFIT_FIELDS];
				bool		nulls[NUM_PROFIT_FIELDS];

				if (PG_ARGISNULL(1))
					return state;
				th = PG_GETARG_HEAPTUPLEHEADER(1);
				tuple.t_len = HeapTupleHeaderGetDatumLength(th);
				ItemPointerSetInvalid(&tuple.t_self);
				tuple.t_tableOid = InvalidOid;
				tuple.t_data = th;
				heap_deform_tuple(&tuple, info->tupdesc, values, nulls);

				if (!remove)
				{
					/* each money field decoded once, for the check and the sums */
					CprofNumericParts parts[NUM_PROFIT_FIELDS];

					for (int f = 0; f < NUM_PROFIT_FIELDS; f++)
					{
						if (f != F_MARGIN && f != F_ENTRIES && !nulls[f])
							money_decode(values[f], &parts[f]);
					}
					rollup_check(values, nulls, parts);
					for (int b = 0; b < NUM_BUCKETS; b++)
					{
						int			f = bucket_field[b];

						if (!nulls[f])
							money_add_parts(&state->bucket[b].m, &parts[f], values[f],
											false, aggcxt);
					}
				}
				else
				{
					/* a row being removed was checked when it was added */
					for (int b = 0; ok && b < NUM_BUCKETS; b++)
					{
						if (!nulls[bucket_field[b]])
							ok = bucket_apply(&state->bucket[b], NUMERICOID,
											  values[bucket_field[b]], false,
											  remove, aggcxt);
					}
				}
				state->rows += sign;
				if (!nulls[F_ENTRIES])
					state->entries = count_add(state->entries,
											   sign * DatumGetInt64(values[F_ENTRIES]));
				break;
			}
	}
	return ok ? state : NULL;
}

PG_FUNCTION_INFO_V1(cprof_client_profit_trans);
/* Transition function of every client_profit aggregate. */
Datum
cprof_client_profit_trans(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(profit_step(fcinfo, false));
}

PG_FUNCTION_INFO_V1(cprof_client_profit_minv);
/* Inverse transition function: removes a row that left the window frame. */
Datum
cprof_client_profit_minv(PG_FUNCTION_ARGS)
{
	CprofProfitState *state;

	/* the executor never removes a row it did not add */
	if (PG_ARGISNULL(0))
		elog(ERROR, "client_profit inverse transition called without a state");
	state = profit_step(fcinfo, true);
	if (state == NULL)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(state);
}

/* A copy of state in cxt (the combine function's first-state case). */
static CprofProfitState *
profit_state_copy(const CprofProfitState *src, MemoryContext cxt)
{
	CprofProfitState *dst = profit_state_new(src->nbuckets, src->is_float, cxt);

	dst->rows = src->rows;
	dst->entries = src->entries;
	for (int b = 0; b < src->nbuckets; b++)
	{
		if (src->is_float)
			dst->bucket[b].f = src->bucket[b].f;
		else
			money_copy(&dst->bucket[b].m, &src->bucket[b].m, cxt);
	}
	return dst;
}

PG_FUNCTION_INFO_V1(cprof_client_profit_combine);
/*
 * Combine function: merges two partial states, for any split of the rows.
 * States of different forms (only a hand-made aggregate can pass them) are
 * an error.
 */
Datum
cprof_client_profit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_client_profit_combine");
	CprofProfitState *s1 = PG_ARGISNULL(0) ? NULL : (CprofProfitState *) PG_GETARG_POINTER(0);
	CprofProfitState *s2 = PG_ARGISNULL(1) ? NULL : (CprofProfitState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
		PG_RETURN_POINTER(profit_state_copy(s2, aggcxt));
	if (s1->nbuckets != s2->nbuckets || s1->is_float != s2->is_float)
		cprof_state_mismatch("client_profit");
	s1->rows = count_add(s1->rows, s2->rows);
	s1->entries = count_add(s1->entries, s2->entries);
	for (int b = 0; b < s1->nbuckets; b++)
	{
		if (s1->is_float)
			floatsum_add_floatsum(&s1->bucket[b].f, &s2->bucket[b].f);
		else
			money_add_money(&s1->bucket[b].m, &s2->bucket[b].m, false, aggcxt);
	}
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(cprof_client_profit_serialize);
/* Serialize function: version byte, shape, counts, then each bucket. */
Datum
cprof_client_profit_serialize(PG_FUNCTION_ARGS)
{
	CprofProfitState *state = (CprofProfitState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	cprof_agg_context(fcinfo, "cprof_client_profit_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, PROFIT_STATE_VERSION);
	pq_sendbyte(&buf, state->nbuckets);
	pq_sendbyte(&buf, state->is_float);
	cprof_send_varint(&buf, state->rows);
	cprof_send_varint(&buf, state->entries);
	for (int b = 0; b < state->nbuckets; b++)
	{
		if (state->is_float)
			floatsum_send(&buf, &state->bucket[b].f);
		else
			money_send(&buf, &state->bucket[b].m);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_client_profit_deserialize);
/*
 * Deserialize function: the inverse of the above, every field checked: a
 * known shape, counts that are not negative, valid sums.
 */
Datum
cprof_client_profit_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CprofProfitState *state;
	int			nbuckets;
	int			is_float;

	cprof_agg_context(fcinfo, "cprof_client_profit_deserialize");
	cprof_recv_begin(&buf, bytes, PROFIT_STATE_VERSION, "client_profit");
	nbuckets = cprof_recv_byte(&buf);
	is_float = cprof_recv_byte(&buf);
	if ((nbuckets != 1 && nbuckets != NUM_BUCKETS) || (is_float != 0 && is_float != 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid client_profit aggregate state: shape %d/%d",
						nbuckets, is_float)));
	state = profit_state_new(nbuckets, is_float, CurrentMemoryContext);
	state->rows = cprof_recv_varint(&buf);
	state->entries = cprof_recv_varint(&buf);
	if (state->rows < 0 || state->entries < 0 ||
		(nbuckets == 1 && state->entries != state->rows))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid client_profit aggregate state: " INT64_FORMAT " rows, " INT64_FORMAT " entries",
						state->rows, state->entries)));
	for (int b = 0; b < nbuckets; b++)
	{
		if (is_float)
			floatsum_recv(&buf, &state->bucket[b].f);
		else
			money_recv(&buf, &state->bucket[b].m, CurrentMemoryContext);
	}
	cprof_recv_end(&buf);
	PG_RETURN_POINTER(state);
}

/*
 * The state, or NULL when the group aggregated no row.  A state of another
 * form than the final function's (nbuckets buckets, and double precision
 * sums or not, unless is_float is -1 for either) is an error.
 */
static CprofProfitState *
profit_final_state(FunctionCallInfo fcinfo, int nbuckets, int is_float)
{
	CprofProfitState *state;

	cprof_agg_context(fcinfo, "client_profit final function");
	if (PG_ARGISNULL(0))
		return NULL;
	state = (CprofProfitState *) PG_GETARG_POINTER(0);
	if (state->nbuckets != nbuckets ||
		(is_float >= 0 && state->is_float != (bool) is_float))
		cprof_state_mismatch("client_profit");
	return state->rows == 0 ? NULL : state;
}

PG_FUNCTION_INFO_V1(cprof_client_profit_numeric_final);
/* Final function of client_profit(revenue, cost) for numeric and integers. */
Datum
cprof_client_profit_numeric_final(PG_FUNCTION_ARGS)
{
	CprofProfitState *state = profit_final_state(fcinfo, 1, 0);

	if (state == NULL)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(money_result(&state->bucket[0].m));
}

PG_FUNCTION_INFO_V1(cprof_client_profit_float8_final);
/* Final function of client_profit(revenue, cost) for double precision. */
Datum
cprof_client_profit_float8_final(PG_FUNCTION_ARGS)
{
	CprofProfitState *state = profit_final_state(fcinfo, 1, 1);

	if (state == NULL)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(floatsum_result(&state->bucket[0].f));
}

/* Set d to a (+/-) b, all exact. */
static void
waterfall_step(CprofMoney *d, const CprofMoney *a, const CprofMoney *b,
			   bool subtract)
{
	money_copy(d, a, CurrentMemoryContext);
	money_add_money(d, b, subtract, CurrentMemoryContext);
}

PG_FUNCTION_INFO_V1(cprof_client_profit_final);
/*
 * Final function of the ledger and roll-up forms: the waterfall of
 * docs/domain.md section 1, every line exact, as a profit value.  The state is
 * only read (window frames call this repeatedly).
 */
Datum
cprof_client_profit_final(PG_FUNCTION_ARGS)
{
	CprofProfitState *state = profit_final_state(fcinfo, NUM_BUCKETS, -1);
	FmgrInfo   *flinfo = fcinfo->flinfo;
	CprofMoney	line[NUM_BUCKETS];
	CprofMoney	gross,
				gross_disc,
				contribution,
				net,
				net_acq,
				total;
	Datum		values[NUM_PROFIT_FIELDS];
	bool		nulls[NUM_PROFIT_FIELDS];
	TupleDesc	tupdesc;

	if (state == NULL)
		PG_RETURN_NULL();

	/* the result descriptor, blessed once per query */
	tupdesc = (TupleDesc) flinfo->fn_extra;
	if (tupdesc == NULL)
	{
		MemoryContext old;

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "client_profit final function must return a composite type");
		old = MemoryContextSwitchTo(flinfo->fn_mcxt);
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
		flinfo->fn_extra = tupdesc;
	}

	for (int b = 0; b < NUM_BUCKETS; b++)
	{
		if (state->is_float)
		{
			/* a double sum becomes numeric as float8::numeric does */
			Datum		n = NumericGetDatum(cprof_float8_to_numeric(floatsum_result(&state->bucket[b].f)));

			money_init(&line[b]);
			money_add_numeric(&line[b], n, false, CurrentMemoryContext);
		}
		else
			line[b] = state->bucket[b].m;	/* read only below */
	}

	waterfall_step(&gross_disc, &line[BUCKET_REVENUE], &line[BUCKET_DISCOUNT], true);
	waterfall_step(&gross, &gross_disc, &line[BUCKET_COGS], true);
	waterfall_step(&contribution, &gross, &line[BUCKET_COST_TO_SERVE], true);
	waterfall_step(&net_acq, &contribution, &line[BUCKET_ACQUISITION], true);
	waterfall_step(&net, &net_acq, &line[BUCKET_BAD_DEBT], true);
	waterfall_step(&total, &net, &line[BUCKET_REFERRAL], false);

	memset(nulls, 0, sizeof(nulls));
	for (int b = 0; b < NUM_BUCKETS; b++)
		values[bucket_field[b]] = NumericGetDatum(money_result(&line[b]));
	values[F_GROSS_PROFIT] = NumericGetDatum(money_result(&gross));
	values[F_CONTRIBUTION] = NumericGetDatum(money_result(&contribution));
	values[F_NET_PROFIT] = NumericGetDatum(money_result(&net));
	values[F_TOTAL_VALUE] = NumericGetDatum(money_result(&total));
	values[F_ENTRIES] = Int64GetDatum(state->entries);

	/* margin = net profit / revenue, NULL unless revenue is positive */
	if (money_sign(&line[BUCKET_REVENUE]) <= 0)
		nulls[F_MARGIN] = true;
	else
	{
		double		margin;
		CprofDoubleRange r = money_ratio(&net, &line[BUCKET_REVENUE], &margin);

		if (r != CPROF_DOUBLE_IN_RANGE)
			cprof_double_range_error(r, "margin (net_profit / revenue)", "client_profit",
									 "A ledger whose costs are that far out of proportion with its revenue usually holds a misplaced amount.");
		values[F_MARGIN] = Float8GetDatum(margin);
	}

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
