/*
 * src/special.c: special functions and the optimizer shared by the
 * probabilistic CLV models (bgnbd.c, gamma_gamma.c, pareto_nbd.c).
 *
 * SQL objects (sql/cprof--1.0.sql):
 *   hyp2f1(a, b, c, z)   the Gauss hypergeometric function 2F1 for |z| < 1
 *
 * C helpers (cprof.h): cprof_digamma, cprof_hyp2f1_tail, cprof_hyp2f1,
 * cprof_nelder_mead, cprof_newton.
 *
 * 2F1 is summed from its power series (Abramowitz & Stegun 15.1.1), each
 * term from the previous one by the ratio (a+k)(b+k) z / ((c+k)(k+1)), with
 * a compensated sum.  When the terms do not change sign (a, b, c > 0 and
 * 0 <= z < 1: the case of the BG/NBD expectations after the Euler
 * transformation, see bgnbd.c) every operation has a relative error of a
 * few ulps, so the sum is accurate to about k * 1e-16 relative after k
 * terms; the loop stops when the terms can no longer change the sum, which
 * for z near 1 takes about 37 / -ln(z) terms.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "cprof.h"

/* Series longer than this are an error: z is too close to 1. */
#define HYP2F1_MAX_TERMS 10000000

/*
 * Digamma (psi) for x > 0: the recurrence psi(x) = psi(x + 1) - 1/x up to
 * x >= 8, then the asymptotic series (A&S 6.3.18), accurate to ~1e-15.
 */
double
cprof_digamma(double x)
{
	double		result = 0.0;
	double		inv,
				inv2;

	if (!(x > 0))
		return NAN;
	while (x < 8.0)
	{
		result -= 1.0 / x;
		x += 1.0;
	}
	inv = 1.0 / x;
	inv2 = inv * inv;
	result += log(x) - 0.5 * inv -
		inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))));
	return result;
}

/*
 * The tail of the 2F1 series divided by b:
 *     sum over k >= 1 of  (a)_k (b + 1)_(k-1) / ((c)_k k!) z^k
 * so that 2F1(a, b; c; z) = 1 + b * tail.  Dividing by b analytically
 * lets callers use b = 0 (or near 0) without a 0/0: bgnbd.c needs
 * (2F1 - 1) / (a - 1) near a = 1.  Returns NAN when |z| >= 1 or the series
 * does not converge in HYP2F1_MAX_TERMS terms.
 */
double
cprof_hyp2f1_tail(double a, double b, double c, double z)
{
	double		term,
				sum = 0.0,
				comp = 0.0;
	int			k;

	if (!(fabs(z) < 1.0))
		return NAN;
	if (z == 0.0 || a == 0.0)
		return 0.0;
	term = a * z / c;
	for (k = 1; k < HYP2F1_MAX_TERMS; k++)
	{
		double		t = sum + term;

		/* Neumaier's compensated sum */
		if (fabs(sum) >= fabs(term))
			comp += (sum - t) + term;
		else
			comp += (term - t) + sum;
		sum = t;
		if (!isfinite(sum))
			return NAN;
		/* next term: ratio (a+k)(b+k) z / ((c+k)(k+1)) */
		term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
		if (term == 0.0 ||
			(fabs(term) <= 1e-17 * fabs(sum + comp) &&
			 fabs((a + k) * (b + k) / ((c + k) * (k + 1.0)) * z) < 1.0 &&
			 /* the remaining terms are below a geometric series */
			 fabs(term) / (1.0 - fabs((a + k + 1) * (b + k + 1) / ((c + k + 1) * (k + 2.0)) * z)) <=
			 1e-17 * fabs(sum + comp)))
			return sum + comp;
		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	return NAN;
}

/* 2F1(a, b; c; z) for |z| < 1 by its power series; NAN when it fails. */
double
cprof_hyp2f1(double a, double b, double c, double z)
{
	double		tail;

	if (b == 0.0)
		return 1.0;
	tail = cprof_hyp2f1_tail(a, b, c, z);
	return 1.0 + b * tail;
}

/*
 * hyp2f1(a, b, c, z): the Gauss hypergeometric function, exposed so that
 * its accuracy can be tested and for users of the CLV formulas.
 */
PG_FUNCTION_INFO_V1(hyp2f1);
Datum
hyp2f1(PG_FUNCTION_ARGS)
{
	double		a = PG_GETARG_FLOAT8(0);
	double		b = PG_GETARG_FLOAT8(1);
	double		c = PG_GETARG_FLOAT8(2);
	double		z = PG_GETARG_FLOAT8(3);
	double		result;

	if (!isfinite(a) || !isfinite(b) || !isfinite(c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a, b and c must be finite, got %g, %g and %g", a, b, c),
				 errhint("Pass finite parameters.")));
	if (c <= 0 && c == floor(c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("c must not be zero or a negative integer, got %g", c),
				 errhint("2F1 has a pole there.")));
	if (!(fabs(z) < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("z must be greater than -1 and less than 1, got %g", z),
				 errhint("Transform the argument first, for example with Pfaff's z / (z - 1).")));
	result = cprof_hyp2f1(a, b, c, z);
	if (!isfinite(result))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hyp2f1(%g, %g, %g, %g) is out of range", a, b, c, z),
				 errhint("The series overflows or converges too slowly for these arguments.")));
	PG_RETURN_FLOAT8(result);
}

