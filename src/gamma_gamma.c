/*
 * src/gamma_gamma.c: the Gamma-Gamma model of spend per transaction
 * (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for
 * customer base analysis", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma
 * model of monetary value").
 *
 * SQL objects (sql/cprof--1.1.sql):
 *   type gamma_gamma (p, q, v, log_likelihood, clients, converged)
 *   gamma_gamma_fit(frequency, monetary)              aggregate -> gamma_gamma
 *   cprof_gamma_gamma_fit_{trans,final} (its state type
 *   cprof_history_state, form 'spend', and combine function
 *   cprof_history_combine are shared: history.c; the 1.0 definition's
 *   deserialize function cprof_gamma_gamma_fit_deserialize is here)
 *   gamma_gamma_expected_value(model, frequency, monetary)
 *
 * The model: the value of each transaction of a client is Gamma(p, nu);
 * nu varies across clients as Gamma(q, v).  A client with x repeat
 * transactions of mean value m contributes (the note's equation 3, with
 * the Jacobian of the mean)
 *   ln L = lnG(px+q) - lnG(px) - lnG(q) + q ln v + (px-1) ln m + px ln x
 *          - (px+q) ln(xm + v),
 * computed as
 *   ln L = ln[(px)_q] - lnG(q) - ln m + q ln xi - (px+q) ln(1 + xi),
 *   xi = v / (x m),
 * so that no two large terms cancel as p grows and v falls with p v fixed
 * (the limit where a client's transactions do not vary, in which m has an
 * inverse-gamma density) or as q and v grow together.
 * Only clients with x > 0 carry information: rows with frequency 0 are
 * skipped, as the model requires; those with x > 0 must have m > 0.
 * The terms that depend on x only (log-Pochhammer, digamma, ln x) are
 * computed once per distinct frequency and evaluation, ln m once per
 * history.
 *
 * Expected average transaction value (the note's equation 5):
 *   E(M | x, m) = (q - 1) / (px + q - 1) * (p v / (q - 1))
 *               + px / (px + q - 1) * m
 *               = p (v + x m) / (px + q - 1),
 * which for x = 0 is the population mean p v / (q - 1) (q > 1 needed);
 * computed as v p / (px + q - 1) + m px / (px + q - 1), so that large p
 * and v do not overflow a result that is representable.
 *
 * Aggregate state: cprof_history_state (history.c), the multiset of
 * (x, m, 0);
 * the fit is fit.c's driver over log(p, q, v), described in gg_model with
 * the limits it may run to.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "fit.h"

/* What is wrong with a client's spend (frequency x, monetary m), or NULL. */
static const char *
spend_problem(double x, double m)
{
	if (!isfinite(x) || !isfinite(m))
		return "every value must be finite";
	if (x < 0 || x != floor(x))
		return "frequency must be a whole number, 0 or more";
	if (x > 0 && !(m > 0))
		return "monetary must be positive when frequency is positive";
	if (m < 0)
		return "monetary must not be negative";
	return NULL;
}

static void
check_spend(double x, double m)
{
	const char *problem = spend_problem(x, m);

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid client spend (frequency %g, monetary %g): %s", x, m, problem),
				 errhint("Pass rfm()'s frequency and monetary; filter out clients whose repeat purchases are worth 0.")));
}

PG_FUNCTION_INFO_V1(cprof_gamma_gamma_fit_trans);
/*
 * Transition function of gamma_gamma_fit: adds one checked (frequency,
 * monetary, 0) to the state's 'spend' form (history.c); a row with a NULL,
 * or with frequency 0 (no repeat purchase: no information on spend), is
 * skipped.
 */
Datum
cprof_gamma_gamma_fit_trans(PG_FUNCTION_ARGS)
{
	CprofHistEntry e;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return cprof_hist_trans(fcinfo, CPROF_HIST_SPEND, NULL);
	e.x = PG_GETARG_FLOAT8(1);
	e.y = PG_GETARG_FLOAT8(2);
	e.z = 0.0;
	e.count = 1;
	check_spend(e.x, e.y);
	if (e.x == 0)
		return cprof_hist_trans(fcinfo, CPROF_HIST_SPEND, NULL);
	return cprof_hist_trans(fcinfo, CPROF_HIST_SPEND, &e);
}

/*
 * A state entry (frequency, monetary, 0) as the transition function admits
 * it: frequency 0 is skipped there.
 */
bool
cprof_spend_valid(const CprofHistEntry *e)
{
	return spend_problem(e->x, e->y) == NULL && e->x >= 1 && e->z == 0;
}

PG_FUNCTION_INFO_V1(cprof_gamma_gamma_fit_deserialize);
/* Deserialize function of the 1.0 gamma_gamma_fit (STYPE internal). */
Datum
cprof_gamma_gamma_fit_deserialize(PG_FUNCTION_ARGS)
{
	return cprof_hist_deserialize(fcinfo, CPROF_HIST_SPEND);
}

/* The data of one fit: histories in (x, m) order grouped by x, and ln m. */
typedef struct GgData
{
	CprofHistGroups g;			/* the histories */
	double	   *ln_m;			/* ln m of each entry */
} GgData;

