/*
 * src/pareto_nbd.c: the Pareto/NBD model of Schmittlein, Morrison & Colombo
 * (1987), "Counting your customers: who are they and what will they do
 * next?", Management Science 33(1), with the likelihood as derived in Fader
 * & Hardie's note "A note on deriving the Pareto/NBD model and related
 * expressions" (2005).
 *
 * SQL objects (sql/cprof--1.0.sql):
 *   type pareto_nbd (r, alpha, s, beta, log_likelihood, clients, converged)
 *   pareto_nbd_fit(frequency, recency, age)         aggregate -> pareto_nbd
 *   cprof_pareto_nbd_fit_final (its other support functions, cprof_history_*,
 *   are shared with bgnbd_fit: history.c)
 *   pareto_nbd_p_alive(model, frequency, recency, age)
 *   pareto_nbd_expected_purchases(model, t, frequency, recency, age)
 *   pareto_nbd_expected_purchases(model, t)          a new client
 *   clv(purchases pareto_nbd, spend gamma_gamma, ...)
 *
 * The model: while alive a client buys as a Poisson process of rate
 * lambda ~ Gamma(r, alpha); its lifetime is exponential with rate
 * mu ~ Gamma(s, beta).  For a history (x, t_x, T) (the note's equation 11
 * before the integral is done):
 *   L = G(r+x) alpha^r beta^s / G(r)
 *       * [ (alpha+T)^-(r+x) (beta+T)^-s
 *           + s * integral from t_x to T of (alpha+t)^-(r+x) (beta+t)^-(s+1) dt ].
 * The note writes the integral with 2F1(r+s+x, .; r+s+x+1; z) and a
 * case split on alpha >= beta; its difference of two hypergeometric terms
 * cancels badly and its series converges slowly when z nears 1.  Here the
 * integral is computed directly: after the substitution u = ln(m + t),
 * m = min(alpha, beta), the integrand exp(-(r+x) ln(alpha+t)
 * - (s+1) ln(beta+t) + u) is smooth, and Gauss-Legendre quadrature on
 * enough panels (their number grows with the decay rate r+x+s+1 times the
 * length of the u range) gives it to about 1e-14 relative.  Everything is
 * done in logs relative to the largest term, so no term underflows.  The
 * gradient is the same quadrature of the integrand times the derivative of
 * its logarithm.
 *
 * Predictions (Schmittlein et al. 1987; the note's equations 12 and 13):
 *   P(alive) = (alpha+T)^-(r+x) (beta+T)^-s / [ ... ]   (the first term's share of L)
 *   E[Y(t) | x, t_x, T] = (r+x)(beta+T) / ((alpha+T)(s-1))
 *                         * (1 - ((beta+T)/(beta+T+t))^(s-1)) * P(alive),
 * the second factor over (s-1) computed with expm1 so that s = 1 is no 0/0;
 * the new-client expectation r beta / (alpha (s-1)) (1 - (beta/(beta+t))^(s-1))
 * is the same with x = t_x = T = 0.
 *
 * Aggregate state and fit: as bgnbd_fit (history.c, special.c), with
 * Nelder-Mead on at most FIT_NM_SAMPLE distinct histories.
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
#define FIT_NM_SAMPLE 2000

/* Gauss-Legendre nodes and weights on [-1, 1]. */
#define GL_N 16
static const double gl_x[GL_N / 2] = {
	0.0950125098376374401853193,
	0.2816035507792589132304605,
	0.4580167776572273863424194,
	0.6178762444026437484466718,
	0.7554044083550030338951012,
	0.8656312023878317438804679,
	0.9445750230732325760779884,
	0.9894009349916499325961542
};
static const double gl_w[GL_N / 2] = {
	0.1894506104550684962853967,
	0.1826034150449235888667637,
	0.1691565193950025381893121,
	0.1495959888165767320815017,
	0.1246289712555338720524763,
	0.0951585116824927848099251,
	0.0622535239386478928628438,
	0.0271524594117540948517806
};

/*
 * The pieces of one client's likelihood: with
 *   F = (alpha+T)^-(r+x) (beta+T)^-s   and   I = the integral above,
 * log D = log(F + s I) and, when grad is not NULL, the derivatives of
 * log D with respect to r, alpha, s, beta.  Returns log D; *p_alive gets
 * F / D when not NULL.
 */
