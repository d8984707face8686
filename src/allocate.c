/*
 * src/allocate.c: exact allocation of a pool's amount over its rows, and
 * time-driven costing (docs/allocation.md).
 *
 * SQL objects (sql/cprof--1.1.sql), T numeric, double precision, integer
 * or bigint, U numeric or double precision:
 *   allocate(amount numeric, weight T [, unit numeric])       window function -> numeric
 *   allocate(amount double precision, weight double precision [, unit numeric])
 *                                                             window function -> double precision
 *   allocate_capacity(amount numeric, usage U, capacity U [, unit numeric])
 *                                                             window function -> numeric
 *   allocate_capacity(amount double precision, usage double precision,
 *                     capacity double precision [, unit numeric])
 *                                                             window function -> double precision
 *   idle_capacity(amount numeric, usage U, capacity U [, unit numeric])
 *                                                             aggregate -> numeric
 *   type cprof_idle_capacity_state, its functions
 *   cprof_idle_capacity_state_{in,out,recv,send}
 *   cprof_idle_capacity_trans (overloaded on U and the unit: C symbols
 *   cprof_idle_capacity_trans_{numeric,numeric_unit,float8,float8_unit}),
 *   cprof_idle_capacity_{combine,final}
 * One C function serves every form of a window function: it reads the
 * argument types (AllocArgs).  A double precision amount takes double
 * precision shares only, so that an integer literal amount with numeric or
 * integer weights resolves to the exact numeric form.
 *
 * The rule.  Let u be the rounding unit (the unit argument, else one unit
 * of the amount's display scale: 0.01 for 120000.00), D the denominator (the
 * partition's total weight for allocate, the capacity for
 * allocate_capacity) and x_i = |amount| * w_i / (u * D) the exact share of
 * row i in units of u.  Every row gets floor(x_i) units, and the E rows with
 * the largest remainders x_i - floor(x_i) get one unit more, where
 * E = round(sum x_i) - sum floor(x_i), rounding half up.  For allocate,
 * sum x_i = |amount| / u is an integer (the amount must be a multiple of
 * the unit), so the parts add up to the amount exactly; for
 * allocate_capacity they add up to the rounded total of
 * sum(usage) * amount / capacity, and idle_capacity returns the amount minus
 * that total.  Equal remainders are ordered by the row's position in the
 * window (its ORDER BY): the earlier row gets the unit.  A row with a zero
 * remainder never gets one (E never exceeds the number of non-zero
 * remainders), so a zero weight always gets 0.  A negative amount is
 * allocated as its magnitude and every part negated, so
 * allocate(-a, w) = -allocate(a, w) and the total rounds half away from
 * zero.  Every part is within one unit of its exact value.
 *
 * Exact arithmetic.  Every input is taken by its decimal value (a double
 * precision weight, usage or capacity as value::numeric, 15 significant
 * digits; an amount too when a unit is given), so that the result is the
 * one exact numeric arithmetic gives.  The fast path (MODE_FAST) holds the
 * amount, the unit and the shares as int128 counts of their decimal units,
 * brought to common scales: with the amount F and the unit Us in units of
 * 10^-scale and the shares at a common scale, x_i = F * w_i / (Us * D), an
 * integer division with remainder.  Anything that does not fit (more than
 * 38 digits, or an intermediate product that overflows) sends the whole
 * partition to MODE_SLOW, the same computation in numeric arithmetic.
 *
 * Partition-wide work, done on the first call of a partition: read every
 * row's share once (WinGetFuncArgInPartition), keeping its int128 value in
 * one transient array (16 bytes a row), turn the values into remainders in
 * place, and find the E-th largest remainder by radix selection (one
 * histogram of 8-bit digits per pass, most significant first, without
 * moving the array, so positions stay known); then the position of the
 * last tied row that still gets a unit.  What stays for the rest of the
 * partition is a few numbers (AllocPartition, in partition-local memory):
 * each later call recomputes its own row's quotient and remainder from its
 * share and compares the remainder with the cut.  The window's frame is
 * ignored: the whole partition counts, as for pareto_class.  MODE_SLOW
 * keeps one numeric remainder per row during the first call and sorts them.
 *
 * Double precision amounts without a unit (MODE_FLOAT): the parts are
 * amount * (w_i / D), unrounded, with D the compensated total of the
 * weights (or the capacity), and the rounding residue, target - (the
 * compensated sum of the parts), is added to the part of the first row with
 * the largest weight, so that the compensated sum of the parts equals the
 * target (the amount, or amount * sum(usage) / capacity) to the last bits.
 *
 * NULL rules: a NULL weight or usage gives a NULL part and takes no share.
 * A partition whose amount is NULL on every row gives NULL parts (a pool
 * that is missing from a LEFT JOIN); an amount that differs between rows
 * (NULL included), a NULL capacity or unit, a negative, NaN or infinite
 * share, a capacity or unit that is not positive and finite, are errors.
 * A partition whose weights are all zero or NULL is an error for allocate
 * (nothing to allocate by); for allocate_capacity it leaves the whole
 * amount idle.  Every row's amount, capacity and unit are compared with
 * the first row's when its part is returned (cheaply: WinGetFuncArgCurrent,
 * byte equality first).  The share is read twice, for the partition and
 * for the row, so a volatile share expression is refused.
 *
 * idle_capacity keeps the first amount, capacity and unit, the exact sum of
 * the usages and row counts (CprofIdleState, a flat state); its final
 * function computes amount - u * round(|amount| * sum(usage) / (u *
 * capacity)) * sign(amount) in numeric, the same total allocate_capacity
 * distributes.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "windowapi.h"

#include "cprof.h"
#include "numeric_format.h"

#define IDLE_STATE_VERSION 1


/*
 * A finite numeric as an int128 count of units of 10^-scale (its display
 * scale), for the exact integer arithmetic here.  True when the value is
 * finite and fits an int128; *finite tells NaN and the infinities from a
 * finite value that is merely too large.
 */
static bool
numeric_units(Datum d, int128 *v, int *scale, bool *finite)
{
	bool		fits;

	*finite = cprof_numeric_decode(d, v, scale, &fits) == CPROF_NUM_FINITE;
	return *finite && fits;
}

/* Check for cancellation every this many rows in long loops. */
#define INTERRUPT_MASK		((int64) 0xFFFF)

#define HINT_POOL	"Join the pool's amount (and capacity) to each of its rows and partition the window (or group the rows) by the pool, for example OVER (PARTITION BY pool_id ORDER BY client_id) or GROUP BY pool_id."
#define HINT_UNIT	"Pass a positive rounding increment, for example 0.01, 0.05 or 1."
#define HINT_CAPACITY	"Pass the pool's practical capacity, a positive number in the units of usage, for example the hours the department could work in the month."

/*
 * ---------------------------------------------------------------------------
 * Reading and checking values
 * ---------------------------------------------------------------------------
 */

/* The argument layout of a call site, cached in fn_extra. */
typedef struct AllocArgs
{
	bool		capacity;		/* allocate_capacity, else allocate */
	Oid			amount_type;	/* NUMERICOID or FLOAT8OID */
	Oid			share_type;		/* type of the weight or usage (and of the
								 * capacity) */
	int			unit_arg;		/* argument number of the unit, or -1 */
	const char *share_name;		/* "weight" or "usage" */
} AllocArgs;

/* A value as text, for error messages. */
static char *
value_text(Datum d, Oid type)
{
	switch (type)
	{
		case NUMERICOID:
			return DatumGetCString(DirectFunctionCall1(numeric_out, d));
		case FLOAT8OID:
			return float8out_internal(DatumGetFloat8(d));
		case INT4OID:
			return psprintf("%d", DatumGetInt32(d));
		case INT8OID:
			return psprintf(INT64_FORMAT, DatumGetInt64(d));
	}
	elog(ERROR, "cprof allocation called with argument type %u", type);
	return NULL;				/* keep the compiler quiet */
}

static Numeric
numeric_zero(void)
{
	return cprof_numeric_from_int128(0, 0);
}

/* Sign of a finite numeric: -1, 0 or 1 (from its digits when they fit). */
static int
numeric_sign_of(Numeric n)
{
	int128		v;
	int			scale;
	bool		finite;

	if (numeric_units(NumericGetDatum(n), &v, &scale, &finite))
		return v > 0 ? 1 : v < 0 ? -1 : 0;
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n),
											 NumericGetDatum(numeric_zero())));
}

static bool
numeric_finite(Numeric n)
{
	return !numeric_is_nan(n) && !numeric_is_inf(n);
}

/* Display scale of a finite numeric. */
static int
numeric_dscale(Numeric n)
{
	return DatumGetInt32(DirectFunctionCall1(numeric_scale, NumericGetDatum(n)));
}