/* The make_data of gg_model. */
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
	double		ln_v = theta[2],
				lg_q = lgamma(q);
	double		ll = 0.0,
				ll_c = 0.0,
				gp = 0.0,
				gq = 0.0,
				gv = 0.0;
	int64		g,
				i;

	for (g = 0; g < d->g.ngroups; g++)
	{
		const CprofHistEntry *e = d->g.e + d->g.group[g];
		const double *ln_m = d->ln_m + d->g.group[g];
		int64		ne = d->g.group[g + 1] - d->g.group[g];
		double		x = e[0].x;
		double		px = p * x;
		double		ln_x = log(x);
		double		A = cprof_lpoch(px, q) - lg_q;
		double		gll = 0.0,
					gdp = 0.0,
					gdq = 0.0,
					gdv = 0.0;
		int64		clients = 0;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < ne; i++)
		{
			double		n = (double) e[i].count;
			double		ln_xi = ln_v - ln_x - ln_m[i];
			double		xi = v / (x * e[i].y);
			double		l1xi = log1p(xi);

			gll += n * (-ln_m[i] + q * ln_xi - (px + q) * l1xi);
			clients += e[i].count;
			if (grad)
			{
				gdp += n * (-px * l1xi);
				gdq += n * q * (ln_xi - l1xi);
				gdv += n * (q - (px + q) * xi / (1 + xi));
			}
			if ((i & 4095) == 4095)
				CHECK_FOR_INTERRUPTS();
		}
		gll += (double) clients * A;
		if (grad)
		{
			/* d/dp of ln[(px)_q] = x (psi(px+q) - psi(px)); d/dq = psi(px+q) */
			gdp += (double) clients * px * cprof_dpoch(px, q);
			gdq += (double) clients * q * cprof_dpoch(q, px);
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

		grad[0] = scale * gp;
		grad[1] = scale * gq;
		grad[2] = scale * gv;
	}
	if (!isfinite(ll))
		return INFINITY;
	return -ll / (double) d->g.clients;
}

/* start: p = 1, q = 2, v = the mean spend (so that p v / (q-1) fits it) */
static void
gg_start(const CprofHistEntry *e, int64 n, int64 clients, double *theta)
{
	double		sum_m = 0;
	int64		i;

	for (i = 0; i < n; i++)
		sum_m += e[i].y * e[i].count;
	theta[0] = 0.0;
	theta[1] = log(2.0);
	theta[2] = log(Max(sum_m / (double) clients, 1e-12));
}

static char *
hint_no_spread_within(const double *p)
{
	return psprintf("The data show no variation between the transactions of a client: the model tends to its limit where each client's expected transaction value is its own mean spend (p v = %.6g).",
					p[0] * p[2]);
}

static char *
hint_no_spread_across(const double *p)
{
	return psprintf("The data show no variation in mean spend across clients: the model tends to its limit where every client's expected transaction value is the same, about p v / q = %.6g.",
					p[0] * p[2] / p[1]);
}

static const CprofFitLimit gg_limits[] = {
	{{1, 0, -1}, "p grows and v falls", hint_no_spread_within},
	{{0, 1, 1}, "q and v grow together", hint_no_spread_across},
};

static const CprofFitModel gg_model = {
	.name = "gamma_gamma_fit",
	.nparams = 3,
	.param_names = {"p", "q", "v"},
	.form = CPROF_HIST_SPEND,
	.valid = cprof_spend_valid,
	.start = gg_start,
	.make_data = gg_data_new,
	.objective = gg_objective,
	.nm_sample = 20000,
	.nlimits = lengthof(gg_limits),
	.limits = gg_limits,
};

PG_FUNCTION_INFO_V1(cprof_gamma_gamma_fit_final);
Datum
cprof_gamma_gamma_fit_final(PG_FUNCTION_ARGS)
{
	return cprof_fit_final(fcinfo, &gg_model);
}

/*
 * The parameters (p, q, v) of the gamma_gamma value in argument argno,
 * checked (cprof_model_params).  Exported for clv().
 */
void
cprof_gamma_gamma_params(FunctionCallInfo fcinfo, int argno, CprofGammaGamma *g)
{
	double		params[3];

	cprof_model_params(fcinfo, argno, gg_model.nparams, gg_model.param_names,
					   gg_model.name, params);
	g->p = params[0];
	g->q = params[1];
	g->v = params[2];
}

/*
 * E(M | x, m) = p (v + x m) / (px + q - 1).  Exported for clv().
 */
double
cprof_gamma_gamma_expected(const CprofGammaGamma *g, double x, double m)
{
	double		p = g->p,
				q = g->q,
				v = g->v;
	double		px = p * x,
				denom = px + (q - 1),
				result;

	check_spend(x, m);
	if (!(denom > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the expected value needs p * frequency + q > 1, got p = %g, q = %g, frequency %g",
						p, q, x),
				 errhint("With q <= 1 the population mean spend is infinite: the model does not fit the data.")));
	/* the weights of the population mean and of m, each at most 1 / (q-1) */
	if (x > 0)
		result = v / (x + (q - 1) / p) + m / (1 + (q - 1) / px);
	else
	{
		/* p v / (q-1): through logs when p / (q-1) alone would overflow */
		double		w = p / denom;

		result = isfinite(w) ? v * w : exp(log(v) + log(p) - log(denom));
	}
	if (!isfinite(result))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the expected value is out of the range of double precision"),
				 errdetail("p = %g, q = %g, v = %g, frequency %g, monetary %g.", p, q, v, x, m)));
	return result;
}

/* gamma_gamma_expected_value(model, frequency, monetary) */
PG_FUNCTION_INFO_V1(gamma_gamma_expected_value);
Datum
gamma_gamma_expected_value(PG_FUNCTION_ARGS)
{
	CprofGammaGamma g;

	cprof_gamma_gamma_params(fcinfo, 0, &g);
	PG_RETURN_FLOAT8(cprof_gamma_gamma_expected(&g, PG_GETARG_FLOAT8(1),
												PG_GETARG_FLOAT8(2)));
}
