/*
 * src/pareto.c: concentration of a value over clients (docs/domain.md section 2):
 * the pareto_share family, Gini, HHI and the ABC classes.
 *
 * SQL objects (sql/cprof--1.0.sql), T numeric, double precision or integer:
 *   pareto_share(value T [, top_fraction double precision])  -> double precision
 *   pareto_share(value T, fractions double precision[])      -> double precision[]
 *   pareto_fraction(value T [, share double precision])      -> double precision
 *   pareto_curve(value T, points integer)                    -> double precision[]
 *   gini(value T)                                            -> double precision
 *   top_share(value T, n bigint)                             -> double precision
 *   hhi(value T)                                             -> double precision
 *   pareto_class(value T [, a_share, b_share])  window function -> text
 *   cprof_pareto_trans, cprof_pareto_share_trans, cprof_pareto_fraction_trans,
 *   cprof_pareto_curve_trans, cprof_top_share_trans  (overloaded on T)
 *   cprof_pareto_{combine,serialize,deserialize}
 *   cprof_pareto_share_final, cprof_pareto_shares_final,
 *   cprof_pareto_fraction_final, cprof_pareto_curve_final, cprof_gini_final,
 *   cprof_top_share_final
 *   cprof_hhi_trans (overloaded on T), cprof_hhi_{combine,serialize,
 *   deserialize,final}
 *
 * Definitions.  Values sorted descending v1 >= ... >= vn, total S.  The
 * cumulative share curve L(k/n) = (v1 + ... + vk) / S, L(0) = 0, linear
 * between the points k/n, so L(f) for a fractional position t = f * n with
 * k = floor(t) is (v1 + ... + vk + (t - k) * v(k+1)) / S.  Ties do not
 * change L.  With negative values (profit) L rises above 1 and falls back
 * to 1: the whale curve; nothing here assumes values are positive.
 *
 * State: CprofParetoState holds every non-NULL value of the group as a
 * double (numeric input is converted with cprof_numeric_to_double, the
 * correctly rounded value::double precision), in chunks of at most
 * CHUNK_VALUES doubles, so a group may hold far more than the 1 GB a single
 * palloc allows; the first chunk starts small and doubles, so small groups
 * stay small.  The answers need no full sort: the final functions copy the
 * values to one array (MemoryContextAllocHuge; the state itself is never
 * modified) and run an expected-linear selection on it (select_ranks,
 * cross_position: quickselect with sample-chosen pivots that keep the
 * part holding the answer small, Floyd and Rivest 1975, CACM 18(3)), adding
 * the values on the larger side of each pivot with compensated summation as
 * they are partitioned.  gini sorts (an LSD radix sort), as the rank of
 * every value enters its formula, and so does pareto_curve with more than
 * CURVE_SORT_POINTS points (one sort beats that many selections).  hhi needs only the sum and the sum of
 * squares: its state is three numbers (CprofHhiState).
 *
 * A serialized state (parallel and partitionwise aggregation) is a bytea of
 * 8 bytes per value, so it is limited to about 134 million values per
 * partial state (the 1 GB varlena limit); past that serialize raises 54000
 * with a hint to run the aggregation without parallel workers.
 *
 * NULL rules: NULL values are skipped; no row or only NULL values give
 * NULL; a total of exactly 0 gives NULL (shares are undefined).  NaN and
 * infinite values, and parameters out of range, NULL or varying within a
 * group, are errors.
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "windowapi.h"

#include "cprof.h"

#define PARETO_STATE_VERSION 1
#define HHI_STATE_VERSION 1

/* Chunks of the value store: all full but the last, which grows by doubling. */
#define CHUNK_BITS			20
#define CHUNK_VALUES		((int64) 1 << CHUNK_BITS)
#define FIRST_CHUNK_VALUES	16

/* Largest pareto_curve(points). */
#define MAX_CURVE_POINTS	10000000

/* Below this many values, selection sorts. */
#define SELECT_SMALL		64

/* Check for cancellation every this many elements in long loops. */
#define INTERRUPT_MASK		((int64) 0xFFFFF)

/* The per-group parameter of the aggregate. */
typedef enum ParetoParam
{
	PARAM_NONE,					/* pareto_share(value), gini(value), ... */
	PARAM_FLOAT,				/* top_fraction or share */
	PARAM_INT,					/* points or n */
	PARAM_ARRAY					/* fractions */
} ParetoParam;

/* Per-group state of every aggregate of the family but hhi. */
typedef struct CprofParetoState
{
	int64		n;				/* values stored (NULLs skipped) */
	int64		last_n;			/* values in the last chunk */
	int64		last_cap;		/* capacity of the last chunk */
	int32		nchunks;		/* chunks in use */
	int32		maxchunks;		/* size of chunks[] */
	double	  **chunks;			/* the values; chunks[i] for i < nchunks - 1
								 * hold exactly CHUNK_VALUES */
	int32		param_kind;		/* ParetoParam, from the transition function */
	bool		has_param;		/* the parameter has been seen */
	double		fparam;			/* PARAM_FLOAT */
	int64		iparam;			/* PARAM_INT */
	int32		nfractions;		/* PARAM_ARRAY: number of fractions */
	double	   *fractions;		/* PARAM_ARRAY: the fractions */
	ArrayType  *fractions_raw;	/* PARAM_ARRAY: the array as first seen, to
								 * check later rows cheaply (memcmp) */
} CprofParetoState;

/* Per-group state of hhi(). */
typedef struct CprofHhiState
{
	int64		n;				/* values added */
	CprofFloatSum sum;			/* sum of the values */
	CprofFloatSum sumsq;		/* sum of their squares */
} CprofHhiState;

/* A compensated sum (Knuth's branch-free TwoSum), for the hot loops. */
typedef struct KSum
{
	double		s;				/* running sum */
	double		c;				/* accumulated rounding errors */
} KSum;

static inline void
ksum_add(KSum *k, double x)
{
	double		t = k->s + x;
	double		bp = t - k->s;

	k->c += (k->s - (t - bp)) + (x - bp);
	k->s = t;
}

static inline double
ksum_value(const KSum *k)
{
	return k->s + k->c;
}

static inline void
ksum_add_ksum(KSum *k, const KSum *o)
{
	ksum_add(k, o->s);
	ksum_add(k, o->c);
}

/* The shortest text of a double, for error messages. */
static const char *
fstr(double x)
{
	return float8out_internal(x);
}

/*
 * ---------------------------------------------------------------------------
 * Input values
 * ---------------------------------------------------------------------------
 */

/* Argument types of a transition function, cached in fn_extra. */
typedef struct ParetoArgTypes
{
	Oid			value;			/* type of the value */
	Oid			param;			/* type of the parameter, or InvalidOid */
} ParetoArgTypes;

static const ParetoArgTypes *
arg_types(FunctionCallInfo fcinfo)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;

	if (flinfo->fn_extra == NULL)
	{
		ParetoArgTypes *t = MemoryContextAlloc(flinfo->fn_mcxt, sizeof(ParetoArgTypes));

		t->value = get_fn_expr_argtype(flinfo, 1);
		t->param = PG_NARGS() > 2 ? get_fn_expr_argtype(flinfo, 2) : InvalidOid;
		if (t->value != NUMERICOID && t->value != FLOAT8OID && t->value != INT4OID)
			elog(ERROR, "cprof concentration function called with input type %u", t->value);
		flinfo->fn_extra = t;
	}
	return (const ParetoArgTypes *) flinfo->fn_extra;
}