static double
pnbd_log_d(double r, double alpha, double s, double beta,
		   double x, double tx, double T, double *grad, double *p_alive)
{
	double		rx = r + x;
	double		lF = -rx * log(alpha + T) - s * log(beta + T);
	double		m = Min(alpha, beta);
	double		u0 = log(m + tx),
				u1 = log(m + T);
	double		ref,
				sumI = 0,
				sI_la = 0,
				sI_da = 0,
				sI_lb = 0,
				sI_db = 0;
	double		M,
				eF,
				eI,
				D;
	int			panels,
				p,
				k;

	if (!(u1 > u0))
	{
		/* t_x = T: no interval in which the client may have died */
		if (grad)
		{
			grad[0] = -log(alpha + T);
			grad[1] = -rx / (alpha + T);
			grad[2] = -log(beta + T);
			grad[3] = -s / (beta + T);
		}
		if (p_alive)
			*p_alive = 1.0;
		return lF;
	}

	/* the log-integrand at both ends: a reference against overflow */
	ref = Max(-rx * log(alpha + tx) - (s + 1) * log(beta + tx) + u0,
			  -rx * log(alpha + T) - (s + 1) * log(beta + T) + u1);
	panels = (int) ceil((rx + s + 2) * (u1 - u0) / 4.0);
	panels = Max(1, Min(panels, 4000));
	for (p = 0; p < panels; p++)
	{
		double		a = u0 + (u1 - u0) * p / panels;
		double		b = u0 + (u1 - u0) * (p + 1) / panels;
		double		half = 0.5 * (b - a),
					mid = 0.5 * (a + b);

		for (k = 0; k < GL_N; k++)
		{
			double		u = mid + half * (k < GL_N / 2 ? -gl_x[k] : gl_x[k - GL_N / 2]);
			double		w = half * gl_w[k < GL_N / 2 ? k : k - GL_N / 2];
			double		tau = exp(u) - m;
			double		la = log(alpha + tau),
						lb = log(beta + tau);
			double		f = w * exp(-rx * la - (s + 1) * lb + u - ref);

			sumI += f;
			if (grad)
			{
				sI_la += f * la;
				sI_da += f / (alpha + tau);
				sI_lb += f * lb;
				sI_db += f / (beta + tau);
			}
		}
	}
	/* D = F + s I, relative to exp(M) */
	M = Max(lF, ref + log(s * sumI));
	eF = exp(lF - M);
	eI = s * exp(ref - M);		/* s * exp(ref - M), times sums */
	D = eF + eI * sumI;
	if (grad)
	{
		grad[0] = (eF * -log(alpha + T) - eI * sI_la) / D;
		grad[1] = (eF * (-rx / (alpha + T)) - eI * rx * sI_da) / D;
		/* d/ds of s I = I + s dI/ds */
		grad[2] = (eF * -log(beta + T) + eI * sumI / s - eI * sI_lb) / D;
		grad[3] = (eF * (-s / (beta + T)) - eI * (s + 1) * sI_db) / D;
	}
	if (p_alive)
		*p_alive = eF / D;
	return M + log(D);
}

/* Minus the mean log-likelihood over log(r, alpha, s, beta), and its gradient. */
static double
pnbd_objective(const double *theta, double *grad, void *arg)
{
	const CprofHistGroups *d = arg;
	double		r = exp(theta[0]),
				alpha = exp(theta[1]),
				s = exp(theta[2]),
				beta = exp(theta[3]);
	double		ll = 0.0,
				ll_c = 0.0,
				g[4] = {0, 0, 0, 0};
	int64		grp,
				i;
	int			j;

	if (fabs(theta[0]) > 30 || fabs(theta[1]) > 30 || fabs(theta[2]) > 30 || fabs(theta[3]) > 30)
		return INFINITY;
	for (grp = 0; grp < d->ngroups; grp++)
	{
		const CprofHistEntry *e = d->e + d->group[grp];
		int64		ne = d->group[grp + 1] - d->group[grp];
		double		x = e[0].x;
		double		A = lgamma(r + x) - lgamma(r) + r * log(alpha) + s * log(beta);
		double		gll = 0.0,
					gg[4] = {0, 0, 0, 0};
		int64		clients = 0;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < ne; i++)
		{
			double		n = (double) e[i].count;
			double		dl[4];

			if ((i & 1023) == 1023)
				CHECK_FOR_INTERRUPTS();
			gll += n * pnbd_log_d(r, alpha, s, beta, x, e[i].y, e[i].z,
								  grad ? dl : NULL, NULL);
			clients += e[i].count;
			if (grad)
				for (j = 0; j < 4; j++)
					gg[j] += n * dl[j];
		}
		gll += (double) clients * A;
		if (grad)
		{
			gg[0] += (double) clients * (cprof_digamma(r + x) - cprof_digamma(r) + log(alpha));
			gg[1] += (double) clients * (r / alpha);
			gg[2] += (double) clients * log(beta);
			gg[3] += (double) clients * (s / beta);
			for (j = 0; j < 4; j++)
				g[j] += gg[j];
		}
		/* Neumaier sum over the groups */
		cprof_neumaier_add(&ll, &ll_c, gll);
	}
	ll += ll_c;
	if (grad)
	{
		double		scale = -1.0 / (double) d->clients;

		grad[0] = scale * g[0] * r;
		grad[1] = scale * g[1] * alpha;
		grad[2] = scale * g[2] * s;
		grad[3] = scale * g[3] * beta;
	}
	if (!isfinite(ll))
		return INFINITY;
	return -ll / (double) d->clients;
}