/*
 * Are two numerics the same: equal in value and, when same_scale, in
 * display scale too?  Byte equality answers the common case cheaply.
 */
static bool
numeric_same(Datum a, Datum b, bool same_scale)
{
	struct varlena *va = PG_DETOAST_DATUM_PACKED(a);
	struct varlena *vb = PG_DETOAST_DATUM_PACKED(b);
	Numeric		na,
				nb;

	if (VARSIZE_ANY_EXHDR(va) == VARSIZE_ANY_EXHDR(vb) &&
		memcmp(VARDATA_ANY(va), VARDATA_ANY(vb), VARSIZE_ANY_EXHDR(va)) == 0)
		return true;
	na = DatumGetNumeric(a);
	nb = DatumGetNumeric(b);
	if (!numeric_finite(na) || !numeric_finite(nb))
		return false;
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b)) != 0)
		return false;
	return !same_scale || numeric_dscale(na) == numeric_dscale(nb);
}

/* An amount: finite, else an error. */
static void
check_amount(Datum d, Oid type)
{
	if (type == FLOAT8OID ? !isfinite(DatumGetFloat8(d))
		: !numeric_finite(DatumGetNumeric(d)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount must be a finite number, got %s", value_text(d, type)),
				 errhint("Filter out pools whose amount is NaN or infinite.")));
}

/* A capacity: positive and finite, else an error. */
static void
check_capacity(Datum d, Oid type)
{
	bool		ok;

	if (type == FLOAT8OID)
		ok = DatumGetFloat8(d) > 0 && isfinite(DatumGetFloat8(d));
	else
		ok = numeric_finite(DatumGetNumeric(d)) &&
			numeric_sign_of(DatumGetNumeric(d)) > 0;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("capacity must be a positive finite number, got %s",
						value_text(d, type)),
				 errhint(HINT_CAPACITY)));
}

/* A unit: positive and finite, else an error. */
static void
check_unit(Datum d)
{
	Numeric		u = DatumGetNumeric(d);

	if (!numeric_finite(u) || numeric_sign_of(u) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unit must be a positive finite number, got %s",
						value_text(d, NUMERICOID)),
				 errhint(HINT_UNIT)));
}

static void
null_param(const char *name, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s must not be null", name),
			 errhint("%s", hint)));
}

static void
differs(const char *name, const char *first, const char *now)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be the same on every row of a pool, got %s and %s",
					name, first, now),
			 errhint(HINT_POOL)));
}

static void
share_negative(const char *name, const char *value)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must not be negative, got %s", name, value),
			 errhint("Allocate by non-negative shares such as hours or revenue; to hand back a credit, allocate a negative amount.")));
}

static void
share_not_finite(const char *name, const char *value)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be a finite number, got %s", name, value),
			 errhint("Filter out rows whose %s is NaN or infinite.", name)));
}

/* A decimal value as a numeric: numeric as is, double by value::numeric. */
static Numeric
to_decimal(Datum d, Oid type)
{
	switch (type)
	{
		case NUMERICOID:
			return DatumGetNumeric(d);
		case FLOAT8OID:
			return cprof_float8_to_numeric(DatumGetFloat8(d));
		case INT4OID:
			return int64_to_numeric(DatumGetInt32(d));
		case INT8OID:
			return int64_to_numeric(DatumGetInt64(d));
	}
	elog(ERROR, "cprof allocation called with argument type %u", type);
	return NULL;				/* keep the compiler quiet */
}

/*
 * A share (weight or usage) for the fast path: checks it (finite, not
 * negative) and returns true with *v units of 10^-*scale when it fits an
 * int128, false when it does not (the caller then switches to numeric; a
 * value that does not fit is checked there).
 */
static bool
share_int128(Datum d, Oid type, const char *name, int128 *v, int *scale)
{
	bool		finite;

	*scale = 0;
	switch (type)
	{
		case INT4OID:
			*v = DatumGetInt32(d);
			break;
		case INT8OID:
			*v = DatumGetInt64(d);
			break;
		case FLOAT8OID:
			{
				double		x = DatumGetFloat8(d);
				Numeric		n;
				bool		fits;

				if (!isfinite(x))
					share_not_finite(name, value_text(d, type));
				if (x < 0)
					share_negative(name, value_text(d, type));
				if (x == 0)
				{
					*v = 0;
					return true;
				}
				n = cprof_float8_to_numeric(x);
				fits = numeric_units(NumericGetDatum(n), v, scale, &finite);
				pfree(n);
				return fits;
			}
		case NUMERICOID:
			if (!numeric_units(d, v, scale, &finite))
			{
				if (!finite)
					share_not_finite(name, value_text(d, type));
				return false;
			}
			break;
		default:
			elog(ERROR, "cprof allocation called with %s type %u", name, type);
	}
	if (*v < 0)
		share_negative(name, value_text(d, type));
	return true;
}

/* A share for the numeric path: checked, as a numeric. */
static Numeric
share_numeric(Datum d, Oid type, const char *name)
{
	Numeric		n;

	if (type == FLOAT8OID && !isfinite(DatumGetFloat8(d)))
		share_not_finite(name, value_text(d, type));
	if (type == NUMERICOID && !numeric_finite(DatumGetNumeric(d)))
		share_not_finite(name, value_text(d, type));
	n = to_decimal(d, type);
	if (numeric_sign_of(n) < 0)
		share_negative(name, value_text(d, type));
	return n;
}

/* A share as a double, for MODE_FLOAT: checked. */
static double
share_double(Datum d, Oid type, const char *name)
{
	double		x;

	switch (type)
	{
		case INT4OID:
			x = DatumGetInt32(d);
			break;
		case INT8OID:
			x = (double) DatumGetInt64(d);
			break;
		case FLOAT8OID:
			x = DatumGetFloat8(d);
			break;
		default:
			if (!numeric_finite(DatumGetNumeric(d)))
				share_not_finite(name, value_text(d, type));
			x = cprof_numeric_to_double(d);
			if (isinf(x))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("%s %s is out of the range of double precision",
								name, value_text(d, type)),
						 errhint("Allocate a numeric amount, which has no such limit.")));
			break;
	}
	if (!isfinite(x))
		share_not_finite(name, value_text(d, type));
	if (x < 0)
		share_negative(name, value_text(d, type));
	return x + 0.0;				/* -0 becomes +0 */
}

