/*
 * src/client_profit.c: the client_profit aggregate family.
 *
 * SQL objects (sql/cprof--1.1.sql):
 *   client_profit(revenue T, cost T)       T numeric, double precision,
 *                                          smallint, integer, bigint
 *   client_profit(amount T, kind text)     returns profit
 *   client_profit(profit)                  returns profit (roll-up)
 *   type cprof_client_profit_state (its text and binary forms, the
 *   functions cprof_client_profit_state_{in,out,recv,send}, are in
 *   client_profit_io.c; its layout in client_profit.h)
 *   cprof_client_profit_{trans,minv}       overloaded on the input types, one
 *                                          C symbol each (PROFIT_STEP below)
 *   cprof_client_profit_combine
 *   cprof_client_profit_final              -> profit
 *   cprof_client_profit_numeric_final      -> numeric
 *   cprof_client_profit_float8_final       -> double precision
 * The 1.0 definitions (STYPE internal: the overloads of
 * cprof_client_profit_{trans,minv} under one C symbol each, which read
 * their input types from the call, and
 * cprof_client_profit_{serialize,deserialize}) run on the same code until
 * ALTER EXTENSION cprof UPDATE (state.c says how); their serialize and
 * deserialize functions are the binary form (client_profit_io.c).
 *
 * State: CprofProfitState, one flat state (state.c) per group.  It holds
 * exact sums (CprofMoneySlot) or, for double precision input, compensated
 * sums (CprofFloatSum) in "buckets", in one of four forms:
 *   net, net_float8: client_profit(revenue, cost), one bucket, revenue
 *     minus cost;
 *   waterfall, waterfall_float8: the ledger and the roll-up, seven
 *     buckets, the independent lines of the waterfall (revenue, discount,
 *     cogs, cost to serve, acquisition, bad debt, referral).  service,
 *     sales, commission and quality all go to cost to serve: the profit
 *     composite does not keep them apart, and keeping them apart in the
 *     state would make the roll-up inexact.
 * Every other field of profit is derived from the buckets in the final
 * function, so re-aggregating profit values gives exactly the raw result.
 * A money bucket b keeps its rarely needed part (money.c) in part b of the
 * state.  Text form (cprof_client_profit_state_out; state_io.c has the
 * grammar, money.c and floatsum.c the sums'):
 *   1 net rows=2 entries=2 net=60.00/1
 *   1 waterfall rows=2 entries=2 revenue=100/1 discount=0/0 cogs=40/1
 *     cost_to_serve=0/0 acquisition=0/0 bad_debt=0/0 referral=0/0
 * (on one line), waterfall_float8 and net_float8 with sum/compensation.
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

#include "client_profit.h"
#include "numeric_format.h"

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

/* The field of profit that holds each bucket. */
const int	cprof_profit_bucket_field[NUM_BUCKETS] = {
	F_REVENUE, F_DISCOUNT, F_COGS, F_COST_TO_SERVE, F_ACQUISITION,
	F_BAD_DEBT, F_REFERRAL
};


const char *const cprof_profit_form_name[NUM_FORMS] = {
	"net", "net_float8", "waterfall", "waterfall_float8"
};

const uint32 cprof_profit_body_at[NUM_FORMS] = {
	BODY_AT(1), BODY_AT(0), BODY_AT(NUM_BUCKETS), BODY_AT(0)
};

/* The fixed size of each form: exact buckets have a part each. */
#define FIXED(nparts, nbuckets, bucket) \
	(BODY_AT(nparts) + sizeof(ProfitBody) + (nbuckets) * sizeof(bucket))