/* A value as a double; NaN and infinities are errors. */
static inline double
value_double(Datum d, Oid type)
{
	double		x;

	if (type == FLOAT8OID)
		x = DatumGetFloat8(d);
	else if (type == INT4OID)
		return (double) DatumGetInt32(d);
	else
	{
		x = cprof_numeric_to_double(d);
		if (unlikely(isinf(x)) && !numeric_is_inf(DatumGetNumeric(d)))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value is out of range for type double precision"),
					 errhint("Scale the values down, for example to thousands.")));
	}
	if (unlikely(!isfinite(x)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value must be a finite number, got %s", fstr(x)),
				 errhint("Filter out NaN and infinite values, for example with WHERE value NOT IN ('NaN', 'Infinity', '-Infinity').")));
	return x + 0.0;				/* -0 becomes +0 */
}

/*
 * ---------------------------------------------------------------------------
 * The value store
 * ---------------------------------------------------------------------------
 */

static CprofParetoState *
pareto_state_new(ParetoParam kind, MemoryContext cxt)
{
	CprofParetoState *st = MemoryContextAllocZero(cxt, sizeof(CprofParetoState));

	st->param_kind = kind;
	return st;
}

/* Make room for at least one more value; allocations in cxt. */
static void
store_grow(CprofParetoState *st, MemoryContext cxt)
{
	if (st->nchunks > 0 && st->last_cap < CHUNK_VALUES)
	{
		/* the only chunk is still growing: double it */
		int64		cap = Min(st->last_cap * 2, CHUNK_VALUES);

		st->chunks[0] = repalloc(st->chunks[0], cap * sizeof(double));
		st->last_cap = cap;
		return;
	}
	if (st->nchunks == st->maxchunks)
	{
		int32		newmax = st->maxchunks == 0 ? 4 : st->maxchunks * 2;

		if (st->chunks == NULL)
			st->chunks = MemoryContextAlloc(cxt, newmax * sizeof(double *));
		else
			st->chunks = repalloc(st->chunks, newmax * sizeof(double *));
		st->maxchunks = newmax;
	}
	st->last_cap = st->nchunks == 0 ? FIRST_CHUNK_VALUES : CHUNK_VALUES;
	st->chunks[st->nchunks++] = MemoryContextAlloc(cxt, st->last_cap * sizeof(double));
	st->last_n = 0;
}

static inline void
store_add(CprofParetoState *st, double x, MemoryContext cxt)
{
	if (unlikely(st->nchunks == 0 || st->last_n == st->last_cap))
		store_grow(st, cxt);
	st->chunks[st->nchunks - 1][st->last_n++] = x;
	st->n++;
}

/* Number of values in chunk i. */
static inline int64
chunk_len(const CprofParetoState *st, int i)
{
	return i == st->nchunks - 1 ? st->last_n : CHUNK_VALUES;
}

/* Append every value of src to dst (allocations in cxt). */
static void
store_append(CprofParetoState *dst, const CprofParetoState *src, MemoryContext cxt)
{
	for (int i = 0; i < src->nchunks; i++)
	{
		const double *c = src->chunks[i];
		int64		len = chunk_len(src, i);
		int64		done = 0;

		CHECK_FOR_INTERRUPTS();
		while (done < len)
		{
			int64		room;
			int64		take;

			if (dst->nchunks == 0 || dst->last_n == dst->last_cap)
				store_grow(dst, cxt);
			room = dst->last_cap - dst->last_n;
			take = Min(room, len - done);
			memcpy(dst->chunks[dst->nchunks - 1] + dst->last_n, c + done,
				   take * sizeof(double));
			dst->last_n += take;
			dst->n += take;
			done += take;
		}
	}
}

/*
 * Copy of the values into one array (in the current memory context), with
 * their compensated total.
 */
