/*
 * src/bgnbd.c: the BG/NBD model of Fader, Hardie & Lee (2005), "Counting
 * your customers the easy way: an alternative to the Pareto/NBD model",
 * Marketing Science 24(2), 275-284.
 *
 * SQL objects (sql/cprof--1.1.sql):
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
 * Likelihood (the paper's equation 6), in logs and written so that no two
 * large terms cancel when parameters grow (r and alpha together, a and b
 * together: the limits a fit runs to when the data show no heterogeneity):
 *   ln L = ln[(r)_x] - x ln alpha + ln[(b)_x / (a+b)_x]
 *          + ln(exp(l3) + [x > 0] exp(l4)),
 *   l3 = -(r+x) ln(1 + T/alpha),
 *   l4 = ln(a / (b+x-1)) - (r+x) ln(1 + t_x/alpha),
 * the log-Pochhammer terms from special.c, the sum as max + log1p(exp(-|l3
 * - l4|)).  The terms that depend on x only are computed once per distinct
 * frequency and evaluation, so an evaluation costs a bounded amount per
 * distinct history.
 *
 * Aggregate state: cprof_history_state (history.c), the multiset of histories
 * (x, t_x, T) as (x, y, z) with counts.  The fit is fit.c's driver over
 * log(r, alpha, a, b), described in bgnbd_model below with its start and
 * the limits it may run to (a and b growing together: one dropout
 * probability for every client; b alone or a toward 0: no dropout; r and
 * alpha together: one purchase rate for every client).
 *
 * Predictions.  P(alive) (Fader, Hardie & Lee's note "Computing P(alive)
 * using the BG/NBD model"):
 *   P(alive) = 1 / (1 + [x > 0] a / (b+x-1) ((alpha+T) / (alpha+t_x))^(r+x)),
 * computed through its logarithm.  The expected purchases in the next t
 * units are P(alive) times those of a client alive at T, which given the
 * history has purchase rate ~ Gamma(r+x, alpha+T) and dropout probability
 * p ~ Beta(a, b+x); a client with rate lambda and dropout probability p is
 * alive at time s with probability exp(-lambda p s), so its expected
 * purchases are (1 - exp(-lambda p t)) / p, and averaging over lambda
 *   E[Y(t) | alive] = E_p[ g(p) ],  g(p) = (1 - (1 + p tau)^-(r+x)) / p,
 *   tau = t / (alpha+T).
 * g is positive and at most (r+x) tau, so the expectation is, and it has
 * every limit the parameters can reach: (r+x) tau when p -> 0 (b -> inf),
 * g(a/(a+b)) when the Beta distribution concentrates (a, b -> inf).  The
 * paper's equation 10 is the same quantity in closed form,
 *   (a+b+x-1)/(a-1) (1 - (1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z)),
 *   z = t / (alpha+T+t),
 * which cancels catastrophically when b is large beside r+x and overflows
 * when a and b are large.  It is evaluated by the first of these that is
 * accurate (each has an error bound; the result is right to about 1e-13
 * relative):
 *   1. the limits: (r+x) tau when E[p] tau (r+x+1) < 2e-16 (by the bound
 *      |E_p[g] - (r+x) tau| <= (r+x) tau (r+x+1) tau E[p] / 2); g(1) =
 *      1 - (1+tau)^-(r+x) when p is almost surely 1 (|d ln g / dp| <=
 *      (r+x+1) / p bounds the difference by E[1-p]); g(E[p]) when the Beta
 *      distribution is so concentrated (a, b large) that the second-order
 *      term, (r+x+2)^2 Var(p) / p^2, is below 1e-17;
 *   2. equation 10 after Euler's transformation (the fast path, exact when
 *      b is not much larger than r+x, e.g. heavy buyers):
 *        c/(a-1) (1 - (1-z)^(a-1) (1 + (a-1) S)),  c = a+b+x-1,
 *        S = (2F1(a+b-1-r, a-1; c; z) - 1) / (a-1),
 *      expanded so that a = 1 is no 0/0; S is a series of positive terms
 *      when a+b-1-r > 0, whose coefficients are computed once per history
 *      for all the horizons of a call (BgSeries), and cprof_hyp2f1_tail
 *      otherwise;
 *   3. a series of positive terms only (z <= 0.9):
 *        E_p[g] = (1-z)^(r+x) sum_(k>=1) (r+x)_k / k! z^k G_k,
 *        G_k = sum_(j<k) (b+x)_j / (a+b+x)_j,
 *      from (1 + p tau)^-(r+x) = ((1-z) / (1 - (1-p) z))^(r+x) and
 *      E[(1-p)^j] = (b+x)_j / (a+b+x)_j;
 *   4. the integral of g against the Beta(a, b+x) density, by
 *      cprof_quad_logconcave in the variable logit(p), divided by the
 *      integral of the density (no beta function that would lose digits
 *      for large a, b), the log-density taken relative to its mode.
 * The new-client expectation is the same with x = t_x = T = 0.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "fit.h"

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
	double		ln_alpha = theta[1];
	double		ll = 0.0,
				ll_c = 0.0;
	double		gr = 0.0,
				galpha = 0.0,
				ga = 0.0,
				gb = 0.0;
	int64		g,
				i;

	for (g = 0; g < d->ngroups; g++)
	{
		const CprofHistEntry *e = d->e + d->group[g];
		int64		ne = d->group[g + 1] - d->group[g];
		double		x = e[0].x;
		double		rx = r + x;
		double		gll = 0.0,
					gdr = 0.0,
					gdalpha = 0.0,
					gda = 0.0,
					gdb = 0.0;
		int64		clients = 0;

		CHECK_FOR_INTERRUPTS();
		if (x == 0)
		{
			/* ln L = -r ln(1 + T/alpha) */
			for (i = 0; i < ne; i++)
			{
				double		n = (double) e[i].count;
				double		lT = log1p(e[i].z / alpha);

				gll += n * (-r * lT);
				if (grad)
				{
					gdr += n * (-r * lT);
					gdalpha += n * (r * e[i].z / (alpha + e[i].z));
				}
				if ((i & 4095) == 4095)
					CHECK_FOR_INTERRUPTS();
			}
		}
		else
		{
			/* the terms that depend on x only */
			double		A = cprof_lpoch(r, x) - x * ln_alpha +
				cprof_lpoch_ratio(b, a, x);
			double		c4 = log(a) - log(b + (x - 1));

			for (i = 0; i < ne; i++)
			{
				double		n = (double) e[i].count;
				double		lT = log1p(e[i].z / alpha);
				double		lt = log1p(e[i].y / alpha);
				double		l3 = -rx * lT;
				double		l4 = c4 - rx * lt;
				double		diff = l3 - l4;

				gll += n * ((diff > 0 ? l3 : l4) + log1p(exp(-fabs(diff))));
				clients += e[i].count;
				if (grad)
				{
					/* w: the share of the l4 term in the likelihood */
					double		w = diff > 0 ? exp(-diff) / (1 + exp(-diff)) : 1 / (1 + exp(diff));

					gdr += n * r * (-(1 - w) * lT - w * lt);
					gdalpha += n * rx * ((1 - w) * e[i].z / (alpha + e[i].z) +
										 w * e[i].y / (alpha + e[i].y));
					gda += n * w;
					gdb += n * (-w * b / (b + (x - 1)));
				}
				if ((i & 4095) == 4095)
					CHECK_FOR_INTERRUPTS();
			}
			gll += (double) clients * A;
			if (grad)
			{
				gdr += (double) clients * r * cprof_dpoch(r, x);
				gdalpha += (double) clients * (-x);
				gda += (double) clients * (-a * cprof_dpoch(a + b, x));
				gdb += (double) clients * b * cprof_dpoch_ratio(b, a, x);
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

		grad[0] = scale * gr;
		grad[1] = scale * galpha;
		grad[2] = scale * ga;
		grad[3] = scale * gb;
	}
	if (!isfinite(ll))
		return INFINITY;
	return -ll / (double) d->clients;
}

