/*
 * src/ltv.c: lifetime value (docs/domain.md section 3).
 *
 * SQL objects (sql/cprof--1.0.sql):
 *   ltv(margin T, retention, discount DEFAULT 0)      T numeric or double
 *   ltv(margin T, retention, discount, periods)       precision; the result
 *                                                     has the margin's type
 *   expected_tenure(retention)                        1 / (1 - retention)
 *   cohort_ltv(profit, tenure, churned [, discount])  aggregate -> cohort_value
 *   cprof_cohort_ltv_{trans,combine,serialize,deserialize,final}
 *
 * The model: margin m per period, retention r per period, discount rate d
 * per period; the margin of period t = 1, 2, ... arrives at the end of the
 * period with probability r^(t-1), so
 *
 *   LTV_T = sum_{t=1..T} m r^(t-1) / (1+d)^t
 *         = m / (1+d) * (1 - q^T) / (1 - q),   q = r / (1+d)
 *         = m * (-expm1(T log1p(q - 1))) / c,  c = 1 + d - r, q - 1 = -c / (1+d)
 *   LTV   = m / c                              (T infinite, c > 0)
 *
 * The last finite form has no cancellation: c is computed accurately (see
 * rate_terms), q - 1 = -c/(1+d) then has a small relative error however
 * close q is to 1, and log1p/expm1 keep it small.  c = 0 (q = 1 exactly)
 * is the limit m T / (1+d).  No loops anywhere.
 *
 * Rates as decimals: retention and discount are double precision, so 0.8 is
 * really 0.8000000000000000444.  Taken literally, 1 - r then carries a
 * relative error of up to 1e-16 / (1 - r), and ltv(100, 0.999999) would be
 * 99999999.9971 instead of 100000000.  A rate that is the nearest double to
 * a decimal with at most 15 decimal places (every rate an analyst types, and
 * what float8::numeric gives) is therefore read as that decimal: with
 * R = r * 10^15 and D = d * 10^15 as exact integers, 1 + d - r is computed as
 * (10^15 + D - R) / 10^15, exactly up to one final rounding.  Other rates
 * (computed ones, such as exp(-lambda)) are used as they are.
 *
 * numeric margins: the margin is converted to double (cprof_numeric_to_double),
 * the value computed in double precision, and the result rounded to 15
 * significant decimal digits (the precision float8::numeric keeps) with
 * trailing zeros dropped.  The double result has a relative error of a few
 * units in 10^-16, so the 15 digits are correct, and a result whose exact
 * value has 15 digits or fewer comes out exactly (600, not 599.9999999997).
 * One exception: with q > 1 (retention above 1 + discount) and a long
 * horizon, expm1 amplifies the rounding of T log1p(q - 1) by that product,
 * so the relative error is about (1 + T log q) 10^-16; q^T itself is then
 * in the thousands or more.
 *
 * Range: the value is linear in the margin, so a numeric margin that
 * double precision holds only imprecisely or not at all (outside about
 * 2.2e-308 to 1.8e308 in magnitude), or whose value is such, is written
 * m * 10^e with m in [1, 10), the value computed for m and shifted by 10^e
 * in numeric (ltv_shifted): numeric margins have no range limit short of
 * 10^1000.  cohort_ltv does the same with the total profit.  A double
 * precision margin whose value underflows to 0 is an error, as float8
 * multiplication's is.
 *
 * cohort_ltv state: CprofCohortState (below), in the aggregate memory
 * context.  NULL rules: a row with any NULL argument is skipped; a group
 * with no row left gives NULL, as sum() does.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"

#include "cprof.h"

/* A rate is read as a decimal with this many decimal places, if it is one. */
#define RATE_UNIT 1e15
/* Rates of at most this size in magnitude: R and 10^15 + D - R stay below 2^53. */
#define RATE_SNAP_MAX 4.0

/*
 * x * 10^15 as an exact integer-valued double, when x is the double nearest
 * to a decimal with at most 15 decimal places; false otherwise.  The
 * multiplication may round, but the check that u / 10^15 (one correctly
 * rounded division of two exact integers) gives back x proves that the
 * decimal u * 10^-15 is a decimal whose nearest double is x.
 */