static double *
store_copy(const CprofParetoState *st, KSum *total)
{
	double	   *a = MemoryContextAllocHuge(CurrentMemoryContext,
										   Max(st->n, 1) * sizeof(double));
	double	   *p = a;
	KSum		t = {0, 0};

	for (int i = 0; i < st->nchunks; i++)
	{
		const double *c = st->chunks[i];
		int64		len = chunk_len(st, i);

		CHECK_FOR_INTERRUPTS();
		for (int64 j = 0; j < len; j++)
			ksum_add(&t, c[j]);
		memcpy(p, c, len * sizeof(double));
		p += len;
	}
	if (!isfinite(ksum_value(&t)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sum of the values is out of the range of double precision")));
	*total = t;
	return a;
}

/* Sign statistics of a store: sums of the positive and of all values. */
typedef struct SignStats
{
	KSum		total;			/* all values */
	KSum		pos;			/* positive values */
	int64		npos;			/* values > 0 */
	int64		nneg;			/* values < 0 */
} SignStats;

static void
store_sign_stats(const CprofParetoState *st, SignStats *ss)
{
	memset(ss, 0, sizeof(SignStats));
	for (int i = 0; i < st->nchunks; i++)
	{
		const double *c = st->chunks[i];
		int64		len = chunk_len(st, i);

		CHECK_FOR_INTERRUPTS();
		for (int64 j = 0; j < len; j++)
		{
			double		x = c[j];

			ksum_add(&ss->total, x);
			if (x > 0)
			{
				ksum_add(&ss->pos, x);
				ss->npos++;
			}
			else if (x < 0)
				ss->nneg++;
		}
	}
	if (!isfinite(ksum_value(&ss->total)) || !isfinite(ksum_value(&ss->pos)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sum of the values is out of the range of double precision")));
}

/* Copy of the values of one sign (sign > 0: positive, else negative). */
static double *
store_copy_sign(const CprofParetoState *st, int sign, int64 count)
{
	/* one spare slot: the branch-free loop writes a[k] before testing x */
	double	   *a = MemoryContextAllocHuge(CurrentMemoryContext,
										   (count + 1) * sizeof(double));
	int64		k = 0;

	for (int i = 0; i < st->nchunks; i++)
	{
		const double *c = st->chunks[i];
		int64		len = chunk_len(st, i);

		CHECK_FOR_INTERRUPTS();
		for (int64 j = 0; j < len; j++)
		{
			double		x = c[j];

			a[k] = x;
			k += sign > 0 ? x > 0 : x < 0;
		}
	}
	Assert(k == count);
	return a;
}

/*
 * ---------------------------------------------------------------------------
 * Selection
 *
 * All selection works on an array a[] of doubles in place and in
 * descending order: "rank k" is the (k+1)-th largest value (0-based).
 * After partitioning, a[lo, hi) holds exactly the values of ranks lo .. hi-1
 * (in some order), so ranks are positions.
 * ---------------------------------------------------------------------------
 */

/* Deterministic pseudo-random numbers for sampling (xorshift64*). */
typedef struct SelectCtx
{
	uint64		rng;
} SelectCtx;

static inline uint64
rng_next(SelectCtx *ctx)
{
	uint64		x = ctx->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	ctx->rng = x;
	return x * UINT64CONST(2685821657736338717);
}

static int
cmp_desc(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x < y) - (x > y);
}

/*
 * Partition a[lo, hi): the values > p (>= p when inclusive) first, the rest
 * after; returns the first index of the rest and adds the front's values to
 * *sum.  Branch-free Lomuto: each element is swapped unconditionally and the
 * boundary moves by the comparison's result.
 */
static int64
partition_front(double *a, int64 lo, int64 hi, double p, bool inclusive, KSum *sum)
{
	int64		j = lo;
	KSum		s = {0, 0};

	for (int64 i = lo; i < hi; i++)
	{
		double		x = a[i];
		bool		c = inclusive ? x >= p : x > p;

		a[i] = a[j];
		a[j] = x;
		j += c;
		ksum_add(&s, c ? x : 0.0);
		if (unlikely(((i - lo) & INTERRUPT_MASK) == INTERRUPT_MASK))
			CHECK_FOR_INTERRUPTS();
	}
	*sum = s;
	return j;
}

/* A sample of a[lo, hi), sorted descending, of *ns values (palloc'd). */
static double *
sample_desc(const double *a, int64 lo, int64 hi, SelectCtx *ctx, int *ns)
{
	int64		size = hi - lo;
	int			s = (int) Min(Max(size / 32, 15), 16383);
	double	   *smp = palloc(s * sizeof(double));

	for (int i = 0; i < s; i++)
		smp[i] = a[lo + (int64) (rng_next(ctx) % (uint64) size)];
	qsort(smp, s, sizeof(double), cmp_desc);
	*ns = s;
	return smp;
}

/*
 * The sample index to use as pivot, aiming at relative rank rho of the
 * subarray.  For a single answer the pivot is set a little past the answer,
 * on the side of the smaller part, so that the part holding the answer is
 * small (Floyd-Rivest); for several answers it splits them evenly.
 */
static int
pivot_index(int s, double rho, bool single)
{
	double		r = rho * s;

	if (single)
		r += (rho < 0.5 ? 1.5 : -1.5) * sqrt((double) s);
	return (int) Min(Max(r, 0.0), (double) (s - 1));
}

/* One order statistic with its prefix sum. */
typedef struct RankQuery
{
	int64		k;				/* in: the rank, 0 <= k < n */
	KSum		prefix;			/* out: sum of the values of ranks < k */
	double		value;			/* out: the value of rank k */
} RankQuery;

/* Answer queries q[0, m) (ascending k) from the sorted a[lo, hi). */
static void
answer_sorted(const double *a, int64 lo, KSum base, RankQuery *q, int m)
{
	int64		i = lo;

	for (int j = 0; j < m; j++)
	{
		while (i < q[j].k)
			ksum_add(&base, a[i++]);
		q[j].prefix = base;
		q[j].value = a[q[j].k];
	}
}

/*
 * Answer the rank queries q[0, m), ascending and distinct k within
 * [lo, hi), by recursive selection.  base is the sum of the values of ranks
 * < lo.
 */
static void
select_ranks(double *a, int64 lo, int64 hi, KSum base, RankQuery *q, int m,
			 int depth, SelectCtx *ctx)
{
	while (m > 0)
	{
		int64		size = hi - lo;
		int			ns;
		double	   *smp;
		double		p;
		int64		j;
		KSum		sg;
		int			split;

		if (size <= SELECT_SMALL || depth > 200)
		{
			/* small, or pathologically deep: sort */
			qsort(a + lo, size, sizeof(double), cmp_desc);
			answer_sorted(a, lo, base, q, m);
			return;
		}
		CHECK_FOR_INTERRUPTS();
		smp = sample_desc(a, lo, hi, ctx, &ns);
		p = smp[pivot_index(ns, (q[m / 2].k - lo + 0.5) / size, m == 1)];
		pfree(smp);

		j = partition_front(a, lo, hi, p, false, &sg);
		if (j == lo)
		{
			/* p is the largest value: split off the values equal to it */
			j = partition_front(a, lo, hi, p, true, &sg);
			split = 0;
			while (split < m && q[split].k < j)
			{
				q[split].prefix = base;
				ksum_add(&q[split].prefix, (double) (q[split].k - lo) * p);
				q[split].value = p;
				split++;
			}
		}
		else
		{
			split = 0;
			while (split < m && q[split].k < j)
				split++;
			if (split > 0)
				select_ranks(a, lo, j, base, q, split, depth + 1, ctx);
		}
		ksum_add_ksum(&base, &sg);
		lo = j;
		q += split;
		m -= split;
		depth++;
	}
}

/*
 * The crossing point of a weighted prefix.  a[0, n) hold values of one sign;
 * the weight of x is sign * x > 0, and values are taken largest first.  Finds
 * the smallest j with (weight of ranks 0 .. j-1) >= D, 0 < D <= total
 * weight W, and returns the real position t in (j-1, j] where the linearly
 * interpolated prefix weight reaches D; *value gets the value of rank j-1.
 */
static double
cross_position(double *a, int64 n, double sign, double D, double W,
			   double *value, SelectCtx *ctx)
{
	int64		lo = 0;
	int64		hi = n;
	KSum		base = {0, 0};
	double		wsub = W;
	int			depth = 0;

	for (;;)
	{
		int64		size = hi - lo;
		int			ns;
		double	   *smp;
		double		p;
		int64		j;
		KSum		sg;
		KSum		nb;

		if (size <= SELECT_SMALL || depth > 200)
		{
			qsort(a + lo, size, sizeof(double), cmp_desc);
			for (int64 i = lo; i < hi; i++)
			{
				double		w = sign * a[i];

				nb = base;
				ksum_add(&nb, w);
				if (ksum_value(&nb) >= D || i == hi - 1)
				{
					double		t = i + ((D - base.s) - base.c) / w;

					*value = a[i];
					return Min(Max(t, (double) i), (double) (i + 1));
				}
				base = nb;
			}
			elog(ERROR, "cross_position called on an empty range");
		}
		CHECK_FOR_INTERRUPTS();

		/* aim the pivot where the sample's weight reaches the rest of D */
		smp = sample_desc(a, lo, hi, ctx, &ns);
		{
			double		ws = 0;
			double		goal;
			double		acc = 0;
			int			r = ns - 1;

			for (int i = 0; i < ns; i++)
				ws += sign * smp[i];
			goal = ws * (((D - base.s) - base.c) / wsub);
			for (int i = 0; i < ns; i++)
			{
				acc += sign * smp[i];
				if (acc >= goal)
				{
					r = i;
					break;
				}
			}
			p = smp[pivot_index(ns, (r + 0.5) / ns, true)];
		}
		pfree(smp);

		j = partition_front(a, lo, hi, p, false, &sg);
		if (j == lo)
		{
			/* p is the largest value: the run of values equal to it */
			double		w = sign * p;

			j = partition_front(a, lo, hi, p, true, &sg);
			nb = base;
			ksum_add(&nb, sign * sg.s);
			ksum_add(&nb, sign * sg.c);
			if (ksum_value(&nb) >= D || j == hi)
			{
				double		t = lo + ((D - base.s) - base.c) / w;

				*value = p;
				return Min(Max(t, (double) lo), (double) j);
			}
		}
		else
		{
			nb = base;
			ksum_add(&nb, sign * sg.s);
			ksum_add(&nb, sign * sg.c);
			if (ksum_value(&nb) >= D)
			{
				hi = j;
				wsub = sign * ksum_value(&sg);
				depth++;
				continue;
			}
		}
		base = nb;
		wsub -= sign * ksum_value(&sg);
		lo = j;
		depth++;
	}
}

/*
 * L at the positions t_i = k_i + r_i (k_i integer in [0, n], 0 <= r_i < 1),
 * for the values a[0, n) with total S != 0.
 */
static void
lorenz_at(double *a, int64 n, double S, const int64 *k, const double *r,
		  int m, double *out)
{
	RankQuery  *q = palloc(Max(m, 1) * sizeof(RankQuery));
	int		   *slot = palloc(Max(m, 1) * sizeof(int));
	int			nq = 0;
	int		   *order = palloc(Max(m, 1) * sizeof(int));
	SelectCtx	ctx = {UINT64CONST(0x9E3779B97F4A7C15) ^ (uint64) n};
	KSum		zero = {0, 0};

	/* queries sorted by k and distinct; positions at n or 0 need none */
	for (int i = 0; i < m; i++)
		order[i] = i;
	for (int i = 1; i < m; i++)
	{
		/* insertion sort: the callers pass k nearly or fully sorted */
		int			x = order[i];
		int			j = i - 1;

		while (j >= 0 && k[order[j]] > k[x])
		{
			order[j + 1] = order[j];
			j--;
		}
		order[j + 1] = x;
	}
	for (int i = 0; i < m; i++)
	{
		int			o = order[i];

		slot[o] = -1;
		if (k[o] >= n || (k[o] == 0 && r[o] == 0))
			continue;
		if (nq == 0 || q[nq - 1].k != k[o])
			q[nq++].k = k[o];
		slot[o] = nq - 1;
	}
	if (nq > 0)
		select_ranks(a, 0, n, zero, q, nq, 0, &ctx);
	for (int i = 0; i < m; i++)
	{
		if (k[i] >= n)
			out[i] = 1.0;
		else if (slot[i] < 0)
			out[i] = 0.0;
		else
		{
			KSum		t = q[slot[i]].prefix;

			if (r[i] > 0)
				ksum_add(&t, r[i] * q[slot[i]].value);
			out[i] = ksum_value(&t) / S;
		}
	}
	pfree(q);
	pfree(slot);
	pfree(order);
}

/* Split t = f * n (f in [0, 1]) into an integer k and 0 <= r < 1, exactly. */
static void
position_of(double f, int64 n, int64 *k, double *r)
{
	double		t = f * (double) n;
	double		kf = floor(t);
	double		rem = fma(f, (double) n, -kf);	/* f * n - kf, one rounding */

	if (rem < 0)
	{
		kf -= 1;
		rem += 1;
	}
	if (rem >= 1)
	{
		kf += 1;
		rem -= 1;
	}
	if (kf >= (double) n)
	{
		*k = n;
		*r = 0;
		return;
	}
	*k = (int64) kf;
	*r = Max(rem, 0.0);
}

/*
 * ---------------------------------------------------------------------------
 * Transition functions
 * ---------------------------------------------------------------------------
 */

/* The state (created on the first row) with the row's value added. */
static CprofParetoState *
pareto_step(FunctionCallInfo fcinfo, ParetoParam kind, const char *fname)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, fname);
	CprofParetoState *st = PG_ARGISNULL(0) ? NULL :
	(CprofParetoState *) PG_GETARG_POINTER(0);
	Oid			type = arg_types(fcinfo)->value;

	if (st == NULL)
		st = pareto_state_new(kind, aggcxt);
	if (!PG_ARGISNULL(1))
		store_add(st, value_double(PG_GETARG_DATUM(1), type), aggcxt);
	return st;
}

static void
param_null(const char *name, const char *range)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s must not be null", name),
			 errhint("Pass %s.", range)));
}

