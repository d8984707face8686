/*
 * src/fit.c: the one fit driver of the probabilistic CLV models.  No SQL
 * objects: the final functions of bgnbd_fit, pareto_nbd_fit and
 * gamma_gamma_fit each describe their model in a CprofFitModel (fit.h) and
 * call cprof_fit_final.
 *
 * A fit maximizes the log-likelihood over the log-parameters theta (so
 * every parameter stays positive); the objective is minus the mean
 * log-likelihood per client, so that tolerances do not depend on the
 * number of clients.  The driver:
 *   1. reads the state's histories sorted and distinct (history.c; the
 *      state is never modified), of the model's form, and checks that
 *      every entry obeys the model's rule;
 *   2. runs Nelder-Mead from the model's start on a deterministic sample of
 *      at most model->nm_sample distinct histories (every k-th of the
 *      sorted histories), which only has to find the basin;
 *   3. runs damped Newton steps with the model's analytic gradient and a
 *      Hessian from central differences of it.  When there are more than
 *      HESS_SAMPLE distinct histories, Newton first converges on a sample
 *      of HESS_SAMPLE of them, then continues on all of them with the
 *      sample's Hessian (a close approximation: the mean Hessian of a
 *      sample of that size is within about 1% of the whole, so each step
 *      still gains about two digits) - so a step on a million histories
 *      costs one or two evaluations of the likelihood, not ten;
 *   4. stops when every component of the gradient is below FIT_GTOL (or
 *      no step lowers the objective and the decrease Newton predicts is at
 *      its rounding level), or when an evaluation budget is spent;
 *   5. diagnoses the end: a fit is converged only if Newton got there, no
 *      parameter is at the edge of its range (|theta| near THETA_MAX), and
 *      the likelihood does not keep rising toward one of the model's limits
 *      (CprofFitLimit: for example a and b growing together, where the
 *      BG/NBD model tends to one dropout probability for every client);
 *      otherwise the result says converged = false and a WARNING names the
 *      model, what went wrong and what it means for the data.
 * Every phase has a fixed cap on its iterations and evaluations, and the
 * objectives cost a bounded amount per distinct history, so a fit ends in
 * time proportional to the number of distinct histories, converged or not.
 * Everything is deterministic and sums in sorted order, so a fit gives the
 * same result, bit for bit, for any split of its rows.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "fit.h"

/* Newton stops when every gradient component is below this. */
#define FIT_GTOL 1e-10
/* ... or when no step lowers f and the predicted decrease is below this, relative. */
#define FIT_DECTOL 1e-12
/* |log-parameter| bound: beyond it the objective is +Infinity. */
#define THETA_MAX 30.0
/* Start values are clamped to this. */
#define THETA_START_MAX 20.0
/* Nelder-Mead evaluations. */
#define NM_MAXEVAL 2000
/* Newton's Hessian comes from at most this many distinct histories. */
#define HESS_SAMPLE 20000
/* Newton on one data set: iterations, evaluations of the objective. */
#define NEWTON_ITER 100
#define NEWTON_EVALS 400
/* Newton on the Hessian sample before all the histories. */
#define SAMPLE_EVALS 150
/* Newton on all histories with the sample's Hessian. */
#define FULL_ITER 10
#define FULL_EVALS 12
/* Step along a limit direction when testing whether the fit ends there. */
#define LIMIT_STEP 3.0
/* Following a limit stops this far inside the range. */
#define LIMIT_ROOM 4.0

/* The data of one objective: all the histories or a sample of them. */
typedef struct FitData
{
	void	   *data;			/* what the model's make_data built */
	int64		n;				/* distinct histories in it */
} FitData;

typedef struct FitRun
{
	const CprofFitModel *model;
	int			np;				/* model->nparams */
} FitRun;

/* How Newton ended. */
typedef enum NewtonEnd
{
	NEWTON_CONVERGED,			/* gradient below FIT_GTOL */
	NEWTON_BUDGET,				/* iterations or evaluations spent */
	NEWTON_STALLED				/* no step lowers the objective */
} NewtonEnd;