/* Objective values for Nelder-Mead: NaN counts as +Infinity. */
static inline double
nm_value(double f)
{
	return isnan(f) ? INFINITY : f;
}

/*
 * Nelder-Mead minimization of fn over n <= CPROF_OPT_MAX parameters,
 * starting at x with initial steps 'step' along each axis (the standard
 * coefficients: reflection 1, expansion 2, contraction 1/2, shrink 1/2).
 * Stops after maxeval evaluations, or when the simplex's values agree to
 * ftol relative and its vertices to xtol.  Returns the best point in x and
 * its value.  fn may return +Infinity (or NaN, taken as +Infinity) outside
 * its domain.
 */
double
cprof_nelder_mead(CprofObjective fn, void *arg, int n, double *x,
				  double step, int maxeval, double ftol, double xtol)
{
	double		p[CPROF_OPT_MAX + 1][CPROF_OPT_MAX];
	double		f[CPROF_OPT_MAX + 1];
	double		centroid[CPROF_OPT_MAX],
				xr[CPROF_OPT_MAX],
				xe[CPROF_OPT_MAX];
	int			evals = 0;
	int			i,
				j;

#define NM_EVAL(pt) (evals++, nm_value(fn(pt, NULL, arg)))

	Assert(n <= CPROF_OPT_MAX);
	for (i = 0; i <= n; i++)
	{
		for (j = 0; j < n; j++)
			p[i][j] = x[j] + (i == j + 1 ? step : 0.0);
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
	memcpy(x, p[j], n * sizeof(double));
	return f[j];
}

/*
 * Solve the n x n symmetric system H d = -g by Cholesky factorization;
 * returns false when H is not positive definite.
 */
static bool
cholesky_solve(int n, double H[CPROF_OPT_MAX][CPROF_OPT_MAX], const double *g, double *d)
{
	double		L[CPROF_OPT_MAX][CPROF_OPT_MAX] = {{0}};
	double		y[CPROF_OPT_MAX];
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
 * Damped Newton polishing of a smooth objective with an analytic gradient:
 * the Hessian is the central difference of the gradient, made positive
 * definite by a Levenberg shift when needed, and each step is halved until
 * the value decreases.  Stops when the largest gradient component is below
 * gtol; returns whether it got there within maxiter iterations.  x is
 * updated in place and *fx receives the value there.
 */
bool
cprof_newton(CprofObjective fn, void *arg, int n, double *x, double *fx,
			 int maxiter, double gtol)
{
	double		g[CPROF_OPT_MAX],
				gp[CPROF_OPT_MAX],
				gm[CPROF_OPT_MAX],
				d[CPROF_OPT_MAX],
				xt[CPROF_OPT_MAX];
	double		H[CPROF_OPT_MAX][CPROF_OPT_MAX];
	double		f;
	int			iter,
				i,
				j;

	f = fn(x, g, arg);
	if (!isfinite(f))
		return false;
	for (iter = 0; iter < maxiter; iter++)
	{
		double		gmax = 0.0,
					lambda = 0.0,
					t;
		bool		improved = false;

		CHECK_FOR_INTERRUPTS();
		for (i = 0; i < n; i++)
			gmax = Max(gmax, fabs(g[i]));
		if (gmax <= gtol)
		{
			*fx = f;
			return true;
		}
		/* Hessian by central differences of the analytic gradient */
		for (j = 0; j < n; j++)
		{
			double		h = 1e-5 * Max(1.0, fabs(x[j]));

			memcpy(xt, x, n * sizeof(double));
			xt[j] = x[j] + h;
			fn(xt, gp, arg);
			xt[j] = x[j] - h;
			fn(xt, gm, arg);
			for (i = 0; i < n; i++)
				H[i][j] = (gp[i] - gm[i]) / (2 * h);
		}
		for (i = 0; i < n; i++)
			for (j = 0; j < i; j++)
				H[i][j] = H[j][i] = 0.5 * (H[i][j] + H[j][i]);

		/* Levenberg shift until the system is positive definite */
		for (;;)
		{
			double		Hs[CPROF_OPT_MAX][CPROF_OPT_MAX];

			memcpy(Hs, H, sizeof(H));
			for (i = 0; i < n; i++)
				Hs[i][i] += lambda;
			if (cholesky_solve(n, Hs, g, d))
				break;
			lambda = lambda == 0.0 ? 1e-6 * (1.0 + fabs(H[0][0])) : lambda * 10;
			if (lambda > 1e12)
				return false;
		}

		/* backtracking: halve the step until the value decreases */
		for (t = 1.0; t > 1e-10; t *= 0.5)
		{
			double		ft,
						gt[CPROF_OPT_MAX];

			for (i = 0; i < n; i++)
				xt[i] = x[i] + t * d[i];
			ft = fn(xt, gt, arg);
			if (isfinite(ft) && ft <= f)
			{
				memcpy(x, xt, n * sizeof(double));
				memcpy(g, gt, n * sizeof(double));
				improved = ft < f || t == 1.0;
				f = ft;
				break;
			}
		}
		if (!improved)
		{
			/* no decrease possible: converged if the gradient is small */
			*fx = f;
			gmax = 0.0;
			for (i = 0; i < n; i++)
				gmax = Max(gmax, fabs(g[i]));
			return gmax <= 1e3 * gtol;
		}
	}
	*fx = f;
	return false;
}