static void
param_varies(const char *name, const char *first, const char *now,
			 const char *range)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be the same for every row of a group, got %s and %s",
					name, first, now),
			 errhint("Pass one constant per group: %s.", range)));
}

/* Record (first row) or check (later rows) a double parameter. */
static void
param_float(CprofParetoState *st, double x, const char *name, double lo,
			double hi, const char *range)
{
	if (st->has_param)
	{
		if (x != st->fparam)
			param_varies(name, fstr(st->fparam), fstr(x), range);
		return;
	}
	if (!(x >= lo && x <= hi) || isinf(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s, got %s", name,
						isinf(hi) ? "a finite number 0 or greater" : "between 0 and 1",
						fstr(x)),
				 errhint("Pass %s.", range)));
	st->fparam = x;
	st->has_param = true;
}

/* Record or check an integer parameter. */
static void
param_int(CprofParetoState *st, int64 x, const char *name, int64 lo,
		  int64 hi, const char *range)
{
	if (st->has_param)
	{
		if (x != st->iparam)
			param_varies(name, psprintf(INT64_FORMAT, st->iparam),
						 psprintf(INT64_FORMAT, x), range);
		return;
	}
	if (x < lo || x > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s, got " INT64_FORMAT, name,
						hi == PG_INT64_MAX ? "0 or greater" : "between 1 and 10000000", x),
				 errhint("Pass %s.", range)));
	st->iparam = x;
	st->has_param = true;
}

#define RANGE_FRACTION	"a fraction of the clients between 0 and 1, for example 0.2 for the top 20%"
#define RANGE_SHARE		"a share of the total that is 0 or greater, for example 0.8 for 80% (shares above 1 are reached only when some values are negative)"
#define RANGE_POINTS	"a number of intervals between 1 and 10000000, for example 100 for every percentile"
#define RANGE_TOP_N		"a number of clients that is 0 or greater, for example 10"

PG_FUNCTION_INFO_V1(cprof_pareto_trans);
/* Transition function of the aggregates without a parameter. */
Datum
cprof_pareto_trans(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(pareto_step(fcinfo, PARAM_NONE, "cprof_pareto_trans"));
}

PG_FUNCTION_INFO_V1(cprof_pareto_share_trans);
/* Transition function of pareto_share(value, top_fraction | fractions). */
Datum
cprof_pareto_share_trans(PG_FUNCTION_ARGS)
{
	bool		is_array = arg_types(fcinfo)->param != FLOAT8OID;
	CprofParetoState *st = pareto_step(fcinfo, is_array ? PARAM_ARRAY : PARAM_FLOAT,
									   "cprof_pareto_share_trans");

	if (!is_array)
	{
		if (PG_ARGISNULL(2))
			param_null("top_fraction", RANGE_FRACTION);
		param_float(st, PG_GETARG_FLOAT8(2), "top_fraction", 0, 1, RANGE_FRACTION);
	}
	else
	{
		ArrayType  *arr;

		if (PG_ARGISNULL(2))
			param_null("fractions", RANGE_FRACTION);
		arr = PG_GETARG_ARRAYTYPE_P(2);
		if (st->has_param)
		{
			if (VARSIZE(arr) != VARSIZE(st->fractions_raw) ||
				memcmp(arr, st->fractions_raw, VARSIZE(arr)) != 0)
				param_varies("fractions", "one array", "another",
							 "an array of fractions between 0 and 1, for example '{0.1,0.2,0.5}'");
		}
		else
		{
			MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_pareto_share_trans");
			Datum	   *elems;
			bool	   *nulls;
			int			nelems;

			if (ARR_NDIM(arr) > 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("fractions must be a one-dimensional array, got %d dimensions",
								ARR_NDIM(arr)),
						 errhint("Pass an array of fractions between 0 and 1, for example '{0.1,0.2,0.5}'.")));
			deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
							  TYPALIGN_DOUBLE, &elems, &nulls, &nelems);
			st->fractions = MemoryContextAlloc(aggcxt, Max(nelems, 1) * sizeof(double));
			for (int i = 0; i < nelems; i++)
			{
				double		f;

				if (nulls[i])
					param_null("fractions element", RANGE_FRACTION);
				f = DatumGetFloat8(elems[i]);
				if (!(f >= 0 && f <= 1))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("fractions must be between 0 and 1, got %s", fstr(f)),
							 errhint("Pass %s.", RANGE_FRACTION)));
				st->fractions[i] = f;
			}
			st->nfractions = nelems;
			st->fractions_raw = MemoryContextAlloc(aggcxt, VARSIZE(arr));
			memcpy(st->fractions_raw, arr, VARSIZE(arr));
			st->has_param = true;
		}
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_pareto_fraction_trans);
/* Transition function of pareto_fraction(value, share). */
Datum
cprof_pareto_fraction_trans(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_step(fcinfo, PARAM_FLOAT, "cprof_pareto_fraction_trans");

	if (PG_ARGISNULL(2))
		param_null("share", RANGE_SHARE);
	param_float(st, PG_GETARG_FLOAT8(2), "share", 0, get_float8_infinity(), RANGE_SHARE);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_pareto_curve_trans);
