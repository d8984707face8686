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
 *   cprof_idle_capacity_trans (overloaded on U and the unit),
 *   cprof_idle_capacity_{combine,serialize,deserialize,final}
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
 * the usages (CprofMoney) and row counts (CprofIdleState); its final
 * function computes amount - u * round(|amount| * sum(usage) / (u *
 * capacity)) * sign(amount) in numeric, the same total allocate_capacity
 * distributes.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "catalog/pg_type.h"
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

/* Per-group state of idle_capacity(); lives in the aggregate context. */
typedef struct CprofIdleState
{
	int64		rows;			/* rows with a non-NULL amount */
	int64		null_rows;		/* rows with a NULL amount */
	Numeric		amount;			/* the pool's amount (rows > 0) */
	bool		cap_float;		/* capacity given as double precision */
	double		cap_f;			/* ... its value */
	Numeric		cap_n;			/* the numeric capacity (rows > 0, !cap_float) */
	Numeric		unit;			/* the unit, or NULL */
	CprofMoney	usage;			/* exact sum of the non-NULL usages */
} CprofIdleState;

static Numeric
copy_numeric(Numeric n, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Numeric		c = DatumGetNumeric(datumCopy(NumericGetDatum(n), false, -1));

	MemoryContextSwitchTo(old);
	return c;
}

static void
idle_mixed_null(const CprofIdleState *st)
{
	if (st->rows > 0 && st->null_rows > 0)
		differs("amount", value_text(NumericGetDatum(st->amount), NUMERICOID), "NULL");
}

/*
 * Fold the pool of one row or one state (amount, capacity, unit) into st:
 * the first one is kept, every later one must be the same.
 */
static void
idle_pool(CprofIdleState *st, Numeric amount, bool cap_float, double cap_f,
		  Numeric cap_n, Numeric unit, MemoryContext cxt)
{
	if (st->rows == 0)
	{
		st->amount = copy_numeric(amount, cxt);
		st->cap_float = cap_float;
		st->cap_f = cap_f;
		st->cap_n = cap_float ? NULL : copy_numeric(cap_n, cxt);
		st->unit = unit == NULL ? NULL : copy_numeric(unit, cxt);
		return;
	}
	if (!numeric_same(NumericGetDatum(amount), NumericGetDatum(st->amount), true))
		differs("amount", value_text(NumericGetDatum(st->amount), NUMERICOID),
				value_text(NumericGetDatum(amount), NUMERICOID));
	if (cap_float != st->cap_float)
		cprof_state_mismatch("idle_capacity");
	if (cap_float ? cap_f != st->cap_f
		: !numeric_same(NumericGetDatum(cap_n), NumericGetDatum(st->cap_n), false))
		differs("capacity",
				cap_float ? float8out_internal(st->cap_f)
				: value_text(NumericGetDatum(st->cap_n), NUMERICOID),
				cap_float ? float8out_internal(cap_f)
				: value_text(NumericGetDatum(cap_n), NUMERICOID));
	if ((unit == NULL) != (st->unit == NULL))
		cprof_state_mismatch("idle_capacity");
	if (unit != NULL && !numeric_same(NumericGetDatum(unit), NumericGetDatum(st->unit), false))
		differs("unit", value_text(NumericGetDatum(st->unit), NUMERICOID),
				value_text(NumericGetDatum(unit), NUMERICOID));
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_trans);
/* Transition function of idle_capacity(amount, usage, capacity [, unit]). */
Datum
cprof_idle_capacity_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_idle_capacity_trans");
	CprofIdleState *st = PG_ARGISNULL(0) ? NULL : (CprofIdleState *) PG_GETARG_POINTER(0);
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 2);
	Datum		amount = PG_GETARG_DATUM(1);
	Datum		cap;
	Numeric		unit = NULL;

	if (type != NUMERICOID && type != FLOAT8OID)
		elog(ERROR, "cprof_idle_capacity_trans called with usage type %u", type);
	if (st == NULL)
	{
		st = MemoryContextAllocZero(aggcxt, sizeof(CprofIdleState));
		money_init(&st->usage);
	}
	if (PG_ARGISNULL(1))
	{
		st->null_rows++;
		idle_mixed_null(st);
		PG_RETURN_POINTER(st);
	}
	if (PG_ARGISNULL(3))
		null_param("capacity", HINT_CAPACITY);
	cap = PG_GETARG_DATUM(3);
	if (PG_NARGS() > 4 && PG_ARGISNULL(4))
		null_param("unit", HINT_UNIT);
	/* the common case: the pool of the rows before, already checked */
	if (st->rows == 0 ||
		!numeric_same(amount, NumericGetDatum(st->amount), true) ||
		(type == FLOAT8OID ? DatumGetFloat8(cap) != st->cap_f
		 : !numeric_same(cap, NumericGetDatum(st->cap_n), false)) ||
		(PG_NARGS() > 4 && !numeric_same(PG_GETARG_DATUM(4), NumericGetDatum(st->unit), false)))
	{
		check_amount(amount, NUMERICOID);
		check_capacity(cap, type);
		if (PG_NARGS() > 4)
		{
			check_unit(PG_GETARG_DATUM(4));
			unit = PG_GETARG_NUMERIC(4);
		}
		idle_pool(st, DatumGetNumeric(amount), type == FLOAT8OID,
				  type == FLOAT8OID ? DatumGetFloat8(cap) : 0,
				  type == FLOAT8OID ? NULL : DatumGetNumeric(cap), unit, aggcxt);
	}
	if (!PG_ARGISNULL(2))
	{
		Datum		d = PG_GETARG_DATUM(2);
		int128		v;
		int			scale;

		/* a usage that fits is checked by share_int128; others in numeric */
		if (type == NUMERICOID && share_int128(d, type, "usage", &v, &scale))
			money_add_numeric(&st->usage, d, false, aggcxt);
		else
		{
			Numeric		n = share_numeric(d, type, "usage");

			money_add_numeric(&st->usage, NumericGetDatum(n), false, aggcxt);
			if (type == FLOAT8OID)
				pfree(n);
		}
	}
	st->rows++;
	idle_mixed_null(st);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_combine);