static inline bool
rate_units(double x, double *units)
{
	double		u;

	if (!(fabs(x) <= RATE_SNAP_MAX))
		return false;
	u = rint(x * RATE_UNIT);
	if (u / RATE_UNIT != x)
		return false;
	*units = u;
	return true;
}

/*
 * c = 1 + d - r and 1 + d, accurately: exactly on the decimals when both
 * rates are decimals (see the file header); otherwise 1 - r is exact in
 * binary by Sterbenz's lemma for r in [0.5, 1] and has no cancellation
 * below that.
 */
static inline void
rate_terms(double r, double d, double *c, double *onepd)
{
	double		R,
				D;
	bool		r_dec = rate_units(r, &R);
	bool		d_dec = rate_units(d, &D);

	if (r_dec && d_dec)
	{
		*c = (RATE_UNIT + D - R) / RATE_UNIT;
		*onepd = (RATE_UNIT + D) / RATE_UNIT;
	}
	else
	{
		*c = (r_dec ? (RATE_UNIT - R) / RATE_UNIT : 1.0 - r) + d;
		*onepd = 1.0 + d;
	}
}

/* A double as PostgreSQL prints it (shortest exact form), for messages. */
static char *
fmt(double x)
{
	return float8out_internal(x);
}

/* retention must be a probability (22023) */
static void
check_retention(double r)
{
	if (isnan(r) || r < 0.0 || r > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("retention must be between 0 and 1, got %s", fmt(r)),
				 errhint("Pass the probability that a client stays from one period to the next, between 0 and 1: for example 0.8 for a churn of 20%% per period.")));
}

/* discount must be finite and above -1, or 1 + d would not discount (22023) */
static void
check_discount(double d)
{
	if (isnan(d) || d <= -1.0 || isinf(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("discount must be a finite number greater than -1, got %s", fmt(d)),
				 errhint("Pass the discount rate per period, greater than -1: for example 0.1 for 10%% per period, or 0 for no discounting.")));
}

/*
 * LTV = m * num / den for margin m (see the file header); periods < 0 means
 * an infinite horizon.  Raises the errors of ltv() for bad arguments and
 * for an infinite or out-of-range value.
 */
static void
ltv_terms(double r, double d, int32 periods, double *num, double *den)
{
	double		c,
				onepd;

	check_retention(r);
	check_discount(d);
	rate_terms(r, d, &c, &onepd);

	if (periods < 0)
	{
		if (!(c > 0.0))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("lifetime value is infinite for retention %s and discount %s",
							fmt(r), fmt(d)),
					 errdetail("With retention at least 1 + discount, the discounted margins of an unlimited horizon never shrink, so their sum has no limit."),
					 errhint("Give a discount rate greater than retention - 1, for example ltv(margin, retention, 0.01), or a horizon in periods, for example ltv(margin, retention, 0, 36).")));
		*num = 1.0;
		*den = c;
		return;
	}
	if (periods == 0)
	{
		*num = 0.0;
		*den = 1.0;
		return;
	}
	if (c == 0.0)
	{
		/* q = 1: every period is worth m / (1+d) */
		*num = (double) periods;
		*den = onepd;
		return;
	}
	/* -c / onepd is q - 1 >= -1; r = 0 gives log1p(-1) = -inf, expm1 = -1 */
	*num = -expm1((double) periods * log1p(-c / onepd));
	*den = c;
	if (!isfinite(*num))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("lifetime value out of range for retention %s, discount %s and %d periods",
						fmt(r), fmt(d), periods),
				 errhint("Use a shorter horizon or a discount rate greater than retention - 1.")));
}

/* m * num / den, with one rounding in the common infinite-horizon case. */
static inline double
ltv_apply(double m, double num, double den)
{
	if (num == 1.0)
		return m / den;
	return m * (num / den);
}