/* Transition function of pareto_curve(value, points). */
Datum
cprof_pareto_curve_trans(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_step(fcinfo, PARAM_INT, "cprof_pareto_curve_trans");

	if (PG_ARGISNULL(2))
		param_null("points", RANGE_POINTS);
	param_int(st, PG_GETARG_INT32(2), "points", 1, MAX_CURVE_POINTS, RANGE_POINTS);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_top_share_trans);
/* Transition function of top_share(value, n). */
Datum
cprof_top_share_trans(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_step(fcinfo, PARAM_INT, "cprof_top_share_trans");

	if (PG_ARGISNULL(2))
		param_null("n", RANGE_TOP_N);
	param_int(st, PG_GETARG_INT64(2), "n", 0, PG_INT64_MAX, RANGE_TOP_N);
	PG_RETURN_POINTER(st);
}

/*
 * ---------------------------------------------------------------------------
 * Combine, serialize, deserialize
 * ---------------------------------------------------------------------------
 */

/* Copy the parameter of src into dst, or check that they agree. */
static void
param_merge(CprofParetoState *dst, const CprofParetoState *src, MemoryContext cxt)
{
	if (dst->param_kind != src->param_kind)
		elog(ERROR, "cprof_pareto_combine called with states of different kinds");
	if (!src->has_param)
		return;
	if (dst->has_param)
	{
		bool		same;

		switch (dst->param_kind)
		{
			case PARAM_FLOAT:
				same = dst->fparam == src->fparam;
				break;
			case PARAM_INT:
				same = dst->iparam == src->iparam;
				break;
			default:
				same = dst->nfractions == src->nfractions &&
					memcmp(dst->fractions, src->fractions,
						   dst->nfractions * sizeof(double)) == 0;
				break;
		}
		if (!same)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the parameter of a concentration aggregate must be the same for every row of a group"),
					 errhint("Pass one constant per group.")));
		return;
	}
	dst->has_param = true;
	dst->fparam = src->fparam;
	dst->iparam = src->iparam;
	dst->nfractions = src->nfractions;
	if (src->param_kind == PARAM_ARRAY)
	{
		dst->fractions = MemoryContextAlloc(cxt, Max(src->nfractions, 1) * sizeof(double));
		memcpy(dst->fractions, src->fractions, src->nfractions * sizeof(double));
		if (src->fractions_raw != NULL)
		{
			dst->fractions_raw = MemoryContextAlloc(cxt, VARSIZE(src->fractions_raw));
			memcpy(dst->fractions_raw, src->fractions_raw, VARSIZE(src->fractions_raw));
		}
	}
}

PG_FUNCTION_INFO_V1(cprof_pareto_combine);
/* Combine function: appends the values of the second state to the first. */
Datum
cprof_pareto_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_pareto_combine");
	CprofParetoState *s1 = PG_ARGISNULL(0) ? NULL : (CprofParetoState *) PG_GETARG_POINTER(0);
	CprofParetoState *s2 = PG_ARGISNULL(1) ? NULL : (CprofParetoState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
		s1 = pareto_state_new(s2->param_kind, aggcxt);
	param_merge(s1, s2, aggcxt);
	store_append(s1, s2, aggcxt);
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(cprof_pareto_serialize);
/*
 * Serialize function: version byte, parameter kind and value, the number of
 * values, then the values.
 */
Datum
cprof_pareto_serialize(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = (CprofParetoState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	Size		need;

	cprof_agg_context(fcinfo, "cprof_pareto_serialize");
	need = (Size) 64 + (Size) st->nfractions * 8 + (Size) st->n * 8;
	if (need > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("concentration aggregate state of " INT64_FORMAT " values is too large to pass between processes",
						st->n),
				 errdetail("A serialized state is limited to 1 GB, about 134 million values."),
				 errhint("Run the query with SET max_parallel_workers_per_gather = 0 (and enable_partitionwise_aggregate = off), so that each group is aggregated in one process.")));
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) need);
	pq_sendbyte(&buf, PARETO_STATE_VERSION);
	pq_sendbyte(&buf, st->param_kind);
	pq_sendbyte(&buf, st->has_param);
	cprof_send_float8(&buf, st->fparam);
	pq_sendint64(&buf, st->iparam);
	pq_sendint32(&buf, st->nfractions);
	for (int i = 0; i < st->nfractions; i++)
		cprof_send_float8(&buf, st->fractions[i]);
	pq_sendint64(&buf, st->n);
	for (int i = 0; i < st->nchunks; i++)
	{
		const double *c = st->chunks[i];
		int64		len = chunk_len(st, i);

		CHECK_FOR_INTERRUPTS();
		for (int64 j = 0; j < len; j++)
			cprof_send_float8(&buf, c[j]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
bad_state(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid concentration aggregate state"),
			 errdetail("%s", detail)));
}

PG_FUNCTION_INFO_V1(cprof_pareto_deserialize);
/* Deserialize function: the inverse of the above, every field checked. */
Datum
cprof_pareto_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CprofParetoState *st;
	int			kind;
	int			has_param;
	int32		nfractions;
	int64		n;

	cprof_agg_context(fcinfo, "cprof_pareto_deserialize");
	cprof_recv_begin(&buf, bytes, PARETO_STATE_VERSION, "concentration");
	kind = cprof_recv_byte(&buf);
	has_param = cprof_recv_byte(&buf);
	if (kind < PARAM_NONE || kind > PARAM_ARRAY || (has_param != 0 && has_param != 1))
		bad_state("The parameter kind is unknown.");
	st = pareto_state_new(kind, CurrentMemoryContext);
	st->has_param = has_param;
	st->fparam = cprof_recv_float8(&buf);
	st->iparam = cprof_recv_int64(&buf);
	nfractions = cprof_recv_int32(&buf);
	if (nfractions < 0 || nfractions > (buf.len - buf.cursor) / 8)
		bad_state("The number of fractions is out of range.");
	st->nfractions = nfractions;
	st->fractions = palloc(Max(nfractions, 1) * sizeof(double));
	for (int i = 0; i < nfractions; i++)
	{
		st->fractions[i] = cprof_recv_float8(&buf);
		if (!(st->fractions[i] >= 0 && st->fractions[i] <= 1))
			bad_state("A fraction is out of range.");
	}
	n = cprof_recv_int64(&buf);
	if (n < 0 || n != (buf.len - buf.cursor) / 8)
		bad_state("The number of values does not match the state's length.");
	for (int64 i = 0; i < n; i++)
	{
		double		x = cprof_recv_float8(&buf);

		if (!isfinite(x))
			bad_state("A value is not finite.");
		store_add(st, x, CurrentMemoryContext);
		if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
			CHECK_FOR_INTERRUPTS();
	}
	cprof_recv_end(&buf);
	PG_RETURN_POINTER(st);
}

/*
 * ---------------------------------------------------------------------------
 * Final functions.  None modifies the state: selection runs on a copy.
 * ---------------------------------------------------------------------------
 */

