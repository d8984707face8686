/*
 * src/pareto.c: the pareto_share family of aggregates and gini, the
 * concentration of a value over clients (docs/domain.md section 2).
 *
 * SQL objects (sql/cprof--1.0.sql), T numeric, double precision or integer:
 *   pareto_share(value T [, top_fraction double precision])  -> double precision
 *   pareto_share(value T, fractions double precision[])      -> double precision[]
 *   pareto_fraction(value T [, share double precision])      -> double precision
 *   pareto_curve(value T, points integer)                    -> double precision[]
 *   gini(value T)                                            -> double precision
 *   top_share(value T, n bigint)                             -> double precision
 *   cprof_pareto_trans, cprof_pareto_share_trans, cprof_pareto_fraction_trans,
 *   cprof_pareto_curve_trans, cprof_top_share_trans  (overloaded on T)
 *   cprof_pareto_share_final, cprof_pareto_shares_final,
 *   cprof_pareto_fraction_final, cprof_pareto_curve_final, cprof_gini_final,
 *   cprof_top_share_final
 * Their state, combine and serialization are in pareto_store.c, the
 * selection and sorting they use in pareto_select.c; hhi is in hhi.c and
 * pareto_class in pareto_class.c.
 *
 * Definitions.  Values sorted descending v1 >= ... >= vn, total S.  The
 * cumulative share curve L(k/n) = (v1 + ... + vk) / S, L(0) = 0, linear
 * between the points k/n, so L(f) for a fractional position t = f * n with
 * k = floor(t) is (v1 + ... + vk + (t - k) * v(k+1)) / S.  Ties do not
 * change L.  With negative values (profit) L rises above 1 and falls back
 * to 1: the whale curve; nothing here assumes values are positive.
 *
 * NULL rules (the whole family, hhi and pareto_class included): NULL values
 * are skipped; no row or only NULL values give NULL; a total of exactly 0
 * gives NULL (shares are undefined).  NaN and infinite values, and
 * parameters out of range, NULL or varying within a group, are errors.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "concentration.h"

/* Largest pareto_curve(points). */
#define MAX_CURVE_POINTS	10000000

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
		st = cprof_pareto_state_new(kind, aggcxt);
	if (!PG_ARGISNULL(1))
		store_add(st, value_double(fcinfo, PG_GETARG_DATUM(1), type,
								   "a concentration aggregate"), aggcxt);
	return st;
}

/* The error for a NULL parameter; range says what to pass. */
void
cprof_pareto_param_null(const char *name, const char *range)
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
	if ((!(x >= lo && x <= hi) || isinf(x)) && isinf(hi))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number %s or greater, got %s",
						name, fstr(lo), fstr(x)),
				 errhint("Pass %s.", range)));
	if (!(x >= lo && x <= hi))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between %s and %s, got %s",
						name, fstr(lo), fstr(hi), fstr(x)),
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
	if (x < lo && hi == PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be " INT64_FORMAT " or greater, got " INT64_FORMAT,
						name, lo, x),
				 errhint("Pass %s.", range)));
	if (x < lo || x > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between " INT64_FORMAT " and " INT64_FORMAT ", got " INT64_FORMAT,
						name, lo, hi, x),
				 errhint("Pass %s.", range)));
	st->iparam = x;
	st->has_param = true;
}