PG_FUNCTION_INFO_V1(cprof_pareto_nbd_fit_final);
Datum
cprof_pareto_nbd_fit_final(PG_FUNCTION_ARGS)
{
	CprofHistState *st = PG_ARGISNULL(0) ? NULL : (CprofHistState *) PG_GETARG_POINTER(0);
	CprofHistState *copy;
	double		theta[4],
				sum_x = 0,
				sum_T = 0;
	int64		i;

	if (st == NULL || st->clients == 0)
		PG_RETURN_NULL();

	/* sort and merge a copy: the final function never modifies the state */
	copy = cprof_hist_sorted_copy(st);

	/* start: r = s = 1, alpha from the mean purchase rate, beta = mean age */
	for (i = 0; i < copy->n; i++)
	{
		sum_x += copy->e[i].x * copy->e[i].count;
		sum_T += copy->e[i].z * copy->e[i].count;
	}
	theta[0] = 0.0;
	theta[1] = Max(Min(log(Max(sum_T, 1e-6) / Max(sum_x, 1.0)), 20.0), -20.0);
	theta[2] = 0.0;
	theta[3] = Max(Min(log(Max(sum_T / (double) copy->clients, 1e-6)), 20.0), -20.0);

	PG_RETURN_DATUM(cprof_hist_fit(fcinfo, copy, cprof_hist_groups_new,
								   pnbd_objective, 4, theta, FIT_NM_SAMPLE));
}

/* The parameters (r, alpha, s, beta) of a pareto_nbd value, checked. */
void
cprof_pareto_nbd_params(HeapTupleHeader model, double *params)
{
	params[0] = cprof_model_param(model, 1, "r", "pareto_nbd_fit");
	params[1] = cprof_model_param(model, 2, "alpha", "pareto_nbd_fit");
	params[2] = cprof_model_param(model, 3, "s", "pareto_nbd_fit");
	params[3] = cprof_model_param(model, 4, "beta", "pareto_nbd_fit");
}

static double
pnbd_p_alive(const double *pm, double x, double tx, double T)
{
	double		p;

	(void) pnbd_log_d(pm[0], pm[1], pm[2], pm[3], x, tx, T, NULL, &p);
	return p;
}

/*
 * Expected purchases in the next t units of a client with a checked
 * history; x = t_x = T = 0 for a new client.  Exported for clv().
 */
double
cprof_pareto_nbd_expected(const double *pm, double t, double x, double tx, double T)
{
	double		r = pm[0],
				alpha = pm[1],
				s = pm[2],
				beta = pm[3];
	double		L,
				v,
				bracket;

	if (t == 0)
		return 0.0;
	/* (1 - ((beta+T)/(beta+T+t))^(s-1)) / (s-1) = L (1 - exp(-v)) / v */
	L = log1p(t / (beta + T));
	v = (s - 1) * L;
	bracket = L * (v == 0 ? 1.0 : -expm1(-v) / v);
	return (r + x) * (beta + T) / (alpha + T) * bracket *
		(x == 0 && T == 0 ? 1.0 : pnbd_p_alive(pm, x, tx, T));
}

/* pareto_nbd_p_alive(model, frequency, recency, age) */
PG_FUNCTION_INFO_V1(pareto_nbd_p_alive);
Datum
pareto_nbd_p_alive(PG_FUNCTION_ARGS)
{
	double		pm[4];
	double		x = PG_GETARG_FLOAT8(1);
	double		tx = PG_GETARG_FLOAT8(2);
	double		T = PG_GETARG_FLOAT8(3);

	cprof_check_history(x, tx, T);
	cprof_pareto_nbd_params(PG_GETARG_HEAPTUPLEHEADER(0), pm);
	PG_RETURN_FLOAT8(pnbd_p_alive(pm, x, tx, T));
}

/* pareto_nbd_expected_purchases(model, t [, frequency, recency, age]) */
PG_FUNCTION_INFO_V1(pareto_nbd_expected_purchases);
Datum
pareto_nbd_expected_purchases(PG_FUNCTION_ARGS)
{
	double		pm[4];
	double		t = PG_GETARG_FLOAT8(1);
	double		x = 0,
				tx = 0,
				T = 0;

	if (PG_NARGS() == 5)
	{
		x = PG_GETARG_FLOAT8(2);
		tx = PG_GETARG_FLOAT8(3);
		T = PG_GETARG_FLOAT8(4);
	}
	cprof_check_horizon(t);
	cprof_check_history(x, tx, T);
	cprof_pareto_nbd_params(PG_GETARG_HEAPTUPLEHEADER(0), pm);
	PG_RETURN_FLOAT8(cprof_pareto_nbd_expected(pm, t, x, tx, T));
}