/* The state, or NULL when the group has no value. */
static CprofParetoState *
pareto_final_state(FunctionCallInfo fcinfo, const char *fname)
{
	CprofParetoState *st;

	cprof_agg_context(fcinfo, fname);
	if (PG_ARGISNULL(0))
		return NULL;
	st = (CprofParetoState *) PG_GETARG_POINTER(0);
	return st->n == 0 ? NULL : st;
}

PG_FUNCTION_INFO_V1(cprof_pareto_share_final);
/* pareto_share(value [, top_fraction]): L(top_fraction), 0.2 by default. */
Datum
cprof_pareto_share_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_pareto_share_final");
	double		f;
	int64		k;
	double		r;
	KSum		total;
	double	   *a;
	double		result;

	if (st == NULL)
		PG_RETURN_NULL();
	f = st->has_param ? st->fparam : 0.2;
	a = store_copy(st, &total);
	if (ksum_value(&total) == 0)
		PG_RETURN_NULL();
	position_of(f, st->n, &k, &r);
	lorenz_at(a, st->n, ksum_value(&total), &k, &r, 1, &result);
	pfree(a);
	PG_RETURN_FLOAT8(result);
}

PG_FUNCTION_INFO_V1(cprof_pareto_shares_final);
/* pareto_share(value, fractions): L at each fraction, in one pass. */
Datum
cprof_pareto_shares_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_pareto_shares_final");
	int			m;
	int64	   *k;
	double	   *r;
	double	   *out;
	Datum	   *elems;
	KSum		total;
	double	   *a;
	int			lb = 1;

	if (st == NULL)
		PG_RETURN_NULL();
	a = store_copy(st, &total);
	if (ksum_value(&total) == 0)
		PG_RETURN_NULL();
	m = st->nfractions;
	k = palloc(Max(m, 1) * sizeof(int64));
	r = palloc(Max(m, 1) * sizeof(double));
	out = palloc(Max(m, 1) * sizeof(double));
	elems = palloc(Max(m, 1) * sizeof(Datum));
	for (int i = 0; i < m; i++)
		position_of(st->fractions[i], st->n, &k[i], &r[i]);
	lorenz_at(a, st->n, ksum_value(&total), k, r, m, out);
	pfree(a);
	for (int i = 0; i < m; i++)
		elems[i] = Float8GetDatum(out[i]);
	if (st->fractions_raw != NULL && ARR_NDIM(st->fractions_raw) == 1)
		lb = ARR_LBOUND(st->fractions_raw)[0];
	if (m == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(FLOAT8OID));
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, NULL, 1, &m, &lb, FLOAT8OID,
											 sizeof(float8), FLOAT8PASSBYVAL,
											 TYPALIGN_DOUBLE));
}

/* Ascending-order key of a double, for the radix sort. */
static inline uint64
radix_key(double x)
{
	uint64		u;

	memcpy(&u, &x, sizeof(u));
	return (u & UINT64CONST(0x8000000000000000)) ? ~u : (u | UINT64CONST(0x8000000000000000));
}

static inline double
radix_unkey(uint64 u)
{
	double		x;

	u = (u & UINT64CONST(0x8000000000000000)) ? (u & ~UINT64CONST(0x8000000000000000)) : ~u;
	memcpy(&x, &u, sizeof(x));
	return x;
}

#define RADIX_BITS		11
#define RADIX_BUCKETS	(1 << RADIX_BITS)
#define RADIX_PASSES	6		/* 6 * 11 >= 64 */

/*
 * Sort the values of the store ascending (LSD radix sort on order-preserving
 * keys, 11 bits a pass, skipping the passes where every key has the same
 * digit).  Returns a palloc'd array of n keys; decode with radix_unkey.
 */
static uint64 *
store_sorted_keys(const CprofParetoState *st)
{
	int64		n = st->n;
	uint64	   *keys = MemoryContextAllocHuge(CurrentMemoryContext, n * sizeof(uint64));
	uint64	   *tmp = MemoryContextAllocHuge(CurrentMemoryContext, n * sizeof(uint64));
	int64	   *hist = palloc0(RADIX_PASSES * RADIX_BUCKETS * sizeof(int64));
	uint64	   *src = keys;
	uint64	   *dst = tmp;
	int64		k = 0;

	for (int i = 0; i < st->nchunks; i++)
	{
		const double *c = st->chunks[i];
		int64		len = chunk_len(st, i);

		CHECK_FOR_INTERRUPTS();
		for (int64 j = 0; j < len; j++)
		{
			uint64		u = radix_key(c[j]);

			keys[k++] = u;
			for (int p = 0; p < RADIX_PASSES; p++)
				hist[p * RADIX_BUCKETS + ((u >> (p * RADIX_BITS)) & (RADIX_BUCKETS - 1))]++;
		}
	}
	for (int p = 0; p < RADIX_PASSES; p++)
	{
		int64	   *h = hist + p * RADIX_BUCKETS;
		int			shift = p * RADIX_BITS;
		int64		sum = 0;

		if (h[(src[0] >> shift) & (RADIX_BUCKETS - 1)] == n)
			continue;			/* every key has this digit */
		for (int b = 0; b < RADIX_BUCKETS; b++)
		{
			int64		c = h[b];

			h[b] = sum;
			sum += c;
		}
		for (int64 i = 0; i < n; i++)
		{
			uint64		u = src[i];

			dst[h[(u >> shift) & (RADIX_BUCKETS - 1)]++] = u;
			if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
				CHECK_FOR_INTERRUPTS();
		}
		{
			uint64	   *x = src;

			src = dst;
			dst = x;
		}
	}
	pfree(hist);
	pfree(dst);
	return src;
}

/* Curves with more points than this sort instead of selecting. */
#define CURVE_SORT_POINTS	16

PG_FUNCTION_INFO_V1(cprof_pareto_curve_final);
/* pareto_curve(value, points): L(j / points) for j = 0 .. points. */
Datum
cprof_pareto_curve_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_pareto_curve_final");
	int			points;
	int64	   *k;
	double	   *r;
	double	   *out;
	Datum	   *elems;
	KSum		total;
	double	   *a;

	if (st == NULL)
		PG_RETURN_NULL();
	points = (int) st->iparam;
	k = palloc((points + 1) * sizeof(int64));
	r = palloc((points + 1) * sizeof(double));
	out = palloc((points + 1) * sizeof(double));
	elems = palloc((points + 1) * sizeof(Datum));
	for (int j = 0; j <= points; j++)
	{
		/* t = j * n / points exactly: integer part and remainder */
		int128		num = (int128) j * st->n;

		k[j] = (int64) (num / points);
		r[j] = (double) (int64) (num % points) / points;
	}
	if (points <= CURVE_SORT_POINTS)
	{
		/* few points: one selection per point */
		a = store_copy(st, &total);
		if (ksum_value(&total) == 0)
			PG_RETURN_NULL();
		lorenz_at(a, st->n, ksum_value(&total), k, r, points + 1, out);
		pfree(a);
	}
	else
	{
		/*
		 * Many points: one radix sort, then one pass from the largest value
		 * (k is non-decreasing in j).
		 */
		uint64	   *keys = store_sorted_keys(st);
		KSum	   *prefix = palloc((points + 1) * sizeof(KSum));
		double	   *next = palloc((points + 1) * sizeof(double));
		KSum		run = {0, 0};
		int64		n = st->n;
		int			j = 0;
		double		S;

		for (int64 rank = 0; rank < n; rank++)
		{
			double		x = radix_unkey(keys[n - 1 - rank]);

			while (j <= points && k[j] == rank)
			{
				prefix[j] = run;
				next[j] = x;
				j++;
			}
			ksum_add(&run, x);
			if (unlikely((rank & INTERRUPT_MASK) == INTERRUPT_MASK))
				CHECK_FOR_INTERRUPTS();
		}
		pfree(keys);
		S = ksum_value(&run);
		if (!isfinite(S))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("sum of the values is out of the range of double precision")));
		if (S == 0)
			PG_RETURN_NULL();
		for (j = 0; j <= points; j++)
		{
			if (k[j] >= n)
				out[j] = 1.0;
			else
			{
				KSum		t = prefix[j];

				if (r[j] > 0)
					ksum_add(&t, r[j] * next[j]);
				out[j] = ksum_value(&t) / S;
			}
		}
	}
	for (int j = 0; j <= points; j++)
		elems[j] = Float8GetDatum(out[j]);
	points++;
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, points, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

