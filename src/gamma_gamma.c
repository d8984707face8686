/*
 * src/gamma_gamma.c: the Gamma-Gamma model of spend per transaction
 * (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for
 * customer base analysis", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma
 * model of monetary value").
 *
 * SQL objects (sql/cprof--1.0.sql):
 *   type gamma_gamma (p, q, v, log_likelihood, clients, converged)
 *   gamma_gamma_fit(frequency, monetary)              aggregate -> gamma_gamma
 *   cprof_gamma_gamma_fit_{trans,deserialize,final} (its combine and
 *   serialize functions, cprof_history_*, are shared: history.c)
 *   gamma_gamma_expected_value(model, frequency, monetary)
 *
 * The model: the value of each transaction of a client is Gamma(p, nu);
 * nu varies across clients as Gamma(q, v).  A client with x repeat
 * transactions of mean value m contributes (the note's equation 3, with
 * the Jacobian of the mean)
 *   ln L = lnG(px+q) - lnG(px) - lnG(q) + q ln v + (px-1) ln m + px ln x
 *          - (px+q) ln(xm + v).
 * Only clients with x > 0 carry information: rows with frequency 0 are
 * skipped, as the model requires; those with x > 0 must have m > 0.
 * The terms that depend on x only (lnG, digamma, ln x) are computed once
 * per distinct frequency and evaluation, ln m once per history.
 *
 * Expected average transaction value (the note's equation 5):
 *   E(M | x, m) = (q - 1) / (px + q - 1) * (p v / (q - 1))
 *               + px / (px + q - 1) * m
 *               = p (v + x m) / (px + q - 1),
 * which for x = 0 is the population mean p v / (q - 1) (q > 1 needed).
 *
 * Aggregate state: CprofHistState (history.c), the multiset of (x, m, 0);
 * the fit (cprof_hist_fit: Nelder-Mead then Newton on log(p, q, v)) is that
 * of bgnbd.c.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "cprof.h"

/* Nelder-Mead runs on at most this many distinct histories. */
#define FIT_NM_SAMPLE 20000

static void
check_spend(double x, double m)
{
	const char *problem = NULL;

	if (!isfinite(x) || !isfinite(m))
		problem = "every value must be finite";
	else if (x < 0 || x != floor(x))
		problem = "frequency must be a whole number, 0 or more";
	else if (x > 0 && !(m > 0))
		problem = "monetary must be positive when frequency is positive";
	else if (m < 0)
		problem = "monetary must not be negative";
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid client spend (frequency %g, monetary %g): %s", x, m, problem),
				 errhint("Pass rfm()'s frequency and monetary; filter out clients whose repeat purchases are worth 0.")));
}

PG_FUNCTION_INFO_V1(cprof_gamma_gamma_fit_trans);
Datum
cprof_gamma_gamma_fit_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_gamma_gamma_fit_trans");
	CprofHistState *s = PG_ARGISNULL(0) ? NULL : (CprofHistState *) PG_GETARG_POINTER(0);
	double		x,
				m;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (s == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s);
	}
	x = PG_GETARG_FLOAT8(1);
	m = PG_GETARG_FLOAT8(2);
	check_spend(x, m);
	if (x == 0)
	{
		/* no repeat purchase: no information on spend, skipped */
		if (s == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s);
	}
	if (s == NULL)
		s = cprof_hist_new(aggcxt, 1024);
	cprof_hist_add(s, x, m, 0.0, 1);
	PG_RETURN_POINTER(s);
}

/* A (frequency, monetary, 0) history as the transition function admits it. */
static bool
spend_valid(const CprofHistEntry *e)
{
	return e->x >= 1 && e->y > 0 && e->z == 0;
}

PG_FUNCTION_INFO_V1(cprof_gamma_gamma_fit_deserialize);
Datum
cprof_gamma_gamma_fit_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_gamma_gamma_fit_deserialize");

	PG_RETURN_POINTER(cprof_hist_deserialize(PG_GETARG_BYTEA_PP(0), aggcxt,
											 "gamma_gamma_fit", spend_valid));
}

/* The data of one fit: histories in (x, m) order grouped by x, and ln m. */
typedef struct GgData
{
	CprofHistGroups g;			/* the histories */
	double	   *ln_m;			/* ln m of each entry */
} GgData;

/* A CprofFitData for gg_objective. */
static void *
gg_data_new(const CprofHistEntry *e, int64 n)
{
	GgData	   *d = palloc(sizeof(GgData));
	int64		i;

	cprof_hist_groups_init(&d->g, e, n);
	d->ln_m = palloc(Max(n, 1) * sizeof(double));
	for (i = 0; i < n; i++)
		d->ln_m[i] = log(e[i].y);
	return d;
}

