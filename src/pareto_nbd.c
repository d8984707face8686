/*
 * src/pareto_nbd.c: the Pareto/NBD model of Schmittlein, Morrison & Colombo
 * (1987), "Counting your customers: who are they and what will they do
 * next?", Management Science 33(1), with the likelihood as derived in Fader
 * & Hardie's note "A note on deriving the Pareto/NBD model and related
 * expressions" (2005).
 *
 * SQL objects (sql/cprof--1.1.sql):
 *   type pareto_nbd (r, alpha, s, beta, log_likelihood, clients, converged)
 *   pareto_nbd_fit(frequency, recency, age)         aggregate -> pareto_nbd
 *   cprof_pareto_nbd_fit_final (its other support functions, cprof_history_*,
 *   are shared with bgnbd_fit: history.c)
 *   pareto_nbd_p_alive(model, frequency, recency, age)
 *   pareto_nbd_expected_purchases(model, t, frequency, recency, age)
 *   pareto_nbd_expected_purchases(model, t)          a new client
 *   (clv(purchases pareto_nbd, ...) is in clv.c)
 *
 * The model: while alive a client buys as a Poisson process of rate
 * lambda ~ Gamma(r, alpha); its lifetime is exponential with rate
 * mu ~ Gamma(s, beta).  For a history (x, t_x, T) (the note's equation 11
 * before the integral is done):
 *   L = G(r+x) alpha^r beta^s / G(r)
 *       * [ (alpha+T)^-(r+x) (beta+T)^-s
 *           + s * integral from t_x to T of (alpha+t)^-(r+x) (beta+t)^-(s+1) dt ].
 * Written with the powers of alpha and beta folded in,
 *   ln L = ln[(r)_x] - x ln alpha + ln(F + J),
 *   F = exp(-(r+x) ln(1 + T/alpha) - s ln(1 + T/beta)),
 *   J = (s/beta) * integral from t_x to T of
 *       exp(-(r+x) ln(1 + t/alpha) - (s+1) ln(1 + t/beta)) dt,
 * every term stays of moderate size and tends to its limit as s and beta
 * grow with s/beta = mu fixed (every client has the dropout rate mu: J ->
 * mu * integral of (1 + t/alpha)^-(r+x) exp(-mu t) dt) or as r and alpha
 * grow with r/alpha fixed, the limits a fit runs to when the data show no
 * heterogeneity.  The note writes the integral with 2F1 terms whose
 * difference cancels and whose series converge slowly; here it is computed
 * directly by cprof_quad_logconcave, after the substitution
 * u = ln(1 + t/m), m = min(alpha, beta), which makes the log of the
 * integrand, -(r+x) ln(1 + t/alpha) - (s+1) ln(1 + t/beta) + ln(m + t),
 * concave: the quadrature then needs a bounded number of panels whatever
 * the parameters (about 40 / 8 past the mode, each 16 points), so an
 * evaluation of the likelihood costs a bounded amount per distinct history.
 * The gradient is the same quadrature of the integrand times the
 * derivatives of its logarithm.
 *
 * Predictions (Schmittlein et al. 1987; the note's equations 12 and 13):
 *   P(alive) = F / (F + J),
 *   E[Y(t) | x, t_x, T] = (r+x)/(alpha+T) E_mu[(1 - exp(-mu t)) / mu | alive] P(alive)
 *     = (r+x)(beta+T) / ((alpha+T)(s-1)) (1 - ((beta+T)/(beta+T+t))^(s-1)) P(alive),
 * computed as (r+x) t / (alpha+T) * ln(1+q)/q * (1 - exp(-v)) / v with
 * q = t/(beta+T) and v = (s-1) ln(1+q), so that s = 1 is no 0/0 and s,
 * beta -> infinity give the limit (1 - exp(-mu t)) / mu; in logs when it
 * would overflow.  The new-client expectation is the same with
 * x = t_x = T = 0.
 *
 * Aggregate state and fit: as bgnbd_fit (history.c, fit.c), with
 * Nelder-Mead on at most 1,000 distinct histories.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "fit.h"

/* Width constant of the quadrature's panels (|psi'| times width). */
#define PNBD_QUAD_WIDTH 8.0