PG_FUNCTION_INFO_V1(cprof_top_share_final);
/* top_share(value, n): the share of the n largest values. */
Datum
cprof_top_share_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_top_share_final");
	KSum		total;
	double	   *a;
	int64		k;
	double		r = 0;
	double		result;

	if (st == NULL)
		PG_RETURN_NULL();
	a = store_copy(st, &total);
	if (ksum_value(&total) == 0)
		PG_RETURN_NULL();
	k = Min(st->iparam, st->n);
	lorenz_at(a, st->n, ksum_value(&total), &k, &r, 1, &result);
	pfree(a);
	PG_RETURN_FLOAT8(result);
}

/*
 * The smallest f with L(f) >= share, or -1 when L never reaches it.
 *
 * With S > 0, L is concave (its slopes v_k / S decrease): it rises while the
 * values are positive, then falls back to 1, so the first crossing lies
 * among the positive values and exists iff share * S <= (sum of the positive
 * values).  With S < 0, L is convex: it falls below 0 over the positive
 * values and rises back to 1 over the negative ones, so the crossing of a
 * share in (0, 1] lies among the negative values (taken from the one
 * closest to 0), where the running sum has fallen by P - share * S; a share
 * above 1 is never reached.
 */
static double
fraction_of(const CprofParetoState *st, double share, double *crossing)
{
	SignStats	ss;
	double		S;
	double		P;
	SelectCtx	ctx = {UINT64CONST(0x9E3779B97F4A7C15) ^ (uint64) st->n};
	double	   *a;
	double		t;
	double		v;

	store_sign_stats(st, &ss);
	S = ksum_value(&ss.total);
	P = ksum_value(&ss.pos);
	if (S == 0)
		return get_float8_nan();
	if (share == 0)
	{
		*crossing = get_float8_infinity();
		return 0;
	}
	if (S > 0)
	{
		double		D = share * S;

		if (D > P)
			return -1;
		a = store_copy_sign(st, 1, ss.npos);
		t = cross_position(a, ss.npos, 1.0, D, P, &v, &ctx);
	}
	else
	{
		int64		nonneg = st->n - ss.nneg;
		KSum		d = ss.pos;
		double		M;

		if (share > 1)
			return -1;
		ksum_add(&d, share * -S);
		M = P - S;				/* the sum of |negative values| */
		a = store_copy_sign(st, -1, ss.nneg);
		t = nonneg + cross_position(a, ss.nneg, -1.0, Min(ksum_value(&d), M),
									M, &v, &ctx);
	}
	pfree(a);
	*crossing = v;
	return t / st->n;
}

PG_FUNCTION_INFO_V1(cprof_pareto_fraction_final);
/* pareto_fraction(value [, share]): smallest f with L(f) >= share, 0.8 by default. */
Datum
cprof_pareto_fraction_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_pareto_fraction_final");
	double		crossing;
	double		f;

	if (st == NULL)
		PG_RETURN_NULL();
	f = fraction_of(st, st->has_param ? st->fparam : 0.8, &crossing);
	if (isnan(f) || f < 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(Min(f, 1.0));
}

PG_FUNCTION_INFO_V1(cprof_gini_final);
/*
 * gini(value): 1 - 2A, A the area under the ascending Lorenz curve through
 * (i/n, L_i) by trapezoids.  With x_1 <= ... <= x_n this is
 * sum((2i - n - 1) x_i) / (n S): the coefficients sum to 0, so equal values
 * give exactly 0, and the numerator has no cancellation between two large
 * terms (the textbook 2 sum(i x_i) / (n S) - (n + 1) / n has).
 */