/* 10^-scale as a numeric with that display scale. */
static Numeric
unit_of_scale(int scale)
{
	if (scale <= CPROF_MONEY_MAX_SCALE)
		return cprof_numeric_from_int128(1, scale);
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(psprintf("1e-%d", scale)),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/*
 * q = floor(N / D), r = N mod D for N >= 0, D > 0: one 64-bit division in
 * the common case (int128 division is a library call, several times slower).
 */
static inline void
divmod(int128 N, int128 D, int128 *q, int128 *r)
{
	if (likely(N <= PG_INT64_MAX && D <= PG_INT64_MAX))
	{
		int64		n = (int64) N;
		int64		d = (int64) D;

		*q = n / d;
		*r = n % d;
	}
	else
	{
		*q = N / D;
		*r = N - *q * D;
	}
}

/*
 * ---------------------------------------------------------------------------
 * Selection of the cut
 * ---------------------------------------------------------------------------
 */

/* Number of significant bits of x. */
static int
bit_length(uint128 x)
{
	uint64		hi = (uint64) (x >> 64);
	uint64		lo = (uint64) x;

	if (hi != 0)
		return 128 - __builtin_clzll(hi);
	return lo == 0 ? 0 : 64 - __builtin_clzll(lo);
}

/*
 * The k-th largest (1 <= k <= n) of r[0 .. n), all in [0, bound): radix
 * selection on 8-bit digits, most significant first.  Each pass counts the
 * digits of the values that agree with the digits chosen so far, picks the
 * digit holding rank k, and moves the agreeing values to a scratch array
 * (after the first pass, which leaves r untouched, they are few).  Returns
 * the value; *above gets the number of values strictly larger.
 */
static int128
select_kth_largest(const int128 *r, int64 n, int64 k, int128 bound, int64 *above)
{
	int			top = bit_length((uint128) bound) - 1;
	int			shift = top < 0 ? 0 : top - top % 8;
	uint128		prefix = 0;
	int64		need = k;
	int64		greater = 0;
	const uint128 *cand = (const uint128 *) r;
	uint128    *scratch = NULL;
	int64		ncand = n;

	for (;; shift -= 8)
	{
		int64		counts[256];
		int			d;

		memset(counts, 0, sizeof(counts));
		for (int64 i = 0; i < ncand; i++)
		{
			uint128		v = cand[i];

			/* in the first pass every value agrees (the prefix is empty) */
			if ((v >> shift >> 8) == (prefix >> shift >> 8))
				counts[(v >> shift) & 0xFF]++;
			if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
				CHECK_FOR_INTERRUPTS();
		}
		for (d = 255; d > 0 && counts[d] < need; d--)
		{
			need -= counts[d];
			greater += counts[d];
		}
		prefix |= (uint128) d << shift;
		if (shift == 0)
			break;
		/* keep only the values with this digit */
		{
			int64		m = 0;

			if (scratch == NULL)
				scratch = MemoryContextAllocHuge(CurrentMemoryContext,
												 Max(counts[d], 1) * sizeof(uint128));
			for (int64 i = 0; i < ncand; i++)
			{
				uint128		v = cand[i];

				if ((v >> shift) == (prefix >> shift))
					scratch[m++] = v;
			}
			cand = scratch;
			ncand = m;
		}
	}
	if (scratch != NULL)
		pfree(scratch);
	*above = greater;
	return (int128) prefix;
}

/*
 * ---------------------------------------------------------------------------
 * allocate and allocate_capacity
 * ---------------------------------------------------------------------------
 */

typedef enum AllocMode
{
	MODE_FAST,					/* exact, in int128 */
	MODE_SLOW,					/* exact, in numeric */
	MODE_FLOAT					/* double precision amount, no unit */
} AllocMode;

/*
 * What the first call of a partition leaves for the others; lives in
 * partition-local memory (the Numerics and copies in the same context).
 * Row i's part is sign * (floor(N_i / D) + bonus_i) units of the unit, with
 * bonus_i = 1 when its remainder N_i mod D is above the cut, or equal to it
 * at a position up to cut_pos.
 */
typedef struct AllocPartition
{
	bool		ready;			/* set up */
	bool		null_pool;		/* the amount is NULL: every part is NULL */
	AllocMode	mode;
	/* the pool as on the first row, to check every row against */
	Datum		amount;			/* a copy */
	Datum		capacity;		/* a copy (allocate_capacity) */
	Datum		unit;			/* a copy, when given */
	/* exact modes */
	int			sign;			/* sign of the amount */
	int			scale;			/* display scale of the parts */
	bool		any_bonus;		/* E > 0 */
	int64		cut_pos;		/* last position tied with the cut that
								 * still gets a unit */
	/* MODE_FAST: N_i = factor * w_i, w_i in units of 10^-share_scale */
	int			share_scale;
	int128		factor;			/* |amount| in units of 10^-scale */
	int128		unit_units;		/* the unit in units of 10^-scale */
	int128		denom;			/* D = unit_units * (total or capacity) */
	int128		cut;			/* the E-th largest remainder */
	/* MODE_SLOW: N_i = nfactor * w_i */
	Numeric		nfactor;		/* |amount| */
	Numeric		nunit;			/* the unit */
	Numeric		ndenom;			/* unit * (total or capacity) */
	Numeric		ncut;			/* the E-th largest remainder */
	/* MODE_FLOAT: part_i = famount * (w_i / fdenom), plus fresid at fresid_pos */
	double		famount;
	double		fdenom;
	double		fresid;
	int64		fresid_pos;
} AllocPartition;

/* The decimal inputs of the exact modes. */
typedef struct ExactPool
{
	Numeric		amount;			/* its decimal value */
	Numeric		unit;			/* NULL: the amount's scale */
	Numeric		capacity;		/* NULL for allocate */
} ExactPool;

static const AllocArgs *
alloc_args(FunctionCallInfo fcinfo, bool capacity)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;

	if (flinfo->fn_extra == NULL)
	{
		AllocArgs  *a = MemoryContextAlloc(flinfo->fn_mcxt, sizeof(AllocArgs));
		int			base = capacity ? 3 : 2;

		a->capacity = capacity;
		a->amount_type = get_fn_expr_argtype(flinfo, 0);
		a->share_type = get_fn_expr_argtype(flinfo, 1);
		a->unit_arg = PG_NARGS() > base ? base : -1;
		a->share_name = capacity ? "usage" : "weight";
		if (a->amount_type != NUMERICOID && a->amount_type != FLOAT8OID)
			elog(ERROR, "cprof allocation called with amount type %u", a->amount_type);
		if (a->share_type != NUMERICOID && a->share_type != FLOAT8OID &&
			a->share_type != INT4OID && a->share_type != INT8OID)
			elog(ERROR, "cprof allocation called with share type %u", a->share_type);
		if (capacity && get_fn_expr_argtype(flinfo, 2) != a->share_type)
			elog(ERROR, "cprof allocation called with capacity type %u",
				 get_fn_expr_argtype(flinfo, 2));

		/*
		 * The share is read twice: for the whole partition on its first
		 * call, and for each row when its part is returned.  A volatile
		 * expression (random()) would give other values the second time.
		 */
		if (flinfo->fn_expr != NULL && IsA(flinfo->fn_expr, WindowFunc) &&
			contain_volatile_functions((Node *) lsecond(((WindowFunc *) flinfo->fn_expr)->args)))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s must not be a volatile expression", a->share_name),
					 errhint("Compute it in a subquery, for example FROM (SELECT *, random() AS w FROM t) s, or declare the function it calls IMMUTABLE or STABLE.")));
		flinfo->fn_extra = a;
	}
	return (const AllocArgs *) flinfo->fn_extra;
}

/* Error when the partition has more rows than the window API can address. */
static int64
partition_rows(WindowObject winobj, const char *fname)
{
	int64		rows = WinGetPartitionRowCount(winobj);

	if (rows > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s partition of " INT64_FORMAT " rows is too large", fname, rows),
				 errhint("Partition the rows into windows of at most 2147483647 rows.")));
	return rows;
}

/* The share of row i of the partition (NULL: *isnull). */
static inline Datum
share_at(WindowObject winobj, int64 i, bool *isnull)
{
	bool		isout;
	Datum		d = WinGetFuncArgInPartition(winobj, 1, (int) i, WINDOW_SEEK_HEAD,
											 false, isnull, &isout);

	if (isout)
		elog(ERROR, "cprof allocation: row " INT64_FORMAT " is outside its partition", i);
	return d;
}

/*
 * The shares of a partition are read in one call, in which the evaluation
 * of a computed argument (hours * rate) allocates in the current context:
 * the scans read in a context of their own and reset it every
 * READ_BATCH rows, once the values are decoded or copied out.
 */
#define READ_BATCH	((int64) 1024)

static MemoryContext
read_context_begin(MemoryContext *outer)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "cprof allocation scan",
											  ALLOCSET_SMALL_SIZES);

	*outer = MemoryContextSwitchTo(cxt);
	return cxt;
}

static void
read_context_end(MemoryContext cxt, MemoryContext outer)
{
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(cxt);
}

/* Between rows: free what the last READ_BATCH rows allocated, and honour cancellation. */
static inline void
read_context_next(MemoryContext cxt, int64 i)
{
	if (unlikely((i & (READ_BATCH - 1)) == READ_BATCH - 1))
	{
		MemoryContextReset(cxt);
		CHECK_FOR_INTERRUPTS();
	}
}

/* A copy of a value in cxt, detoasted (numeric) or by value (double). */
static Datum
copy_value(Datum d, Oid type, MemoryContext cxt)
{
	MemoryContext old;
	Datum		c;

	if (type == FLOAT8OID)
		return d;
	old = MemoryContextSwitchTo(cxt);
	c = datumCopy(PointerGetDatum(PG_DETOAST_DATUM(d)), false, -1);
	MemoryContextSwitchTo(old);
	return c;
}

static void
not_a_multiple(Numeric amount, Numeric unit)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("amount %s is not a multiple of unit %s",
					value_text(NumericGetDatum(amount), NUMERICOID),
					value_text(NumericGetDatum(unit), NUMERICOID)),
			 errhint("Parts that are multiples of the unit cannot add up to this amount: round the amount to the unit first, or pass a unit that divides it.")));
}

static void
nothing_to_allocate_by(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DIVISION_BY_ZERO),
			 errmsg("weights of a pool are all zero or NULL: nothing to allocate by"),
			 errhint("Give at least one row of the pool a positive weight, or leave such pools out, for example with WHERE total_weight > 0.")));
}

/*
 * The rounding unit of an exact pool, and the scale of the parts: the
 * larger of the amount's display scale and the unit's smallest scale
 * (0.050 and 0.05 both round to 0.05 and give two decimals).
 */
static Numeric
pool_unit(const ExactPool *pool, int *scale)
{
	int			sa = numeric_dscale(pool->amount);
	int			su;

	if (pool->unit == NULL)
	{
		*scale = sa;
		return unit_of_scale(sa);
	}
	su = DatumGetInt32(DirectFunctionCall1(numeric_min_scale,
										   NumericGetDatum(pool->unit)));
	*scale = Max(sa, su);
	return pool->unit;
}