static const CprofFlatHeader profit_header[NUM_FORMS] = {
	CPROF_FLAT_HEADER(CPROF_FAMILY_CLIENT_PROFIT, FORM_NET, 1, FIXED(1, 1, CprofMoneySlot)),
	CPROF_FLAT_HEADER(CPROF_FAMILY_CLIENT_PROFIT, FORM_NET_FLOAT, 0, FIXED(0, 1, CprofFloatSum)),
	CPROF_FLAT_HEADER(CPROF_FAMILY_CLIENT_PROFIT, FORM_WATERFALL, NUM_BUCKETS,
					  FIXED(NUM_BUCKETS, NUM_BUCKETS, CprofMoneySlot)),
	CPROF_FLAT_HEADER(CPROF_FAMILY_CLIENT_PROFIT, FORM_WATERFALL_FLOAT, 0,
					  FIXED(0, NUM_BUCKETS, CprofFloatSum))
};

const CprofFlatKind cprof_profit_kind = {
	CPROF_FAMILY_CLIENT_PROFIT, NUM_FORMS, profit_header, "client_profit"
};

/* What a transition function is called for. */
typedef enum ProfitShape
{
	SHAPE_NET,					/* client_profit(revenue, cost) */
	SHAPE_LEDGER,				/* client_profit(amount, kind) */
	SHAPE_ROLLUP				/* client_profit(profit) */
} ProfitShape;

/* The form of the state of a shape and an amount type. */
static inline ProfitForm
shape_form(ProfitShape shape, Oid amount_type)
{
	if (shape == SHAPE_NET)
		return amount_type == FLOAT8OID ? FORM_NET_FLOAT : FORM_NET;
	return amount_type == FLOAT8OID ? FORM_WATERFALL_FLOAT : FORM_WATERFALL;
}

/* A new empty state of the given form in ref. */
void
cprof_profit_state_new(CprofStateRef *ref, ProfitForm form)
{
	cprof_state_new(ref, form, NULL);
	if (!FORM_IS_FLOAT(form))
	{
		for (int b = 0; b < FORM_BUCKETS(form); b++)
			money_slot_init(MONEY_BUCKET(ref->st, b), b);
	}
}

/*
 * Add (or, for the inverse, remove) one amount to bucket b of ref's state
 * (whose form tells the kind of sum), the amount of type 'type'.  Returns
 * false when an inverse cannot be done exactly.  The state may move.
 */
