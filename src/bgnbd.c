/*
 * src/bgnbd.c: the BG/NBD model of Fader, Hardie & Lee (2005), "Counting
 * your customers the easy way: an alternative to the Pareto/NBD model",
 * Marketing Science 24(2), 275-284.
 *
 * SQL objects (sql/cprof--1.0.sql):
 *   type bgnbd (r, alpha, a, b, log_likelihood, clients, converged)
 *   bgnbd_fit(frequency, recency, age)                aggregate -> bgnbd
 *   cprof_bgnbd_fit_final (its other support functions, cprof_history_*,
 *   are shared with pareto_nbd_fit: history.c)
 *   bgnbd_p_alive(model, frequency, recency, age)
 *   bgnbd_expected_purchases(model, t, frequency, recency, age)
 *   bgnbd_expected_purchases(model, t)                a new client
 *
 * The model: while alive a client buys as a Poisson process of rate
 * lambda ~ Gamma(r, alpha); after each purchase it dies with probability
 * p ~ Beta(a, b).  A client's history is x repeat purchases, the last at
 * t_x, observed up to T (frequency, recency, age: rfm()'s output).
 *
 * Likelihood (the paper's equation 6, in logs):
 *   L = B(a, b + x) / B(a, b) * G(r + x) alpha^r / (G(r) (alpha + T)^(r + x))
 *     + [x > 0] B(a + 1, b + x - 1) / B(a, b) * G(r + x) alpha^r / (G(r) (alpha + t_x)^(r + x))
 * so that, with A(x) = lnG(r+x) - lnG(r) + lnG(a+b) + lnG(b+x) - lnG(b) - lnG(a+b+x),
 *   ln L = A(x) + r ln alpha + ln(exp(l3) + [x > 0] exp(l4)),
 *   l3 = -(r+x) ln(alpha+T),  l4 = ln a - ln(b+x-1) - (r+x) ln(alpha+t_x).
 * The sum is done as max + log1p(exp(-|l3 - l4|)), so that neither term
 * underflows.  A(x) and its derivatives depend on x only: the fit computes
 * them once per distinct frequency and evaluation.
 *
 * Aggregate state: CprofHistState (history.c), the multiset of histories
 * (x, t_x, T) as (x, y, z) with counts.  The final function fits on a
 * sorted copy, so the fit is identical for any split of the rows.
 *
 * The fit (cprof_hist_fit, history.c) maximizes the log-likelihood over
 * log(r, alpha, a, b): Nelder-Mead from a start derived from the data (on a
 * deterministic subsample of at most FIT_NM_SAMPLE distinct histories when
 * there are more), then damped Newton steps with the analytic gradient (and
 * a Hessian from its central differences) on every history, until the
 * gradient of the mean log-likelihood is below CPROF_FIT_GTOL.  converged
 * says whether that happened.
 *
 * Predictions (the paper's equations 10 and the appendix of Fader, Hardie &
 * Lee's note "Computing P(alive) using the BG/NBD model"):
 *   P(alive) = 1 / (1 + [x > 0] a / (b+x-1) ((alpha+T) / (alpha+t_x))^(r+x))
 *   E[Y(t) | x, t_x, T] = (a+b+x-1) / (a-1)
 *       * (1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)) * P(alive),
 *   z = t / (alpha+T+t).
 * The bracket is computed after Euler's transformation (A&S 15.3.3):
 *   ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; c; z)
 *       = (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z),   c = a+b+x-1,
 * whose series converges fast for heavy buyers (c large) and whose terms
 * keep one sign; and (1 - that) / (a - 1) is expanded so that a = 1 is no
 * 0/0 (see bgnbd_bracket).  The new-client expectation is the same with
 * x = t_x = T = 0.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "cprof.h"

/* Nelder-Mead runs on at most this many distinct histories. */
#define FIT_NM_SAMPLE 20000

/*
 * The objective of the fit: minus the mean log-likelihood per client, as a
 * function of theta = log(r, alpha, a, b), and its gradient.
 */