/* start: r = 1 and alpha from the mean purchase rate, a = b = 1 */
static void
bgnbd_start(const CprofHistEntry *e, int64 n, int64 clients, double *theta)
{
	double		sum_x = 0,
				sum_T = 0;
	int64		i;

	(void) clients;
	for (i = 0; i < n; i++)
	{
		sum_x += e[i].x * e[i].count;
		sum_T += e[i].z * e[i].count;
	}
	theta[0] = 0.0;
	theta[1] = log(Max(sum_T, 1e-6) / Max(sum_x, 1.0));
	theta[2] = 0.0;
	theta[3] = 0.0;
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
	return psprintf("The data show no variation in dropout across clients: the model tends to its limit where every client drops out after a purchase with the same probability a/(a+b) = %.6g. Predictions from these parameters are those of that limit.",
					1.0 / (1.0 + p[3] / p[2]));
}

static char *
hint_no_dropout(const double *p)
{
	return psprintf("The data show no sign of clients dropping out (a/(a+b) = %.3g): the model tends to its limit where nobody leaves, and predicts purchases at the clients' own rates.",
					1.0 / (1.0 + p[3] / p[2]));
}

static const CprofFitLimit bgnbd_limits[] = {
	{{0, 0, 0, 1}, "b grows", hint_no_dropout},
	{{0, 0, -1, 0}, "a falls toward 0", hint_no_dropout},
	{{0, 0, 1, 1}, "a and b grow together", hint_same_dropout},
	{{1, 1, 0, 0}, "r and alpha grow together", hint_same_rate},
};