static pg_attribute_always_inline bool
bucket_apply(CprofStateRef *ref, int b, Oid type, Datum value, bool negate,
			 bool remove)
{
	Size		off = BUCKET_OFF(ref->st->form, b);
	int64		i;

	switch (type)
	{
		case NUMERICOID:
			if (remove)
				return money_slot_sub_numeric(ref, off, value, negate);
			money_slot_add_numeric(ref, off, value, negate);
			return true;
		case FLOAT8OID:
			{
				CprofFloatSum *f = FLOAT_BUCKET(ref->st, b);
				double		x = DatumGetFloat8(value);

				if (negate)
					x = -x;
				if (remove)
					floatsum_remove(f, x);
				else
					floatsum_add(f, x);
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
		return money_slot_sub_int64(ref, off, i, negate);
	money_slot_add_int64(ref, off, i, negate);
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
const char *const cprof_profit_field_name[NUM_PROFIT_FIELDS] = {
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
 * What the decoding of a profit value's money fields found: whether every
 * one that is not NULL fits the int128 fast path, and the smallest and
 * largest display scales of those that are not zero (a zero is the same
 * at every scale).
 */
typedef struct RollupScales
{
	bool		fits;
	int			smin;
	int			smax;
} RollupScales;

/* The money fields of profit that are decoded: all but margin and entries. */
#define MONEY_FIELD(f)	((f) != F_MARGIN && (f) != F_ENTRIES)

/*
 * The fast path of rollup_check: when every money field fits the int128
 * fast path, walk the waterfall once (revenue - discount - cogs =
 * gross_profit, ...), on the decoded units as they are when every
 * non-zero field has the same display scale (the common case), else at the
 * largest scale.  A NULL field was decoded as 0.  Returns true when every
 * derived field that is not NULL agrees, false when that is not decided
 * here (an overflow) or a field disagrees: the numeric path then decides
 * and names it.
 */
static inline bool
rollup_check_fast(const bool *nulls, const CprofNumericParts *parts,
				  const RollupScales *sc)
{
	int128		v[NUM_PROFIT_FIELDS];
	int128		acc;

	if (!sc->fits)
		return false;
	if (sc->smin >= sc->smax)
	{
		for (int f = 0; f < NUM_PROFIT_FIELDS; f++)
			v[f] = parts[f].units;
	}
	else
	{
		for (int f = 0; f < NUM_PROFIT_FIELDS; f++)
		{
			v[f] = parts[f].units;
			if (MONEY_FIELD(f) && !cprof_scale_up(&v[f], sc->smax - parts[f].dscale))
				return false;
		}
	}
	if (__builtin_sub_overflow(v[F_REVENUE], v[F_DISCOUNT], &acc) ||
		__builtin_sub_overflow(acc, v[F_COGS], &acc) ||
		(!nulls[F_GROSS_PROFIT] && acc != v[F_GROSS_PROFIT]) ||
		__builtin_sub_overflow(acc, v[F_COST_TO_SERVE], &acc) ||
		(!nulls[F_CONTRIBUTION] && acc != v[F_CONTRIBUTION]) ||
		__builtin_sub_overflow(acc, v[F_ACQUISITION], &acc) ||
		__builtin_sub_overflow(acc, v[F_BAD_DEBT], &acc) ||
		(!nulls[F_NET_PROFIT] && acc != v[F_NET_PROFIT]) ||
		__builtin_add_overflow(acc, v[F_REFERRAL], &acc) ||
		(!nulls[F_TOTAL_VALUE] && acc != v[F_TOTAL_VALUE]))
		return false;
	return true;
}

/*
 * Check a profit value given to the roll-up, its money fields decoded in
 * parts: entries must not be negative, and each derived field that is not
 * NULL must be what the waterfall gives from the lines (a NULL line
 * counting as 0).  The int128 fast path decides almost every value; the
 * others (NaN, infinities, more than 38 digits) are compared in numeric.
 */
static void
rollup_check(const Datum *values, const bool *nulls,
			 const CprofNumericParts *parts, const RollupScales *sc)
{
	if (!nulls[F_ENTRIES] && DatumGetInt64(values[F_ENTRIES]) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("entries must be 0 or greater in client_profit(profit), got " INT64_FORMAT,
						DatumGetInt64(values[F_ENTRIES])),
				 errdetail("entries counts the ledger entries a profit value sums up."),
				 errhint("Build profit values with client_profit(), or give entries the number of entries behind the value (0 for none, NULL counts as 0).")));
	if (rollup_check_fast(nulls, parts, sc))
		return;
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
							cprof_profit_field_name[f],
							DatumGetCString(DirectFunctionCall1(numeric_out, values[f])),
							DatumGetCString(DirectFunctionCall1(numeric_out,
																NumericGetDatum(money_result(&run))))),
					 errdetail("The roll-up adds the lines revenue, discount, cogs, cost_to_serve, acquisition, bad_debt and referral, and recomputes gross_profit, contribution, net_profit and total_value from them."),
					 errhint("Build profit values with client_profit(), or make gross_profit = revenue - discount - cogs, contribution = gross_profit - cost_to_serve, net_profit = contribution - acquisition - bad_debt and total_value = net_profit + referral (a NULL field counts as 0; a NULL derived field is not checked).")));
	}
}

/* What the call site of a transition function knows (cprof_call_site). */
typedef struct ProfitSite
{
	bool		known;			/* shape and amount_type are set (1.0) */
	ProfitShape shape;			/* 1.0: read from the call */
	Oid			amount_type;	/* 1.0: read from the call */
	Oid			row_typid;		/* roll-up: the input's row type ... */
	int32		row_typmod;
	TupleDesc	row_desc;		/* ... and its descriptor */
} ProfitSite;