/* The objective, +Infinity outside |theta| <= THETA_MAX or where NaN. */
static double
fit_eval(const FitRun *run, const FitData *d, const double *theta, double *grad)
{
	double		f;
	int			j;

	for (j = 0; j < run->np; j++)
		if (!(fabs(theta[j]) <= THETA_MAX))
			return INFINITY;
	f = run->model->objective(theta, grad, d->data);
	if (isnan(f))
		return INFINITY;
	if (grad && isfinite(f))
		for (j = 0; j < run->np; j++)
			if (!isfinite(grad[j]))
				return INFINITY;
	return f;
}

/*
 * Nelder-Mead minimization from theta with initial steps 'step' along each
 * axis (the standard coefficients: reflection 1, expansion 2, contraction
 * 1/2, shrink 1/2).  Stops after maxeval evaluations, or when the simplex's
 * values agree to ftol relative and its vertices to xtol.  Returns the best
 * point in theta.
 */
static void
nelder_mead(const FitRun *run, const FitData *d, double *theta, double step,
			int maxeval, double ftol, double xtol)
{
	int			n = run->np;
	double		p[CPROF_FIT_MAX_PARAMS + 1][CPROF_FIT_MAX_PARAMS];
	double		f[CPROF_FIT_MAX_PARAMS + 1];
	double		centroid[CPROF_FIT_MAX_PARAMS],
				xr[CPROF_FIT_MAX_PARAMS],
				xe[CPROF_FIT_MAX_PARAMS];
	int			evals = 0;
	int			i,
				j;

#define NM_EVAL(pt) (evals++, fit_eval(run, d, pt, NULL))

	for (i = 0; i <= n; i++)
	{
		for (j = 0; j < n; j++)
			p[i][j] = theta[j] + (i == j + 1 ? step : 0.0);
		f[i] = NM_EVAL(p[i]);
	}
	while (evals < maxeval)
	{
		int			best = 0,
					worst = 0,
					second = 0;
		double		fr,
					size = 0.0;

		CHECK_FOR_INTERRUPTS();
		for (i = 1; i <= n; i++)
		{
			if (f[i] < f[best])
				best = i;
			if (f[i] > f[worst])
				worst = i;
		}
		second = best;
		for (i = 0; i <= n; i++)
			if (i != worst && f[i] > f[second])
				second = i;
		for (i = 0; i <= n; i++)
			for (j = 0; j < n; j++)
				size = Max(size, fabs(p[i][j] - p[best][j]));
		if (fabs(f[worst] - f[best]) <= ftol * (fabs(f[best]) + 1e-300) && size <= xtol)
			break;

		for (j = 0; j < n; j++)
		{
			centroid[j] = 0.0;
			for (i = 0; i <= n; i++)
				if (i != worst)
					centroid[j] += p[i][j];
			centroid[j] /= n;
			xr[j] = centroid[j] + (centroid[j] - p[worst][j]);
		}
		fr = NM_EVAL(xr);
		if (fr < f[best])
		{
			double		fe;

			for (j = 0; j < n; j++)
				xe[j] = centroid[j] + 2.0 * (centroid[j] - p[worst][j]);
			fe = NM_EVAL(xe);
			if (fe < fr)
			{
				memcpy(p[worst], xe, n * sizeof(double));
				f[worst] = fe;
			}
			else
			{
				memcpy(p[worst], xr, n * sizeof(double));
				f[worst] = fr;
			}
		}
		else if (fr < f[second])
		{
			memcpy(p[worst], xr, n * sizeof(double));
			f[worst] = fr;
		}
		else
		{
			double		fc;
			bool		outside = fr < f[worst];

			/* contraction, outside or inside */
			for (j = 0; j < n; j++)
				xe[j] = centroid[j] + (outside ? 0.5 : -0.5) * (centroid[j] - p[worst][j]);
			fc = NM_EVAL(xe);
			if (fc < (outside ? fr : f[worst]))
			{
				memcpy(p[worst], xe, n * sizeof(double));
				f[worst] = fc;
			}
			else
			{
				/* shrink toward the best vertex */
				for (i = 0; i <= n; i++)
				{
					if (i == best)
						continue;
					for (j = 0; j < n; j++)
						p[i][j] = p[best][j] + 0.5 * (p[i][j] - p[best][j]);
					f[i] = NM_EVAL(p[i]);
				}
			}
		}
	}
#undef NM_EVAL
	j = 0;
	for (i = 1; i <= n; i++)
		if (f[i] < f[j])
			j = i;
	memcpy(theta, p[j], n * sizeof(double));
}