static const CprofFitModel bgnbd_model = {
	.name = "bgnbd_fit",
	.nparams = 4,
	.param_names = {"r", "alpha", "a", "b"},
	.form = CPROF_HIST_PURCHASE,
	.valid = cprof_history_valid,
	.start = bgnbd_start,
	.make_data = cprof_hist_groups_new,
	.objective = bgnbd_objective,
	.nm_sample = 20000,
	.nlimits = lengthof(bgnbd_limits),
	.limits = bgnbd_limits,
};

PG_FUNCTION_INFO_V1(cprof_bgnbd_fit_final);
Datum
cprof_bgnbd_fit_final(PG_FUNCTION_ARGS)
{
	return cprof_fit_final(fcinfo, &bgnbd_model);
}

/*
 * The parameters (r, alpha, a, b) of the bgnbd value in argument argno,
 * checked (cprof_model_params).  Exported for clv().
 */
void
cprof_bgnbd_params(FunctionCallInfo fcinfo, int argno, CprofBgnbd *m)
{
	double		p[4];

	cprof_model_params(fcinfo, argno, bgnbd_model.nparams, bgnbd_model.param_names,
					   bgnbd_model.name, p);
	m->r = p[0];
	m->alpha = p[1];
	m->a = p[2];
	m->b = p[3];
}

/* P(alive | x, t_x, T), without underflow to NaN for clients long gone. */
static double
bgnbd_p_alive_value(const CprofBgnbd *m, double x, double tx, double T)
{
	double		d;

	if (x == 0)
		return 1.0;
	/* d = ln( a / (b+x-1) ((alpha+T) / (alpha+t_x))^(r+x) ) */
	d = log(m->a) - log(m->b + (x - 1)) + (m->r + x) * log1p((T - tx) / (m->alpha + tx));
	if (d > 0)
		return exp(-d) / (1 + exp(-d));
	return 1 / (1 + exp(d));
}

/*
 * The series of Euler's form for one history, shared by every horizon of a
 * call (clv() asks for a dozen or more at once):
 *   S(z) = sum_(k>=1) s_k z^k,  s_k = (A)_k (a)_(k-1) / ((c)_k k!),
 * the tail of 2F1(A, a-1; c; z) divided by a-1 (cprof_hyp2f1_tail's S),
 * A = a+b-1-r, c = a+b+x-1.  When A > 0 and z > 0 every term is positive,
 * the coefficients do not depend on z, and they are computed once (with
 * the division of each ratio) for every horizon, which then costs two
 * multiplications and a compensated addition per term.  The ratios of
 * later terms, t_(j+1) / t_j = z (A+j)/(c+j) (a-1+j)/(j+1), are bounded for
 * j >= k by z f_k, f_k = max(1, (A+k)/(c+k)) max(1, (a-1+k)/(k+1)) (each
 * factor moves monotonically toward 1), which bounds the rest of the sum.
 */
#define BG_SERIES_TERMS 500
typedef struct BgSeries
{
	int			n;				/* coefficients computed; -1: none, not set up */
	double		A;				/* a + b - 1 - r */
	double		am1;			/* a - 1 */
	double		c;				/* a + b + x - 1 */
	double		s[BG_SERIES_TERMS + 1]; /* s_k, k = 1..n */
	double		f[BG_SERIES_TERMS + 1]; /* f_k, k = 1..n */
} BgSeries;