/*
 * MODE_FAST set-up: false (having changed nothing the caller keeps) when a
 * value or an intermediate result does not fit an int128.
 */
static bool
fast_setup(WindowObject winobj, const AllocArgs *args, const ExactPool *pool,
		   int64 rows, AllocPartition *part)
{
	int128		a,
				u,
				cap = 0,
				total = 0,
				base,
				D,
				F;
	int			sa,
				su,
				scale,
				cscale = 0,
				wscale = 0;
	bool		finite;
	int128	   *w;
	uint128		acc = 0;
	int64		E = 0;
	MemoryContext readcxt,
				outer;

	if (!numeric_units(NumericGetDatum(pool->amount), &a, &sa, &finite))
		return false;
	if (pool->unit == NULL)
	{
		u = 1;
		su = sa;
	}
	else
	{
		if (!numeric_units(NumericGetDatum(pool->unit), &u, &su, &finite))
			return false;
		/* the unit's smallest scale: 0.050 is 5 units of 0.01 */
		while (su > 0 && u % 10 == 0)
		{
			u /= 10;
			su--;
		}
	}
	scale = Max(sa, su);
	F = a < 0 ? -a : a;
	if (!cprof_scale_up(&F, scale - sa) ||
		!cprof_scale_up(&u, scale - su))
		return false;
	if (!args->capacity && pool->unit != NULL && F % u != 0)
		not_a_multiple(pool->amount, pool->unit);
	if (args->capacity &&
		!numeric_units(NumericGetDatum(pool->capacity), &cap, &cscale, &finite))
		return false;

	/* every share, as int128 at the largest scale seen so far */
	w = MemoryContextAllocHuge(CurrentMemoryContext, Max(rows, 1) * sizeof(int128));
	readcxt = read_context_begin(&outer);
	for (int64 i = 0; i < rows; i++)
	{
		bool		isnull;
		Datum		d = share_at(winobj, i, &isnull);
		int128		v;
		int			s;
		bool		fits = true;

		w[i] = 0;
		if (isnull)
		{
			read_context_next(readcxt, i);
			continue;
		}
		if (!share_int128(d, args->share_type, args->share_name, &v, &s))
			fits = false;
		else if (unlikely(s > wscale))
		{
			/* a larger scale: bring everything read so far to it */
			for (int64 j = 0; j < i && fits; j++)
			{
				fits = cprof_scale_up(&w[j], s - wscale);
				if (unlikely((j & INTERRUPT_MASK) == INTERRUPT_MASK))
					CHECK_FOR_INTERRUPTS();
			}
			fits = fits && cprof_scale_up(&total, s - wscale);
			wscale = s;
		}
		else
			fits = cprof_scale_up(&v, wscale - s);
		if (!fits || __builtin_add_overflow(total, v, &total))
		{
			read_context_end(readcxt, outer);
			goto no_fit;
		}
		w[i] = v;
		read_context_next(readcxt, i);
	}
	read_context_end(readcxt, outer);

	/* the denominator: the total (allocate) or the capacity, at one scale */
	if (args->capacity)
	{
		if (cscale > wscale)
		{
			for (int64 j = 0; j < rows; j++)
			{
				if (!cprof_scale_up(&w[j], cscale - wscale))
					goto no_fit;
				if (unlikely((j & INTERRUPT_MASK) == INTERRUPT_MASK))
					CHECK_FOR_INTERRUPTS();
			}
			wscale = cscale;
		}
		else if (!cprof_scale_up(&cap, wscale - cscale))
			goto no_fit;
		base = cap;
	}
	else
	{
		if (total == 0)
			nothing_to_allocate_by();
		base = total;
	}
	if (__builtin_mul_overflow(u, base, &D))
		goto no_fit;

	/* remainders in place, and E */
	for (int64 i = 0; i < rows; i++)
	{
		int128		N,
					q,
					top;

		if (__builtin_mul_overflow(F, w[i], &N))
			goto no_fit;
		divmod(N, D, &q, &w[i]);
		if (__builtin_mul_overflow(q + 1, u, &top))
			goto no_fit;
		acc += (uint128) w[i];
		if (acc >= (uint128) D)
		{
			acc -= (uint128) D;
			E++;
		}
		if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
			CHECK_FOR_INTERRUPTS();
	}
	/* round half up; for allocate acc is 0 here (the parts add up) */
	Assert(args->capacity || acc == 0);
	if (2 * acc >= (uint128) D)
		E++;

	part->any_bonus = E > 0;
	if (E > 0)
	{
		int64		above;
		int64		ties;
		int128		cut = select_kth_largest(w, rows, E, D, &above);

		/* the (E - above)-th row tied with the cut, in window order */
		ties = E - above;
		part->cut = cut;
		part->cut_pos = -1;
		for (int64 i = 0; i < rows; i++)
		{
			if (w[i] == cut && --ties == 0)
			{
				part->cut_pos = i;
				break;
			}
			if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
				CHECK_FOR_INTERRUPTS();
		}
		Assert(part->cut_pos >= 0);
	}
	pfree(w);
	part->mode = MODE_FAST;
	part->sign = a > 0 ? 1 : a < 0 ? -1 : 0;
	part->scale = scale;
	part->share_scale = wscale;
	part->factor = F;
	part->unit_units = u;
	part->denom = D;
	return true;

no_fit:
	pfree(w);
	return false;
}

/* One numeric remainder and its row, for MODE_SLOW's sort. */
typedef struct SlowRem
{
	Numeric		r;
	int64		pos;
} SlowRem;