/* The integrand of J for one history, in u = ln(1 + t/m). */
typedef struct PnbdIntegrand
{
	double		rho;			/* r + x */
	double		s1;				/* s + 1 */
	double		alpha,
				beta,
				m;				/* min(alpha, beta) */
	double		ln_m;
} PnbdIntegrand;

/*
 * psi(u) = -rho ln(1 + t/alpha) - (s+1) ln(1 + t/beta) + ln(m + t), with
 * t = m (e^u - 1), dt = (m + t) du; the extras are the derivatives' parts:
 * ln(1 + t/alpha), t/(alpha+t), ln(1 + t/beta), t/(beta+t).
 */
static double
pnbd_psi(double u, double *d1, double *d2, double *extras, void *arg)
{
	const PnbdIntegrand *in = arg;
	double		t = in->m * expm1(u);
	double		la,
				lb,
				ra,
				rb;

	/* one of the two logarithms is u itself: t / m = e^u - 1 */
	if (in->m == in->alpha)
	{
		la = u;
		ra = 1.0;
		lb = log1p(t / in->beta);
		rb = (in->m + t) / (in->beta + t);
	}
	else
	{
		lb = u;
		rb = 1.0;
		la = log1p(t / in->alpha);
		ra = (in->m + t) / (in->alpha + t);
	}

	*d1 = 1.0 - in->rho * ra - in->s1 * rb;
	*d2 = -in->rho * ra * (in->alpha - in->m) / (in->alpha + t) -
		in->s1 * rb * (in->beta - in->m) / (in->beta + t);
	if (extras)
	{
		extras[0] = la;
		extras[1] = t / (in->alpha + t);
		extras[2] = lb;
		extras[3] = t / (in->beta + t);
	}
	return -in->rho * la - in->s1 * lb + in->ln_m + u;
}

/*
 * ln(F + J) for one history (x, t_x, T), and, when grad is not NULL, its
 * derivatives with respect to log(r, alpha, s, beta).  *p_alive gets
 * F / (F + J) when not NULL.
 */
static double
pnbd_log_d(double r, double alpha, double s, double beta,
		   double x, double tx, double T, double *grad, double *p_alive)
{
	double		rho = r + x;
	double		laT = log1p(T / alpha),
				lbT = log1p(T / beta);
	double		lF = -rho * laT - s * lbT;
	PnbdIntegrand in;
	CprofQuad	q;
	double		lJ,
				M,
				eF,
				eJ,
				D;

	if (!(T > tx))
	{
		/* t_x = T: no interval in which the client may have died */
		if (grad)
		{
			grad[0] = -r * laT;
			grad[1] = rho * T / (alpha + T);
			grad[2] = -s * lbT;
			grad[3] = s * T / (beta + T);
		}
		if (p_alive)
			*p_alive = 1.0;
		return lF;
	}
	in.rho = rho;
	in.s1 = s + 1.0;
	in.alpha = alpha;
	in.beta = beta;
	in.m = Min(alpha, beta);
	in.ln_m = log(in.m);
	cprof_quad_logconcave(pnbd_psi, &in, grad ? 4 : 0,
						  log1p(tx / in.m), log1p(T / in.m),
						  PNBD_QUAD_WIDTH, 0.0, &q);
	if (!q.ok || !(q.sum > 0))
		return NAN;

	/* ln J, then F + J relative to the larger */
	lJ = log(s) - log(beta) + q.ref + log(q.sum);
	M = Max(lF, lJ);
	eF = exp(lF - M);
	eJ = exp(lJ - M);
	D = eF + eJ;
	if (grad)
	{
		/* the means of the extras under the integrand */
		double		m_la = q.extra[0] / q.sum,
					m_ta = q.extra[1] / q.sum,
					m_lb = q.extra[2] / q.sum,
					m_tb = q.extra[3] / q.sum;

		grad[0] = r * (eF * -laT + eJ * -m_la) / D;
		grad[1] = rho * (eF * T / (alpha + T) + eJ * m_ta) / D;
		grad[2] = (eF * -s * lbT + eJ * (1.0 - s * m_lb)) / D;
		grad[3] = (eF * s * T / (beta + T) + eJ * (-1.0 + (s + 1.0) * m_tb)) / D;
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

	for (grp = 0; grp < d->ngroups; grp++)
	{
		const CprofHistEntry *e = d->e + d->group[grp];
		int64		ne = d->group[grp + 1] - d->group[grp];
		double		x = e[0].x;
		double		A = cprof_lpoch(r, x) - x * theta[1];
		double		gll = 0.0,
					gll_c = 0.0,
					gg[4] = {0, 0, 0, 0};
		int64		clients = 0;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < ne; i++)
		{
			double		n = (double) e[i].count;
			double		dl[4];

			if ((i & 1023) == 1023)
				CHECK_FOR_INTERRUPTS();
			cprof_neumaier_add(&gll, &gll_c,
							   n * pnbd_log_d(r, alpha, s, beta, x, e[i].y, e[i].z,
											  grad ? dl : NULL, NULL));
			clients += e[i].count;
			if (grad)
				for (j = 0; j < 4; j++)
					gg[j] += n * dl[j];
		}
		gll += gll_c + (double) clients * A;
		if (grad)
		{
			gg[0] += (double) clients * r * cprof_dpoch(r, x);
			gg[1] += (double) clients * (-x);
			for (j = 0; j < 4; j++)
				g[j] += gg[j];
		}
		/* Neumaier sum over the groups */
		cprof_neumaier_add(&ll, &ll_c, gll);
	}
	ll += ll_c;
	if (grad)
		for (j = 0; j < 4; j++)
			grad[j] = -g[j] / (double) d->clients;
	if (!isfinite(ll))
		return INFINITY;
	return -ll / (double) d->clients;
}