/* The quantities of E_p[g] for one prediction. */
typedef struct BgExpect
{
	BgSeries   *series;			/* Euler's series of this history */
	double		A;				/* a + b - 1 - r: Euler's first parameter */
	double		rho;			/* r + x */
	double		a;				/* Beta(a, B) */
	double		B;				/* b + x */
	double		tau;			/* t / (alpha + T), may be +Infinity */
	double		ln_tau;			/* its logarithm, finite (set only for the
								 * concentrated limit and the quadrature) */
	double		z;				/* t / (alpha + T + t) */
	double		lny;			/* ln(1 - z) = -ln(1 + tau) */
} BgExpect;

/*
 * S(z) of Euler's form (BgSeries), with a bound on its absolute error in
 * *abserr; NAN when the series does not converge in BG_SERIES_TERMS
 * terms.  With A <= 0 the first terms alternate: cprof_hyp2f1_tail sums
 * them.  The error bound is cprof_hyp2f1_tail's: term k went through k
 * steps of at most 8 roundings each (the ratio, the power of z, the
 * product), the compensated sum adds one rounding of the total, and the
 * rest of the series is below the geometric bound.
 */
static double
euler_tail(const BgExpect *q, double c, double *abserr)
{
	BgSeries   *bs = q->series;
	double		z = q->z,
				zk = 1.0,
				sum = 0.0,
				comp = 0.0,
				errsum = 0.0,
				w = 1.0,
				tail = INFINITY;
	int			k;

	if (z == 0.0 || q->A == 0.0)
	{
		*abserr = 0.0;
		return 0.0;
	}
	if (!(q->A > 0) || !(z > 0) || !(z < 1))
		return cprof_hyp2f1_tail(q->A, q->a - 1, c, z, BG_SERIES_TERMS, abserr);
	if (bs->n < 0)
	{
		bs->A = q->A;
		bs->am1 = q->a - 1;
		bs->c = c;
		bs->n = 0;
	}
	Assert(bs->A == q->A && bs->c == c);
	for (k = 1; k <= BG_SERIES_TERMS; k++)
	{
		double		t,
					qk;

		if (k > bs->n)
		{
			/* s_1 = A / c, s_k = s_(k-1) (A+k-1)(a-1+k-1) / ((c+k-1) k) */
			double		j = k - 1;

			bs->s[k] = k == 1 ? bs->A / bs->c :
				bs->s[k - 1] * ((bs->A + j) * (bs->am1 + j) / ((bs->c + j) * (j + 1.0)));
			bs->f[k] = Max((bs->A + k) / (bs->c + k), 1.0) *
				Max((bs->am1 + k) / (k + 1.0), 1.0);
			bs->n = k;
		}
		zk *= z;
		if (zk < DBL_MIN)
		{
			/* z^k lost its relative precision: the error bound fails */
			return NAN;
		}
		t = bs->s[k] * zk;
		cprof_neumaier_add(&sum, &comp, t);
		w += 1.0;				/* k + 1 */
		errsum += w * t;

		/*
		 * Stop when the rest is below 2^-56 of the sum, far below its
		 * rounding.  That needs t <= 2^-50 sum unless z f_k < 1/65, so
		 * the bound is computed only then, or when z < 1/64.
		 */
		if (t <= 0x1p-50 * sum || z < 0x1p-6 || k == BG_SERIES_TERMS)
		{
			if (t == 0.0)
			{
				/* s_k z^k below the smallest double: nothing more to add */
				tail = 0.0;
				break;
			}
			qk = z * bs->f[k];
			tail = qk < 1.0 ? t * qk / (1.0 - qk) : INFINITY;
			if (tail <= 0x1p-56 * sum)
				break;
		}
	}
	sum += comp;
	if (!isfinite(sum) || !(sum > 0) || !(tail <= 0x1p-40 * sum))
		return NAN;
	*abserr = 4.0 * DBL_EPSILON * errsum + tail + DBL_EPSILON * sum;
	return sum;
}