/* Largest remainder first; equal remainders by position. */
static int
slow_rem_cmp(const void *a, const void *b)
{
	const SlowRem *x = (const SlowRem *) a;
	const SlowRem *y = (const SlowRem *) b;
	int			c = DatumGetInt32(DirectFunctionCall2(numeric_cmp,
													  NumericGetDatum(y->r),
													  NumericGetDatum(x->r)));

	if (c != 0)
		return c;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static Numeric
num_mul(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

static Numeric
num_add(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_add, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

static Numeric
num_sub(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_sub, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

/* floor(a / b) for a >= 0, b > 0: exact (numeric_div_trunc). */
static Numeric
num_div_floor(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_div_trunc, NumericGetDatum(a),
											   NumericGetDatum(b)));
}

/* Quotient and remainder of N = factor * w by D, in numeric. */
static Numeric
slow_divide(Numeric factor, Numeric w, Numeric D, Numeric *rem)
{
	Numeric		N = num_mul(factor, w);
	Numeric		q = num_div_floor(N, D);

	*rem = num_sub(N, num_mul(q, D));
	return q;
}

/* MODE_SLOW set-up: the same computation as fast_setup, in numeric. */
static void
slow_setup(WindowObject winobj, const AllocArgs *args, const ExactPool *pool,
		   int64 rows, AllocPartition *part)
{
	MemoryContext partcxt = GetMemoryChunkContext(part);
	MemoryContext old;
	int			scale;
	Numeric		u = pool_unit(pool, &scale);
	Numeric		F = DatumGetNumeric(DirectFunctionCall1(numeric_abs,
														NumericGetDatum(pool->amount)));
	Numeric		total = numeric_zero();
	Numeric		D;
	Numeric		sum_rem = numeric_zero();
	Numeric	   *w = MemoryContextAllocHuge(CurrentMemoryContext, Max(rows, 1) * sizeof(Numeric));
	SlowRem    *rem = MemoryContextAllocHuge(CurrentMemoryContext, Max(rows, 1) * sizeof(SlowRem));
	int64		nrem = 0;
	int64		E;
	MemoryContext readcxt,
				outer;

	if (!args->capacity && pool->unit != NULL &&
		numeric_sign_of(DatumGetNumeric(DirectFunctionCall2(numeric_mod,
															NumericGetDatum(F),
															NumericGetDatum(u)))) != 0)
		not_a_multiple(pool->amount, pool->unit);
	readcxt = read_context_begin(&outer);
	for (int64 i = 0; i < rows; i++)
	{
		bool		isnull;
		Datum		d = share_at(winobj, i, &isnull);

		w[i] = NULL;
		if (!isnull)
		{
			/* a copy: the datum may point into the window's tuple slot */
			w[i] = DatumGetNumeric(copy_value(NumericGetDatum(share_numeric(d, args->share_type,
																			args->share_name)),
											  NUMERICOID, outer));
			MemoryContextSwitchTo(outer);
			total = num_add(total, w[i]);
			MemoryContextSwitchTo(readcxt);
		}
		read_context_next(readcxt, i);
	}
	read_context_end(readcxt, outer);
	if (!args->capacity && numeric_sign_of(total) == 0)
		nothing_to_allocate_by();
	D = num_mul(u, args->capacity ? pool->capacity : total);
	for (int64 i = 0; i < rows; i++)
	{
		Numeric		r;

		CHECK_FOR_INTERRUPTS();
		if (w[i] == NULL)
			continue;
		(void) slow_divide(F, w[i], D, &r);
		sum_rem = num_add(sum_rem, r);
		rem[nrem].r = r;
		rem[nrem].pos = i;
		nrem++;
	}
	/* E = round(sum of remainders / D), half up: floor((2s + D) / 2D) */
	{
		Numeric		two = int64_to_numeric(2);

		E = DatumGetInt64(DirectFunctionCall1(numeric_int8,
											  NumericGetDatum(num_div_floor(num_add(num_mul(two, sum_rem), D),
																			num_mul(two, D)))));
	}
	Assert(E >= 0 && E <= nrem);
	part->any_bonus = E > 0;
	old = MemoryContextSwitchTo(partcxt);
	if (E > 0)
	{
		qsort(rem, nrem, sizeof(SlowRem), slow_rem_cmp);
		part->ncut = DatumGetNumeric(datumCopy(NumericGetDatum(rem[E - 1].r), false, -1));
		part->cut_pos = rem[E - 1].pos;
	}
	part->nfactor = DatumGetNumeric(datumCopy(NumericGetDatum(F), false, -1));
	part->nunit = DatumGetNumeric(datumCopy(NumericGetDatum(u), false, -1));
	part->ndenom = DatumGetNumeric(datumCopy(NumericGetDatum(D), false, -1));
	MemoryContextSwitchTo(old);
	part->mode = MODE_SLOW;
	part->sign = numeric_sign_of(pool->amount);
	part->scale = scale;
}

/* MODE_FLOAT set-up: a double precision amount without a unit. */
static void
float_setup(WindowObject winobj, const AllocArgs *args, double amount,
			int64 rows, AllocPartition *part)
{
	double	   *w = MemoryContextAllocHuge(CurrentMemoryContext, Max(rows, 1) * sizeof(double));
	CprofFloatSum total;
	CprofFloatSum resid;
	double		D;
	double		target;
	double		biggest = -1;
	int64		biggest_pos = -1;

	MemoryContext readcxt,
				outer;

	floatsum_init(&total);
	readcxt = read_context_begin(&outer);
	for (int64 i = 0; i < rows; i++)
	{
		bool		isnull;
		Datum		d = share_at(winobj, i, &isnull);

		w[i] = -1;				/* NULL */
		if (!isnull)
		{
			w[i] = share_double(d, args->share_type, args->share_name);
			floatsum_add(&total, w[i]);
			if (w[i] > biggest)
			{
				biggest = w[i];
				biggest_pos = i;
			}
		}
		read_context_next(readcxt, i);
	}
	read_context_end(readcxt, outer);
	if (args->capacity)
	{
		D = args->share_type == FLOAT8OID ? DatumGetFloat8(part->capacity)
			: cprof_numeric_to_double(part->capacity);
		target = amount * (floatsum_result(&total) / D);
	}
	else
	{
		D = floatsum_result(&total);
		if (D == 0)
			nothing_to_allocate_by();
		target = amount;
	}
	if (!isfinite(D) || !isfinite(target))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("allocation is out of the range of double precision"),
				 errhint("Allocate a numeric amount, which has no such limit.")));
	/* the residue of the parts' rounding, added to the largest part */
	floatsum_init(&resid);
	floatsum_add(&resid, target);
	for (int64 i = 0; i < rows; i++)
	{
		if (w[i] >= 0)
			floatsum_add(&resid, -(amount * (w[i] / D)));
		if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
			CHECK_FOR_INTERRUPTS();
	}
	pfree(w);
	part->mode = MODE_FLOAT;
	part->famount = amount;
	part->fdenom = D;
	part->fresid = biggest > 0 ? floatsum_result(&resid) : 0;
	part->fresid_pos = biggest > 0 ? biggest_pos : -1;
}

/* The first call of a partition: check the pool, read the shares. */
static void
partition_setup(WindowObject winobj, const AllocArgs *args, AllocPartition *part,
				const char *fname)
{
	MemoryContext partcxt = GetMemoryChunkContext(part);
	int64		rows = partition_rows(winobj, fname);
	bool		isnull;
	Datum		amount = WinGetFuncArgCurrent(winobj, 0, &isnull);
	ExactPool	pool;

	if (isnull)
	{
		part->null_pool = true;
		part->ready = true;
		return;
	}
	check_amount(amount, args->amount_type);
	part->amount = copy_value(amount, args->amount_type, partcxt);
	memset(&pool, 0, sizeof(pool));
	if (args->capacity)
	{
		Datum		c = WinGetFuncArgCurrent(winobj, 2, &isnull);

		if (isnull)
			null_param("capacity", HINT_CAPACITY);
		check_capacity(c, args->share_type);
		part->capacity = copy_value(c, args->share_type, partcxt);
		pool.capacity = to_decimal(part->capacity, args->share_type);
	}
	if (args->unit_arg >= 0)
	{
		Datum		u = WinGetFuncArgCurrent(winobj, args->unit_arg, &isnull);

		if (isnull)
			null_param("unit", HINT_UNIT);
		check_unit(u);
		part->unit = copy_value(u, NUMERICOID, partcxt);
		pool.unit = DatumGetNumeric(part->unit);
	}
	if (args->amount_type == FLOAT8OID && args->unit_arg < 0)
		float_setup(winobj, args, DatumGetFloat8(amount) + 0.0, rows, part);
	else
	{
		pool.amount = to_decimal(part->amount, args->amount_type);
		if (!fast_setup(winobj, args, &pool, rows, part))
			slow_setup(winobj, args, &pool, rows, part);
	}
	part->ready = true;
}

/* Every row must carry the pool's amount, capacity and unit. */
static void
check_row(WindowObject winobj, const AllocArgs *args, const AllocPartition *part)
{
	bool		isnull;
	Datum		amount = WinGetFuncArgCurrent(winobj, 0, &isnull);

	if (part->null_pool)
	{
		if (!isnull)
			differs("amount", "NULL", value_text(amount, args->amount_type));
		return;
	}
	if (isnull)
		differs("amount", value_text(part->amount, args->amount_type), "NULL");
	if (args->amount_type == FLOAT8OID)
	{
		if (DatumGetFloat8(amount) != DatumGetFloat8(part->amount))
		{
			check_amount(amount, FLOAT8OID);
			differs("amount", value_text(part->amount, FLOAT8OID), value_text(amount, FLOAT8OID));
		}
	}
	else if (!numeric_same(amount, part->amount, true))
	{
		check_amount(amount, NUMERICOID);
		differs("amount", value_text(part->amount, NUMERICOID), value_text(amount, NUMERICOID));
	}
	if (args->capacity)
	{
		Datum		c = WinGetFuncArgCurrent(winobj, 2, &isnull);

		if (isnull)
			null_param("capacity", HINT_CAPACITY);
		if (args->share_type == FLOAT8OID ? DatumGetFloat8(c) != DatumGetFloat8(part->capacity)
			: !numeric_same(c, part->capacity, false))
		{
			check_capacity(c, args->share_type);
			differs("capacity", value_text(part->capacity, args->share_type),
					value_text(c, args->share_type));
		}
	}
	if (args->unit_arg >= 0)
	{
		Datum		u = WinGetFuncArgCurrent(winobj, args->unit_arg, &isnull);

		if (isnull)
			null_param("unit", HINT_UNIT);
		if (!numeric_same(u, part->unit, false))
		{
			check_unit(u);
			differs("unit", value_text(part->unit, NUMERICOID), value_text(u, NUMERICOID));
		}
	}
}

/* The part of the current row, whose share is d. */
static Datum
row_part(const AllocArgs *args, const AllocPartition *part, Datum d, int64 pos)
{
	Numeric		result;

	if (part->mode == MODE_FLOAT)
	{
		double		x = part->famount * (share_double(d, args->share_type, args->share_name) /
										 part->fdenom);

		if (pos == part->fresid_pos)
			x += part->fresid;
		return Float8GetDatum(x);
	}
	if (part->mode == MODE_FAST)
	{
		int128		v,
					N,
					q,
					r;
		int			s;

		/* these cannot fail: the first call did the same with every row */
		if (!share_int128(d, args->share_type, args->share_name, &v, &s) ||
			!cprof_scale_up(&v, part->share_scale - s) ||
			__builtin_mul_overflow(part->factor, v, &N))
			elog(ERROR, "cprof allocation: share does not fit on its second reading");
		divmod(N, part->denom, &q, &r);
		if (part->any_bonus &&
			(r > part->cut || (r == part->cut && pos <= part->cut_pos)))
			q++;
		q *= part->unit_units;
		result = cprof_numeric_from_int128(part->sign < 0 ? -q : q, part->scale);
	}
	else
	{
		Numeric		r;
		Numeric		q = slow_divide(part->nfactor, share_numeric(d, args->share_type,
																 args->share_name),
									part->ndenom, &r);
		int			c;

		if (part->any_bonus &&
			((c = DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(r),
													NumericGetDatum(part->ncut)))) > 0 ||
			 (c == 0 && pos <= part->cut_pos)))
			q = num_add(q, int64_to_numeric(1));
		q = num_mul(q, part->nunit);
		if (part->sign < 0)
			q = DatumGetNumeric(DirectFunctionCall1(numeric_uminus, NumericGetDatum(q)));
		result = DatumGetNumeric(DirectFunctionCall2(numeric_round, NumericGetDatum(q),
													 Int32GetDatum(part->scale)));
	}
	if (args->amount_type == FLOAT8OID)
		return Float8GetDatum(cprof_numeric_to_double(NumericGetDatum(result)));
	return NumericGetDatum(result);
}

