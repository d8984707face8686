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
 *   cprof_pareto_nbd_fit_{trans,combine,serialize,deserialize,final}
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
 * Aggregate state and fit: as bgnbd_fit (history.c, special.c).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "cprof.h"

#define FIT_NM_SAMPLE 2000
#define FIT_GTOL 1e-10

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

PG_FUNCTION_INFO_V1(cprof_pareto_nbd_fit_trans);
Datum
cprof_pareto_nbd_fit_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_pareto_nbd_fit_trans");
	CprofHistState *st = PG_ARGISNULL(0) ? NULL : (CprofHistState *) PG_GETARG_POINTER(0);
	double		x,
				tx,
				T;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	x = PG_GETARG_FLOAT8(1);
	tx = PG_GETARG_FLOAT8(2);
	T = PG_GETARG_FLOAT8(3);
	cprof_check_history(x, tx, T);
	if (st == NULL)
		st = cprof_hist_new(aggcxt, 1024);
	cprof_hist_add(st, x, tx, T, 1);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_pareto_nbd_fit_combine);
Datum
cprof_pareto_nbd_fit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_pareto_nbd_fit_combine");
	CprofHistState *s1 = PG_ARGISNULL(0) ? NULL : (CprofHistState *) PG_GETARG_POINTER(0);
	CprofHistState *s2 = PG_ARGISNULL(1) ? NULL : (CprofHistState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	PG_RETURN_POINTER(cprof_hist_combine(s1, s2, aggcxt));
}

PG_FUNCTION_INFO_V1(cprof_pareto_nbd_fit_serialize);
Datum
cprof_pareto_nbd_fit_serialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(cprof_hist_serialize((CprofHistState *) PG_GETARG_POINTER(0)));
}

PG_FUNCTION_INFO_V1(cprof_pareto_nbd_fit_deserialize);
Datum
cprof_pareto_nbd_fit_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_pareto_nbd_fit_deserialize");
	CprofHistState *st = cprof_hist_deserialize(PG_GETARG_BYTEA_PP(0), aggcxt, "pareto_nbd_fit");
	int64		i;

	for (i = 0; i < st->n; i++)
		if (!(st->e[i].x >= 0 && st->e[i].y >= 0 && st->e[i].y <= st->e[i].z))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid cprof aggregate state"),
					 errdetail("The serialized pareto_nbd_fit state holds an invalid history.")));
	PG_RETURN_POINTER(st);
}

/* The data of one fit: histories in (x, t_x, T) order, runs of equal x. */
typedef struct PnbdData
{
	const CprofHistEntry *e;
	int64		n;
	int64		clients;
	int64		ngroups;
	int64	   *group;
} PnbdData;

static void
pnbd_data_init(PnbdData *d, const CprofHistEntry *e, int64 n)
{
	int64		i,
				g = 0;

	d->e = e;
	d->n = n;
	d->clients = 0;
	d->group = palloc((n + 1) * sizeof(int64));
	for (i = 0; i < n; i++)
	{
		if (i == 0 || e[i].x != e[i - 1].x)
			d->group[g++] = i;
		d->clients += e[i].count;
	}
	d->group[g] = n;
	d->ngroups = g;
}