/* A NaN or infinite numeric, built by numeric_in (rare: no fast path). */
static Numeric
numeric_special(double x)
{
	const char *s = isnan(x) ? "NaN" : (x > 0 ? "Infinity" : "-Infinity");

	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/*
 * x rounded to 15 significant decimal digits, as a numeric without trailing
 * zeros (600, 33.3333333333333).  Values between 1e-20 and 1e20 are scaled
 * by a power of ten (exact up to 10^22, one rounding beyond; k is at most
 * 36) and rounded to an integer; others, far outside any money amount, go through
 * float8::numeric, which also keeps 15 digits.
 */
static Numeric
numeric_from_double15(double x)
{
	static const double p10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
		1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23,
		1e24, 1e25, 1e26, 1e27, 1e28, 1e29, 1e30, 1e31, 1e32, 1e33, 1e34,
		1e35, 1e36, 1e37, 1e38
	};
	double		ax = fabs(x);
	double		scaled;
	int			e;
	int			k;
	int64		digits;

	if (!isfinite(x))
		return numeric_special(x);
	if (x == 0.0)
		return cprof_numeric_from_int128(0, 0);
	if (!(ax >= 1e-20 && ax < 1e20))
		return DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(x)));

	/*
	 * k = 14 - floor(log10 |x|), so that |x| * 10^k is in [1e14, 1e15).
	 * With |x| = f 2^b, f in [0.5, 1), log10 |x| is in [(b-1) log10(2),
	 * b log10(2)): the estimate below is floor(log10 |x|) or one less, and
	 * the correction that follows fixes the latter.
	 */
	(void) frexp(ax, &e);
	e = (int) floor((e - 1) * 0.30102999566398120);
	k = 14 - e;
	scaled = k >= 0 ? x * p10[k] : x / p10[-k];
	if (fabs(scaled) >= 1e15)
	{
		k--;
		scaled = k >= 0 ? x * p10[k] : x / p10[-k];
	}
	else if (fabs(scaled) < 1e14)
	{
		k++;
		scaled = k >= 0 ? x * p10[k] : x / p10[-k];
	}
	/* |scaled| <= 1e15: the 15 digits fit an int64 */
	digits = (int64) rint(scaled);
	while (k > 0 && digits % 10 == 0)
	{
		digits /= 10;
		k--;
	}
	if (k < 0)
	{
		/* |x| >= 1e15: whole digits, k is at least -6 */
		int128		whole = digits;

		for (int i = 0; i < -k; i++)
			whole *= 10;
		return cprof_numeric_from_int128(whole, 0);
	}
	return cprof_numeric_from_int128(digits, k);
}

/* 10^e as a numeric, exactly; |e| <= 1000. */
static Numeric
numeric_pow10(int e)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(psprintf("1e%d", e)),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/*
 * A finite non-zero numeric amount as *mant * 10^e10, *mant a double in
 * [1, 10): how amounts that double precision cannot hold, or holds only
 * with fewer than 15 digits (below about 2.2e-308), enter a computation
 * that is linear in them.  what names the amount in the error for a
 * magnitude beyond 1e1000 either way, which numeric input cannot write.
 */
static double
numeric_split10(Datum value, int *e10, const char *what)
{
	bool		zero;
	int			e = cprof_numeric_exp10(value, &zero);
	Numeric		shifted;

	if (e > NUMERIC_MAX_PRECISION || e < -NUMERIC_MAX_PRECISION)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range for lifetime value: its magnitude is %s",
						what, e > 0 ? "above 1e1000" : "not zero but below 1e-1000"),
				 errhint("Express the amounts in another money unit.")));
	shifted = DatumGetNumeric(DirectFunctionCall2(numeric_mul, value,
												  NumericGetDatum(numeric_pow10(-e))));
	*e10 = e;
	return cprof_numeric_to_double(NumericGetDatum(shifted));
}

/*
 * x * 10^e10 rounded to 15 significant digits (x a normal double), without
 * trailing zeros: numeric_from_double15 for any magnitude numeric holds.
 */