/* start: r = s = 1, alpha from the mean purchase rate, beta = mean age */
static void
pnbd_start(const CprofHistEntry *e, int64 n, int64 clients, double *theta)
{
	double		sum_x = 0,
				sum_T = 0;
	int64		i;

	for (i = 0; i < n; i++)
	{
		sum_x += e[i].x * e[i].count;
		sum_T += e[i].z * e[i].count;
	}
	theta[0] = 0.0;
	theta[1] = log(Max(sum_T, 1e-6) / Max(sum_x, 1.0));
	theta[2] = 0.0;
	theta[3] = log(Max(sum_T / (double) clients, 1e-6));
}

static char *
hint_same_rate(const double *p)
{
	return psprintf("The data show no variation in purchase rates across clients: the model tends to its limit where every client buys at the rate r/alpha = %.6g per time unit.",
					p[0] / p[1]);
}

static char *
hint_same_dropout(const double *p)
{
	return psprintf("The data show no variation in dropout across clients: the model tends to its limit where every client has the same dropout rate s/beta = %.6g per time unit (a mean lifetime of %.6g). Predictions from these parameters are those of that limit.",
					p[2] / p[3], p[3] / p[2]);
}

static char *
hint_no_dropout(const double *p)
{
	return psprintf("The data show no sign of clients dropping out (mean dropout rate s/beta = %.3g per time unit): the model tends to its limit where nobody leaves.",
					p[2] / p[3]);
}

static const CprofFitLimit pnbd_limits[] = {
	{{0, 0, 0, 1}, "beta grows", hint_no_dropout},
	{{0, 0, -1, 0}, "s falls toward 0", hint_no_dropout},
	{{0, 0, 1, 1}, "s and beta grow together", hint_same_dropout},
	{{1, 1, 0, 0}, "r and alpha grow together", hint_same_rate},
};

static const CprofFitModel pnbd_model = {
	.name = "pareto_nbd_fit",
	.nparams = 4,
	.param_names = {"r", "alpha", "s", "beta"},
	.form = CPROF_HIST_PURCHASE,
	.valid = cprof_history_valid,
	.start = pnbd_start,
	.make_data = cprof_hist_groups_new,
	.objective = pnbd_objective,
	.nm_sample = 1000,
	.nlimits = lengthof(pnbd_limits),
	.limits = pnbd_limits,
};

PG_FUNCTION_INFO_V1(cprof_pareto_nbd_fit_final);
Datum
cprof_pareto_nbd_fit_final(PG_FUNCTION_ARGS)
{
	return cprof_fit_final(fcinfo, &pnbd_model);
}

/* The parameters (r, alpha, s, beta) of a pareto_nbd value, checked. */
void
cprof_pareto_nbd_params(FunctionCallInfo fcinfo, int argno, CprofParetoNbd *m)
{
	double		p[4];

	cprof_model_params(fcinfo, argno, pnbd_model.nparams, pnbd_model.param_names,
					   pnbd_model.name, p);
	m->r = p[0];
	m->alpha = p[1];
	m->s = p[2];
	m->beta = p[3];
}