/*
 * Solve the n x n symmetric system H d = -g by Cholesky factorization;
 * returns false when H is not positive definite.
 */
static bool
cholesky_solve(int n, double H[CPROF_FIT_MAX_PARAMS][CPROF_FIT_MAX_PARAMS],
			   const double *g, double *d)
{
	double		L[CPROF_FIT_MAX_PARAMS][CPROF_FIT_MAX_PARAMS] = {{0}};
	double		y[CPROF_FIT_MAX_PARAMS];
	int			i,
				j,
				k;

	for (i = 0; i < n; i++)
		for (j = 0; j <= i; j++)
		{
			double		s = H[i][j];

			for (k = 0; k < j; k++)
				s -= L[i][k] * L[j][k];
			if (i == j)
			{
				if (!(s > 0))
					return false;
				L[i][i] = sqrt(s);
			}
			else
				L[i][j] = s / L[j][j];
		}
	for (i = 0; i < n; i++)
	{
		double		s = -g[i];

		for (k = 0; k < i; k++)
			s -= L[i][k] * y[k];
		y[i] = s / L[i][i];
	}
	for (i = n - 1; i >= 0; i--)
	{
		double		s = y[i];

		for (k = i + 1; k < n; k++)
			s -= L[k][i] * d[k];
		d[i] = s / L[i][i];
	}
	return true;
}

/*
 * BFGS update of the Hessian approximation H after the step x0 -> x1 with
 * gradients g0 -> g1 (skipped unless the curvature along it is positive).
 */
static void
bfgs_update(int n, double H[CPROF_FIT_MAX_PARAMS][CPROF_FIT_MAX_PARAMS],
			const double *x0, const double *x1, const double *g0, const double *g1)
{
	double		sv[CPROF_FIT_MAX_PARAMS],
				yv[CPROF_FIT_MAX_PARAMS],
				Hs[CPROF_FIT_MAX_PARAMS];
	double		sy = 0.0,
				sHs = 0.0;
	int			i,
				j;

	for (i = 0; i < n; i++)
	{
		sv[i] = x1[i] - x0[i];
		yv[i] = g1[i] - g0[i];
		sy += sv[i] * yv[i];
	}
	for (i = 0; i < n; i++)
	{
		Hs[i] = 0.0;
		for (j = 0; j < n; j++)
			Hs[i] += H[i][j] * sv[j];
		sHs += sv[i] * Hs[i];
	}
	if (!(sy > 0) || !(sHs > 0))
		return;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			H[i][j] += yv[i] * yv[j] / sy - Hs[i] * Hs[j] / sHs;
}

static double
grad_max(int n, const double *g)
{
	double		m = 0.0;
	int			i;

	for (i = 0; i < n; i++)
		m = Max(m, fabs(g[i]));
	return m;
}

/*
 * Damped Newton minimization on d from theta, with the Hessian taken by
 * central differences of the analytic gradient on hd (d itself, or a
 * sample of it), made positive definite by a Levenberg shift when needed;
 * each step is halved until the value decreases.  With fixed_hessian the
 * Hessian is taken once, in the first iteration (a sample's Hessian near
 * the optimum, for steps on all the histories), and then refined by BFGS
 * updates from the gradients on d.  At most maxiter
 * iterations and maxevals evaluations on d.  theta is updated in place and
 * *fx receives the value there.
 */