static double
bgnbd_objective(const double *theta, double *grad, void *arg)
{
	const CprofHistGroups *d = arg;
	double		r = exp(theta[0]),
				alpha = exp(theta[1]),
				a = exp(theta[2]),
				b = exp(theta[3]);
	double		ln_alpha = log(alpha);
	double		ll = 0.0,
				ll_c = 0.0;
	double		gr = 0.0,
				galpha = 0.0,
				ga = 0.0,
				gb = 0.0;
	int64		g,
				i;

	if (!isfinite(r) || !isfinite(alpha) || !isfinite(a) || !isfinite(b) ||
		r < 1e-12 || alpha < 1e-12 || a < 1e-12 || b < 1e-12 ||
		fabs(theta[0]) > 30 || fabs(theta[1]) > 30 || fabs(theta[2]) > 30 || fabs(theta[3]) > 30)
		return INFINITY;

	for (g = 0; g < d->ngroups; g++)
	{
		const CprofHistEntry *e = d->e + d->group[g];
		int64		ne = d->group[g + 1] - d->group[g];
		double		x = e[0].x;
		double		gll = 0.0,
					gdr = 0.0,
					gdalpha = 0.0,
					gda = 0.0,
					gdb = 0.0;
		int64		clients = 0;

		CHECK_FOR_INTERRUPTS();
		if (x == 0)
		{
			/* ln L = r ln alpha - r ln(alpha + T) */
			for (i = 0; i < ne; i++)
			{
				double		n = (double) e[i].count;
				double		lT = log(alpha + e[i].z);

				gll += n * (r * (ln_alpha - lT));
				if ((i & 4095) == 4095)
					CHECK_FOR_INTERRUPTS();
				if (grad)
				{
					gdr += n * (ln_alpha - lT);
					gdalpha += n * (r / alpha - r / (alpha + e[i].z));
				}
			}
		}
		else
		{
			double		rx = r + x;
			double		A = lgamma(rx) - lgamma(r) + lgamma(a + b) + lgamma(b + x) -
				lgamma(b) - lgamma(a + b + x) + r * ln_alpha;
			double		c4 = log(a) - log(b + x - 1);
			double		dr_x = 0,
						da_x = 0,
						db_x = 0;

			if (grad)
			{
				double		psi_ab = cprof_digamma(a + b);
				double		psi_abx = cprof_digamma(a + b + x);

				dr_x = cprof_digamma(rx) - cprof_digamma(r) + ln_alpha;
				da_x = psi_ab - psi_abx;
				db_x = psi_ab + cprof_digamma(b + x) - cprof_digamma(b) - psi_abx;
			}
			for (i = 0; i < ne; i++)
			{
				double		n = (double) e[i].count;
				double		lT = log(alpha + e[i].z);
				double		lt = log(alpha + e[i].y);
				double		l3 = -rx * lT;
				double		l4 = c4 - rx * lt;
				double		diff = l3 - l4;
				double		ll_e;

				ll_e = (diff > 0 ? l3 : l4) + log1p(exp(-fabs(diff)));
				if ((i & 4095) == 4095)
					CHECK_FOR_INTERRUPTS();
				gll += n * ll_e;
				clients += e[i].count;
				if (grad)
				{
					/* w: the share of the l4 term in the likelihood */
					double		w = diff > 0 ? exp(-diff) / (1 + exp(-diff)) : 1 / (1 + exp(diff));

					gdr += n * (-(1 - w) * lT - w * lt);
					gdalpha += n * (-rx * ((1 - w) / (alpha + e[i].z) + w / (alpha + e[i].y)));
					gda += n * (w / a);
					gdb += n * (-w / (b + x - 1));
				}
			}
			gll += (double) clients * A;
			if (grad)
			{
				gdr += (double) clients * dr_x;
				gdalpha += (double) clients * (r / alpha);
				gda += (double) clients * da_x;
				gdb += (double) clients * db_x;
			}
		}
		/* Neumaier sum over the groups */
		cprof_neumaier_add(&ll, &ll_c, gll);
		gr += gdr;
		galpha += gdalpha;
		ga += gda;
		gb += gdb;
	}
	ll += ll_c;
	if (grad)
	{
		double		scale = -1.0 / (double) d->clients;

		grad[0] = scale * gr * r;
		grad[1] = scale * galpha * alpha;
		grad[2] = scale * ga * a;
		grad[3] = scale * gb * b;
	}
	if (!isfinite(ll))
		return INFINITY;
	return -ll / (double) d->clients;
}

PG_FUNCTION_INFO_V1(cprof_bgnbd_fit_final);
Datum
cprof_bgnbd_fit_final(PG_FUNCTION_ARGS)
{
	CprofHistState *s = PG_ARGISNULL(0) ? NULL : (CprofHistState *) PG_GETARG_POINTER(0);
	CprofHistState *copy;
	double		theta[4],
				sum_x = 0,
				sum_T = 0;
	int64		i;

	if (s == NULL || s->clients == 0)
		PG_RETURN_NULL();

	/* sort and merge a copy: the final function never modifies the state */
	copy = cprof_hist_sorted_copy(s);

	/* start: r = 1 and alpha from the mean purchase rate, a = b = 1 */
	for (i = 0; i < copy->n; i++)
	{
		sum_x += copy->e[i].x * copy->e[i].count;
		sum_T += copy->e[i].z * copy->e[i].count;
	}
	theta[0] = 0.0;
	theta[1] = log(Max(sum_T, 1e-6) / Max(sum_x, 1.0));
	theta[1] = Max(Min(theta[1], 20.0), -20.0);
	theta[2] = 0.0;
	theta[3] = 0.0;

	PG_RETURN_DATUM(cprof_hist_fit(fcinfo, copy, cprof_hist_groups_new,
								   bgnbd_objective, 4, theta, FIT_NM_SAMPLE));
}