static Numeric
numeric_from_double15_e10(double x, int e10)
{
	Numeric		r = numeric_from_double15(x);

	if (e10 == 0 || !isfinite(x))
		return r;
	r = DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(r),
											NumericGetDatum(numeric_pow10(e10))));
	return DatumGetNumeric(DirectFunctionCall1(numeric_trim_scale, NumericGetDatum(r)));
}

/*
 * ltv of a finite non-zero numeric margin past the normal range of double
 * precision (but not of numeric): ltv is linear in the margin, so it is
 * computed for the margin's mantissa in [1, 10) and shifted by the margin's
 * power of ten, which keeps 15 significant digits at any magnitude.
 */
static Numeric
ltv_shifted(Datum margin, double num, double den)
{
	int			e10;
	double		ms = numeric_split10(margin, &e10, "margin");
	double		result = ltv_apply(ms, num, den);

	if (!isnormal(result))
		cprof_double_range_error(isinf(result) ? CPROF_DOUBLE_TOO_LARGE :
								 CPROF_DOUBLE_TOO_SMALL,
								 "the lifetime value of a margin of 1", "ltv",
								 "Use a discount rate closer to 0, or a shorter horizon.");
	return numeric_from_double15_e10(result, e10);
}

/* Is ltv()'s margin numeric (else double precision)?  Cached per call site. */
static bool
ltv_margin_is_numeric(FunctionCallInfo fcinfo)
{
	static const char numeric_tag = 'n';
	static const char float8_tag = 'f';
	FmgrInfo   *flinfo = fcinfo->flinfo;

	if (unlikely(flinfo->fn_extra == NULL))
	{
		Oid			rettype = get_func_rettype(flinfo->fn_oid);

		if (rettype != NUMERICOID && rettype != FLOAT8OID)
			elog(ERROR, "ltv called with return type %u", rettype);
		flinfo->fn_extra = (void *) (rettype == NUMERICOID ? &numeric_tag : &float8_tag);
	}
	return *(const char *) flinfo->fn_extra == 'n';
}

PG_FUNCTION_INFO_V1(ltv);
/*
 * ltv(margin, retention, discount [, periods]): the closed forms of the file
 * header, for every overload (numeric or double precision margin, with or
 * without a horizon).  STRICT: never sees a NULL.
 */
Datum
ltv(PG_FUNCTION_ARGS)
{
	bool		is_numeric = ltv_margin_is_numeric(fcinfo);
	double		r = PG_GETARG_FLOAT8(1);
	double		d = PG_GETARG_FLOAT8(2);
	int32		periods = -1;
	double		m,
				num,
				den,
				result;

	if (PG_NARGS() > 3)
	{
		periods = PG_GETARG_INT32(3);
		if (periods < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("periods must be at least 0, got %d", periods),
					 errhint("Pass the number of periods of the horizon, or leave periods out for an unlimited horizon.")));
	}
	ltv_terms(r, d, periods, &num, &den);

	if (is_numeric)
	{
		Datum		margin = PG_GETARG_DATUM(0);
		bool		zero;

		m = cprof_numeric_to_double(margin);
		if (periods != 0 && !isnan(m) && !numeric_is_inf(DatumGetNumeric(margin)))
		{
			/* the common case: the margin and its value are normal doubles */
			if (isnormal(m))
			{
				result = ltv_apply(m, num, den);
				if (isnormal(result))
					PG_RETURN_NUMERIC(numeric_from_double15(result));
			}
			(void) cprof_numeric_exp10(margin, &zero);
			if (!zero)
				PG_RETURN_NUMERIC(ltv_shifted(margin, num, den));
		}
	}
	else
		m = PG_GETARG_FLOAT8(0);
	if (isnan(m))
		result = m;
	else if (periods == 0)
		result = 0.0;			/* the empty sum, even of an infinite margin */
	else
	{
		result = ltv_apply(m, num, den);
		if (isinf(result) && !isinf(m))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("lifetime value out of range for margin %s, retention %s and discount %s",
							fmt(m), fmt(r), fmt(d)),
					 errhint("Use a smaller margin unit, a shorter horizon or a larger discount rate.")));
		/* num > 0 for periods > 0: a zero result from m != 0 underflowed */
		if (result == 0 && m != 0)
			cprof_double_range_error(CPROF_DOUBLE_TOO_SMALL, "the lifetime value",
									 "ltv", NULL);
	}
	if (is_numeric)
		PG_RETURN_NUMERIC(numeric_from_double15(result));
	PG_RETURN_FLOAT8(result);
}