static NewtonEnd
newton(const FitRun *run, const FitData *d, const FitData *hd, bool fixed_hessian,
	   double *theta, double *fx, int maxiter, int maxevals)
{
	int			n = run->np;
	double		g[CPROF_FIT_MAX_PARAMS],
				gp[CPROF_FIT_MAX_PARAMS],
				gm[CPROF_FIT_MAX_PARAMS],
				dir[CPROF_FIT_MAX_PARAMS],
				xt[CPROF_FIT_MAX_PARAMS];
	double		H[CPROF_FIT_MAX_PARAMS][CPROF_FIT_MAX_PARAMS];
	double		f;
	int			iter,
				evals = 1,
				i,
				j;

	f = fit_eval(run, d, theta, g);
	*fx = f;
	if (!isfinite(f))
		return NEWTON_STALLED;
	for (iter = 0; iter < maxiter && evals < maxevals; iter++)
	{
		double		lambda = 0.0,
					t;
		bool		moved = false;

		CHECK_FOR_INTERRUPTS();
		if (grad_max(n, g) <= FIT_GTOL)
			return NEWTON_CONVERGED;

		/* Hessian by central differences of the analytic gradient */
		for (j = 0; j < n && !(fixed_hessian && iter > 0); j++)
		{
			double		h = 1e-5 * Max(1.0, fabs(theta[j]));

			memcpy(xt, theta, n * sizeof(double));
			xt[j] = theta[j] + h;
			(void) fit_eval(run, hd, xt, gp);
			xt[j] = theta[j] - h;
			(void) fit_eval(run, hd, xt, gm);
			for (i = 0; i < n; i++)
				H[i][j] = (gp[i] - gm[i]) / (2 * h);
			if (hd == d)
				evals += 2;
		}
		if (!(fixed_hessian && iter > 0))
			for (i = 0; i < n; i++)
				for (j = 0; j < i; j++)
					H[i][j] = H[j][i] = 0.5 * (H[i][j] + H[j][i]);

		/* Levenberg shift until the system is positive definite */
		for (;;)
		{
			double		Hs[CPROF_FIT_MAX_PARAMS][CPROF_FIT_MAX_PARAMS];

			memcpy(Hs, H, sizeof(H));
			for (i = 0; i < n; i++)
				Hs[i][i] += lambda;
			if (cholesky_solve(n, Hs, g, dir))
				break;
			lambda = lambda == 0.0 ? 1e-6 * (1.0 + fabs(H[0][0])) : lambda * 10;
			if (!(lambda <= 1e12))
				return NEWTON_STALLED;
		}

		/* backtracking: halve the step until the value decreases */
		for (t = 1.0; t > 1e-10 && evals < maxevals; t *= 0.5)
		{
			double		ft,
						gt[CPROF_FIT_MAX_PARAMS];

			for (i = 0; i < n; i++)
				xt[i] = theta[i] + t * dir[i];
			ft = fit_eval(run, d, xt, gt);
			evals++;
			if (isfinite(ft) && ft <= f)
			{
				moved = ft < f || t == 1.0;
				if (fixed_hessian)
					bfgs_update(n, H, theta, xt, g, gt);
				memcpy(theta, xt, n * sizeof(double));
				memcpy(g, gt, n * sizeof(double));
				f = ft;
				*fx = f;
				break;
			}
		}
		if (!moved)
		{
			/*
			 * No decrease possible: converged if the gradient is at its
			 * noise level, or if the decrease the Newton step predicts,
			 * -g.dir, is at the rounding level of f (the gradient of a
			 * stiff objective cannot get below about sqrt(eps f H)).
			 */
			double		dec = 0.0;

			for (i = 0; i < n; i++)
				dec -= g[i] * dir[i];
			return grad_max(n, g) <= 1e3 * FIT_GTOL ||
				(dec >= 0 && dec <= FIT_DECTOL * (1.0 + fabs(f))) ?
				NEWTON_CONVERGED : NEWTON_STALLED;
		}
	}
	if (grad_max(n, g) <= FIT_GTOL)
		return NEWTON_CONVERGED;
	return NEWTON_BUDGET;
}

/* Every k-th of e[0 .. n), at most m of them, in the current context. */
static FitData
fit_sample(const FitRun *run, const CprofHistEntry *e, int64 n, int64 m)
{
	int64		stride = (n + m - 1) / m;
	int64		k = 0,
				i;
	CprofHistEntry *s = palloc(((n + stride - 1) / stride) * sizeof(CprofHistEntry));
	FitData		d;

	for (i = 0; i < n; i += stride)
		s[k++] = e[i];
	d.data = run->model->make_data(s, k);
	d.n = k;
	return d;
}

/*
 * How far theta may move along a limit direction and stay LIMIT_ROOM
 * inside the range.
 */
static double
limit_room(const FitRun *run, const CprofFitLimit *l, const double *theta)
{
	double		room = INFINITY;
	int			k;

	for (k = 0; k < run->np; k++)
		if (l->dir[k] != 0)
			room = Min(room, (THETA_MAX - LIMIT_ROOM - l->dir[k] * theta[k]) / fabs(l->dir[k]));
	return room;
}