#define RANGE_FRACTION	"a fraction of the clients between 0 and 1, for example 0.2 for the top 20%"
#define RANGE_SHARE		"a share of the total that is 0 or greater, for example 0.8 for 80% (shares above 1 are reached only when some values are negative)"
#define RANGE_POINTS	"a number of intervals between 1 and " CppAsString2(MAX_CURVE_POINTS) ", for example 100 for every percentile"
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
			cprof_pareto_param_null("top_fraction", RANGE_FRACTION);
		param_float(st, PG_GETARG_FLOAT8(2), "top_fraction", 0, 1, RANGE_FRACTION);
	}
	else
	{
		ArrayType  *arr;

		if (PG_ARGISNULL(2))
			cprof_pareto_param_null("fractions", RANGE_FRACTION);
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
					cprof_pareto_param_null("fractions element", RANGE_FRACTION);
				f = DatumGetFloat8(elems[i]);
				if (!(f >= 0 && f <= 1))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							 errmsg("fractions must be between 0 and 1, got %s", fstr(f)),
							 errhint("Pass %s.", RANGE_FRACTION)));
				st->fractions[i] = f;
			}
			st->nfractions = nelems;
			st->lbound = ARR_NDIM(arr) == 1 ? ARR_LBOUND(arr)[0] : 1;
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
		cprof_pareto_param_null("share", RANGE_SHARE);
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
		cprof_pareto_param_null("points", RANGE_POINTS);
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
		cprof_pareto_param_null("n", RANGE_TOP_N);
	param_int(st, PG_GETARG_INT64(2), "n", 0, PG_INT64_MAX, RANGE_TOP_N);
	PG_RETURN_POINTER(st);
}

/*
 * ---------------------------------------------------------------------------
 * Final functions.  None modifies the state: selection runs on a copy.
 * ---------------------------------------------------------------------------
 */

/*
 * The state, or NULL when the group has no value.  A state whose parameter
 * kind is not among 'kinds' (bits 1 << ParetoParam), which only a hand-made
 * aggregate can pass, is an error.
 */
static CprofParetoState *
pareto_final_state(FunctionCallInfo fcinfo, const char *fname, int kinds)
{
	CprofParetoState *st;

	cprof_agg_context(fcinfo, fname);
	if (PG_ARGISNULL(0))
		return NULL;
	st = (CprofParetoState *) PG_GETARG_POINTER(0);
	if (!(kinds & (1 << st->param_kind)))
		cprof_state_mismatch("concentration");
	return st->n == 0 ? NULL : st;
}

#define KIND(k)		(1 << (k))

PG_FUNCTION_INFO_V1(cprof_pareto_share_final);
/* pareto_share(value [, top_fraction]): L(top_fraction), 0.2 by default. */
Datum
cprof_pareto_share_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_pareto_share_final",
											  KIND(PARAM_NONE) | KIND(PARAM_FLOAT));
	double		f;
	int64		k;
	double		r;
	CprofCompSum	total;
	double	   *a;
	double		result;

	if (st == NULL)
		PG_RETURN_NULL();
	f = st->has_param ? st->fparam : 0.2;
	if (!(f >= 0 && f <= 1))
		cprof_state_mismatch("concentration");
	a = cprof_store_copy(st, &total);
	if (cprof_compsum_value(&total) == 0)
		PG_RETURN_NULL();
	cprof_position_of(f, st->n, &k, &r);
	cprof_lorenz_at(a, st->n, cprof_compsum_value(&total), &k, &r, 1, &result);
	pfree(a);
	PG_RETURN_FLOAT8(result);
}

PG_FUNCTION_INFO_V1(cprof_pareto_shares_final);
/*
 * pareto_share(value, fractions): L at each fraction, in one pass, as an
 * array with the bounds of fractions.
 */
Datum
cprof_pareto_shares_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_pareto_shares_final",
											  KIND(PARAM_ARRAY));
	int			m;
	int64	   *k;
	double	   *r;
	double	   *out;
	Datum	   *elems;
	CprofCompSum	total;
	double	   *a;
	int			lb;

	if (st == NULL)
		PG_RETURN_NULL();
	a = cprof_store_copy(st, &total);
	if (cprof_compsum_value(&total) == 0)
		PG_RETURN_NULL();
	m = st->nfractions;
	k = palloc(Max(m, 1) * sizeof(int64));
	r = palloc(Max(m, 1) * sizeof(double));
	out = palloc(Max(m, 1) * sizeof(double));
	elems = palloc(Max(m, 1) * sizeof(Datum));
	for (int i = 0; i < m; i++)
		cprof_position_of(st->fractions[i], st->n, &k[i], &r[i]);
	cprof_lorenz_at(a, st->n, cprof_compsum_value(&total), k, r, m, out);
	pfree(a);
	for (int i = 0; i < m; i++)
		elems[i] = Float8GetDatum(out[i]);
	if (m == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(FLOAT8OID));
	lb = st->lbound;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, NULL, 1, &m, &lb, FLOAT8OID,
											 sizeof(float8), FLOAT8PASSBYVAL,
											 TYPALIGN_DOUBLE));
}