/* The parameters of a bgnbd value, checked. */
typedef struct BgnbdModel
{
	double		r,
				alpha,
				a,
				b;
} BgnbdModel;

static BgnbdModel
get_model(HeapTupleHeader tup)
{
	BgnbdModel	m;

	m.r = cprof_model_param(tup, 1, "r", "bgnbd_fit");
	m.alpha = cprof_model_param(tup, 2, "alpha", "bgnbd_fit");
	m.a = cprof_model_param(tup, 3, "a", "bgnbd_fit");
	m.b = cprof_model_param(tup, 4, "b", "bgnbd_fit");
	return m;
}

/* P(alive | x, t_x, T), without underflow to NaN for clients long gone. */
static double
bgnbd_p_alive_value(const BgnbdModel *m, double x, double tx, double T)
{
	double		d;

	if (x == 0)
		return 1.0;
	/* d = ln( a / (b+x-1) ((alpha+T) / (alpha+t_x))^(r+x) ) */
	d = log(m->a) - log(m->b + x - 1) + (m->r + x) * log1p((T - tx) / (m->alpha + tx));
	if (d > 0)
		return exp(-d) / (1 + exp(-d));
	return 1 / (1 + exp(d));
}

/*
 * (1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; c; z)) / (a - 1), by
 * the Euler transform (file header):
 *     (1 - (1-z)^(a-1) (1 + (a-1) S)) / (a-1)
 *   = -L expm1(v) / v  -  exp(v) S,     L = ln(1-z), v = (a-1) L,
 * S = cprof_hyp2f1_tail(a+b-1-r, a-1, c, z): no division by a - 1.
 */
static double
bgnbd_bracket(const BgnbdModel *m, double t, double x, double T)
{
	double		z = t / (m->alpha + T + t);
	double		L = -log1p(t / (m->alpha + T));
	double		v = (m->a - 1) * L;
	double		first = -L * (v == 0 ? 1.0 : expm1(v) / v);
	double		S = cprof_hyp2f1_tail(m->a + m->b - 1 - m->r, m->a - 1,
									  m->a + m->b + x - 1, z);

	if (!isfinite(S))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("expected purchases over t = %g are out of range", t),
				 errhint("The horizon is too long for the model's time unit; use a shorter t.")));
	return first - exp(v) * S;
}

/* bgnbd_p_alive(model, frequency, recency, age) */
PG_FUNCTION_INFO_V1(bgnbd_p_alive);
Datum
bgnbd_p_alive(PG_FUNCTION_ARGS)
{
	BgnbdModel	m = get_model(PG_GETARG_HEAPTUPLEHEADER(0));
	double		x = PG_GETARG_FLOAT8(1);
	double		tx = PG_GETARG_FLOAT8(2);
	double		T = PG_GETARG_FLOAT8(3);

	cprof_check_history(x, tx, T);
	PG_RETURN_FLOAT8(bgnbd_p_alive_value(&m, x, tx, T));
}

/*
 * The parameters (r, alpha, a, b) of a bgnbd value, checked.  Exported for
 * clv().
 */
void
cprof_bgnbd_params(HeapTupleHeader model, double *params)
{
	BgnbdModel	m = get_model(model);

	params[0] = m.r;
	params[1] = m.alpha;
	params[2] = m.a;
	params[3] = m.b;
}

/*
 * The expected purchases in the next t units of a client with a checked
 * history (x, t_x, T); x = t_x = T = 0 gives the new-client expectation.
 * Exported for clv().
 */
double
cprof_bgnbd_expected(const double *params, double t, double x, double tx, double T)
{
	BgnbdModel	m;

	m.r = params[0];
	m.alpha = params[1];
	m.a = params[2];
	m.b = params[3];
	if (t == 0)
		return 0.0;
	return (m.a + m.b + x - 1) * bgnbd_bracket(&m, t, x, T) *
		bgnbd_p_alive_value(&m, x, tx, T);
}

/* bgnbd_expected_purchases(model, t, frequency, recency, age) */
PG_FUNCTION_INFO_V1(bgnbd_expected_purchases);
Datum
bgnbd_expected_purchases(PG_FUNCTION_ARGS)
{
	HeapTupleHeader model = PG_GETARG_HEAPTUPLEHEADER(0);
	double		t = PG_GETARG_FLOAT8(1);
	double		x = 0,
				tx = 0,
				T = 0;
	double		params[4];

	if (PG_NARGS() == 5)
	{
		x = PG_GETARG_FLOAT8(2);
		tx = PG_GETARG_FLOAT8(3);
		T = PG_GETARG_FLOAT8(4);
	}
	cprof_check_horizon(t);
	cprof_check_history(x, tx, T);
	cprof_bgnbd_params(model, params);
	PG_RETURN_FLOAT8(cprof_bgnbd_expected(params, t, x, tx, T));
}