/*
 * After Nelder-Mead: where the likelihood keeps rising along one of the
 * model's limits, go most of the way there at once (doubling steps while
 * they improve), instead of letting Newton crawl toward it about one unit
 * of log-parameter per iteration (its curvature vanishes as fast as its
 * slope there).
 */
static void
follow_limits(const FitRun *run, const FitData *d, double *theta)
{
	double		f0 = fit_eval(run, d, theta, NULL);
	int			j,
				k;

	for (j = 0; j < run->model->nlimits && isfinite(f0); j++)
	{
		const CprofFitLimit *l = &run->model->limits[j];
		double		step = LIMIT_STEP;

		while (step <= limit_room(run, l, theta))
		{
			double		moved[CPROF_FIT_MAX_PARAMS],
						f1;

			for (k = 0; k < run->np; k++)
				moved[k] = theta[k] + step * l->dir[k];
			f1 = fit_eval(run, d, moved, NULL);
			if (!(f1 < f0))
				break;
			memcpy(theta, moved, run->np * sizeof(double));
			f0 = f1;
			step *= 2;
		}
	}
}

/* "r = 0.24, alpha = 4.4, ..." */
static char *
describe_params(const CprofFitModel *model, const double *params)
{
	StringInfoData buf;
	int			j;

	initStringInfo(&buf);
	for (j = 0; j < model->nparams; j++)
		appendStringInfo(&buf, "%s%s = %.6g", j ? ", " : "", model->param_names[j], params[j]);
	return buf.data;
}