static Datum
alloc_window(FunctionCallInfo fcinfo, bool capacity, const char *fname)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	const AllocArgs *args = alloc_args(fcinfo, capacity);
	AllocPartition *part;
	bool		isnull;
	Datum		d;

	part = (AllocPartition *) WinGetPartitionLocalMemory(winobj, sizeof(AllocPartition));
	if (!part->ready)
		partition_setup(winobj, args, part, fname);
	check_row(winobj, args, part);
	if (part->null_pool)
		PG_RETURN_NULL();
	d = WinGetFuncArgCurrent(winobj, 1, &isnull);
	if (isnull)
		PG_RETURN_NULL();
	return row_part(args, part, d, WinGetCurrentPosition(winobj));
}

PG_FUNCTION_INFO_V1(allocate);
/*
 * allocate(amount, weight [, unit]): the row's part of the pool's amount,
 * in proportion to its weight, rounded by the largest-remainder method so
 * that the parts add up to the amount exactly.
 */
Datum
allocate(PG_FUNCTION_ARGS)
{
	return alloc_window(fcinfo, false, "allocate");
}

PG_FUNCTION_INFO_V1(allocate_capacity);
/*
 * allocate_capacity(amount, usage, capacity [, unit]): the row's usage at
 * the pool's capacity cost rate amount / capacity, rounded by the
 * largest-remainder method so that the parts add up to the rounded total.
 */
Datum
allocate_capacity(PG_FUNCTION_ARGS)
{
	return alloc_window(fcinfo, true, "allocate_capacity");
}

/*
 * ---------------------------------------------------------------------------
 * idle_capacity
 * ---------------------------------------------------------------------------
 */

/*
 * The state of idle_capacity, cprof_idle_capacity_state: a flat state
 * (state.c) of the row counts, the exact sum of the usages (a money slot)
 * and the pool (amount, capacity, unit) of the first row, each numeric in
 * a part of its own (empty until a row has an amount).  Its form is the
 * overload: how the capacity is given and whether a unit is; each
 * overload has its own C symbol (cprof_idle_capacity_trans_<form>).
 *
 * Text form (cprof_idle_capacity_state_out; state_io.c has the grammar):
 *   1 numeric_unit rows=3 null_rows=0 amount=250000.00 capacity=1000000
 *     unit=0.05 usage=1234.5/3
 * (on one line): the counts, then, when rows > 0, the pool (a double
 * precision capacity in its shortest exact form), then the usage sum
 * (money.c).  Binary form: version, form, the counts (varint), the pool
 * when rows > 0, the usage sum.
 */
#define IDLE_FORM_NUMERIC		0
#define IDLE_FORM_NUMERIC_UNIT	1
#define IDLE_FORM_FLOAT8		2
#define IDLE_FORM_FLOAT8_UNIT	3
#define IDLE_HAS_UNIT(form)		(((form) & 1) != 0)
#define IDLE_CAP_FLOAT(form)	(((form) & 2) != 0)

/* Parts of the state. */
#define IDLE_PART_USAGE		0	/* the rarely needed part of usage */
#define IDLE_PART_AMOUNT	1	/* the amount (rows > 0) */
#define IDLE_PART_CAPACITY	2	/* the numeric capacity (numeric forms, rows > 0) */
#define IDLE_PART_UNIT		3	/* the unit (unit forms, rows > 0) */
#define IDLE_NPARTS			4

/* Per-group state of idle_capacity(): a flat state with four parts. */
typedef struct CprofIdleState
{
	CprofFlatHeader hdr;
	uint32		part_end[IDLE_NPARTS];
	int64		rows;			/* rows with a non-NULL amount */
	int64		null_rows;		/* rows with a NULL amount */
	double		cap_f;			/* double precision forms, rows > 0: the
								 * capacity; else 0 */
	CprofMoneySlot usage;		/* exact sum of the non-NULL usages */
} CprofIdleState;

static const CprofFlatHeader idle_header[] = {
	CPROF_FLAT_HEADER(CPROF_FAMILY_IDLE_CAPACITY, IDLE_FORM_NUMERIC, IDLE_NPARTS, sizeof(CprofIdleState)),
	CPROF_FLAT_HEADER(CPROF_FAMILY_IDLE_CAPACITY, IDLE_FORM_NUMERIC_UNIT, IDLE_NPARTS, sizeof(CprofIdleState)),
	CPROF_FLAT_HEADER(CPROF_FAMILY_IDLE_CAPACITY, IDLE_FORM_FLOAT8, IDLE_NPARTS, sizeof(CprofIdleState)),
	CPROF_FLAT_HEADER(CPROF_FAMILY_IDLE_CAPACITY, IDLE_FORM_FLOAT8_UNIT, IDLE_NPARTS, sizeof(CprofIdleState))
};
static const CprofFlatKind idle_kind = {CPROF_FAMILY_IDLE_CAPACITY, 4, idle_header, "idle_capacity"};

static const char *const idle_forms[] = {"numeric", "numeric_unit", "float8", "float8_unit"};

#define IDLE(ref)		((CprofIdleState *) (ref).st)
#define IDLE_USAGE		offsetof(CprofIdleState, usage)

/* The numeric in part k of a state, or NULL when the part is empty. */
static Numeric
idle_numeric(const CprofIdleState *st, int k)
{
	if (cprof_state_part_len(&st->hdr, k) == 0)
		return NULL;
	return (Numeric) cprof_state_part(&st->hdr, k);
}

/* Store n (with a 4-byte header) in part k of ref's state (it may move). */
static void
idle_set_numeric(CprofStateRef *ref, int k, Numeric n)
{
	cprof_state_resize_part(ref, k, VARSIZE(n));
	memcpy(cprof_state_part(ref->st, k), n, VARSIZE(n));
}

/* A new empty state of the given form in ref. */
static void
idle_state_new(CprofStateRef *ref, int form)
{
	cprof_state_new(ref, form, NULL);
	money_slot_init(&IDLE(*ref)->usage, IDLE_PART_USAGE);
}

static void
idle_mixed_null(const CprofIdleState *st)
{
	if (st->rows > 0 && st->null_rows > 0)
		differs("amount", value_text(NumericGetDatum(idle_numeric(st, IDLE_PART_AMOUNT)), NUMERICOID),
				"NULL");
}

/*
 * Fold the pool of one row or one state (amount, capacity as cap_f or
 * cap_n by the form, unit or NULL by the form) into ref's state: the first
 * one is kept, every later one must be the same (the state may move).
 */
static void
idle_pool(CprofStateRef *ref, Numeric amount, double cap_f, Numeric cap_n,
		  Numeric unit)
{
	const CprofIdleState *st = IDLE(*ref);
	bool		cap_float = IDLE_CAP_FLOAT(st->hdr.form);
	Numeric		st_cap;
	Numeric		st_unit;

	if (st->rows == 0)
	{
		idle_set_numeric(ref, IDLE_PART_AMOUNT, amount);
		if (cap_float)
			IDLE(*ref)->cap_f = cap_f;
		else
			idle_set_numeric(ref, IDLE_PART_CAPACITY, cap_n);
		if (unit != NULL)
			idle_set_numeric(ref, IDLE_PART_UNIT, unit);
		return;
	}
	if (!numeric_same(NumericGetDatum(amount), NumericGetDatum(idle_numeric(st, IDLE_PART_AMOUNT)), true))
		differs("amount", value_text(NumericGetDatum(idle_numeric(st, IDLE_PART_AMOUNT)), NUMERICOID),
				value_text(NumericGetDatum(amount), NUMERICOID));
	st_cap = idle_numeric(st, IDLE_PART_CAPACITY);
	if (cap_float ? cap_f != st->cap_f
		: !numeric_same(NumericGetDatum(cap_n), NumericGetDatum(st_cap), false))
		differs("capacity",
				cap_float ? float8out_internal(st->cap_f)
				: value_text(NumericGetDatum(st_cap), NUMERICOID),
				cap_float ? float8out_internal(cap_f)
				: value_text(NumericGetDatum(cap_n), NUMERICOID));
	st_unit = idle_numeric(st, IDLE_PART_UNIT);
	if (unit != NULL && !numeric_same(NumericGetDatum(unit), NumericGetDatum(st_unit), false))
		differs("unit", value_text(NumericGetDatum(st_unit), NUMERICOID),
				value_text(NumericGetDatum(unit), NUMERICOID));
}