/* 2. Euler's form; false when it is not accurate here. */
static bool
expect_euler(const BgExpect *q, double *result)
{
	double		c = q->a + q->B - 1;
	double		v = (q->a - 1) * q->lny;
	double		first,
				S,
				errS,
				ev,
				Q,
				err;

	if (!(c >= 1.0))
		return false;
	first = -q->lny * (v == 0 ? 1.0 : expm1(v) / v);
	S = euler_tail(q, c, &errS);
	ev = exp(v);
	if (!isfinite(S) || !isfinite(ev))
		return false;
	Q = first - ev * S;
	err = 6 * DBL_EPSILON * fabs(first) + ev * (errS + (fabs(v) + 2) * DBL_EPSILON * fabs(S));
	if (!(Q > 0) || !(err <= 1e-13 * Q))
		return false;
	*result = c * Q;
	return true;
}

/* 3. the positive series; false when it would need too many terms. */
static bool
expect_series(const BgExpect *q, double *result)
{
	double		coef = 1.0,
				G = 0.0,
				P = 1.0,
				sum = 0.0,
				comp = 0.0,
				lnres;
	int64		e = 0,
				k;

	/* its terms peak near k = rho z / (1-z) = rho tau and then fall like z^k */
	if (!(q->z <= 0.9) || (q->rho + 40) * q->tau > 20000)
		return false;
	for (k = 1; k <= 20000; k++)
	{
		double		qk,
					tail;

		coef *= (q->rho + (k - 1)) * q->z / k;
		G += P;					/* G_k */
		P /= 1.0 + q->a / (q->B + (k - 1));	/* P_k = (B)_k / (a+B)_k */
		cprof_neumaier_add(&sum, &comp, coef * G);
		if (sum > 0x1p+600)
		{
			coef = ldexp(coef, -600);
			sum = ldexp(sum, -600);
			comp = ldexp(comp, -600);
			G = G;
			e += 600;
		}

		/*
		 * Later coefficients shrink by at most qk each, and G_(k+j) <= G_k
		 * (1 + j/k): the rest is below coef G (qk/(1-qk) + qk/(k (1-qk)^2)).
		 */
		qk = q->z * Max((q->rho + k) / (k + 1.0), 1.0);
		if (qk < 1.0)
		{
			tail = coef * G * (qk / (1 - qk) + qk / (k * (1 - qk) * (1 - qk)));
			if (tail <= 0x1p-56 * sum)
				break;
		}
		if ((k & 1023) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	if (k > 20000 || !(sum > 0))
		return false;
	sum += comp;
	lnres = q->rho * q->lny + (double) e * M_LN2;
	*result = lnres > -700 && e == 0 ? sum * exp(lnres) : exp(lnres + log(sum));
	return true;
}

/* The integrand of the quadrature over p: the Beta(a, B) density, times g or not */
typedef struct BgQuad
{
	const BgExpect *q;
	bool		with_g;
	double		vstar;			/* the density's mode in v: ln(a / B) */
	double		pstar,
				qstar;			/* p and 1 - p there */
} BgQuad;

/*
 * psi(v), v = logit(p): the log of the Beta(a, B) density in v (a ln p +
 * B ln(1-p)) relative to its mode, times g when with_g.  Relative to the
 * mode it is a d - (a+B) S(d), d = v - vstar, S(d) = ln((1 + e^v) / (1 +
 * e^vstar)) computed with log1p and expm1: its rounding stays small when
 * a + B is large (a ln p itself would carry an error of about 1e-16 a).
 */
static double
bg_quad_psi(double v, double *d1, double *d2, double *extras, void *arg)
{
	const BgQuad *bq = arg;
	const BgExpect *q = bq->q;
	/* p = 1 / (1 + exp(-v)), computed so that neither p nor 1 - p loses digits */
	double		p = v < 0 ? exp(v) / (1 + exp(v)) : 1 / (1 + exp(-v));
	double		pq = v < 0 ? 1 / (1 + exp(v)) : exp(-v) / (1 + exp(-v));	/* 1 - p */
	double		d = v - bq->vstar;
	double		S,
				psi;

	/*
	 * S = ln(q* + p* e^d) = d + ln(p* + q* e^-d): with log1p while the
	 * change is small, the plain sum of positive terms otherwise (where
	 * log1p's argument would come near -1 and cancel).  For d > 0, a d -
	 * (a+B) d is written -B d: far out in the tail (d of 1e8 and more
	 * where B is tiny) the two products would cancel to a rounding error
	 * of 1e-16 a d.
	 */
	if (d <= 0)
	{
		double		x = -bq->pstar * expm1(d);

		S = x < 0.5 ? log1p(-x) : log(bq->qstar + bq->pstar * exp(d));
		psi = q->a * d - (q->a + q->B) * S;
	}
	else
	{
		double		y = -bq->qstar * expm1(-d);

		S = y < 0.5 ? log1p(-y) : log(bq->pstar + bq->qstar * exp(-d));
		psi = -q->B * d - (q->a + q->B) * S;
	}

	(void) extras;
	*d1 = q->a * pq - q->B * p;
	*d2 = -(q->a + q->B) * p * pq;
	if (bq->with_g)
	{
		/* ln g = ln N - ln p, N = 1 - (1 + p tau)^-rho */
		double		lnp = v < 0 ? v - log1p(exp(v)) : -log1p(exp(-v));
		double		u = exp(lnp + q->ln_tau);	/* p tau */

		if ((q->rho + 1) * u < 1e-17)
		{
			/* g = rho tau (1 - (rho+1) u / 2 + ...): its limit */
			psi += log(q->rho) + q->ln_tau;
			*d1 -= 0.5 * (q->rho + 1) * u * pq;
		}
		else
		{
			/*
			 * With L = ln(1+u), N = 1 - e^(-rho L), A = u N'(u) / N =
			 * rho (u/(1+u)) e^(-rho L) / N: d ln g / dv = (A - 1) q and
			 * d2 ln g / dv2 = q^2 (A - A^2 - (rho+1) (u/(1+u)) A) - (A - 1) p q,
			 * all without tau^2 or 1/N, which overflow at the extremes.
			 */
			double		L = log1p(u);
			double		rl = q->rho * L;
			double		lnN = rl < 1e-10 ? log(q->rho) + log(L) + log1p(-0.5 * rl) : log(-expm1(-rl));
			double		su = u / (1 + u);
			double		A = exp(log(q->rho) + log(su) - rl - lnN);

			psi += lnN - lnp;
			*d1 += (A - 1) * pq;
			*d2 += pq * pq * (A - A * A - (q->rho + 1) * su * A) - (A - 1) * p * pq;
		}
	}
	return psi;
}

/*
 * 4. the integral over p: integral(g f) / integral(f), each with panels of
 * its own (where a, B < 1 the two have their mass in different places).
 */
static bool
expect_quadrature(const BgExpect *q, double *result)
{
	BgQuad		bf,
				bg;
	CprofQuad	nf,
				ng;
	/* the panels agree to what the rounding of psi, about 1e-16 (a+B), allows */
	double		tol = 1e-14 + 2e-15 * (q->a + q->B);

	bf.q = q;
	bf.with_g = false;
	bf.vstar = log(q->a) - log(q->B);
	bf.pstar = 1 / (1 + q->B / q->a);
	bf.qstar = 1 / (1 + q->a / q->B);
	bg = bf;
	bg.with_g = true;
	cprof_quad_logconcave(bg_quad_psi, &bf, 0, -INFINITY, INFINITY, 4.0, tol, &nf);
	cprof_quad_logconcave(bg_quad_psi, &bg, 0, -INFINITY, INFINITY, 4.0, tol, &ng);
	if (!nf.ok || !ng.ok || !(nf.sum > 0) || !(ng.sum > 0))
		return false;
	*result = exp(ng.ref - nf.ref) * ng.sum / nf.sum;
	return isfinite(*result);
}

/*
 * E_p[g]: the expected purchases in the next t units of a client alive at
 * T with frequency x (file header); series holds Euler's series of this
 * history, shared by the horizons of one call.
 */
static double
bgnbd_expected_if_alive(const CprofBgnbd *m, BgSeries *series, double t,
						double x, double T)
{
	BgExpect	q;
	double		result;

	q.series = series;
	q.A = (m->a - 1) + (m->b - m->r);
	q.rho = m->r + x;
	q.a = m->a;
	q.B = m->b + x;
	q.tau = t / (m->alpha + T);
	q.z = t / (m->alpha + T + t);
	q.lny = isfinite(q.tau) ? -log1p(q.tau) : log(m->alpha + T) - log(m->alpha + T + t);

	/* 1. p is almost surely 0: E[p] = a / (a+B) */
	if ((q.rho + 1) * q.tau / (1 + q.B / q.a) <= 2e-16)
		return q.rho * q.tau;

	/*
	 * ... or almost surely 1: |d ln g / dp| <= (rho+1) / p, so on p >= 1/2
	 * g is within 2 (rho+1) (1-p) of g(1), and below it g <= rho tau holds
	 * P(p < 1/2) <= 2 E[1-p].  (g1 is needed only when the first part of
	 * the bound holds.)
	 */
	{
		double		e1p = 1 / (1 + q.a / q.B);	/* E[1-p] */

		if (2 * e1p * (q.rho + 1) <= 1e-16)
		{
			double		g1 = -expm1(q.rho * q.lny);

			if (2 * e1p * ((q.rho + 1) + q.rho * q.tau / g1) <= 1e-16)
				return g1;
		}
	}

	/*
	 * ... or concentrated at its mean pbar (a and b large): E_p[g] =
	 * g(pbar) + O(g'' Var(p)), and |g''| <= (rho+1)(rho+2) g / p^2.
	 */
	{
		double		pbar = 1 / (1 + q.B / q.a),
					qbar = 1 / (1 + q.a / q.B),
					var = pbar * qbar / (q.a + q.B + 1),
					pmin = Min(pbar, qbar);

		if ((q.rho + 2) * (q.rho + 2) * var <= 1e-17 * pmin * pmin)
		{
			q.ln_tau = log(t) - log(m->alpha + T);
			return -expm1(-q.rho * log1p(exp(log(pbar) + q.ln_tau))) / pbar;
		}
	}
	if (expect_euler(&q, &result) || expect_series(&q, &result))
		return result;
	q.ln_tau = log(t) - log(m->alpha + T);
	if (expect_quadrature(&q, &result))
		return result;
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("expected purchases over t = %g cannot be computed for this model",
					t),
			 errdetail("r = %g, alpha = %g, a = %g, b = %g, frequency %g, age %g.",
					   m->r, m->alpha, m->a, m->b, x, T)));
	return 0.0;					/* keep the compiler quiet */
}

