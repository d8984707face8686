/*
 * src/clv.c: customer lifetime value from a purchase model and a spend
 * model (Fader, Hardie & Lee 2005, "RFM and CLV"; docs/domain.md section 3).
 *
 * SQL objects (sql/cprof--1.1.sql), one C symbol per overload:
 *   clv(purchases bgnbd, spend gamma_gamma, frequency, recency, age,
 *       monetary, months, monthly_discount, units_per_month)   clv_bgnbd
 *   clv(purchases pareto_nbd, spend gamma_gamma, ...)           clv_pareto_nbd
 * and clv, the symbol both overloads named in cprof 1.0 (see below).
 *
 * CLV = sum over months i = 1..months of
 *           (E[Y(i u)] - E[Y((i-1) u)]) * E(M) / (1 + monthly_discount)^i
 * where E[Y(t)] is the purchase model's expected number of purchases in
 * the next t model time units given the client's history, u =
 * units_per_month model time units make a month (4.345 for weeks, 30.4375
 * for days), and E(M) the spend model's expected transaction value given
 * (frequency, monetary).  This is the definition of lifetimes'
 * customer_lifetime_value: the purchases of month i are discounted as if
 * they happened at its end.  E[Y] is nondecreasing in t and E(M) positive,
 * so the value is never negative.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"

#include "fit.h"

/*
 * E[Y(t[i])], i < n, of a purchase model given a history: the models
 * compute what depends on the history alone once for all the horizons.
 */
typedef void (*ExpectedPurchases) (const void *model, int n, const double *t,
								   double x, double tx, double T, double *out);

/* Horizons asked of the purchase model at a time (bounded memory). */
#define CLV_CHUNK 64

/* The horizon, discount and unit arguments, checked. */
static void
check_clv_args(int32 months, double discount, double units)
{
	if (months < 0 || months > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("months must be between 0 and 100000, got %d", months),
				 errhint("Pass the horizon in months, for example 12.")));
	if (!(discount >= 0) || !isfinite(discount))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("monthly_discount must be finite and not negative, got %g", discount),
				 errhint("Pass a monthly rate, for example 0.01 for 1%% a month (about 12.7%% a year).")));
	if (!(units > 0) || !isfinite(units))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("units_per_month must be positive and finite, got %g", units),
				 errhint("Pass how many model time units make a month: 4.345 for weeks, 30.4375 for days.")));
}

/*
 * The value itself, for a purchase model already read; arguments 1..8 of
 * either overload (spend, frequency, recency, age, monetary, months,
 * monthly_discount, units_per_month).
 */
static Datum
clv_value(FunctionCallInfo fcinfo, const void *purchases, ExpectedPurchases expected)
{
	double		x = PG_GETARG_FLOAT8(2);
	double		tx = PG_GETARG_FLOAT8(3);
	double		T = PG_GETARG_FLOAT8(4);
	double		m = PG_GETARG_FLOAT8(5);
	int32		months = PG_GETARG_INT32(6);
	double		discount = PG_GETARG_FLOAT8(7);
	double		units = PG_GETARG_FLOAT8(8);
	double		value,
				prev = 0.0,
				factor = 1.0,
				sum = 0.0;
	double		t[CLV_CHUNK],
				ey[CLV_CHUNK];
	int32		first;
	CprofGammaGamma spend;

	check_clv_args(months, discount, units);
	cprof_check_history(x, tx, T);
	cprof_gamma_gamma_params(fcinfo, 1, &spend);
	value = cprof_gamma_gamma_expected(&spend, x, m);
	for (first = 1; first <= months; first += CLV_CHUNK)
	{
		int			n = Min(CLV_CHUNK, months - first + 1),
					j;

		for (j = 0; j < n; j++)
			t[j] = (first + j) * units;
		expected(purchases, n, t, x, tx, T, ey);
		for (j = 0; j < n; j++)
		{
			factor /= 1.0 + discount;
			/* E[Y] is nondecreasing: a rounding step down counts as none */
			sum += Max(ey[j] - prev, 0.0) * factor;
			prev = Max(ey[j], prev);
		}
		CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_FLOAT8(sum * value);
}

static void
expected_bgnbd(const void *model, int n, const double *t, double x,
			   double tx, double T, double *out)
{
	cprof_bgnbd_expected(model, n, t, x, tx, T, out);
}

static void
expected_pareto_nbd(const void *model, int n, const double *t, double x,
					double tx, double T, double *out)
{
	cprof_pareto_nbd_expected(model, n, t, x, tx, T, out);
}

/* clv(purchases bgnbd, spend gamma_gamma, ...) */
PG_FUNCTION_INFO_V1(clv_bgnbd);
Datum
clv_bgnbd(PG_FUNCTION_ARGS)
{
	CprofBgnbd	m;

	cprof_bgnbd_params(fcinfo, 0, &m);
	return clv_value(fcinfo, &m, expected_bgnbd);
}

/* clv(purchases pareto_nbd, spend gamma_gamma, ...) */
PG_FUNCTION_INFO_V1(clv_pareto_nbd);
Datum
clv_pareto_nbd(PG_FUNCTION_ARGS)
{
	CprofParetoNbd m;

	cprof_pareto_nbd_params(fcinfo, 0, &m);
	return clv_value(fcinfo, &m, expected_pareto_nbd);
}

/*
 * clv: the symbol both clv() overloads named in cprof 1.0.  cprof 1.1 points
 * each overload at its own symbol (the upgrade script replaces them), so
 * only a database still at version 1.0 running this library calls it, until
 * ALTER EXTENSION cprof UPDATE.  It keeps such a database working: the
 * model is the composite type of the first argument (bgnbd or pareto_nbd,
 * the two types the 1.0 overloads declare), read from the value itself.
 */
PG_FUNCTION_INFO_V1(clv);
Datum
clv(PG_FUNCTION_ARGS)
{
	Oid			relid = get_typ_typrelid(HeapTupleHeaderGetTypeId(PG_GETARG_HEAPTUPLEHEADER(0)));
	char	   *model = OidIsValid(relid) ? get_rel_name(relid) : NULL;

	if (model != NULL && strcmp(model, "pareto_nbd") == 0)
		return clv_pareto_nbd(fcinfo);
	if (model != NULL && strcmp(model, "bgnbd") == 0)
		return clv_bgnbd(fcinfo);
	ereport(ERROR,
			(errcode(ERRCODE_DATATYPE_MISMATCH),
			 errmsg("clv() of cprof 1.0 got a model of an unknown type"),
			 errhint("Run ALTER EXTENSION cprof UPDATE.")));
	PG_RETURN_NULL();
}