static ProfitSite *
profit_site(FunctionCallInfo fcinfo)
{
	CprofCallSite *site = cprof_call_site(fcinfo);

	if (site->family == NULL)
		site->family = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ProfitSite));
	return (ProfitSite *) site->family;
}

/*
 * The descriptor of a profit value given to the roll-up, looked up once per
 * call site (per row type).
 */
static TupleDesc
rollup_desc(FunctionCallInfo fcinfo, HeapTupleHeader th)
{
	ProfitSite *ps = profit_site(fcinfo);
	Oid			typid = HeapTupleHeaderGetTypeId(th);
	int32		typmod = HeapTupleHeaderGetTypMod(th);

	if (ps->row_desc == NULL || ps->row_typid != typid || ps->row_typmod != typmod)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		ps->row_desc = lookup_rowtype_tupdesc_copy(typid, typmod);
		MemoryContextSwitchTo(old);
		ps->row_typid = typid;
		ps->row_typmod = typmod;
		if (ps->row_desc->natts != NUM_PROFIT_FIELDS)
			elog(ERROR, "client_profit(profit) called with a row of %d fields",
				 ps->row_desc->natts);
	}
	return ps->row_desc;
}

/*
 * The shared body of every transition and inverse transition function:
 * the shape of the aggregate and the type of its amounts come from the C
 * symbol (PROFIT_STEP below), or for the 1.0 symbols from the call.
 * Always returns a state (created empty on the first row, even one that
 * is skipped: a moving-aggregate transition function must not return
 * NULL), or NULL when an inverse cannot be done exactly (the executor then
 * recomputes the window frame).  A state of another form is an error.
 * Inlined into each C symbol, so that the shape and the type are constants
 * there and the per-row path has no dispatch left.
 */