/* The transition step of every form of idle_capacity(amount, usage, capacity [, unit]). */
static Datum
idle_step(FunctionCallInfo fcinfo, int form)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	CprofStateRef ref;
	bool		have = cprof_state_begin(fcinfo, mode, aggcxt, &idle_kind, form, &ref);
	Oid			type = IDLE_CAP_FLOAT(form) ? FLOAT8OID : NUMERICOID;
	const CprofIdleState *st;
	Datum		amount;
	Datum		cap;

	if (!have)
		idle_state_new(&ref, form);
	if (PG_ARGISNULL(1))
	{
		IDLE(ref)->null_rows++;
		idle_mixed_null(IDLE(ref));
		PG_RETURN_POINTER(ref.st);
	}
	if (PG_ARGISNULL(3))
		null_param("capacity", HINT_CAPACITY);
	if (IDLE_HAS_UNIT(form) && PG_ARGISNULL(4))
		null_param("unit", HINT_UNIT);
	amount = PG_GETARG_DATUM(1);
	cap = PG_GETARG_DATUM(3);
	st = IDLE(ref);
	/* the common case: the pool of the rows before, already checked */
	if (st->rows == 0 ||
		!numeric_same(amount, NumericGetDatum(idle_numeric(st, IDLE_PART_AMOUNT)), true) ||
		(type == FLOAT8OID ? DatumGetFloat8(cap) != st->cap_f
		 : !numeric_same(cap, NumericGetDatum(idle_numeric(st, IDLE_PART_CAPACITY)), false)) ||
		(IDLE_HAS_UNIT(form) &&
		 !numeric_same(PG_GETARG_DATUM(4), NumericGetDatum(idle_numeric(st, IDLE_PART_UNIT)), false)))
	{
		check_amount(amount, NUMERICOID);
		check_capacity(cap, type);
		if (IDLE_HAS_UNIT(form))
			check_unit(PG_GETARG_DATUM(4));
		idle_pool(&ref, PG_GETARG_NUMERIC(1), type == FLOAT8OID ? DatumGetFloat8(cap) : 0,
				  type == FLOAT8OID ? NULL : PG_GETARG_NUMERIC(3),
				  IDLE_HAS_UNIT(form) ? PG_GETARG_NUMERIC(4) : NULL);
	}
	if (!PG_ARGISNULL(2))
	{
		Datum		d = PG_GETARG_DATUM(2);
		int128		v;
		int			scale;

		/* a usage that fits is checked by share_int128; others in numeric */
		if (type == NUMERICOID && share_int128(d, type, "usage", &v, &scale))
			money_slot_add_numeric(&ref, IDLE_USAGE, d, false);
		else
		{
			Numeric		n = share_numeric(d, type, "usage");

			money_slot_add_numeric(&ref, IDLE_USAGE, NumericGetDatum(n), false);
			if (type == FLOAT8OID)
				pfree(n);
		}
	}
	IDLE(ref)->rows++;
	idle_mixed_null(IDLE(ref));
	PG_RETURN_POINTER(ref.st);
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_trans_numeric);
/* Transition function of idle_capacity(numeric, numeric, numeric). */
Datum
cprof_idle_capacity_trans_numeric(PG_FUNCTION_ARGS)
{
	return idle_step(fcinfo, IDLE_FORM_NUMERIC);
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_trans_numeric_unit);
/* Transition function of idle_capacity(numeric, numeric, numeric, numeric). */
Datum
cprof_idle_capacity_trans_numeric_unit(PG_FUNCTION_ARGS)
{
	return idle_step(fcinfo, IDLE_FORM_NUMERIC_UNIT);
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_trans_float8);
/* Transition function of idle_capacity(numeric, double precision, double precision). */
Datum
cprof_idle_capacity_trans_float8(PG_FUNCTION_ARGS)
{
	return idle_step(fcinfo, IDLE_FORM_FLOAT8);
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_trans_float8_unit);
/*
 * Transition function of idle_capacity(numeric, double precision, double
 * precision, numeric).
 */
Datum
cprof_idle_capacity_trans_float8_unit(PG_FUNCTION_ARGS)
{
	return idle_step(fcinfo, IDLE_FORM_FLOAT8_UNIT);
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_combine);
/*
 * Combine function of idle_capacity(): the counts and the usage sums
 * added, the pools the same.  STRICT.
 */
Datum
cprof_idle_capacity_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	CprofStateRef ref;
	const CprofIdleState *s2;
	int64		rows,
				null_rows;
	Datum		result;

	if (cprof_combine_null_cases(fcinfo, &result))
		return result;
	s2 = (const CprofIdleState *) cprof_state_arg(fcinfo, 1, &idle_kind);
	if (!cprof_state_begin(fcinfo, mode, aggcxt, &idle_kind, s2->hdr.form, &ref))
	{
		cprof_state_copy_into(&ref, &s2->hdr);
		PG_RETURN_POINTER(ref.st);
	}
	if (pg_add_s64_overflow(IDLE(ref)->rows, s2->rows, &rows) ||
		pg_add_s64_overflow(IDLE(ref)->null_rows, s2->null_rows, &null_rows))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("idle_capacity row count out of range")));
	if (s2->rows > 0)
		idle_pool(&ref, idle_numeric(s2, IDLE_PART_AMOUNT), s2->cap_f,
				  idle_numeric(s2, IDLE_PART_CAPACITY), idle_numeric(s2, IDLE_PART_UNIT));
	money_slot_add_slot(&ref, IDLE_USAGE, &s2->hdr, &s2->usage);
	IDLE(ref)->rows = rows;
	IDLE(ref)->null_rows = null_rows;
	idle_mixed_null(IDLE(ref));
	PG_RETURN_POINTER(ref.st);
}

/*
 * Every invariant of a state: counts not negative and not both non-zero
 * (a pool's amount is NULL on every row or on none); when rows > 0 a
 * finite amount, a positive finite capacity in the form's type and a
 * positive finite unit exactly when the form has one, else no pool; a
 * usage sum of at most 'rows' finite, non-negative values.  NULL if they
 * hold, else what is wrong.
 */
static const char *
idle_check(const CprofIdleState *st)
{
	int			form = st->hdr.form;
	Numeric		amount = idle_numeric(st, IDLE_PART_AMOUNT);
	Numeric		cap = idle_numeric(st, IDLE_PART_CAPACITY);
	Numeric		unit = idle_numeric(st, IDLE_PART_UNIT);
	CprofMoney	m;
	const char *bad;

	if (st->rows < 0 || st->null_rows < 0 || (st->rows > 0 && st->null_rows > 0))
		return "The row counts are negative, or count rows with and without an amount.";
	if (st->rows == 0)
	{
		if (amount != NULL || cap != NULL || unit != NULL || st->cap_f != 0)
			return "A state without an amount has a pool.";
	}
	else
	{
		if (amount == NULL || !numeric_finite(amount))
			return "The amount is missing or not finite.";
		if (IDLE_CAP_FLOAT(form) ? cap != NULL || !(st->cap_f > 0 && isfinite(st->cap_f))
			: cap == NULL || st->cap_f != 0 || !numeric_finite(cap) || numeric_sign_of(cap) <= 0)
			return "The capacity is missing, of the wrong type, or not positive and finite.";
		if (IDLE_HAS_UNIT(form) ? unit == NULL || !numeric_finite(unit) || numeric_sign_of(unit) <= 0
			: unit != NULL)
			return "The unit is missing where the form has one, or not positive and finite.";
	}
	if (st->usage.part != IDLE_PART_USAGE)
		return "The usage sum refers to another part.";
	money_slot_view(&st->hdr, &st->usage, &m);
	if ((bad = money_check(&m, st->rows, true)) != NULL)
		return bad;
	if (money_sign(&m) < 0)
		return "The usage sum is negative.";
	return NULL;
}