Datum
cprof_fit_final(FunctionCallInfo fcinfo, const CprofFitModel *model)
{
	CprofHistories hist,
			   *h = &hist;
	FitRun		run;
	FitData		full,
				hess;
	TupleDesc	tupdesc;
	Datum		values[CPROF_FIT_MAX_PARAMS + 3];
	bool		nulls[CPROF_FIT_MAX_PARAMS + 3] = {0};
	double		theta[CPROF_FIT_MAX_PARAMS],
				params[CPROF_FIT_MAX_PARAMS];
	double		f;
	NewtonEnd	end;
	StringInfoData limit_what,
				limit_hint;
	bool		at_limit = false;
	bool		limit_found[CPROF_FIT_MAX_LIMITS] = {0};
	bool		explained[CPROF_FIT_MAX_PARAMS] = {0};
	int			wall = -1;
	bool		converged;
	int64		i;
	int			j;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	/* sorted and distinct; a state of another fit is rejected here */
	cprof_hist_arg(fcinfo, 0, model->form, h);
	if (h->clients == 0)
		PG_RETURN_NULL();
	Assert(model->nparams <= CPROF_FIT_MAX_PARAMS);
	Assert(model->nlimits <= CPROF_FIT_MAX_LIMITS);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	/* every way into a state checks its entries; a last line of defence */
	for (i = 0; i < h->n; i++)
		if (!model->valid(&h->e[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid cprof aggregate state"),
					 errdetail("The state handed to the final function of %s holds a history %s does not accept.",
							   model->name, model->name)));

	run.model = model;
	run.np = model->nparams;

	model->start(h->e, h->n, h->clients, theta);
	for (j = 0; j < run.np; j++)
		theta[j] = isfinite(theta[j]) ?
			Max(Min(theta[j], THETA_START_MAX), -THETA_START_MAX) : 0.0;

	full.data = model->make_data(h->e, h->n);
	full.n = h->n;

	/* 2. Nelder-Mead finds the basin */
	if (h->n > model->nm_sample)
	{
		FitData		nm = fit_sample(&run, h->e, h->n, model->nm_sample);

		nelder_mead(&run, &nm, theta, 1.0, NM_MAXEVAL, 1e-10, 1e-5);
		follow_limits(&run, &nm, theta);
	}
	else
	{
		nelder_mead(&run, &full, theta, 1.0, NM_MAXEVAL, 1e-12, 1e-6);
		follow_limits(&run, &full, theta);
	}

	/* 3, 4. Newton, on a sample first when the histories are many */
	if (h->n > HESS_SAMPLE)
	{
		hess = fit_sample(&run, h->e, h->n, HESS_SAMPLE);
		(void) newton(&run, &hess, &hess, false, theta, &f, NEWTON_ITER, SAMPLE_EVALS);
		end = newton(&run, &full, &hess, true, theta, &f, FULL_ITER, FULL_EVALS);
	}
	else
	{
		hess = full;
		end = newton(&run, &full, &full, false, theta, &f, NEWTON_ITER, NEWTON_EVALS);
	}

	/* 5. where did it end? */
	for (j = 0; j < run.np; j++)
		params[j] = exp(theta[j]);
	if (isfinite(f))
	{
		double		f0 = fit_eval(&run, &hess, theta, NULL);

		/*
		 * A limit the fit ends at: the likelihood does not fall when theta
		 * moves LIMIT_STEP toward it (evaluated past THETA_MAX if need be:
		 * the range only bounds the search).
		 */
		initStringInfo(&limit_what);
		initStringInfo(&limit_hint);
		for (j = 0; j < model->nlimits; j++)
		{
			const CprofFitLimit *l = &model->limits[j];
			double		moved[CPROF_FIT_MAX_PARAMS],
						fm;
			int			k;

			for (k = 0; k < run.np; k++)
				moved[k] = theta[k] + LIMIT_STEP * l->dir[k];
			fm = model->objective(moved, NULL, hess.data);
			if (!(fm <= f0 + 1e-9 * (1.0 + fabs(f0))))
				continue;

			/*
			 * A limit whose every parameter an earlier one (the more
			 * specific, listed first) already moves is that limit seen
			 * from another side: b growing with a at 0 is no dropout,
			 * not one dropout probability for all
			 */
			for (k = 0; k < run.np; k++)
				if (l->dir[k] != 0 && !explained[k])
					break;
			if (k == run.np)
				continue;
			/* report each limit, and each meaning once */
			appendStringInfo(&limit_what, "%s%s",
							 at_limit ? ", and as " : "the likelihood keeps rising as ", l->what);
			for (k = 0; k < j; k++)
				if (model->limits[k].hint == l->hint && limit_found[k])
					break;
			if (k == j)
				appendStringInfo(&limit_hint, "%s%s", at_limit ? " " : "", l->hint(params));
			limit_found[j] = true;
			at_limit = true;
			for (k = 0; k < run.np; k++)
				if (l->dir[k] != 0)
					explained[k] = true;
		}
	}
	/* a parameter at the edge of its range that no limit explains */
	for (j = 0; j < run.np; j++)
		if (wall < 0 && !explained[j] && fabs(theta[j]) > THETA_MAX - 1.0)
			wall = j;
	converged = end == NEWTON_CONVERGED && !at_limit && wall < 0 && isfinite(f);
	if (!converged)
	{
		const char *what;
		char	   *hint;

		if (at_limit && wall >= 0)
		{
			what = psprintf("%s; %s reached the edge of its range",
							limit_what.data, model->param_names[wall]);
			hint = limit_hint.data;
		}
		else if (at_limit)
		{
			what = limit_what.data;
			hint = limit_hint.data;
		}
		else if (wall >= 0)
		{
			what = psprintf("%s reached the edge of its range", model->param_names[wall]);
			hint = psprintf("The likelihood is highest at %s = %s, where cprof stops searching (1e-13 to 1e13): the data do not determine it.",
							model->param_names[wall], theta[wall] > 0 ? "infinity" : "0");
		}
		else if (end == NEWTON_STALLED || !isfinite(f))
		{
			what = "the likelihood is flat: no step improves it, though its gradient is not zero";
			hint = "The data do not determine every parameter: these values are one of many that fit about equally well.";
		}
		else
		{
			what = "the iteration limit was reached";
			hint = "The parameters are the best found; the data may fit the model poorly. Check that frequency, recency and age are rfm()'s output in one time unit.";
		}
		ereport(WARNING,
				(errmsg("%s did not converge: %s", model->name, what),
				 errdetail("It stopped at %s, with log-likelihood %.10g; the result has converged = false.",
						   describe_params(model, params), -f * (double) h->clients),
				 errhint("%s", hint)));
	}

	for (j = 0; j < run.np; j++)
		values[j] = Float8GetDatum(params[j]);
	values[run.np] = Float8GetDatum(-f * (double) h->clients);
	values[run.np + 1] = Int64GetDatum(h->clients);
	values[run.np + 2] = BoolGetDatum(converged);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}