/* Curves with more points than this sort instead of selecting. */
#define CURVE_SORT_POINTS	16

PG_FUNCTION_INFO_V1(cprof_pareto_curve_final);
/* pareto_curve(value, points): L(j / points) for j = 0 .. points. */
Datum
cprof_pareto_curve_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_pareto_curve_final",
											  KIND(PARAM_INT));
	int			points;
	int64	   *k;
	double	   *r;
	double	   *out;
	Datum	   *elems;
	CprofCompSum	total;
	double	   *a;

	if (st == NULL)
		PG_RETURN_NULL();
	if (!st->has_param || st->iparam < 1 || st->iparam > MAX_CURVE_POINTS)
		cprof_state_mismatch("concentration");
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
		if (unlikely((j & INTERRUPT_MASK) == INTERRUPT_MASK))
			CHECK_FOR_INTERRUPTS();
	}
	if (points <= CURVE_SORT_POINTS)
	{
		/* few points: one selection per point */
		a = cprof_store_copy(st, &total);
		if (cprof_compsum_value(&total) == 0)
			PG_RETURN_NULL();
		cprof_lorenz_at(a, st->n, cprof_compsum_value(&total), k, r, points + 1, out);
		pfree(a);
	}
	else
	{
		/*
		 * Many points: one radix sort, then one pass from the largest value
		 * (k is non-decreasing in j), the values scaled as
		 * cprof_store_copy scales them.
		 */
		uint64	   *keys = cprof_store_sorted_keys(st);
		CprofCompSum	   *prefix = palloc((points + 1) * sizeof(CprofCompSum));
		double	   *next = palloc((points + 1) * sizeof(double));
		CprofCompSum	run = {0, 0};
		int64		n = st->n;
		double		factor = cprof_keys_scale_factor(keys, n);
		int			j = 0;
		double		S;

		for (int64 rank = 0; rank < n; rank++)
		{
			double		x = radix_unkey(keys[n - 1 - rank]) * factor;

			while (j <= points && k[j] == rank)
			{
				prefix[j] = run;
				next[j] = x;
				j++;
			}
			cprof_compsum_add(&run, x);
			if (unlikely((rank & INTERRUPT_MASK) == INTERRUPT_MASK))
				CHECK_FOR_INTERRUPTS();
		}
		pfree(keys);
		S = cprof_compsum_value(&run);
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
				CprofCompSum	t = prefix[j];

				if (r[j] > 0)
					cprof_compsum_add(&t, r[j] * next[j]);
				out[j] = cprof_compsum_value(&t) / S + 0.0;	/* never -0 */
			}
			if (unlikely((j & INTERRUPT_MASK) == INTERRUPT_MASK))
				CHECK_FOR_INTERRUPTS();
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
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_top_share_final",
											  KIND(PARAM_INT));
	CprofCompSum	total;
	double	   *a;
	int64		k;
	double		r = 0;
	double		result;

	if (st == NULL)
		PG_RETURN_NULL();
	if (!st->has_param || st->iparam < 0)
		cprof_state_mismatch("concentration");
	a = cprof_store_copy(st, &total);
	if (cprof_compsum_value(&total) == 0)
		PG_RETURN_NULL();
	k = Min(st->iparam, st->n);
	cprof_lorenz_at(a, st->n, cprof_compsum_value(&total), &k, &r, 1, &result);
	pfree(a);
	PG_RETURN_FLOAT8(result);
}

/*
 * The smallest f with L(f) >= share, or -1 when L never reaches it, or NaN
 * when the total is 0.
 *
 * With S > 0, L is concave (its slopes v_k / S decrease): it rises while the
 * values are positive, then falls back to 1, so the first crossing lies
 * among the positive values and exists iff share * S <= (sum of the positive
 * values).  With S < 0, L is convex: it falls below 0 over the positive
 * values and rises back to 1 over the negative ones, so the crossing of a
 * share in (0, 1] lies among the negative values (taken from the one
 * closest to 0), where the running sum has fallen by P - share * S; a share
 * above 1 is never reached.  The sums are of the scaled values
 * (cprof_store_sign_stats).
 */