/* The pool and counts of a state read from a text or binary form. */
static CprofIdleState *
idle_from_fields(int form, int64 rows, int64 null_rows, Numeric amount,
				 double cap_f, Numeric cap_n, Numeric unit, const CprofMoney *usage)
{
	CprofStateRef ref = {NULL, CPROF_STATE_COPY, NULL, &idle_kind};

	idle_state_new(&ref, form);
	IDLE(ref)->rows = rows;
	IDLE(ref)->null_rows = null_rows;
	IDLE(ref)->cap_f = cap_f;
	if (amount != NULL)
		idle_set_numeric(&ref, IDLE_PART_AMOUNT, amount);
	if (cap_n != NULL)
		idle_set_numeric(&ref, IDLE_PART_CAPACITY, cap_n);
	if (unit != NULL)
		idle_set_numeric(&ref, IDLE_PART_UNIT, unit);
	money_slot_set(&ref, IDLE_USAGE, usage);
	return IDLE(ref);
}

/* The binary form (see the state's comment). */
static void
idle_send(StringInfo buf, const CprofIdleState *st)
{
	int			form = st->hdr.form;
	CprofMoney	m;

	pq_sendbyte(buf, IDLE_STATE_VERSION);
	pq_sendbyte(buf, form);
	cprof_send_varint(buf, st->rows);
	cprof_send_varint(buf, st->null_rows);
	if (st->rows > 0)
	{
		cprof_send_numeric(buf, idle_numeric(st, IDLE_PART_AMOUNT));
		if (IDLE_CAP_FLOAT(form))
			cprof_send_float8(buf, st->cap_f);
		else
			cprof_send_numeric(buf, idle_numeric(st, IDLE_PART_CAPACITY));
		if (IDLE_HAS_UNIT(form))
			cprof_send_numeric(buf, idle_numeric(st, IDLE_PART_UNIT));
	}
	money_slot_view(&st->hdr, &st->usage, &m);
	money_send(buf, &m);
}

/* Read the binary form into a new state, every invariant checked. */
static CprofIdleState *
idle_recv(StringInfo buf, const char *type)
{
	int			form;
	int64		rows,
				null_rows;
	Numeric		amount = NULL,
				cap_n = NULL,
				unit = NULL;
	double		cap_f = 0;
	CprofMoney	usage;
	CprofIdleState *st;
	const char *bad;

	cprof_recv_version(buf, IDLE_STATE_VERSION, type);
	form = cprof_recv_byte(buf);
	if (form < 0 || form >= (int) lengthof(idle_forms))
		cprof_binary_invalid(type, "The form of the state is unknown.");
	rows = cprof_recv_varint(buf);
	null_rows = cprof_recv_varint(buf);
	if (rows > 0)
	{
		amount = cprof_recv_numeric(buf);
		if (IDLE_CAP_FLOAT(form))
			cap_f = cprof_recv_float8(buf);
		else
			cap_n = cprof_recv_numeric(buf);
		if (IDLE_HAS_UNIT(form))
			unit = cprof_recv_numeric(buf);
	}
	money_recv(buf, &usage, CurrentMemoryContext);
	cprof_recv_end(buf);
	if (rows < 0 || null_rows < 0)
		cprof_binary_invalid(type, "The row counts are negative.");
	st = idle_from_fields(form, rows, null_rows, amount, cap_f, cap_n, unit, &usage);
	if ((bad = idle_check(st)) != NULL)
		cprof_binary_invalid(type, bad);
	return st;
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_state_in);
/* Input function of cprof_idle_capacity_state: every invariant checked. */
Datum
cprof_idle_capacity_state_in(PG_FUNCTION_ARGS)
{
	CprofTextReader rd;
	int			form;
	int64		rows,
				null_rows;
	Numeric		amount = NULL,
				cap_n = NULL,
				unit = NULL;
	double		cap_f = 0;
	CprofMoney	usage;
	CprofIdleState *st;
	const char *bad;

	form = cprof_text_open(&rd, PG_GETARG_CSTRING(0), "cprof_idle_capacity_state",
						   IDLE_STATE_VERSION, idle_forms, lengthof(idle_forms));
	cprof_text_expect_key(&rd, "rows");
	rows = cprof_text_int64(&rd);
	cprof_text_expect_key(&rd, "null_rows");
	null_rows = cprof_text_int64(&rd);
	if (rows < 0 || null_rows < 0)
		cprof_text_invalid(&rd, "The row counts are negative.");
	if (rows > 0)
	{
		cprof_text_expect_key(&rd, "amount");
		amount = cprof_text_numeric(&rd);
		cprof_text_expect_key(&rd, "capacity");
		if (IDLE_CAP_FLOAT(form))
			cap_f = cprof_text_double_in(&rd);
		else
			cap_n = cprof_text_numeric(&rd);
		if (IDLE_HAS_UNIT(form))
		{
			cprof_text_expect_key(&rd, "unit");
			unit = cprof_text_numeric(&rd);
		}
	}
	cprof_text_expect_key(&rd, "usage");
	money_text_in(&rd, &usage);
	cprof_text_close(&rd);
	st = idle_from_fields(form, rows, null_rows, amount, cap_f, cap_n, unit, &usage);
	if ((bad = idle_check(st)) != NULL)
		cprof_text_invalid(&rd, bad);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_state_out);
/* Output function of cprof_idle_capacity_state: the text form. */
Datum
cprof_idle_capacity_state_out(PG_FUNCTION_ARGS)
{
	const CprofIdleState *st = (const CprofIdleState *) cprof_state_arg(fcinfo, 0, &idle_kind);
	int			form = st->hdr.form;
	StringInfoData buf;
	CprofMoney	m;

	initStringInfo(&buf);
	cprof_text_begin(&buf, IDLE_STATE_VERSION, idle_forms[form]);
	cprof_text_key(&buf, "rows");
	appendStringInfo(&buf, INT64_FORMAT, st->rows);
	cprof_text_key(&buf, "null_rows");
	appendStringInfo(&buf, INT64_FORMAT, st->null_rows);
	if (st->rows > 0)
	{
		cprof_text_key(&buf, "amount");
		appendStringInfoString(&buf, value_text(NumericGetDatum(idle_numeric(st, IDLE_PART_AMOUNT)), NUMERICOID));
		cprof_text_key(&buf, "capacity");
		if (IDLE_CAP_FLOAT(form))
			cprof_text_double(&buf, st->cap_f);
		else
			appendStringInfoString(&buf, value_text(NumericGetDatum(idle_numeric(st, IDLE_PART_CAPACITY)), NUMERICOID));
		if (IDLE_HAS_UNIT(form))
		{
			cprof_text_key(&buf, "unit");
			appendStringInfoString(&buf, value_text(NumericGetDatum(idle_numeric(st, IDLE_PART_UNIT)), NUMERICOID));
		}
	}
	cprof_text_key(&buf, "usage");
	money_slot_view(&st->hdr, &st->usage, &m);
	money_text_out(&buf, &m);
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_state_recv);
/* Receive function of cprof_idle_capacity_state, every invariant checked. */
Datum
cprof_idle_capacity_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(idle_recv((StringInfo) PG_GETARG_POINTER(0), "cprof_idle_capacity_state"));
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_state_send);
/* Send function of cprof_idle_capacity_state. */
Datum
cprof_idle_capacity_state_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	idle_send(&buf, (const CprofIdleState *) cprof_state_arg(fcinfo, 0, &idle_kind));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_final);
/*
 * Final function of idle_capacity(): amount - (the total allocate_capacity
 * distributes), NULL for no row or a NULL amount.  Only reads the state.
 */
Datum
cprof_idle_capacity_final(PG_FUNCTION_ARGS)
{
	const CprofIdleState *st = (const CprofIdleState *) cprof_state_arg(fcinfo, 0, &idle_kind);
	ExactPool	pool;
	CprofMoney	usage;
	int			scale;
	Numeric		amount,
				u,
				N,
				D,
				two = int64_to_numeric(2),
				E,
				T;

	if (st->rows == 0)
		PG_RETURN_NULL();
	amount = idle_numeric(st, IDLE_PART_AMOUNT);
	pool.amount = amount;
	pool.unit = idle_numeric(st, IDLE_PART_UNIT);
	pool.capacity = IDLE_CAP_FLOAT(st->hdr.form) ? cprof_float8_to_numeric(st->cap_f)
		: idle_numeric(st, IDLE_PART_CAPACITY);
	money_slot_view(&st->hdr, &st->usage, &usage);
	u = pool_unit(&pool, &scale);
	/* E = round(|amount| * usage / (u * capacity)), half up */
	N = num_mul(DatumGetNumeric(DirectFunctionCall1(numeric_abs, NumericGetDatum(amount))),
				money_result(&usage));
	D = num_mul(u, pool.capacity);
	E = num_div_floor(num_add(num_mul(two, N), D), num_mul(two, D));
	T = num_mul(E, u);
	if (numeric_sign_of(amount) < 0)
		T = DatumGetNumeric(DirectFunctionCall1(numeric_uminus, NumericGetDatum(T)));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round,
										NumericGetDatum(num_sub(amount, T)),
										Int32GetDatum(scale)));
}
