/*
 * src/clv.c: customer lifetime value from a purchase model and a spend
 * model (Fader, Hardie & Lee 2005, "RFM and CLV"; docs/domain.md section 3).
 *
 * SQL objects (sql/cprof--1.0.sql):
 *   clv(purchases bgnbd, spend gamma_gamma, frequency, recency, age,
 *       monetary, months, monthly_discount, units_per_month)
 *   clv(purchases pareto_nbd, spend gamma_gamma, ...)   the same with a
 *       Pareto/NBD purchase model
 *
 * CLV = sum over months i = 1..months of
 *           (E[Y(i u)] - E[Y((i-1) u)]) * E(M) / (1 + monthly_discount)^i
 * where E[Y(t)] is the purchase model's expected number of purchases in
 * the next t model time units given the client's history, u =
 * units_per_month model time units make a month (4.345 for weeks, 30.4375
 * for days), and E(M) the spend model's expected transaction value given
 * (frequency, monetary).  This is the definition of lifetimes'
 * customer_lifetime_value: the purchases of month i are discounted as if
 * they happened at its end.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/typcache.h"

#include "cprof.h"

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

PG_FUNCTION_INFO_V1(clv);
Datum
clv(PG_FUNCTION_ARGS)
{
	HeapTupleHeader purchases = PG_GETARG_HEAPTUPLEHEADER(0);
	HeapTupleHeader spend = PG_GETARG_HEAPTUPLEHEADER(1);
	double		x = PG_GETARG_FLOAT8(2);
	double		tx = PG_GETARG_FLOAT8(3);
	double		T = PG_GETARG_FLOAT8(4);
	double		m = PG_GETARG_FLOAT8(5);
	int32		months = PG_GETARG_INT32(6);
	double		discount = PG_GETARG_FLOAT8(7);
	double		units = PG_GETARG_FLOAT8(8);
	double		params[4];
	double		value,
				prev = 0.0,
				factor = 1.0,
				sum = 0.0;
	int32		i;

	bool		pareto;

	/*
	 * Which purchase model: bgnbd (r, alpha, a, b, ...) or pareto_nbd (r,
	 * alpha, s, beta, ...), told apart by the name of the third field and
	 * cached for the query.
	 */
	if (fcinfo->flinfo->fn_extra == NULL)
	{
		TupleDesc	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(purchases),
												  HeapTupleHeaderGetTypMod(purchases));

		pareto = desc->natts >= 3 && strcmp(NameStr(TupleDescAttr(desc, 2)->attname), "s") == 0;
		ReleaseTupleDesc(desc);
		fcinfo->flinfo->fn_extra = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(bool));
		*(bool *) fcinfo->flinfo->fn_extra = pareto;
	}
	pareto = *(bool *) fcinfo->flinfo->fn_extra;

	check_clv_args(months, discount, units);
	cprof_check_history(x, tx, T);
	if (pareto)
		cprof_pareto_nbd_params(purchases, params);
	else
		cprof_bgnbd_params(purchases, params);
	value = cprof_gamma_gamma_expected(spend, x, m);
	for (i = 1; i <= months; i++)
	{
		double		cur = pareto ?
			cprof_pareto_nbd_expected(params, i * units, x, tx, T) :
			cprof_bgnbd_expected(params, i * units, x, tx, T);

		factor /= 1.0 + discount;
		sum += (cur - prev) * factor;
		prev = cur;
		if ((i & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	PG_RETURN_FLOAT8(sum * value);
}