PG_FUNCTION_INFO_V1(expected_tenure);
/*
 * expected_tenure(retention): the expected number of periods a client
 * stays, counting the first, 1 / (1 - r) (the mean of a geometric
 * lifetime).  1 - r is computed as in ltv().
 */
Datum
expected_tenure(PG_FUNCTION_ARGS)
{
	double		r = PG_GETARG_FLOAT8(0);
	double		c,
				onepd;

	check_retention(r);
	rate_terms(r, 0.0, &c, &onepd);
	if (c == 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("expected tenure is infinite for retention %s", fmt(r)),
				 errhint("A retention of 1 means that no client ever leaves: estimate retention from data that has some churn, or value clients with ltv() and a discount rate or a horizon.")));
	PG_RETURN_FLOAT8(1.0 / c);
}

/* ------------------------------------------------------------------------
 * cohort_ltv aggregate
 * ------------------------------------------------------------------------
 *
 * Estimates, from one row per client with right-censored tenures
 * (exponential lifetimes; the maximum-likelihood hazard is the number of
 * clients that churned over the total observed tenure):
 *   lambda = churned / exposure,  retention = exp(-lambda) per period,
 *   churn_rate = 1 - retention = -expm1(-lambda) (no cancellation),
 *   expected_tenure = 1 / churn_rate,
 *   margin = sum(profit) / exposure (per client-period),
 *   ltv = margin / (churn_rate + discount) (infinite horizon).
 * Unbounded values (no churn, and churn_rate + discount <= 0) are NULL.
 */

#define COHORT_STATE_VERSION 1

/* Fields of the composite type cohort_value, in order. */
enum
{
	CV_CLIENTS,
	CV_CHURNED,
	CV_EXPOSURE,
	CV_CHURN_RATE,
	CV_RETENTION,
	CV_EXPECTED_TENURE,
	CV_MARGIN,
	CV_LTV,
	NUM_CV_FIELDS
};

/* Per-group state of cohort_ltv(); lives in the aggregate memory context. */
typedef struct CprofCohortState
{
	int64		clients;		/* rows accumulated (NULL rows skipped) */
	int64		churned;		/* of which churned */
	CprofFloatSum exposure;		/* total observed tenure, compensated sum */
	CprofMoney	profit;			/* exact total profit */
	bool		has_discount;	/* discount set (4-argument form, >= 1 row) */
	double		discount;		/* the group's discount rate, else unused */
} CprofCohortState;

static CprofCohortState *
cohort_state_new(MemoryContext cxt)
{
	CprofCohortState *state = MemoryContextAllocZero(cxt, sizeof(CprofCohortState));

	floatsum_init(&state->exposure);
	money_init(&state->profit);
	return state;
}

/* Set the group's discount, or check that it does not change. */
static void
cohort_set_discount(CprofCohortState *state, double d)
{
	if (!state->has_discount)
	{
		state->has_discount = true;
		state->discount = d;
	}
	else if (state->discount != d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("discount must be the same for every row of a cohort_ltv group, got %s and %s",
						fmt(state->discount), fmt(d)),
				 errhint("Pass the discount rate as a constant, or add it to the GROUP BY.")));
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_trans);
/*
 * Transition function of cohort_ltv(profit, tenure, churned [, discount]):
 * skips a row with a NULL argument, rejects a negative, NaN or infinite
 * tenure and a bad discount.
 */