/* Minus the mean log-likelihood over log(r, alpha, s, beta), and its gradient. */
static double
pnbd_objective(const double *theta, double *grad, void *arg)
{
	const PnbdData *d = arg;
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
		{
			double		t = ll + gll;

			if (fabs(ll) >= fabs(gll))
				ll_c += (ll - t) + gll;
			else
				ll_c += (gll - t) + ll;
			ll = t;
		}
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

enum
{
	P_R,
	P_ALPHA,
	P_S,
	P_BETA,
	P_LL,
	P_CLIENTS,
	P_CONVERGED,
	NUM_PNBD_FIELDS
};

PG_FUNCTION_INFO_V1(cprof_pareto_nbd_fit_final);
Datum
cprof_pareto_nbd_fit_final(PG_FUNCTION_ARGS)
{
	CprofHistState *st = PG_ARGISNULL(0) ? NULL : (CprofHistState *) PG_GETARG_POINTER(0);
	CprofHistState *copy;
	TupleDesc	tupdesc;
	Datum		values[NUM_PNBD_FIELDS];
	bool		nulls[NUM_PNBD_FIELDS] = {0};
	PnbdData	data;
	double		theta[4],
				f,
				sum_x = 0,
				sum_T = 0;
	bool		converged;
	int64		i;

	if (st == NULL || st->clients == 0)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "cprof_pareto_nbd_fit_final: return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	copy = cprof_hist_sorted_copy(st);
	pnbd_data_init(&data, copy->e, copy->n);

	/* start: r = s = 1, alpha from the mean purchase rate, beta = mean age */
	for (i = 0; i < copy->n; i++)
	{
		sum_x += copy->e[i].x * copy->e[i].count;
		sum_T += copy->e[i].z * copy->e[i].count;
	}
	theta[0] = 0.0;
	theta[1] = Max(Min(log(Max(sum_T, 1e-6) / Max(sum_x, 1.0)), 20.0), -20.0);
	theta[2] = 0.0;
	theta[3] = Max(Min(log(Max(sum_T / (double) data.clients, 1e-6)), 20.0), -20.0);

	if (copy->n > FIT_NM_SAMPLE)
	{
		int64		stride = (copy->n + FIT_NM_SAMPLE - 1) / FIT_NM_SAMPLE;
		int64		m = 0;
		CprofHistEntry *sample = palloc(((copy->n + stride - 1) / stride) * sizeof(CprofHistEntry));
		PnbdData	sdata;

		for (i = 0; i < copy->n; i += stride)
			sample[m++] = copy->e[i];
		pnbd_data_init(&sdata, sample, m);
		cprof_nelder_mead(pnbd_objective, &sdata, 4, theta, 1.0, 3000, 1e-10, 1e-5);
	}
	else
		cprof_nelder_mead(pnbd_objective, &data, 4, theta, 1.0, 3000, 1e-12, 1e-6);
	converged = cprof_newton(pnbd_objective, &data, 4, theta, &f, 100, FIT_GTOL);

	values[P_R] = Float8GetDatum(exp(theta[0]));
	values[P_ALPHA] = Float8GetDatum(exp(theta[1]));
	values[P_S] = Float8GetDatum(exp(theta[2]));
	values[P_BETA] = Float8GetDatum(exp(theta[3]));
	values[P_LL] = Float8GetDatum(-f * (double) data.clients);
	values[P_CLIENTS] = Int64GetDatum(data.clients);
	values[P_CONVERGED] = BoolGetDatum(converged);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

static double
pnbd_param(HeapTupleHeader tup, int attno, const char *name)
{
	bool		isnull;
	double		v = DatumGetFloat8(GetAttributeByNum(tup, attno, &isnull));

	if (isnull || !(v > 0) || !isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model parameter %s must be positive and finite, got %s",
						name, isnull ? "NULL" : psprintf("%g", v)),
				 errhint("Pass the result of pareto_nbd_fit().")));
	return v;
}

/* The parameters (r, alpha, s, beta) of a pareto_nbd value, checked. */
void
cprof_pareto_nbd_params(HeapTupleHeader model, double *params)
{
	params[0] = pnbd_param(model, 1, "r");
	params[1] = pnbd_param(model, 2, "alpha");
	params[2] = pnbd_param(model, 3, "s");
	params[3] = pnbd_param(model, 4, "beta");
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

static void
check_t(double t)
{
	if (!(t >= 0) || !isfinite(t))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("t must be finite and not negative, got %g", t),
				 errhint("Pass the horizon in the model's time unit, for example 39 for 39 weeks.")));
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
	check_t(t);
	cprof_check_history(x, tx, T);
	cprof_pareto_nbd_params(PG_GETARG_HEAPTUPLEHEADER(0), pm);
	PG_RETURN_FLOAT8(cprof_pareto_nbd_expected(pm, t, x, tx, T));
}