/*
 * The expected purchases in the next t[i] units, i < n, of a client with a
 * checked history (x, t_x, T) and checked horizons; x = t_x = T = 0 gives
 * the new-client expectation.  What depends on the history alone
 * (P(alive), the coefficients of Euler's series) is computed once for all
 * the horizons.  Exported for clv().
 */
void
cprof_bgnbd_expected(const CprofBgnbd *m, int n, const double *t,
					 double x, double tx, double T, double *out)
{
	BgSeries	series;
	double		p_alive = bgnbd_p_alive_value(m, x, tx, T);
	int			i;

	series.n = -1;
	for (i = 0; i < n; i++)
	{
		if (t[i] == 0)
		{
			out[i] = 0.0;
			continue;
		}
		out[i] = bgnbd_expected_if_alive(m, &series, t[i], x, T) * p_alive;
		if (!isfinite(out[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("expected purchases over t = %g are out of the range of double precision", t[i]),
					 errhint("The horizon is too long for the model's time unit; use a shorter t.")));
	}
}

/* bgnbd_p_alive(model, frequency, recency, age) */
PG_FUNCTION_INFO_V1(bgnbd_p_alive);
Datum
bgnbd_p_alive(PG_FUNCTION_ARGS)
{
	CprofBgnbd	m;
	double		x = PG_GETARG_FLOAT8(1);
	double		tx = PG_GETARG_FLOAT8(2);
	double		T = PG_GETARG_FLOAT8(3);

	cprof_check_history(x, tx, T);
	cprof_bgnbd_params(fcinfo, 0, &m);
	PG_RETURN_FLOAT8(bgnbd_p_alive_value(&m, x, tx, T));
}

/* bgnbd_expected_purchases(model, t, frequency, recency, age) */
PG_FUNCTION_INFO_V1(bgnbd_expected_purchases);
Datum
bgnbd_expected_purchases(PG_FUNCTION_ARGS)
{
	CprofBgnbd	m;
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
	cprof_bgnbd_params(fcinfo, 0, &m);
	cprof_bgnbd_expected(&m, 1, &t, x, tx, T, &result);
	PG_RETURN_FLOAT8(result);
}