Datum
cprof_cohort_ltv_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_cohort_ltv_trans");
	CprofCohortState *state = PG_ARGISNULL(0) ? NULL :
	(CprofCohortState *) PG_GETARG_POINTER(0);
	double		tenure;

	for (int i = 1; i < PG_NARGS(); i++)
	{
		if (PG_ARGISNULL(i))
		{
			if (state == NULL)
				PG_RETURN_NULL();
			PG_RETURN_POINTER(state);
		}
	}
	tenure = PG_GETARG_FLOAT8(2);
	if (isnan(tenure) || tenure < 0.0 || isinf(tenure))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tenure must be a finite number of periods, at least 0, got %s",
						fmt(tenure)),
				 errhint("Pass the periods a client was observed: from acquisition to churn, or to the end of the data for an active client.")));
	if (PG_NARGS() > 4)
		check_discount(PG_GETARG_FLOAT8(4));

	if (state == NULL)
		state = cohort_state_new(aggcxt);
	if (PG_NARGS() > 4)
		cohort_set_discount(state, PG_GETARG_FLOAT8(4));
	state->clients++;
	if (PG_GETARG_BOOL(3))
		state->churned++;
	floatsum_add(&state->exposure, tenure);
	money_add_numeric(&state->profit, PG_GETARG_DATUM(1), false, aggcxt);
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_combine);
/* Combine function: sums counts, exposure and profit; checks the discount. */
Datum
cprof_cohort_ltv_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_cohort_ltv_combine");
	CprofCohortState *s1 = PG_ARGISNULL(0) ? NULL : (CprofCohortState *) PG_GETARG_POINTER(0);
	CprofCohortState *s2 = PG_ARGISNULL(1) ? NULL : (CprofCohortState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = cohort_state_new(aggcxt);
		*s1 = *s2;
		money_copy(&s1->profit, &s2->profit, aggcxt);
		PG_RETURN_POINTER(s1);
	}
	if (s2->has_discount)
		cohort_set_discount(s1, s2->discount);
	if (pg_add_s64_overflow(s1->clients, s2->clients, &s1->clients) ||
		pg_add_s64_overflow(s1->churned, s2->churned, &s1->churned))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cohort_ltv client count out of range")));
	floatsum_add_floatsum(&s1->exposure, &s2->exposure);
	money_add_money(&s1->profit, &s2->profit, false, aggcxt);
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_serialize);
/*
 * Serialize function: version byte, clients, churned, discount flag and
 * value, exposure, profit.
 */