static double
fraction_of(const CprofParetoState *st, double share)
{
	SignStats	ss;
	double		S;
	double		P;
	SelectCtx	ctx = {UINT64CONST(0x9E3779B97F4A7C15) ^ (uint64) st->n};
	double	   *a;
	double		t;
	double		v;

	cprof_store_sign_stats(st, &ss);
	S = cprof_compsum_value(&ss.total);
	P = cprof_compsum_value(&ss.pos);
	if (S == 0)
		return get_float8_nan();
	if (share == 0)
		return 0;
	if (S > 0)
	{
		double		D = share * S;

		if (D > P)
			return -1;
		a = cprof_store_copy_sign(st, 1, ss.npos, ss.factor);
		t = cprof_cross_position(a, ss.npos, 1.0, D, P, &v, &ctx);
	}
	else
	{
		int64		nonneg = st->n - ss.nneg;
		CprofCompSum	d = ss.pos;
		double		M;

		if (share > 1)
			return -1;
		cprof_compsum_add(&d, share * -S);
		M = P - S;				/* the sum of |negative values| */
		a = cprof_store_copy_sign(st, -1, ss.nneg, ss.factor);
		t = nonneg + cprof_cross_position(a, ss.nneg, -1.0,
										  Min(cprof_compsum_value(&d), M), M, &v, &ctx);
	}
	pfree(a);
	return t / st->n;
}

PG_FUNCTION_INFO_V1(cprof_pareto_fraction_final);
/* pareto_fraction(value [, share]): smallest f with L(f) >= share, 0.8 by default. */
Datum
cprof_pareto_fraction_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_pareto_fraction_final",
											  KIND(PARAM_NONE) | KIND(PARAM_FLOAT));
	double		share;
	double		f;

	if (st == NULL)
		PG_RETURN_NULL();
	share = st->has_param ? st->fparam : 0.8;
	if (!(share >= 0) || isinf(share))
		cprof_state_mismatch("concentration");
	f = fraction_of(st, share);
	if (isnan(f) || f < 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(Min(f, 1.0) + 0.0);
}

PG_FUNCTION_INFO_V1(cprof_gini_final);
/*
 * gini(value): 1 - 2A, A the area under the ascending Lorenz curve through
 * (i/n, L_i) by trapezoids.  With x_1 <= ... <= x_n this is
 * sum((2i - n - 1) x_i) / (n S): the coefficients sum to 0, so equal values
 * give exactly 0, and the numerator has no cancellation between two large
 * terms (the textbook 2 sum(i x_i) / (n S) - (n + 1) / n has).  The values
 * are scaled as cprof_store_copy scales them, and the result is never -0
 * (one negative value gives 0 / -x).
 */
Datum
cprof_gini_final(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = pareto_final_state(fcinfo, "cprof_gini_final",
											  KIND(PARAM_NONE));
	uint64	   *keys;
	CprofCompSum	total = {0, 0};
	CprofCompSum	num = {0, 0};
	int64		n;
	double		S;
	double		factor;

	if (st == NULL)
		PG_RETURN_NULL();
	n = st->n;
	keys = cprof_store_sorted_keys(st);
	factor = cprof_keys_scale_factor(keys, n);
	for (int64 i = 0; i < n; i++)
	{
		double		x = radix_unkey(keys[i]) * factor;

		cprof_compsum_add(&total, x);
		cprof_compsum_add(&num, (double) (2 * i + 1 - n) * x);
		if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
			CHECK_FOR_INTERRUPTS();
	}
	pfree(keys);
	S = cprof_compsum_value(&total);
	if (!isfinite(S) || !isfinite(cprof_compsum_value(&num)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sum of the values is out of the range of double precision")));
	if (S == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(cprof_compsum_value(&num) / ((double) n * S) + 0.0);
}