static pg_attribute_always_inline Datum
profit_step(FunctionCallInfo fcinfo, ProfitShape shape, Oid type, bool remove)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	ProfitForm	form = shape_form(shape, type);
	CprofStateRef ref;
	int64		sign = remove ? -1 : 1;
	bool		ok = true;
	ProfitBody *body;

	if (!cprof_state_begin(fcinfo, mode, aggcxt, &cprof_profit_kind, form, &ref))
	{
		/* the executor never removes a row it did not add */
		if (remove)
			elog(ERROR, "client_profit inverse transition called without a state");
		cprof_profit_state_new(&ref, form);
	}

	switch (shape)
	{
		case SHAPE_NET:
			if (PG_ARGISNULL(1) && PG_ARGISNULL(2))
				break;
			if (!PG_ARGISNULL(1))
				ok = bucket_apply(&ref, 0, type, PG_GETARG_DATUM(1), false, remove);
			if (ok && !PG_ARGISNULL(2))
				ok = bucket_apply(&ref, 0, type, PG_GETARG_DATUM(2), true, remove);
			body = PROFIT_BODY(ref.st);
			body->rows += sign;
			body->entries += sign;
			break;

		case SHAPE_LEDGER:
			if (PG_ARGISNULL(1))
				break;
			if (PG_ARGISNULL(2))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("kind must not be null in client_profit(amount, kind)"),
						 errdetail("Every entry with a non-null amount needs a kind."),
						 errhint("Give every ledger entry a kind, or filter the rows with WHERE kind IS NOT NULL.")));
			ok = bucket_apply(&ref, ledger_bucket(PG_GETARG_TEXT_PP(2)), type,
							  PG_GETARG_DATUM(1), false, remove);
			body = PROFIT_BODY(ref.st);
			body->rows += sign;
			body->entries += sign;
			break;

		case SHAPE_ROLLUP:
			{
				HeapTupleHeader th;
				HeapTupleData tuple;
				Datum		values[NUM_PROFIT_FIELDS];
				bool		nulls[NUM_PROFIT_FIELDS];

				if (PG_ARGISNULL(1))
					break;
				th = PG_GETARG_HEAPTUPLEHEADER(1);
				tuple.t_len = HeapTupleHeaderGetDatumLength(th);
				ItemPointerSetInvalid(&tuple.t_self);
				tuple.t_tableOid = InvalidOid;
				tuple.t_data = th;
				heap_deform_tuple(&tuple, rollup_desc(fcinfo, th), values, nulls);

				if (!remove)
				{
					/* each money field decoded once, for the check and the sums */
					CprofNumericParts parts[NUM_PROFIT_FIELDS];
					RollupScales sc = {true, PG_INT32_MAX, 0};

					for (int f = 0; f < NUM_PROFIT_FIELDS; f++)
					{
						if (!MONEY_FIELD(f) || nulls[f])
						{
							/* NULL counts as 0; margin and entries unused */
							memset(&parts[f], 0, sizeof(parts[f]));
							parts[f].fits = parts[f].finite = true;
							continue;
						}
						cprof_numeric_parts(values[f], &parts[f]);
						sc.fits &= parts[f].fits;
						if (parts[f].units != 0)
						{
							sc.smin = Min(sc.smin, parts[f].dscale);
							sc.smax = Max(sc.smax, parts[f].dscale);
						}
					}
					rollup_check(values, nulls, parts, &sc);
					for (int b = 0; b < NUM_BUCKETS; b++)
					{
						int			f = cprof_profit_bucket_field[b];

						if (!nulls[f])
							money_slot_add_parts(&ref, BUCKET_OFF(form, b), &parts[f],
												 values[f]);
					}
				}
				else
				{
					/* a row being removed was checked when it was added */
					for (int b = 0; ok && b < NUM_BUCKETS; b++)
					{
						if (!nulls[cprof_profit_bucket_field[b]])
							ok = bucket_apply(&ref, b, NUMERICOID,
											  values[cprof_profit_bucket_field[b]], false, true);
					}
				}
				body = PROFIT_BODY(ref.st);
				body->rows += sign;
				if (!nulls[F_ENTRIES])
					body->entries = count_add(body->entries,
											  sign * DatumGetInt64(values[F_ENTRIES]));
				break;
			}
	}
	if (!ok)
		PG_RETURN_NULL();
	PG_RETURN_POINTER(ref.st);
}

/*
 * The transition and inverse transition functions of the 1.1 definitions,
 * one C symbol per overload (Citus calls them without a call expression to
 * read the input types from): cprof_client_profit_trans_<variant> and
 * cprof_client_profit_minv_<variant>, <variant> the shape and the amount
 * type.
 */
