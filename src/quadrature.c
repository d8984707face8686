/*
 * src/quadrature.c: integrals of log-concave functions, for the CLV models
 * (the Pareto/NBD likelihood in pareto_nbd.c, the BG/NBD expectation in
 * bgnbd.c).  No SQL objects.
 *
 * cprof_quad_logconcave integrates exp(psi(u)) over [u0, u1] (either end may
 * be infinite) for a concave psi, together with h_j(u) exp(psi(u)) for a
 * few functions h_j (the derivatives a gradient needs).  Concavity makes the
 * work bounded whatever the parameters: psi' is monotone, so the integrand
 * rises to a single mode and falls on both sides, and it is covered by
 * 12-point Gauss-Legendre panels laid outward from the mode, each as wide
 * as keeps |psi'| times the width below a constant on it (the largest |psi'|
 * on a panel is at its far end), and also bounded by the curvature.  A side
 * ends at the end of the interval or when the rest of it is negligible:
 * beyond a point u_e, concavity bounds the integrand by the tangent
 * exp(psi(u_e) + psi'(u_e) (u - u_e)), whose integral is
 * exp(psi(u_e)) / |psi'(u_e)|; and once psi falls and is linear to
 * 1e-15 over its decay length, the exponential's integral is the rest's
 * value and is added.  Each panel lowers psi by about the width
 * constant, so a side needs about 40 / that constant panels past the mode
 * region, however steep or flat psi is; a cap on the panels is a safety net
 * only (ok is then false).  With verify_tol > 0, each panel is compared
 * with its two halves and split until they agree to that relative
 * tolerance (which must not be below the rounding of psi), for integrands
 * whose curvature is concentrated between the points where it is sampled.
 *
 * The result is relative to the mode: the integrals are exp(ref) * sum and
 * exp(ref) * extra[j], so nothing overflows or underflows however large
 * psi is.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "fit.h"

/*
 * 12-point Gauss-Legendre nodes and weights on [-1, 1], the positive half.
 * On a panel of width h where exp(psi) is close to exp(k u), the rule's
 * relative error is about 3e-31 (k h / 2)^25: below 1e-15 while
 * |psi'| h <= 8, the width constant pareto_nbd.c uses.
 */
#define GL_HALF 6
static const double gl_x[GL_HALF] = {
	0.1252334085114689154724414,
	0.3678314989981801937526915,
	0.5873179542866174472967024,
	0.7699026741943046870368938,
	0.9041172563704748566784659,
	0.9815606342467192506905491
};
static const double gl_w[GL_HALF] = {
	0.2491470458134027850005624,
	0.2334925365383548087608499,
	0.2031674267230659217490645,
	0.1600783285433462263346525,
	0.1069393259953184309602547,
	0.04717533638651182719461596
};

/* At most this many panels on each side of the mode. */
#define QUAD_MAX_PANELS 200
/* Splits of one panel when verifying. */
#define QUAD_MAX_DEPTH 8

/* One Gauss-Legendre panel over [a, b], added into the sums (relative to ref). */
static void
quad_panel(CprofLogConcave psi, void *arg, int nx, double a, double b,
		   double ref, double *sum, double *extra)
{
	double		half = 0.5 * (b - a),
				mid = 0.5 * (a + b);
	double		d1,
				d2,
				ex[CPROF_QUAD_MAX_EXTRA];
	int			k,
				side,
				j;

	for (k = 0; k < GL_HALF; k++)
		for (side = -1; side <= 1; side += 2)
		{
			double		u = mid + side * half * gl_x[k];
			double		f = half * gl_w[k] * exp(psi(u, &d1, &d2, nx > 0 ? ex : NULL, arg) - ref);

			*sum += f;
			for (j = 0; j < nx; j++)
				extra[j] += f * ex[j];
		}
}

/* A panel, split in halves until consistent (verify). */
static void
quad_panel_checked(CprofLogConcave psi, void *arg, int nx, double a, double b,
				   double ref, double *sum, double *extra, double tol, int depth)
{
	double		s1 = 0.0,
				s2 = 0.0,
				x1[CPROF_QUAD_MAX_EXTRA] = {0},
				x2[CPROF_QUAD_MAX_EXTRA] = {0};
	double		m = 0.5 * (a + b);
	int			j;

	quad_panel(psi, arg, nx, a, b, ref, &s1, x1);
	quad_panel(psi, arg, nx, a, m, ref, &s2, x2);
	quad_panel(psi, arg, nx, m, b, ref, &s2, x2);
	if (depth < QUAD_MAX_DEPTH && !(fabs(s2 - s1) <= tol * fabs(s2)))
	{
		quad_panel_checked(psi, arg, nx, a, m, ref, sum, extra, tol, depth + 1);
		quad_panel_checked(psi, arg, nx, m, b, ref, sum, extra, tol, depth + 1);
		return;
	}
	*sum += s2;
	for (j = 0; j < nx; j++)
		extra[j] += x2[j];
}