Datum
cprof_cohort_ltv_serialize(PG_FUNCTION_ARGS)
{
	CprofCohortState *state = (CprofCohortState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	cprof_agg_context(fcinfo, "cprof_cohort_ltv_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, COHORT_STATE_VERSION);
	pq_sendint64(&buf, state->clients);
	pq_sendint64(&buf, state->churned);
	pq_sendbyte(&buf, state->has_discount);
	cprof_send_float8(&buf, state->has_discount ? state->discount : 0.0);
	floatsum_send(&buf, &state->exposure);
	money_send(&buf, &state->profit);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_deserialize);
/* Deserialize function: the inverse of the above, every field checked. */
Datum
cprof_cohort_ltv_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CprofCohortState *state;
	int			has_discount;

	cprof_agg_context(fcinfo, "cprof_cohort_ltv_deserialize");
	cprof_recv_begin(&buf, bytes, COHORT_STATE_VERSION, "cohort_ltv");
	state = cohort_state_new(CurrentMemoryContext);
	state->clients = cprof_recv_int64(&buf);
	state->churned = cprof_recv_int64(&buf);
	has_discount = cprof_recv_byte(&buf);
	state->discount = cprof_recv_float8(&buf);
	floatsum_recv(&buf, &state->exposure);
	money_recv(&buf, &state->profit, CurrentMemoryContext);
	cprof_recv_end(&buf);
	if (state->clients < 0 || state->churned < 0 ||
		state->churned > state->clients ||
		(has_discount != 0 && has_discount != 1) ||
		(has_discount && !(state->discount > -1.0 && isfinite(state->discount))) ||
		state->exposure.nan_count != 0 || state->exposure.pinf_count != 0 ||
		state->exposure.ninf_count != 0 || state->exposure.sum + state->exposure.comp < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid cohort_ltv aggregate state: bad counts, discount or exposure")));
	state->has_discount = has_discount;
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_final);
/*
 * Final function: the estimates of the section comment as a cohort_value.
 * Only reads the state.
 */
Datum
cprof_cohort_ltv_final(PG_FUNCTION_ARGS)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	CprofCohortState *state;
	TupleDesc	tupdesc;
	Datum		values[NUM_CV_FIELDS];
	bool		nulls[NUM_CV_FIELDS];
	double		exposure;

	cprof_agg_context(fcinfo, "cprof_cohort_ltv_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (CprofCohortState *) PG_GETARG_POINTER(0);
	if (state->clients == 0)
		PG_RETURN_NULL();

	/* the result descriptor, blessed once per query */
	tupdesc = (TupleDesc) flinfo->fn_extra;
	if (tupdesc == NULL)
	{
		MemoryContext old;

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "cohort_ltv final function must return a composite type");
		old = MemoryContextSwitchTo(flinfo->fn_mcxt);
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
		flinfo->fn_extra = tupdesc;
	}

	memset(nulls, true, sizeof(nulls));
	values[CV_CLIENTS] = Int64GetDatum(state->clients);
	values[CV_CHURNED] = Int64GetDatum(state->churned);
	nulls[CV_CLIENTS] = nulls[CV_CHURNED] = false;

	exposure = floatsum_result(&state->exposure);
	if (exposure > 0.0)
	{
		double		lambda = (double) state->churned / exposure;
		double		churn_rate = -expm1(-lambda);
		double		discount = state->has_discount ? state->discount : 0.0;
		double		den = churn_rate + discount;
		Numeric		profit = money_result(&state->profit);
		double		p = cprof_numeric_to_double(NumericGetDatum(profit));
		double		margin = p / exposure;
		double		value = den > 0.0 ? margin / den : 0.0;
		int			e10 = 0;
		bool		zero;

		/*
		 * The common case: profit, margin and value are normal doubles.
		 * Otherwise, for a finite non-zero profit, both results are linear
		 * in it: compute them for its mantissa and shift them by its power
		 * of ten (as ltv does), so that no magnitude numeric holds is out of
		 * range.
		 */
		if (!(isnormal(p) && isnormal(margin) && (den <= 0.0 || isnormal(value))) &&
			!isnan(p) && !numeric_is_inf(profit) &&
			(cprof_numeric_exp10(NumericGetDatum(profit), &zero), !zero))
		{
			p = numeric_split10(NumericGetDatum(profit), &e10, "total profit");
			margin = p / exposure;
			if (!isnormal(margin))
				cprof_double_range_error(isinf(margin) ? CPROF_DOUBLE_TOO_LARGE :
										 CPROF_DOUBLE_TOO_SMALL,
										 "margin (total profit / exposure)", "cohort_ltv",
										 "The exposure (the sum of the tenures) is far out of proportion with the profit: check the tenures' unit.");
			value = den > 0.0 ? margin / den : 0.0;
			if (den > 0.0 && !isnormal(value))
				cprof_double_range_error(isinf(value) ? CPROF_DOUBLE_TOO_LARGE :
										 CPROF_DOUBLE_TOO_SMALL,
										 "the lifetime value", "cohort_ltv",
										 "churn_rate + discount is far out of proportion with the margin: check the discount rate.");
		}
		values[CV_EXPOSURE] = Float8GetDatum(exposure);
		values[CV_CHURN_RATE] = Float8GetDatum(churn_rate);
		values[CV_RETENTION] = Float8GetDatum(exp(-lambda));
		values[CV_MARGIN] = NumericGetDatum(numeric_from_double15_e10(margin, e10));
		nulls[CV_EXPOSURE] = nulls[CV_CHURN_RATE] = nulls[CV_RETENTION] = false;
		nulls[CV_MARGIN] = false;
		if (churn_rate > 0.0)
		{
			values[CV_EXPECTED_TENURE] = Float8GetDatum(1.0 / churn_rate);
			nulls[CV_EXPECTED_TENURE] = false;
		}
		if (den > 0.0)
		{
			values[CV_LTV] = NumericGetDatum(numeric_from_double15_e10(value, e10));
			nulls[CV_LTV] = false;
		}
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
