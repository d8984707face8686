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
 * significant decimal digits as float8::numeric rounds it
 * (cprof_float8_to_numeric), trailing zeros dropped.  The double result has a relative error of a few
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
 * trailing zeros: cprof_float8_to_numeric for any magnitude numeric holds.
 */
static Numeric
numeric_from_double15_e10(double x, int e10)
{
	Numeric		r = cprof_float8_to_numeric(x);

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
					PG_RETURN_NUMERIC(cprof_float8_to_numeric(result));
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
		PG_RETURN_NUMERIC(cprof_float8_to_numeric(result));
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
 *
 * State: CprofCohortState, a flat state (state.c) of type
 * cprof_cohort_ltv_state, in one of two forms: without a discount (the
 * 3-argument aggregate) and with the group's discount (the 4-argument one,
 * set by its first row).  Text form (cprof_cohort_ltv_state_out):
 *   1 cohort clients=3 churned=2 exposure=4/0 profit=16.0/2
 *   1 cohort_discount clients=3 churned=2 exposure=4/0 profit=16.0/2 discount=0.01
 * the exposure a compensated sum (sum/compensation), the profit an exact
 * sum (total/values at its display scale, money.c).  The 1.0 definitions
 * (STYPE internal, cprof_cohort_ltv_{serialize,deserialize}) run on the
 * same code until ALTER EXTENSION cprof UPDATE.
 */

/* Version of the binary and text forms. */
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

/* Forms of the state. */
enum
{
	COHORT_FORM_PLAIN,			/* cohort_ltv(profit, tenure, churned) */
	COHORT_FORM_DISCOUNT,		/* cohort_ltv(..., discount) */
	NUM_COHORT_FORMS
};

static const char *const cohort_forms[NUM_COHORT_FORMS] = {"cohort", "cohort_discount"};

/* Per-group state of cohort_ltv(): a flat state with one part. */
typedef struct CprofCohortState
{
	CprofFlatHeader hdr;
	uint32		part_end[1];	/* part 0: the rarely needed part of profit */
	int64		clients;		/* rows accumulated (NULL rows skipped) */
	int64		churned;		/* of which churned */
	CprofFloatSum exposure;		/* total observed tenure, compensated sum */
	double		discount;		/* COHORT_FORM_DISCOUNT: the group's rate */
	CprofMoneySlot profit;		/* exact total profit */
} CprofCohortState;

static const CprofFlatHeader cohort_header[NUM_COHORT_FORMS] = {
	CPROF_FLAT_HEADER(CPROF_FAMILY_COHORT_LTV, COHORT_FORM_PLAIN, 1, sizeof(CprofCohortState)),
	CPROF_FLAT_HEADER(CPROF_FAMILY_COHORT_LTV, COHORT_FORM_DISCOUNT, 1, sizeof(CprofCohortState))
};
static const CprofFlatKind cohort_kind = {
	CPROF_FAMILY_COHORT_LTV, NUM_COHORT_FORMS, cohort_header, "cohort_ltv"
};

#define COHORT(ref) ((CprofCohortState *) (ref).st)
#define COHORT_PROFIT offsetof(CprofCohortState, profit)

/* A new empty state of the given form in ref. */
static void
cohort_state_new(CprofStateRef *ref, int form)
{
	CprofCohortState *st;

	cprof_state_new(ref, form, NULL);
	st = COHORT(*ref);
	floatsum_init(&st->exposure);
	money_slot_init(&st->profit, 0);
}

/* A discount that differs from the group's is an error. */
static void
cohort_same_discount(double have, double d)
{
	if (have != d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("discount must be the same for every row of a cohort_ltv group, got %s and %s",
						fmt(have), fmt(d)),
				 errhint("Pass the discount rate as a constant, or add it to the GROUP BY.")));
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_trans);
/*
 * Transition function of cohort_ltv(profit, tenure, churned [, discount]):
 * skips a row with a NULL argument, rejects a negative, NaN or infinite
 * tenure and a bad discount.  The 3- and 4-argument forms (and the 1.0
 * definitions, STYPE internal) share it; the number of arguments gives the
 * form.
 */