/* The mode of exp(psi) on [u0, u1]: where the decreasing psi' crosses 0. */
static double
quad_mode(CprofLogConcave psi, void *arg, double u0, double u1)
{
	double		d1,
				d2,
				lo,
				hi,
				step = 1.0;
	int			i;

	if (isfinite(u0))
	{
		(void) psi(u0, &d1, &d2, NULL, arg);
		if (d1 <= 0)
			return u0;
	}
	if (isfinite(u1))
	{
		(void) psi(u1, &d1, &d2, NULL, arg);
		if (d1 >= 0)
			return u1;
	}
	/* bracket the crossing, widening geometrically toward an infinite end */
	lo = isfinite(u0) ? u0 : (isfinite(u1) ? u1 - 1.0 : 0.0);
	hi = isfinite(u1) ? u1 : lo + 1.0;
	for (i = 0; i < 64 && !isfinite(u0); i++)
	{
		(void) psi(lo, &d1, &d2, NULL, arg);
		if (d1 >= 0)
			break;
		hi = lo;
		lo -= step;
		step *= 4.0;
	}
	for (i = 0; i < 64 && !isfinite(u1); i++)
	{
		(void) psi(hi, &d1, &d2, NULL, arg);
		if (d1 <= 0)
			break;
		lo = hi;
		hi += step;
		step *= 4.0;
	}
	/* bisection, with Newton steps when they stay inside */
	for (i = 0; i < 100 && hi - lo > 1e-9 * Max(1.0, fabs(lo) + fabs(hi)); i++)
	{
		double		m = 0.5 * (lo + hi);
		double		nt;

		(void) psi(m, &d1, &d2, NULL, arg);
		if (d1 > 0)
			lo = m;
		else
			hi = m;
		nt = m - d1 / d2;
		if (d2 < 0 && nt > lo && nt < hi)
		{
			(void) psi(nt, &d1, &d2, NULL, arg);
			if (d1 > 0)
				lo = nt;
			else
				hi = nt;
			if (fabs(d1 / d2) < 1e-3 * (hi - lo) + 1e-12)
				return nt;
		}
	}
	return 0.5 * (lo + hi);
}

/*
 * Does a panel of width h from uc (direction dir) obey the rule: |psi'|
 * times h, and |psi''| times h^2 at both ends (d2_start at uc), at most
 * width?  For exp(k u) the rule keeps the 12-point error near 1e-15, and
 * for a Gaussian peak (psi'' = -c) at c h^2 <= 8 about 4e-16.
 */
static bool
panel_fits(CprofLogConcave psi, void *arg, double uc, int dir, double h,
		   double d2_start, double width)
{
	double		d1,
				d2;

	(void) psi(uc + dir * h, &d1, &d2, NULL, arg);
	return h * fabs(d1) <= width &&
		h * h * Max(fabs(d2), fabs(d2_start)) <= width;
}

/*
 * Is psi still linear, with slope d1, at u (40 decay lengths on, or the end
 * of the interval)?  Checked at both ends because a psi that is not
 * log-concave (bgnbd.c's g times a density) has inflection points where
 * the curvature vanishes without the rest being exponential.
 */
static bool
tail_is_linear(CprofLogConcave psi, void *arg, double u, double d1)
{
	double		e1,
				e2;

	(void) psi(u, &e1, &e2, NULL, arg);
	return fabs(e2) <= 1e-15 * e1 * e1 && fabs(e1 - d1) <= 1e-13 * fabs(d1);
}

/*
 * Lay panels from 'start' toward 'end' (either direction), adding into q;
 * q->ref is raised (and the sums rescaled) whenever psi exceeds it.
 */