Datum
cprof_gini_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_gini_final");
	uint64	   *keys;
	KSum		total = {0, 0};
	KSum		num = {0, 0};
	int64		n;
	double		S;

	if (st == NULL)
		PG_RETURN_NULL();
	n = st->n;
	keys = store_sorted_keys(st);
	for (int64 i = 0; i < n; i++)
	{
		double		x = radix_unkey(keys[i]);

		ksum_add(&total, x);
		ksum_add(&num, (double) (2 * i + 1 - n) * x);
	}
	pfree(keys);
	S = ksum_value(&total);
	if (!isfinite(S) || !isfinite(ksum_value(&num)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sum of the values is out of the range of double precision")));
	if (S == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(ksum_value(&num) / ((double) n * S));
}

/*
 * ---------------------------------------------------------------------------
 * hhi: sum of squared shares = sum(v^2) / S^2
 * ---------------------------------------------------------------------------
 */

PG_FUNCTION_INFO_V1(cprof_hhi_trans);
/* Transition function of hhi(value). */
Datum
cprof_hhi_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_hhi_trans");
	CprofHhiState *st = PG_ARGISNULL(0) ? NULL : (CprofHhiState *) PG_GETARG_POINTER(0);
	Oid			type = arg_types(fcinfo)->value;
	double		x;

	if (PG_ARGISNULL(1))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	x = value_double(PG_GETARG_DATUM(1), type);
	if (st == NULL)
		st = MemoryContextAllocZero(aggcxt, sizeof(CprofHhiState));
	st->n++;
	floatsum_add(&st->sum, x);
	floatsum_add(&st->sumsq, x * x);
	if (unlikely(isinf(x * x)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("square of value %s is out of the range of double precision", fstr(x))));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_hhi_combine);
/* Combine function of hhi(). */
Datum
cprof_hhi_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_hhi_combine");
	CprofHhiState *s1 = PG_ARGISNULL(0) ? NULL : (CprofHhiState *) PG_GETARG_POINTER(0);
	CprofHhiState *s2 = PG_ARGISNULL(1) ? NULL : (CprofHhiState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = MemoryContextAlloc(aggcxt, sizeof(CprofHhiState));
		*s1 = *s2;
		PG_RETURN_POINTER(s1);
	}
	s1->n += s2->n;
	floatsum_add_floatsum(&s1->sum, &s2->sum);
	floatsum_add_floatsum(&s1->sumsq, &s2->sumsq);
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(cprof_hhi_serialize);
/* Serialize function of hhi(): version byte, count, the two sums. */
Datum
cprof_hhi_serialize(PG_FUNCTION_ARGS)
{
	CprofHhiState *st = (CprofHhiState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	cprof_agg_context(fcinfo, "cprof_hhi_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, HHI_STATE_VERSION);
	pq_sendint64(&buf, st->n);
	floatsum_send(&buf, &st->sum);
	floatsum_send(&buf, &st->sumsq);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_hhi_deserialize);
/* Deserialize function of hhi(). */
Datum
cprof_hhi_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CprofHhiState *st;

	cprof_agg_context(fcinfo, "cprof_hhi_deserialize");
	cprof_recv_begin(&buf, bytes, HHI_STATE_VERSION, "hhi");
	st = palloc0(sizeof(CprofHhiState));
	st->n = cprof_recv_int64(&buf);
	floatsum_recv(&buf, &st->sum);
	floatsum_recv(&buf, &st->sumsq);
	cprof_recv_end(&buf);
	if (st->n < 0 || st->sum.nan_count != 0 || st->sum.pinf_count != 0 ||
		st->sum.ninf_count != 0 || st->sumsq.nan_count != 0 ||
		st->sumsq.pinf_count != 0 || st->sumsq.ninf_count != 0)
		bad_state("The hhi state has a negative count or a non-finite sum.");
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_hhi_final);
/* Final function of hhi(): sum(v^2) / S^2, NULL for no value or S = 0. */
Datum
cprof_hhi_final(PG_FUNCTION_ARGS)
{
	CprofHhiState *st;
	double		S;
	double		result;

	cprof_agg_context(fcinfo, "cprof_hhi_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (CprofHhiState *) PG_GETARG_POINTER(0);
	S = floatsum_result(&st->sum);
	if (st->n == 0 || S == 0)
		PG_RETURN_NULL();
	/* S * S may overflow (or underflow) where the quotient does not */
	if (isnormal(S * S))
		result = floatsum_result(&st->sumsq) / (S * S);
	else
		result = floatsum_result(&st->sumsq) / S / S;
	if (!isfinite(result))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hhi is out of the range of double precision")));
	PG_RETURN_FLOAT8(result);
}

/*
 * ---------------------------------------------------------------------------
 * pareto_class: ABC classes as a window function
 * ---------------------------------------------------------------------------
 */

/* What pareto_class computes once per partition. */
typedef struct ClassPartition
{
	bool		ready;			/* thresholds computed */
	bool		undefined;		/* no value, or a total of 0: all NULL */
	double		a_share;		/* the partition's parameters */
	double		b_share;
	double		a_min;			/* values >= a_min are class A */
	double		b_min;			/* values >= b_min (and < a_min) are B */
} ClassPartition;

#define RANGE_CLASSES	"shares with 0 < a_share <= b_share <= 1, for example 0.8 and 0.95"

/*
 * The smallest value of a class: the value of the client whose cumulative
 * share (largest first) crosses 'share'.  A client belongs to the class when
 * the clients strictly larger than it hold less than 'share' of the total,
 * so every value >= the crossing client's value is in.
 */
static double
class_threshold(double *pos, int64 npos, double *neg, int64 nneg,
				const SignStats *ss, double share, SelectCtx *ctx)
{
	double		S = ksum_value(&ss->total);
	double		P = ksum_value(&ss->pos);
	double		v;

	if (S > 0)
		(void) cross_position(pos, npos, 1.0, Min(share * S, P), P, &v, ctx);
	else
	{
		KSum		d = ss->pos;
		double		M = P - S;

		ksum_add(&d, share * -S);
		(void) cross_position(neg, nneg, -1.0, Min(ksum_value(&d), M), M, &v, ctx);
	}
	return v;
}

PG_FUNCTION_INFO_V1(pareto_class);
/*
 * pareto_class(value [, a_share, b_share]): 'A', 'B' or 'C' for each row of
 * the window partition; NULL for a NULL value, or when the partition's total
 * is 0.  On its first call in a partition it reads every value of the
 * partition and finds the two thresholds by selection (no sort); later calls
 * compare the row's value with them.
 */
Datum
pareto_class(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	ClassPartition *part;
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 0);
	double		a = 0.8;
	double		b = 0.95;
	bool		isnull;
	Datum		d;
	double		x;

	if (type != NUMERICOID && type != FLOAT8OID && type != INT4OID)
		elog(ERROR, "pareto_class called with input type %u", type);
	if (PG_NARGS() == 3)
	{
		d = WinGetFuncArgCurrent(winobj, 1, &isnull);
		if (isnull)
			param_null("a_share", RANGE_CLASSES);
		a = DatumGetFloat8(d);
		d = WinGetFuncArgCurrent(winobj, 2, &isnull);
		if (isnull)
			param_null("b_share", RANGE_CLASSES);
		b = DatumGetFloat8(d);
		if (!(a > 0 && a <= 1))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a_share must be greater than 0 and at most 1, got %s", fstr(a)),
					 errhint("Pass %s.", RANGE_CLASSES)));
		if (!(b >= a && b <= 1))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("b_share must be at least a_share (%s) and at most 1, got %s",
							fstr(a), fstr(b)),
					 errhint("Pass %s.", RANGE_CLASSES)));
	}

	part = (ClassPartition *) WinGetPartitionLocalMemory(winobj, sizeof(ClassPartition));
	if (!part->ready)
	{
		int64		rows = WinGetPartitionRowCount(winobj);
		double	   *all = MemoryContextAllocHuge(CurrentMemoryContext,
												 Max(rows, 1) * sizeof(double));
		int64		n = 0;
		SignStats	ss;
		SelectCtx	ctx = {UINT64CONST(0x9E3779B97F4A7C15) ^ (uint64) rows};

		memset(&ss, 0, sizeof(ss));
		if (rows > INT_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("pareto_class partition of " INT64_FORMAT " rows is too large", rows),
					 errhint("Partition the rows into windows of at most 2147483647 rows.")));
		for (int64 i = 0; i < rows; i++)
		{
			bool		isout;

			d = WinGetFuncArgInPartition(winobj, 0, (int) i, WINDOW_SEEK_HEAD,
										 false, &isnull, &isout);
			if (isout)
				break;
			if (isnull)
				continue;
			x = value_double(d, type);
			all[n++] = x;
			ksum_add(&ss.total, x);
			if (x > 0)
			{
				ksum_add(&ss.pos, x);
				ss.npos++;
			}
			else if (x < 0)
				ss.nneg++;
			if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
				CHECK_FOR_INTERRUPTS();
		}
		part->a_share = a;
		part->b_share = b;
		if (!isfinite(ksum_value(&ss.total)))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("sum of the values is out of the range of double precision")));
		if (n == 0 || ksum_value(&ss.total) == 0)
			part->undefined = true;
		else
		{
			/* split the values by sign: positives first, then negatives */
			int64		p = 0;
			int64		q = n - 1;

			while (p <= q)
			{
				if (all[p] > 0)
					p++;
				else
				{
					double		t = all[p];

					all[p] = all[q];
					all[q--] = t;
				}
			}
			/* all[0, npos) positive; the negatives are among all[npos, n) */
			{
				int64		m = 0;
				double	   *neg = all + ss.npos;

				for (int64 i = 0; i < n - ss.npos; i++)
				{
					if (neg[i] < 0)
						neg[m++] = neg[i];
				}
				part->a_min = class_threshold(all, ss.npos, neg, ss.nneg, &ss, a, &ctx);
				part->b_min = class_threshold(all, ss.npos, neg, ss.nneg, &ss, b, &ctx);
			}
		}
		pfree(all);
		part->ready = true;
	}
	else if (a != part->a_share || b != part->b_share)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a_share and b_share must be the same for every row of a partition, got %s, %s and %s, %s",
						fstr(part->a_share), fstr(part->b_share), fstr(a), fstr(b)),
				 errhint("Pass one constant pair per partition: %s.", RANGE_CLASSES)));

	d = WinGetFuncArgCurrent(winobj, 0, &isnull);
	if (isnull || part->undefined)
		PG_RETURN_NULL();
	x = value_double(d, type);
	PG_RETURN_TEXT_P(cstring_to_text(x >= part->a_min ? "A" : x >= part->b_min ? "B" : "C"));
}