Datum
cprof_cohort_ltv_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	int			form = PG_NARGS() > 4 ? COHORT_FORM_DISCOUNT : COHORT_FORM_PLAIN;
	CprofStateRef ref;
	bool		have = cprof_state_begin(fcinfo, mode, aggcxt, &cohort_kind, form, &ref);
	CprofCohortState *st;
	double		tenure;

	for (int i = 1; i < PG_NARGS(); i++)
	{
		if (PG_ARGISNULL(i))
		{
			if (!have)
				PG_RETURN_NULL();
			PG_RETURN_POINTER(ref.st);
		}
	}
	tenure = PG_GETARG_FLOAT8(2);
	if (isnan(tenure) || tenure < 0.0 || isinf(tenure))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tenure must be a finite number of periods, at least 0, got %s",
						fmt(tenure)),
				 errhint("Pass the periods a client was observed: from acquisition to churn, or to the end of the data for an active client.")));
	if (form == COHORT_FORM_DISCOUNT)
		check_discount(PG_GETARG_FLOAT8(4));

	if (!have)
	{
		cohort_state_new(&ref, form);
		if (form == COHORT_FORM_DISCOUNT)
			COHORT(ref)->discount = PG_GETARG_FLOAT8(4);
	}
	else if (form == COHORT_FORM_DISCOUNT)
		cohort_same_discount(COHORT(ref)->discount, PG_GETARG_FLOAT8(4));
	st = COHORT(ref);
	st->clients++;
	if (PG_GETARG_BOOL(3))
		st->churned++;
	floatsum_add(&st->exposure, tenure);
	money_slot_add_numeric(&ref, COHORT_PROFIT, PG_GETARG_DATUM(1), false);
	PG_RETURN_POINTER(ref.st);
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_combine);
/*
 * Combine function: sums counts, exposure and profit; checks the discount.
 * STRICT for the state type; the 1.0 definition (internal) is not.
 */
Datum
cprof_cohort_ltv_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	CprofStateRef ref;
	const CprofCohortState *s2;
	CprofCohortState *s1;
	Datum		result;

	if (cprof_combine_null_cases(fcinfo, &result))
		return result;
	s2 = (const CprofCohortState *) cprof_state_arg(fcinfo, 1, &cohort_kind);
	if (!cprof_state_begin(fcinfo, mode, aggcxt, &cohort_kind, s2->hdr.form, &ref))
	{
		cprof_state_copy_into(&ref, &s2->hdr);
		PG_RETURN_POINTER(ref.st);
	}
	s1 = COHORT(ref);
	if (s1->hdr.form == COHORT_FORM_DISCOUNT)
		cohort_same_discount(s1->discount, s2->discount);
	if (pg_add_s64_overflow(s1->clients, s2->clients, &s1->clients) ||
		pg_add_s64_overflow(s1->churned, s2->churned, &s1->churned))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cohort_ltv client count out of range")));
	floatsum_add_floatsum(&s1->exposure, &s2->exposure);
	money_slot_add_slot(&ref, COHORT_PROFIT, &s2->hdr, &s2->profit);
	PG_RETURN_POINTER(ref.st);
}

/*
 * ---------------------------------------------------------------------------
 * The forms of the state: binary, text, and their checks
 * ---------------------------------------------------------------------------
 */

/*
 * Every invariant of a state: 0 <= churned <= clients, a discount the
 * transition function accepts (0 when the form has none), a finite exposure
 * of finite tenures, at least 0, a profit sum of at most 'clients' values.
 * NULL if they hold, else what is wrong.
 */
