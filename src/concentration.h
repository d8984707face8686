/*
 * src/concentration.h: what the files of the concentration family share.
 *
 * pareto_store.c   the per-group value store, its combine and serialization,
 *                  and how a value enters it
 * pareto_select.c  selection (order statistics and crossing points) and the
 *                  radix sort, on arrays of doubles
 * pareto.c         the pareto_share family of aggregates and gini
 * hhi.c            hhi, whose state is three numbers
 * pareto_class.c   the pareto_class window function (ABC classes)
 *
 * Definitions, and the NULL rules, are in the opening comment of pareto.c.
 */
#ifndef CPROF_CONCENTRATION_H
#define CPROF_CONCENTRATION_H

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/float.h"
#include "utils/lsyscache.h"

#include "cprof.h"

/* Chunks of the value store: all full but the last, which grows by doubling. */
#define CHUNK_BITS			20
#define CHUNK_VALUES		((int64) 1 << CHUNK_BITS)
#define FIRST_CHUNK_VALUES	16

/* Check for cancellation every this many elements in long loops. */
#define INTERRUPT_MASK		((int64) 0xFFFFF)

/* The per-group parameter of an aggregate. */
typedef enum ParetoParam
{
	PARAM_NONE,					/* pareto_share(value), gini(value), ... */
	PARAM_FLOAT,				/* top_fraction or share */
	PARAM_INT,					/* points or n */
	PARAM_ARRAY					/* fractions */
} ParetoParam;

/*
 * Per-group state of every aggregate of the family but hhi; lives in the
 * aggregate memory context.  Holds every non-NULL value of the group as a
 * double, in chunks of at most CHUNK_VALUES doubles, so a group may hold far
 * more than the 1 GB a single palloc allows.
 */
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
	int32		lbound;			/* PARAM_ARRAY: the array's lower bound,
								 * which the result keeps */
	double	   *fractions;		/* PARAM_ARRAY: the fractions */
	ArrayType  *fractions_raw;	/* PARAM_ARRAY: the array as first seen, to
								 * check later rows cheaply (memcmp) */
} CprofParetoState;

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
static inline const char *
fstr(double x)
{
	return float8out_internal(x);
}

/* pareto_store.c */

/* Argument types of a transition function, cached in fn_extra. */
typedef struct ParetoArgTypes
{
	Oid			value;			/* type of the value */
	Oid			param;			/* type of the parameter, or InvalidOid */
} ParetoArgTypes;

static inline const ParetoArgTypes *
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

/*
 * A value as a double; NaN and infinities are errors, and so is a numeric
 * that double precision cannot hold (its magnitude above about 1.8e308, or
 * not zero and below about 4.9e-324), as value::double precision has it.
 * 'fname' names the function in the error when it is not an aggregate's
 * support function.
 */
static inline double
value_double(FunctionCallInfo fcinfo, Datum d, Oid type, const char *fname)
{
	double		x;

	if (type == FLOAT8OID)
		x = DatumGetFloat8(d);
	else if (type == INT4OID)
		return (double) DatumGetInt32(d);
	else
	{
		x = cprof_numeric_to_double(d);
		if (unlikely(isinf(x) || x == 0))
		{
			CprofDoubleRange r = cprof_double_range(d, x);

			if (r != CPROF_DOUBLE_IN_RANGE)
				cprof_double_range_error(r, "value", cprof_agg_name(fcinfo, fname),
										 r == CPROF_DOUBLE_TOO_LARGE ?
										 "Concentration is computed in double precision: express the values in a larger unit, for example thousands." :
										 "Concentration is computed in double precision: round the values, for example with round(value, 10), or express them in a smaller unit.");
		}
	}
	if (unlikely(!isfinite(x)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value must be a finite number, got %s", fstr(x)),
				 errhint("Filter out NaN and infinite values, for example with WHERE value NOT IN ('NaN', 'Infinity', '-Infinity').")));
	return x + 0.0;				/* -0 becomes +0 */
}

/*
 * Scale-freeness.  Every answer of the family is unchanged when all values
 * are multiplied by the same positive number, but double precision sums
 * overflow past about 1.8e308 and products of values lose bits below about
 * 2.2e-308.  So the final functions multiply the values by a power of two
 * (exactly) that brings the largest magnitude into [CPROF_SCALE_MIN,
 * CPROF_SCALE_MAX] when it lies outside (cprof_scale_factor).  Inside that
 * range nothing is scaled, and outside it the scaled computation gives what
 * the unscaled one would give without overflow or underflow: IEEE
 * arithmetic commutes with multiplication by a power of two.  hhi, whose
 * state holds sums of squares, scales as it goes (hhi.c).
 */
#define CPROF_SCALE_MAX		0x1p400
#define CPROF_SCALE_MIN		0x1p-400

extern double cprof_scale_factor(double maxabs);
extern CprofParetoState *cprof_pareto_state_new(ParetoParam kind, MemoryContext cxt);
extern void cprof_store_grow(CprofParetoState *st, MemoryContext cxt);
extern double *cprof_store_copy(const CprofParetoState *st, KSum *total);

/*
 * Sign statistics of a store: sums of the positive and of all values, each
 * value multiplied by factor.
 */
typedef struct SignStats
{
	KSum		total;			/* all values */
	KSum		pos;			/* positive values */
	int64		npos;			/* values > 0 */
	int64		nneg;			/* values < 0 */
	double		factor;			/* the scale factor of the sums */
} SignStats;

extern void cprof_store_sign_stats(const CprofParetoState *st, SignStats *ss);
extern double *cprof_store_copy_sign(const CprofParetoState *st, int sign,
									 int64 count, double factor);

static inline void
store_add(CprofParetoState *st, double x, MemoryContext cxt)
{
	if (unlikely(st->nchunks == 0 || st->last_n == st->last_cap))
		cprof_store_grow(st, cxt);
	st->chunks[st->nchunks - 1][st->last_n++] = x;
	st->n++;
}

/* Number of values in chunk i. */
static inline int64
chunk_len(const CprofParetoState *st, int i)
{
	return i == st->nchunks - 1 ? st->last_n : CHUNK_VALUES;
}

/* pareto_select.c */

/* Deterministic pseudo-random numbers for sampling (xorshift64*). */
typedef struct SelectCtx
{
	uint64		rng;
} SelectCtx;

extern double cprof_cross_position(double *a, int64 n, double sign, double D,
								   double W, double *value, SelectCtx *ctx);
extern void cprof_lorenz_at(double *a, int64 n, double S, const int64 *k,
							const double *r, int m, double *out);
extern void cprof_position_of(double f, int64 n, int64 *k, double *r);
extern uint64 *cprof_store_sorted_keys(const CprofParetoState *st);
extern double cprof_keys_scale_factor(const uint64 *keys, int64 n);

/* The double of a radix sort key (see cprof_store_sorted_keys). */
static inline double
radix_unkey(uint64 u)
{
	double		x;

	u = (u & UINT64CONST(0x8000000000000000)) ? (u & ~UINT64CONST(0x8000000000000000)) : ~u;
	memcpy(&x, &u, sizeof(x));
	return x;
}

/* pareto.c */
extern void cprof_pareto_param_null(const char *name, const char *range);

#endif							/* CPROF_CONCENTRATION_H */