static double
pnbd_p_alive(const CprofParetoNbd *m, double x, double tx, double T)
{
	double		p;

	if (!isfinite(pnbd_log_d(m->r, m->alpha, m->s, m->beta, x, tx, T, NULL, &p)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the probability of being alive cannot be computed for this model"),
				 errdetail("r = %g, alpha = %g, s = %g, beta = %g, frequency %g, recency %g, age %g.",
						   m->r, m->alpha, m->s, m->beta, x, tx, T)));
	return p;
}

/* ln(1 + q) / q, also for q so small that ln(1 + q) loses its digits */
static double
log1p_ratio(double q)
{
	if (q < 1e-8)
		return 1.0 - q / 2 + q * q / 3;
	return log1p(q) / q;
}

/*
 * Expected purchases in the next t[i] units, i < n, of a client with a
 * checked history and checked horizons; x = t_x = T = 0 for a new client.
 * P(alive), which depends on the history alone, is computed once for all
 * the horizons (when one is not 0).  Exported for clv().
 */
void
cprof_pareto_nbd_expected(const CprofParetoNbd *m, int n, const double *t,
						  double x, double tx, double T, double *out)
{
	double		ln_p_alive = 0.0;
	bool		have_p_alive = false;
	int			i;

	for (i = 0; i < n; i++)
	{
		double		q,
					lr,
					v,
					lnres;

		if (t[i] == 0)
		{
			out[i] = 0.0;
			continue;
		}
		/* ln((r+x) t / (alpha+T) * ln(1+q)/q), q = t / (beta+T) */
		q = t[i] / (m->beta + T);
		lr = log1p_ratio(q);
		lnres = log(m->r + x) + log(t[i]) - log(m->alpha + T) + log(lr);
		/* times (1 - e^-v) / v, v = (s-1) ln(1+q), in logs */
		v = (m->s - 1) * q * lr;
		if (v > 0)
			lnres += log(-expm1(-v) / v);
		else if (v < -700)
			lnres += -v - log(-v) + log1p(-exp(v));
		else if (v < 0)
			lnres += log(expm1(-v) / -v);
		if (!(x == 0 && T == 0))
		{
			if (!have_p_alive)
			{
				ln_p_alive = log(pnbd_p_alive(m, x, tx, T));
				have_p_alive = true;
			}
			lnres += ln_p_alive;
		}
		if (!(lnres < log(DBL_MAX)))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("expected purchases over t = %g are out of the range of double precision", t[i]),
					 errhint("The horizon is too long for the model's time unit; use a shorter t.")));
		out[i] = exp(lnres);
	}
}

/* pareto_nbd_p_alive(model, frequency, recency, age) */
PG_FUNCTION_INFO_V1(pareto_nbd_p_alive);
Datum
pareto_nbd_p_alive(PG_FUNCTION_ARGS)
{
	CprofParetoNbd m;
	double		x = PG_GETARG_FLOAT8(1);
	double		tx = PG_GETARG_FLOAT8(2);
	double		T = PG_GETARG_FLOAT8(3);

	cprof_check_history(x, tx, T);
	cprof_pareto_nbd_params(fcinfo, 0, &m);
	PG_RETURN_FLOAT8(pnbd_p_alive(&m, x, tx, T));
}

/* pareto_nbd_expected_purchases(model, t [, frequency, recency, age]) */
PG_FUNCTION_INFO_V1(pareto_nbd_expected_purchases);
Datum
pareto_nbd_expected_purchases(PG_FUNCTION_ARGS)
{
	CprofParetoNbd m;
	double		t = PG_GETARG_FLOAT8(1);
	double		x = 0,
				tx = 0,
				T = 0,
				result;

	if (PG_NARGS() == 5)
	{
		x = PG_GETARG_FLOAT8(2);
		tx = PG_GETARG_FLOAT8(3);
		T = PG_GETARG_FLOAT8(4);
	}
	cprof_check_horizon(t);
	cprof_check_history(x, tx, T);
	cprof_pareto_nbd_params(fcinfo, 0, &m);
	cprof_pareto_nbd_expected(&m, 1, &t, x, tx, T, &result);
	PG_RETURN_FLOAT8(result);
}