static const char *
cohort_check(const CprofCohortState *st)
{
	CprofMoney	profit;
	const char *bad;

	if (st->clients < 0 || st->churned < 0 || st->churned > st->clients)
		return "The counts of clients and churned clients are out of range.";
	if (st->hdr.form == COHORT_FORM_DISCOUNT ?
		!(st->discount > -1.0 && isfinite(st->discount)) : st->discount != 0)
		return "The discount is out of range.";
	if ((bad = floatsum_check(&st->exposure, 0, true)) != NULL)
		return bad;
	if (floatsum_result(&st->exposure) < 0.0)
		return "The exposure is negative.";
	money_slot_view(&st->hdr, &st->profit, &profit);
	return money_check(&profit, st->clients, false);
}

/* The binary form: version, form, counts, exposure, profit, discount. */
static void
cohort_send(StringInfo buf, const CprofCohortState *st)
{
	CprofMoney	profit;

	money_slot_view(&st->hdr, &st->profit, &profit);
	pq_sendbyte(buf, COHORT_STATE_VERSION);
	pq_sendbyte(buf, st->hdr.form);
	pq_sendint64(buf, st->clients);
	pq_sendint64(buf, st->churned);
	floatsum_send(buf, &st->exposure);
	money_send(buf, &profit);
	if (st->hdr.form == COHORT_FORM_DISCOUNT)
		cprof_send_float8(buf, st->discount);
}

/* Read the binary form into a new state in the current memory context. */
static CprofCohortState *
cohort_recv(StringInfo buf, const char *type)
{
	CprofStateRef ref = {NULL, CPROF_STATE_COPY, NULL, &cohort_kind};
	CprofCohortState *st;
	CprofMoney	profit;
	int			form;
	const char *bad;

	cprof_recv_version(buf, COHORT_STATE_VERSION, type);
	form = cprof_recv_byte(buf);
	if (form >= NUM_COHORT_FORMS)
		cprof_binary_invalid(type, "The form of the state is unknown.");
	cohort_state_new(&ref, form);
	COHORT(ref)->clients = cprof_recv_int64(buf);
	COHORT(ref)->churned = cprof_recv_int64(buf);
	floatsum_recv(buf, &COHORT(ref)->exposure);
	money_recv(buf, &profit, CurrentMemoryContext);
	if (form == COHORT_FORM_DISCOUNT)
		COHORT(ref)->discount = cprof_recv_float8(buf);
	cprof_recv_end(buf);
	money_slot_set(&ref, COHORT_PROFIT, &profit);
	st = COHORT(ref);
	if ((bad = cohort_check(st)) != NULL)
		cprof_binary_invalid(type, bad);
	return st;
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_state_in);
/* Input function of cprof_cohort_ltv_state: every invariant checked. */
Datum
cprof_cohort_ltv_state_in(PG_FUNCTION_ARGS)
{
	CprofTextReader rd;
	CprofStateRef ref = {NULL, CPROF_STATE_COPY, NULL, &cohort_kind};
	CprofMoney	profit;
	int			form;
	const char *bad;

	form = cprof_text_open(&rd, PG_GETARG_CSTRING(0), "cprof_cohort_ltv_state",
						   COHORT_STATE_VERSION, cohort_forms, NUM_COHORT_FORMS);
	cohort_state_new(&ref, form);
	cprof_text_expect_key(&rd, "clients");
	COHORT(ref)->clients = cprof_text_int64(&rd);
	cprof_text_expect_key(&rd, "churned");
	COHORT(ref)->churned = cprof_text_int64(&rd);
	cprof_text_expect_key(&rd, "exposure");
	floatsum_text_in(&rd, &COHORT(ref)->exposure);
	cprof_text_expect_key(&rd, "profit");
	money_text_in(&rd, &profit);
	if (form == COHORT_FORM_DISCOUNT)
	{
		cprof_text_expect_key(&rd, "discount");
		COHORT(ref)->discount = cprof_text_double_in(&rd);
	}
	cprof_text_close(&rd);
	money_slot_set(&ref, COHORT_PROFIT, &profit);
	if ((bad = cohort_check(COHORT(ref))) != NULL)
		cprof_text_invalid(&rd, bad);
	PG_RETURN_POINTER(ref.st);
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_state_out);
/* Output function of cprof_cohort_ltv_state: the text form above. */
Datum
cprof_cohort_ltv_state_out(PG_FUNCTION_ARGS)
{
	const CprofCohortState *st = (const CprofCohortState *) cprof_state_arg(fcinfo, 0, &cohort_kind);
	CprofMoney	profit;
	StringInfoData buf;

	money_slot_view(&st->hdr, &st->profit, &profit);
	initStringInfo(&buf);
	cprof_text_begin(&buf, COHORT_STATE_VERSION, cohort_forms[st->hdr.form]);
	cprof_text_key(&buf, "clients");
	appendStringInfo(&buf, INT64_FORMAT, st->clients);
	cprof_text_key(&buf, "churned");
	appendStringInfo(&buf, INT64_FORMAT, st->churned);
	cprof_text_key(&buf, "exposure");
	floatsum_text_out(&buf, &st->exposure);
	cprof_text_key(&buf, "profit");
	money_text_out(&buf, &profit);
	if (st->hdr.form == COHORT_FORM_DISCOUNT)
	{
		cprof_text_key(&buf, "discount");
		cprof_text_double(&buf, st->discount);
	}
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_state_recv);
/* Receive function of cprof_cohort_ltv_state, every invariant checked. */
Datum
cprof_cohort_ltv_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(cohort_recv((StringInfo) PG_GETARG_POINTER(0), "cprof_cohort_ltv_state"));
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_state_send);
/* Send function of cprof_cohort_ltv_state. */
Datum
cprof_cohort_ltv_state_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	cohort_send(&buf, (const CprofCohortState *) cprof_state_arg(fcinfo, 0, &cohort_kind));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_serialize);
/* Serialize function of the 1.0 definitions: the type's binary form. */
Datum
cprof_cohort_ltv_serialize(PG_FUNCTION_ARGS)
{
	return cprof_cohort_ltv_state_send(fcinfo);
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_deserialize);
/*
 * Deserialize function of the 1.0 definitions: the binary form read back,
 * every invariant checked, into the current memory context (state.c).
 */