/* Combine function of idle_capacity(). */
Datum
cprof_idle_capacity_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_idle_capacity_combine");
	CprofIdleState *s1 = PG_ARGISNULL(0) ? NULL : (CprofIdleState *) PG_GETARG_POINTER(0);
	CprofIdleState *s2 = PG_ARGISNULL(1) ? NULL : (CprofIdleState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = MemoryContextAllocZero(aggcxt, sizeof(CprofIdleState));
		money_init(&s1->usage);
	}
	if (s2->rows > 0)
		idle_pool(s1, s2->amount, s2->cap_float, s2->cap_f, s2->cap_n, s2->unit, aggcxt);
	money_add_money(&s1->usage, &s2->usage, false, aggcxt);
	s1->rows += s2->rows;
	s1->null_rows += s2->null_rows;
	idle_mixed_null(s1);
	PG_RETURN_POINTER(s1);
}

#define IDLE_HAS_UNIT	0x01
#define IDLE_CAP_FLOAT	0x02

PG_FUNCTION_INFO_V1(cprof_idle_capacity_serialize);
/*
 * Serialize function of idle_capacity(): version byte, the two counts, a
 * flag byte, then (when rows > 0) the amount, the capacity and the unit,
 * and the usage sum.
 */
Datum
cprof_idle_capacity_serialize(PG_FUNCTION_ARGS)
{
	CprofIdleState *st = (CprofIdleState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	cprof_agg_context(fcinfo, "cprof_idle_capacity_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, IDLE_STATE_VERSION);
	cprof_send_varint(&buf, st->rows);
	cprof_send_varint(&buf, st->null_rows);
	pq_sendbyte(&buf, (st->unit != NULL ? IDLE_HAS_UNIT : 0) |
				(st->cap_float ? IDLE_CAP_FLOAT : 0));
	if (st->rows > 0)
	{
		cprof_send_numeric(&buf, st->amount);
		if (st->cap_float)
			cprof_send_float8(&buf, st->cap_f);
		else
			cprof_send_numeric(&buf, st->cap_n);
		if (st->unit != NULL)
			cprof_send_numeric(&buf, st->unit);
	}
	money_send(&buf, &st->usage);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
idle_bad_state(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid idle_capacity aggregate state"),
			 errdetail("%s", detail)));
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_deserialize);
/* Deserialize function of idle_capacity(): every field checked. */
Datum
cprof_idle_capacity_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_idle_capacity_deserialize");
	StringInfoData buf;
	CprofIdleState *st;
	int			flags;

	cprof_recv_begin(&buf, bytes, IDLE_STATE_VERSION, "idle_capacity");
	st = palloc0(sizeof(CprofIdleState));
	st->rows = cprof_recv_varint(&buf);
	st->null_rows = cprof_recv_varint(&buf);
	flags = cprof_recv_byte(&buf);
	if (st->rows < 0 || st->null_rows < 0 || (flags & ~(IDLE_HAS_UNIT | IDLE_CAP_FLOAT)) != 0)
		idle_bad_state("The idle_capacity state has a negative count or unknown flags.");
	st->cap_float = (flags & IDLE_CAP_FLOAT) != 0;
	if (st->rows > 0)
	{
		st->amount = cprof_recv_numeric(&buf);
		if (st->cap_float)
			st->cap_f = cprof_recv_float8(&buf);
		else
			st->cap_n = cprof_recv_numeric(&buf);
		if (flags & IDLE_HAS_UNIT)
			st->unit = cprof_recv_numeric(&buf);
		if (!numeric_finite(st->amount) ||
			(st->cap_float ? !(st->cap_f > 0 && isfinite(st->cap_f))
			 : !numeric_finite(st->cap_n) || numeric_sign_of(st->cap_n) <= 0) ||
			(st->unit != NULL && (!numeric_finite(st->unit) || numeric_sign_of(st->unit) <= 0)))
			idle_bad_state("The idle_capacity state has an amount that is not finite, or a capacity or unit that is not positive.");
	}
	money_recv(&buf, &st->usage, aggcxt);
	cprof_recv_end(&buf);
	{
		Numeric		u = money_result(&st->usage);

		if (!numeric_finite(u) || numeric_sign_of(u) < 0)
			idle_bad_state("The idle_capacity state has a negative or non-finite usage.");
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_idle_capacity_final);
/*
 * Final function of idle_capacity(): amount - (the total allocate_capacity
 * distributes), NULL for no row or a NULL amount.
 */
Datum
cprof_idle_capacity_final(PG_FUNCTION_ARGS)
{
	CprofIdleState *st;
	ExactPool	pool;
	int			scale;
	Numeric		u,
				N,
				D,
				two = int64_to_numeric(2),
				E,
				T;

	cprof_agg_context(fcinfo, "cprof_idle_capacity_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (CprofIdleState *) PG_GETARG_POINTER(0);
	if (st->rows == 0)
		PG_RETURN_NULL();
	pool.amount = st->amount;
	pool.unit = st->unit;
	pool.capacity = st->cap_float ? cprof_float8_to_numeric(st->cap_f) : st->cap_n;
	u = pool_unit(&pool, &scale);
	/* E = round(|amount| * usage / (u * capacity)), half up */
	N = num_mul(DatumGetNumeric(DirectFunctionCall1(numeric_abs, NumericGetDatum(st->amount))),
				money_result(&st->usage));
	D = num_mul(u, pool.capacity);
	E = num_div_floor(num_add(num_mul(two, N), D), num_mul(two, D));
	T = num_mul(E, u);
	if (numeric_sign_of(st->amount) < 0)
		T = DatumGetNumeric(DirectFunctionCall1(numeric_uminus, NumericGetDatum(T)));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round,
										NumericGetDatum(num_sub(st->amount, T)),
										Int32GetDatum(scale)));
}