#define PROFIT_STEP(variant, shape, type) \
PG_FUNCTION_INFO_V1(cprof_client_profit_trans_##variant); \
Datum \
cprof_client_profit_trans_##variant(PG_FUNCTION_ARGS) \
{ \
	return profit_step(fcinfo, shape, type, false); \
} \
PG_FUNCTION_INFO_V1(cprof_client_profit_minv_##variant); \
Datum \
cprof_client_profit_minv_##variant(PG_FUNCTION_ARGS) \
{ \
	return profit_step(fcinfo, shape, type, true); \
}

PROFIT_STEP(net_numeric, SHAPE_NET, NUMERICOID)
PROFIT_STEP(net_float8, SHAPE_NET, FLOAT8OID)
PROFIT_STEP(net_int2, SHAPE_NET, INT2OID)
PROFIT_STEP(net_int4, SHAPE_NET, INT4OID)
PROFIT_STEP(net_int8, SHAPE_NET, INT8OID)
PROFIT_STEP(ledger_numeric, SHAPE_LEDGER, NUMERICOID)
PROFIT_STEP(ledger_float8, SHAPE_LEDGER, FLOAT8OID)
PROFIT_STEP(ledger_int2, SHAPE_LEDGER, INT2OID)
PROFIT_STEP(ledger_int4, SHAPE_LEDGER, INT4OID)
PROFIT_STEP(ledger_int8, SHAPE_LEDGER, INT8OID)
PROFIT_STEP(rollup, SHAPE_ROLLUP, NUMERICOID)

/*
 * The 1.0 definitions share one transition and one inverse symbol over
 * every overload: the shape and the amount type are read from the call,
 * once per call site.
 */
static void
profit_call(FunctionCallInfo fcinfo, ProfitShape *shape, Oid *type)
{
	ProfitSite *ps = profit_site(fcinfo);

	if (!ps->known)
	{
		Oid			type1 = get_fn_expr_argtype(fcinfo->flinfo, 1);

		if (PG_NARGS() == 2)
		{
			ps->shape = SHAPE_ROLLUP;
			ps->amount_type = NUMERICOID;
		}
		else
		{
			ps->shape = get_fn_expr_argtype(fcinfo->flinfo, 2) == TEXTOID ?
				SHAPE_LEDGER : SHAPE_NET;
			ps->amount_type = type1;
			if (type1 != NUMERICOID && type1 != FLOAT8OID &&
				type1 != INT2OID && type1 != INT4OID && type1 != INT8OID)
				elog(ERROR, "client_profit support function called with input type %u",
					 type1);
		}
		ps->known = true;
	}
	*shape = ps->shape;
	*type = ps->amount_type;
}

PG_FUNCTION_INFO_V1(cprof_client_profit_trans);
/* Transition function of every 1.0 client_profit aggregate (internal). */
Datum
cprof_client_profit_trans(PG_FUNCTION_ARGS)
{
	ProfitShape shape;
	Oid			type;

	profit_call(fcinfo, &shape, &type);
	return profit_step(fcinfo, shape, type, false);
}

PG_FUNCTION_INFO_V1(cprof_client_profit_minv);
/* Inverse transition function of the 1.0 definitions (internal). */
Datum
cprof_client_profit_minv(PG_FUNCTION_ARGS)
{
	ProfitShape shape;
	Oid			type;

	profit_call(fcinfo, &shape, &type);
	return profit_step(fcinfo, shape, type, true);
}

PG_FUNCTION_INFO_V1(cprof_client_profit_combine);
/*
 * Combine function: merges two partial states of the same form, for any
 * split of the rows; states of different forms (only a hand-made aggregate
 * or a direct call can pass them) are an error.  STRICT for the state
 * type; the 1.0 definition (internal) is not.
 */
Datum
cprof_client_profit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	CprofStateRef ref;
	const CprofFlatHeader *s2;
	const ProfitBody *b2;
	int64		rows;
	int64		entries;
	int			form;
	Datum		result;

	if (cprof_combine_null_cases(fcinfo, &result))
		return result;
	s2 = cprof_state_arg(fcinfo, 1, &cprof_profit_kind);
	form = s2->form;
	if (!cprof_state_begin(fcinfo, mode, aggcxt, &cprof_profit_kind, form, &ref))
	{
		cprof_state_copy_into(&ref, s2);
		PG_RETURN_POINTER(ref.st);
	}
	b2 = PROFIT_BODY(s2);
	rows = count_add(PROFIT_BODY(ref.st)->rows, b2->rows);
	entries = count_add(PROFIT_BODY(ref.st)->entries, b2->entries);
	for (int b = 0; b < FORM_BUCKETS(form); b++)
	{
		if (FORM_IS_FLOAT(form))
			floatsum_add_floatsum(FLOAT_BUCKET(ref.st, b), FLOAT_BUCKET(s2, b));
		else
			money_slot_add_slot(&ref, BUCKET_OFF(form, b), s2, MONEY_BUCKET(s2, b));
	}
	PROFIT_BODY(ref.st)->rows = rows;
	PROFIT_BODY(ref.st)->entries = entries;
	PG_RETURN_POINTER(ref.st);
}

/*
 * The state, or NULL when the group aggregated no row.  A state of another
 * form than the final function's (the waterfall's final takes both of its
 * forms) is an error.
 */
static const CprofFlatHeader *
profit_final_state(FunctionCallInfo fcinfo, int form, int alt_form)
{
	const CprofFlatHeader *st;

	if (PG_ARGISNULL(0))
		return NULL;
	st = cprof_state_arg(fcinfo, 0, &cprof_profit_kind);
	if (st->form != form && st->form != alt_form)
		cprof_state_mismatch("client_profit");
	return PROFIT_BODY(st)->rows == 0 ? NULL : st;
}

PG_FUNCTION_INFO_V1(cprof_client_profit_numeric_final);
/* Final function of client_profit(revenue, cost) for numeric and integers. */
Datum
cprof_client_profit_numeric_final(PG_FUNCTION_ARGS)
{
	const CprofFlatHeader *st = profit_final_state(fcinfo, FORM_NET, FORM_NET);
	CprofMoney	m;

	if (st == NULL)
		PG_RETURN_NULL();
	money_slot_view(st, MONEY_BUCKET(st, 0), &m);
	PG_RETURN_NUMERIC(money_result(&m));
}

PG_FUNCTION_INFO_V1(cprof_client_profit_float8_final);
/* Final function of client_profit(revenue, cost) for double precision. */
Datum
cprof_client_profit_float8_final(PG_FUNCTION_ARGS)
{
	const CprofFlatHeader *st = profit_final_state(fcinfo, FORM_NET_FLOAT, FORM_NET_FLOAT);

	if (st == NULL)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(floatsum_result(FLOAT_BUCKET(st, 0)));
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
	const CprofFlatHeader *st = profit_final_state(fcinfo, FORM_WATERFALL,
												   FORM_WATERFALL_FLOAT);
	CprofMoney	line[NUM_BUCKETS];
	CprofMoney	gross,
				gross_disc,
				contribution,
				net,
				net_acq,
				total;
	Datum		values[NUM_PROFIT_FIELDS];
	bool		nulls[NUM_PROFIT_FIELDS];

	if (st == NULL)
		PG_RETURN_NULL();

	for (int b = 0; b < NUM_BUCKETS; b++)
	{
		if (FORM_IS_FLOAT(st->form))
		{
			/* a double sum becomes numeric as float8::numeric does */
			Datum		n = NumericGetDatum(cprof_float8_to_numeric(floatsum_result(FLOAT_BUCKET(st, b))));

			money_init(&line[b]);
			money_add_numeric(&line[b], n, false, CurrentMemoryContext);
		}
		else
			money_slot_view(st, MONEY_BUCKET(st, b), &line[b]);	/* read only */
	}

	waterfall_step(&gross_disc, &line[BUCKET_REVENUE], &line[BUCKET_DISCOUNT], true);
	waterfall_step(&gross, &gross_disc, &line[BUCKET_COGS], true);
	waterfall_step(&contribution, &gross, &line[BUCKET_COST_TO_SERVE], true);
	waterfall_step(&net_acq, &contribution, &line[BUCKET_ACQUISITION], true);
	waterfall_step(&net, &net_acq, &line[BUCKET_BAD_DEBT], true);
	waterfall_step(&total, &net, &line[BUCKET_REFERRAL], false);

	memset(nulls, 0, sizeof(nulls));
	for (int b = 0; b < NUM_BUCKETS; b++)
		values[cprof_profit_bucket_field[b]] = NumericGetDatum(money_result(&line[b]));
	values[F_GROSS_PROFIT] = NumericGetDatum(money_result(&gross));
	values[F_CONTRIBUTION] = NumericGetDatum(money_result(&contribution));
	values[F_NET_PROFIT] = NumericGetDatum(money_result(&net));
	values[F_TOTAL_VALUE] = NumericGetDatum(money_result(&total));
	values[F_ENTRIES] = Int64GetDatum(PROFIT_BODY(st)->entries);

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

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cprof_result_tupdesc(fcinfo),
													  values, nulls)));
}