Datum
cprof_cohort_ltv_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;

	cprof_bytea_reader(&buf, bytes);
	PG_RETURN_POINTER(cohort_recv(&buf, "cprof_cohort_ltv_state"));
}

PG_FUNCTION_INFO_V1(cprof_cohort_ltv_final);
/*
 * Final function: the estimates of the section comment as a cohort_value.
 * Only reads the state.
 */
Datum
cprof_cohort_ltv_final(PG_FUNCTION_ARGS)
{
	const CprofCohortState *state;
	CprofMoney	profit_sum;
	Datum		values[NUM_CV_FIELDS];
	bool		nulls[NUM_CV_FIELDS];
	double		exposure;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = (const CprofCohortState *) cprof_state_arg(fcinfo, 0, &cohort_kind);
	if (state->clients == 0)
		PG_RETURN_NULL();
	money_slot_view(&state->hdr, &state->profit, &profit_sum);

	memset(nulls, true, sizeof(nulls));
	values[CV_CLIENTS] = Int64GetDatum(state->clients);
	values[CV_CHURNED] = Int64GetDatum(state->churned);
	nulls[CV_CLIENTS] = nulls[CV_CHURNED] = false;

	exposure = floatsum_result(&state->exposure);
	if (exposure > 0.0)
	{
		double		lambda = (double) state->churned / exposure;
		double		churn_rate = -expm1(-lambda);
		double		discount = state->hdr.form == COHORT_FORM_DISCOUNT ? state->discount : 0.0;
		double		den = churn_rate + discount;
		Numeric		profit = money_result(&profit_sum);
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
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cprof_result_tupdesc(fcinfo), values, nulls)));
}