/* Minus the mean log-likelihood over theta = log(p, q, v), and its gradient. */
static double
gg_objective(const double *theta, double *grad, void *arg)
{
	const GgData *d = arg;
	double		p = exp(theta[0]),
				q = exp(theta[1]),
				v = exp(theta[2]);
	double		ln_v = log(v),
				lg_q = lgamma(q),
				psi_q = grad ? cprof_digamma(q) : 0;
	double		ll = 0.0,
				ll_c = 0.0,
				gp = 0.0,
				gq = 0.0,
				gv = 0.0;
	int64		g,
				i;

	if (fabs(theta[0]) > 30 || fabs(theta[1]) > 30 || fabs(theta[2]) > 30)
		return INFINITY;
	for (g = 0; g < d->g.ngroups; g++)
	{
		const CprofHistEntry *e = d->g.e + d->g.group[g];
		const double *ln_m = d->ln_m + d->g.group[g];
		int64		ne = d->g.group[g + 1] - d->g.group[g];
		double		x = e[0].x;
		double		px = p * x;
		double		ln_x = log(x);
		double		A = lgamma(px + q) - lgamma(px) - lg_q + q * ln_v + px * ln_x;
		double		psi_pxq = 0,
					psi_px = 0;
		double		gll = 0.0,
					gdp = 0.0,
					gdq = 0.0,
					gdv = 0.0;
		int64		clients = 0;

		CHECK_FOR_INTERRUPTS();
		if (grad)
		{
			psi_pxq = cprof_digamma(px + q);
			psi_px = cprof_digamma(px);
		}
		for (i = 0; i < ne; i++)
		{
			double		n = (double) e[i].count;
			double		s = x * e[i].y + v;
			double		ln_s = log(s);

			gll += n * ((px - 1) * ln_m[i] - (px + q) * ln_s);
			if ((i & 4095) == 4095)
				CHECK_FOR_INTERRUPTS();
			clients += e[i].count;
			if (grad)
			{
				gdp += n * x * (ln_m[i] - ln_s);
				gdq += n * (-ln_s);
				gdv += n * (-(px + q) / s);
			}
		}
		gll += (double) clients * A;
		if (grad)
		{
			gdp += (double) clients * x * (psi_pxq - psi_px + ln_x);
			gdq += (double) clients * (psi_pxq - psi_q + ln_v);
			gdv += (double) clients * (q / v);
		}
		/* Neumaier sum over the groups */
		cprof_neumaier_add(&ll, &ll_c, gll);
		gp += gdp;
		gq += gdq;
		gv += gdv;
	}
	ll += ll_c;
	if (grad)
	{
		double		scale = -1.0 / (double) d->g.clients;

		grad[0] = scale * gp * p;
		grad[1] = scale * gq * q;
		grad[2] = scale * gv * v;
	}
	if (!isfinite(ll))
		return INFINITY;
	return -ll / (double) d->g.clients;
}

PG_FUNCTION_INFO_V1(cprof_gamma_gamma_fit_final);
Datum
cprof_gamma_gamma_fit_final(PG_FUNCTION_ARGS)
{
	CprofHistState *s = PG_ARGISNULL(0) ? NULL : (CprofHistState *) PG_GETARG_POINTER(0);
	CprofHistState *copy;
	double		theta[3],
				sum_m = 0;
	int64		i;

	if (s == NULL || s->clients == 0)
		PG_RETURN_NULL();

	/* sort and merge a copy: the final function never modifies the state */
	copy = cprof_hist_sorted_copy(s);

	/* start: p = 1, q = 2, v = the mean spend (so that p v / (q-1) fits it) */
	for (i = 0; i < copy->n; i++)
		sum_m += copy->e[i].y * copy->e[i].count;
	theta[0] = 0.0;
	theta[1] = log(2.0);
	theta[2] = log(Max(sum_m / (double) copy->clients, 1e-12));
	theta[2] = Max(Min(theta[2], 25.0), -25.0);

	PG_RETURN_DATUM(cprof_hist_fit(fcinfo, copy, gg_data_new,
								   gg_objective, 3, theta, FIT_NM_SAMPLE));
}

/*
 * E(M | x, m) = p (v + x m) / (px + q - 1).  Exported for clv().
 */
double
cprof_gamma_gamma_expected(HeapTupleHeader model, double x, double m)
{
	double		p = cprof_model_param(model, 1, "p", "gamma_gamma_fit");
	double		q = cprof_model_param(model, 2, "q", "gamma_gamma_fit");
	double		v = cprof_model_param(model, 3, "v", "gamma_gamma_fit");

	check_spend(x, m);
	if (!(p * x + q > 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the expected value needs p * frequency + q > 1, got p = %g, q = %g, frequency %g",
						p, q, x),
				 errhint("With q <= 1 the population mean spend is infinite: the model does not fit the data.")));
	if (x == 0)
		return p * v / (q - 1);
	return p * (v + x * m) / (p * x + q - 1);
}

/* gamma_gamma_expected_value(model, frequency, monetary) */
PG_FUNCTION_INFO_V1(gamma_gamma_expected_value);
Datum
gamma_gamma_expected_value(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(cprof_gamma_gamma_expected(PG_GETARG_HEAPTUPLEHEADER(0),
												PG_GETARG_FLOAT8(1),
												PG_GETARG_FLOAT8(2)));
}