static void
quad_side(CprofLogConcave psi, void *arg, int nx, double start, double end,
		  double width, double verify_tol, CprofQuad *q)
{
	int			dir = end > start ? 1 : -1;
	double		uc = start;
	double		ex[CPROF_QUAD_MAX_EXTRA];
	int			panels = 0,
				j;

	while (dir * (end - uc) > 0)
	{
		double		rem = fabs(end - uc),
					d1,
					d2,
					vc,
					ve,
					h,
					hg,
					a,
					b;

		/* the guess: the slope and curvature where the panel starts */
		vc = psi(uc, &d1, &d2, nx > 0 ? ex : NULL, arg);
		if (vc > q->ref)
		{
			double		f = exp(q->ref - vc);

			q->sum *= f;
			for (j = 0; j < nx; j++)
				q->extra[j] *= f;
			q->ref = vc;
		}

		/*
		 * Where psi falls and is linear to 1e-15 over its decay length
		 * 1/|psi'|, the rest of this side is that exponential's integral,
		 * exactly enough: e^psi (1 - e^(-|psi'| rem)) / |psi'| (tails whose
		 * slope is tiny would need panels of astronomic width, and ends
		 * whose slope is huge panels too narrow to move)
		 */
		if (dir * d1 < 0 && fabs(d2) <= 1e-15 * d1 * d1 &&
			tail_is_linear(psi, arg, uc + dir * Min(rem, 40.0 / fabs(d1)), d1))
		{
			double		tail = exp(vc - q->ref) * -expm1(-fabs(d1) * rem) / fabs(d1);

			q->sum += tail;
			for (j = 0; j < nx; j++)
				q->extra[j] += tail * ex[j];
			return;
		}
		hg = rem;
		if (d1 != 0)
			hg = Min(hg, width / fabs(d1));
		if (d2 != 0)
			hg = Min(hg, sqrt(width / fabs(d2)));

		/*
		 * psi' is monotone, so the steepest slope of a panel is at one of
		 * its ends; the curvature is checked at both.  The guess is
		 * shrunk by 4 until the far end obeys the rule too, then widened
		 * again by bisection in log h.
		 */
		h = hg;
		if (!panel_fits(psi, arg, uc, dir, h, d2, width))
		{
			double		hi = h;
			int			i;

			for (i = 0; i < 40 && !panel_fits(psi, arg, uc, dir, h, d2, width); i++)
			{
				hi = h;
				h *= 0.25;
			}
			for (i = 0; i < 4; i++)
			{
				double		mid = sqrt(h * hi);

				if (panel_fits(psi, arg, uc, dir, mid, d2, width))
					h = mid;
				else
					hi = mid;
			}
		}
		if (!(h > 0) || !isfinite(h) || !isfinite(vc))
		{
			q->ok = false;
			return;
		}
		a = dir > 0 ? uc : uc - h;
		b = dir > 0 ? uc + h : uc;
		if (verify_tol > 0)
			quad_panel_checked(psi, arg, nx, a, b, q->ref, &q->sum, q->extra, verify_tol, 0);
		else
			quad_panel(psi, arg, nx, a, b, q->ref, &q->sum, q->extra);
		q->panels++;
		uc = dir > 0 ? b : a;
		if (h >= rem)
			return;
		/* past the mode, the tangent bounds the rest of this side */
		ve = psi(uc, &d1, &d2, NULL, arg);
		if (dir * d1 < 0 && exp(ve - q->ref) / fabs(d1) <= 1e-17 * q->sum)
			return;

		if (++panels >= QUAD_MAX_PANELS)
		{
			q->ok = false;
			return;
		}
		if ((panels & 15) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

void
cprof_quad_logconcave(CprofLogConcave psi, void *arg, int nx, double u0,
					  double u1, double width, double verify_tol, CprofQuad *q)
{
	double		d1,
				d2,
				start;
	int			j;

	Assert(nx <= CPROF_QUAD_MAX_EXTRA);
	q->sum = 0.0;
	for (j = 0; j < nx; j++)
		q->extra[j] = 0.0;
	q->panels = 0;
	q->ok = true;

	/*
	 * From a finite lower end, one sweep upward (the rising part first);
	 * otherwise from the mode, outward both ways.
	 */
	start = isfinite(u0) ? u0 : quad_mode(psi, arg, u0, u1);
	q->ref = psi(start, &d1, &d2, NULL, arg);
	if (!isfinite(q->ref))
	{
		q->ok = false;
		return;
	}
	quad_side(psi, arg, nx, start, u1, width, verify_tol, q);
	if (!isfinite(u0) && q->ok)
		quad_side(psi, arg, nx, start, u0, width, verify_tol, q);
}
