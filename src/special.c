/*
 * src/special.c: the special functions of the probabilistic CLV models
 * (bgnbd.c, gamma_gamma.c, pareto_nbd.c).
 *
 * SQL objects (sql/cprof--1.1.sql):
 *   hyp2f1(a, b, c, z)   the Gauss hypergeometric function 2F1 for -1 < z < 1
 *
 * C helpers (fit.h): cprof_digamma, cprof_lpoch, cprof_dpoch,
 * cprof_lpoch_ratio, cprof_dpoch_ratio, cprof_hyp2f1_tail.
 *
 * Log-Pochhammer functions.  The likelihoods need differences such as
 * lnG(b + x) - lnG(b) and their derivatives psi(b + x) - psi(b).  Written
 * as differences of lgamma (or digamma) values they lose all their digits
 * when b is large (lgamma(1e7) is 1.5e8, so its rounding error is about
 * 1e-8, far above the fits' gradient tolerance), which is where a fit goes
 * when the data show no heterogeneity.  Here they are computed from their
 * own expansions: a sum of logarithms (or reciprocals) while the argument is
 * small, then the difference of the Stirling (or psi) asymptotic series,
 * in which the large terms cancel analytically (A&S 6.1.40, 6.3.18).
 *
 * 2F1.  The power series (A&S 15.1.1) is summed with a compensated sum,
 * each term from the previous one by the ratio (a+k)(b+k) z / ((c+k)(k+1)),
 * while tracking a bound on its rounding error (each term carries the
 * relative error of the k ratios it was built from) and on its tail (once
 * every factor is positive the ratios are bounded by a monotone envelope).
 * The power series alone fails for much of -1 < z < 1: terms that grow
 * before they fall overflow, alternating terms cancel, and near z = 1 it
 * needs about 37 / -ln(z) terms.  So hyp2f1 tries, for each argument, the
 * forms that are exact identities of 2F1 and keeps the first whose error
 * bound is small:
 *   - for z < 0, Pfaff's transformations (A&S 15.3.4, 15.3.5),
 *       (1-z)^-a 2F1(a, c-b; c; z/(z-1)),  (1-z)^-b 2F1(c-a, b; c; z/(z-1)),
 *     whose argument lies in (0, 1/2), and the series at z itself;
 *   - for 0 < z < 1, the series and Euler's transformation (A&S 15.3.3),
 *       (1-z)^(c-a-b) 2F1(c-a, c-b; c; z),
 *     which turns a negative a into the positive c - a;
 *   - for z > 1/2, analytic continuation along the hypergeometric
 *     differential equation z(1-z)F'' + (c - (a+b+1)z)F' - abF = 0 from
 *     z = 1/2: Taylor steps of half the distance to the singular point 1,
 *     so at most 54 steps reach any double below 1.  This is the 1 - z
 *     transformation done numerically: the connection formula of A&S 15.3.6
 *     has poles when c - a - b is an integer (the logarithmic cases of
 *     15.3.10-15.3.12) and cancels digits near one, while the continuation
 *     is the same computation for every c - a - b.
 * Sums carry a binary exponent, so series whose terms exceed the range of a
 * double (large parameters) still give any result that is representable.
 * A result is returned when its error bound is below 1e-10 relative; a
 * result out of the range of a double, or one no form computes to that
 * accuracy (parameters large enough that every form cancels), is a 22003
 * error.  Every loop is bounded and checks for interrupts.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "fit.h"

/* The most terms one series (or one continuation step) may take. */
#define HYP_MAX_TERMS 10000000
/* Series terms tried before the continuation when z > 1/2. */
#define HYP_QUICK_TERMS 20000
/* A form is taken at once below this bound, and accepted below HYP_OK. */
#define HYP_GOOD 1e-13
#define HYP_OK 1e-10
/* Rescaling threshold of the series and the continuation. */
#define HYP_BIG 0x1p+600
#define HYP_BIG_EXP 600

/* The asymptotic series start at this argument (their error is < 1e-19). */
#define ASYMPTOTIC_MIN 20.0
/* Integer increments up to this use the exact sums. */
#define POCH_SUM_MAX 64

/*
 * Digamma (psi): for x > 0 the recurrence psi(x) = psi(x + 1) - 1/x up to
 * x >= 8, then the asymptotic series (A&S 6.3.18), accurate to ~1e-15; for
 * other non-integers the reflection formula (A&S 6.3.7).
 */
double
cprof_digamma(double x)
{
	double		result = 0.0;
	double		inv,
				inv2;

	if (!(x > 0))
	{
		/* reflection: psi(x) = psi(1 - x) - pi / tan(pi x) */
		if (x == floor(x) || !isfinite(x))
			return NAN;
		return cprof_digamma(1.0 - x) - M_PI / tan(M_PI * (x - floor(x)));
	}
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
 * The Stirling series of lnG beyond its leading terms (A&S 6.1.40):
 * lnG(w) = (w - 1/2) ln w - w + ln(2 pi) / 2 + stirling_tail(w), w >= 20.
 */
static double
stirling_tail(double w)
{
	double		inv = 1.0 / w,
				inv2 = inv * inv;

	return inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 -
																			  inv2 * (1.0 / 1188 - inv2 * (691.0 / 360360))))));
}

/* psi(w) - ln w + 1 / (2w), w >= 20 (A&S 6.3.18) */
static double
digamma_tail(double w)
{
	double		inv2 = 1.0 / (w * w);

	return -inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 -
																			  inv2 * (1.0 / 132 - inv2 * (691.0 / 32760))))));
}

/* The smallest integer k >= 0 with z + k >= ASYMPTOTIC_MIN. */
static int
shift_to_asymptotic(double z)
{
	return z >= ASYMPTOTIC_MIN ? 0 : (int) ceil(ASYMPTOTIC_MIN - z);
}

static bool
small_whole(double x)
{
	return x <= POCH_SUM_MAX && x == floor(x);
}

/*
 * lnG(z + x) - lnG(z) for z > 0, x >= 0: the log of the rising factorial
 * (z)_x, accurate to a few ulps of its largest part for any size of z.
 */
double
cprof_lpoch(double z, double x)
{
	double		sum = 0.0;
	int			k,
				j;

	if (x == 0)
		return 0.0;
	if (small_whole(x))
	{
		for (j = 0; j < (int) x; j++)
			sum += log(z + j);
		return sum;
	}
	/* lnG(z+x) - lnG(z) = [lnG(w+x) - lnG(w)] - sum of ln((z+x+j)/(z+j)) */
	k = shift_to_asymptotic(z);
	for (j = 0; j < k; j++)
		sum -= log1p(x / (z + j));
	z += k;
	/* (z+x-1/2) ln(z+x) - (z-1/2) ln z - x, without the large parts */
	return sum + (z - 0.5) * log1p(x / z) + x * log(z + x) - x +
		stirling_tail(z + x) - stirling_tail(z);
}

/* psi(z + x) - psi(z) for z > 0, x >= 0, accurate for any size of z. */
double
cprof_dpoch(double z, double x)
{
	double		sum = 0.0;
	int			k,
				j;

	if (x == 0)
		return 0.0;
	if (small_whole(x))
	{
		for (j = 0; j < (int) x; j++)
			sum += 1.0 / (z + j);
		return sum;
	}
	/* psi(z+x) - psi(z) = [psi(w+x) - psi(w)] + sum of x / ((z+j)(z+x+j)) */
	k = shift_to_asymptotic(z);
	for (j = 0; j < k; j++)
		sum += x / ((z + j) * (z + x + j));
	z += k;
	return sum + log1p(x / z) + x / (2.0 * z * (z + x)) +
		digamma_tail(z + x) - digamma_tail(z);
}

/*
 * ln[(b)_x / (a+b)_x] = lnG(b+x) - lnG(b) - lnG(a+b+x) + lnG(a+b), the log
 * of a ratio of beta functions, B(a, b+x) / B(a, b): accurate also when b
 * is so large that each Pochhammer symbol has lost its low digits.
 */
double
cprof_lpoch_ratio(double b, double a, double x)
{
	double		sum = 0.0;
	int			j;

	if (small_whole(x))
	{
		for (j = 0; j < (int) x; j++)
			sum -= log1p(a / (b + j));
		return sum;
	}
	return cprof_lpoch(b, x) - cprof_lpoch(a + b, x);
}

/* [psi(b+x) - psi(b)] - [psi(a+b+x) - psi(a+b)], as cprof_lpoch_ratio. */
double
cprof_dpoch_ratio(double b, double a, double x)
{
	double		sum = 0.0;
	int			j;

	if (small_whole(x))
	{
		for (j = 0; j < (int) x; j++)
			sum += a / ((b + j) * (a + b + j));
		return sum;
	}
	return cprof_dpoch(b, x) - cprof_dpoch(a + b, x);
}

/*
 * A hypergeometric value: m * 2^e, with a bound on its relative error
 * (+Infinity when there is no usable value).
 */
typedef struct HypValue
{
	double		m;
	int64		e;
	double		relerr;
} HypValue;

static void
hyp_fail(HypValue *v)
{
	v->m = NAN;
	v->e = 0;
	v->relerr = INFINITY;
}

/*
 * An upper bound of r(j) = (a+j)(b+j) / ((c+j)(j+1)) over every j >= j1,
 * where a+j1, b+j1, c+j1 > 0.  r(j) = 1 + N(j) / D(j) with N(j) =
 * (a+b-c-1) j + ab - c linear and D(j) = (c+j)(j+1) positive and growing:
 *   - if N falls (a+b-c-1 <= 0), N/D is largest at j1 while N > 0, and r
 *     <= 1 once N <= 0;
 *   - otherwise N(j)/D(j) <= (a+b-c-1 + max(ab-c, 0)/j1) / (c+j1).
 * Each of (a+j)/(c+j), (b+j)/(j+1), (a+j)/(j+1), (b+j)/(c+j) also moves
 * monotonically toward 1, which bounds r by either pairing of them.
 */
static double
series_ratio_bound(double a, double b, double c, double j1)
{
	double		alpha = a + b - c - 1.0,
				beta0 = a * b - c,
				n1 = alpha * j1 + beta0,
				bound;

	if (alpha <= 0)
		bound = n1 <= 0 ? 1.0 : 1.0 + n1 / ((c + j1) * (j1 + 1.0));
	else
		bound = 1.0 + (alpha + Max(beta0, 0.0) / j1) / (c + j1);
	bound = Min(bound, Max((a + j1) / (c + j1), 1.0) * Max((b + j1) / (j1 + 1.0), 1.0));
	bound = Min(bound, Max((a + j1) / (j1 + 1.0), 1.0) * Max((b + j1) / (c + j1), 1.0));
	return bound;
}

/*
 * Sum the terms t_k, k >= k0, of a 2F1(a, b; c; z) series, starting from
 * t_k0 = term0 (1 at k0 = 0 for 2F1 itself), each the previous times
 * (a+k)(b+k) z / ((c+k)(k+1)).  At most maxterms terms; fails (relerr
 * +Infinity) when the series has not converged by then or its sum is 0.
 */
static void
hyp_series(double a, double b, double c, double z, int64 k0, double term0,
		   int64 maxterms, HypValue *out)
{
	double		term = term0,
				sum = 0.0,
				comp = 0.0,
				errsum = 0.0,
				tail = INFINITY;
	int64		e = 0,
				k;

	cprof_neumaier_add(&sum, &comp, term);
	errsum = (k0 + 1) * fabs(term);
	for (k = k0; k - k0 < maxterms; k++)
	{
		double		ratio = (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;

		term *= ratio;
		if (term == 0.0)
		{
			/* a polynomial's last term, or underflow: nothing more to add */
			tail = 0.0;
			break;
		}
		if (!isfinite(term))
			break;
		cprof_neumaier_add(&sum, &comp, term);
		/* t_(k+1) went through k + 1 ratios of a few roundings each */
		errsum += (k + 2) * fabs(term);
		if (fabs(term) > HYP_BIG || fabs(sum) > HYP_BIG)
		{
			term = ldexp(term, -HYP_BIG_EXP);
			sum = ldexp(sum, -HYP_BIG_EXP);
			comp = ldexp(comp, -HYP_BIG_EXP);
			errsum = ldexp(errsum, -HYP_BIG_EXP);
			e += HYP_BIG_EXP;
		}

		/*
		 * Once a+j, b+j, c+j are positive for every later j, each later
		 * ratio is at most q (series_ratio_bound).
		 */
		if (a + k + 1 > 0 && b + k + 1 > 0 && c + k + 1 > 0)
		{
			double		q = fabs(z) * series_ratio_bound(a, b, c, k + 1.0);

			if (q < 1.0)
			{
				tail = fabs(term) * q / (1.0 - q);
				if (tail <= 0x1p-60 * fabs(sum + comp))
					break;
			}
		}
		if ((k & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
	}
	sum += comp;
	if (!isfinite(sum) || sum == 0.0 || !(tail <= 0x1p-40 * fabs(sum)))
	{
		hyp_fail(out);
		return;
	}
	out->m = sum;
	out->e = e;
	/* a ratio step is at most 8 roundings of DBL_EPSILON / 2 */
	out->relerr = (4.0 * DBL_EPSILON * errsum + tail) / fabs(sum) + DBL_EPSILON;
}

/* v *= exp(lnf), where lnf carries an absolute error of about lnerr. */
static void
hyp_scale(HypValue *v, double lnf, double lnerr)
{
	double		k;

	if (!isfinite(lnf))
	{
		hyp_fail(v);
		return;
	}
	k = floor(lnf / M_LN2);
	v->m *= exp(lnf - k * M_LN2);
	v->e += (int64) k;
	v->relerr += lnerr + 4.0 * DBL_EPSILON * (fabs(lnf) + 1.0);
}

/* Keep the better of two values. */
static void
hyp_keep(HypValue *best, const HypValue *v)
{
	if (v->relerr < best->relerr)
		*best = *v;
}

static void hyp_eval(double a, double b, double c, double z, HypValue *out);

/*
 * When a or b is 0 or a negative integer -n, 2F1 is a polynomial, and
 * (DLMF 15.8.7)
 *   2F1(-n, b; c; z) = (c-b)_n / (c)_n  2F1(-n, b; b-c-n+1; 1-z),
 * a polynomial in 1 - z, for z near 1.  Fails (relerr +Infinity) when
 * neither parameter terminates or b-c-n+1 is itself a pole.
 */
static void
hyp_terminating(double a, double b, double c, double z, HypValue *out)
{
	double		n,
				c2,
				ratio = 1.0;
	int64		j;

	if (b <= 0 && b == floor(b) && (a > 0 || a != floor(a) || b > a))
	{
		double		t = a;

		a = b;
		b = t;
	}
	if (!(a <= 0 && a == floor(a)) || -a > 1e6)
	{
		hyp_fail(out);
		return;
	}
	n = -a;
	c2 = b - c - n + 1;
	if (c2 <= 0 && c2 == floor(c2))
	{
		hyp_fail(out);
		return;
	}
	hyp_series(a, b, c2, 1.0 - z, 0, 1.0, HYP_MAX_TERMS, out);
	if (!isfinite(out->relerr))
		return;
	for (j = 0; j < (int64) n; j++)
	{
		/* c - b + j and c + j carry the rounding of c - b and c */
		ratio *= (c - b + j) / (c + j);
		out->relerr += DBL_EPSILON * (3.0 + (fabs(c) + fabs(b) + j) / fabs(c - b + j) +
									  (fabs(c) + j) / fabs(c + j));
	}
	if (ratio == 0.0 || !isfinite(ratio) || !isfinite(out->relerr))
	{
		hyp_fail(out);
		return;
	}
	out->m *= ratio;
}

/* ln|G(x)| and the sign of G(x), x not 0 or a negative integer */
static double
lgamma_sign(double x, int *sign)
{
	*sign = (x < 0 && fmod(floor(x), 2.0) != 0) ? -1 : 1;
	return lgamma(x);
}

/* Is x 0 or a negative integer (a pole of G)? */
static bool
gamma_pole(double x)
{
	return x <= 0 && x == floor(x);
}

/* a + b, for values with relative errors; relerr +Infinity on total cancellation */
static void
hyp_add(const HypValue *x, const HypValue *y, HypValue *out)
{
	int64		e = Max(x->e, y->e);
	double		xm = ldexp(x->m, (int) Max(x->e - e, -4000)),
				ym = ldexp(y->m, (int) Max(y->e - e, -4000)),
				m = xm + ym;

	if (!isfinite(x->relerr) || !isfinite(y->relerr) || m == 0.0)
	{
		hyp_fail(out);
		return;
	}
	out->m = m;
	out->e = e;
	out->relerr = (fabs(xm) * x->relerr + fabs(ym) * y->relerr) / fabs(m) + DBL_EPSILON;
}

/* v = sign * exp(lg) * v, lg a sum of log-gamma values of total size lgsize */
static void
hyp_gamma_factor(HypValue *v, double lg, int sign, double lgsize)
{
	v->m *= sign;
	hyp_scale(v, lg, 4.0 * DBL_EPSILON * lgsize);
}

/*
 * The 1 - z transformation (A&S 15.3.6), c - a - b = d not an integer:
 *   F = G(c)G(d) / (G(c-a)G(c-b)) 2F1(a, b; 1-d; 1-z)
 *     + (1-z)^d G(c)G(-d) / (G(a)G(b)) 2F1(c-a, c-b; 1+d; 1-z).
 * Near an integer d the two terms grow and cancel; the error bound of the
 * sum says so, and the continuation takes over.
 */
static void
hyp_one_minus_z(double a, double b, double c, double z, HypValue *out)
{
	double		d = c - a - b,
				w = 1.0 - z;
	HypValue	t1,
				t2;
	int			s1,
				s2,
				s3,
				s4;
	double		l1,
				l2,
				l3,
				l4;

	if (gamma_pole(c))
	{
		hyp_fail(out);
		return;
	}
	/* the first term vanishes when c - a or c - b is a pole of G */
	if (gamma_pole(c - a) || gamma_pole(c - b))
	{
		t1.m = 0.0;
		t1.e = 0;
		t1.relerr = 0.0;
	}
	else
	{
		hyp_series(a, b, 1.0 - d, w, 0, 1.0, HYP_QUICK_TERMS, &t1);
		l1 = lgamma_sign(c, &s1);
		l2 = lgamma_sign(d, &s2);
		l3 = lgamma_sign(c - a, &s3);
		l4 = lgamma_sign(c - b, &s4);
		hyp_gamma_factor(&t1, l1 + l2 - l3 - l4, s1 * s2 * s3 * s4,
						 fabs(l1) + fabs(l2) + fabs(l3) + fabs(l4));
	}
	if (gamma_pole(a) || gamma_pole(b))
	{
		t2.m = 0.0;
		t2.e = 0;
		t2.relerr = 0.0;
	}
	else
	{
		hyp_series(c - a, c - b, 1.0 + d, w, 0, 1.0, HYP_QUICK_TERMS, &t2);
		l1 = lgamma_sign(c, &s1);
		l2 = lgamma_sign(-d, &s2);
		l3 = lgamma_sign(a, &s3);
		l4 = lgamma_sign(b, &s4);
		hyp_gamma_factor(&t2, l1 + l2 - l3 - l4 + d * log(w), s1 * s2 * s3 * s4,
						 fabs(l1) + fabs(l2) + fabs(l3) + fabs(l4) + fabs(d * log(w)));
	}
	if (t1.m == 0.0)
		*out = t2;
	else if (t2.m == 0.0)
		*out = t1;
	else
		hyp_add(&t1, &t2, out);
	if (out->m == 0.0)
		hyp_fail(out);
}

/*
 * The 1 - z transformation when c - a - b = m is 0 or a positive integer,
 * the logarithmic cases (A&S 15.3.10, 15.3.11), w = 1 - z:
 *   F = G(m)G(c) / (G(a+m)G(b+m)) sum_(n<m) (a)_n (b)_n / (n! (1-m)_n) w^n
 *     - (-w)^m G(c) / (G(a)G(b)) sum_(n>=0) (a+m)_n (b+m)_n / (n! (n+m)!) w^n
 *       * [ln w - psi(n+1) - psi(n+m+1) + psi(a+n+m) + psi(b+n+m)]
 * (for m = 0 the first sum is empty and the second has the same form).
 * Arguments where a pole of G or psi meets a zero of a Pochhammer symbol
 * (a, b, a+m or b+m zero or a negative integer) are left to the other
 * forms.
 */
static void
hyp_one_minus_z_log(double a, double b, double c, double z, HypValue *out)
{
	double		m = c - a - b,
				w = 1.0 - z,
				lw = log(w);
	HypValue	t1,
				t2;
	double		l1,
				l2,
				l3,
				l4,
				psi_n1,
				psi_nm1,
				psi_a,
				psi_b,
				coef,
				sum = 0.0,
				comp = 0.0,
				abssum = 0.0;
	int			s1,
				s2,
				s3,
				s4;
	int64		n;

	if (m < 0 || m > 1000 || gamma_pole(a) || gamma_pole(b) ||
		gamma_pole(a + m) || gamma_pole(b + m) || gamma_pole(c))
	{
		hyp_fail(out);
		return;
	}
	/* the finite sum */
	t1.m = 0.0;
	t1.e = 0;
	t1.relerr = 0.0;
	if (m >= 1)
	{
		double		term = 1.0,
					fs = 0.0,
					fc = 0.0,
					fabs_sum = 0.0;

		for (n = 0; n < (int64) m; n++)
		{
			cprof_neumaier_add(&fs, &fc, term);
			fabs_sum += (n + 1) * fabs(term);
			term *= (a + n) * (b + n) / ((n + 1.0) * (1.0 - m + n)) * w;
		}
		fs += fc;
		if (fs != 0.0)
		{
			t1.m = fs;
			t1.relerr = 4.0 * DBL_EPSILON * fabs_sum / fabs(fs);
			l1 = lgamma_sign(m, &s1);
			l2 = lgamma_sign(c, &s2);
			l3 = lgamma_sign(a + m, &s3);
			l4 = lgamma_sign(b + m, &s4);
			hyp_gamma_factor(&t1, l1 + l2 - l3 - l4, s1 * s2 * s3 * s4,
							 fabs(l1) + fabs(l2) + fabs(l3) + fabs(l4));
		}
	}
	/* the logarithmic series, its digammas by their recurrence */
	psi_n1 = cprof_digamma(1.0);
	psi_nm1 = cprof_digamma(m + 1.0);
	psi_a = cprof_digamma(a + m);
	psi_b = cprof_digamma(b + m);
	coef = 1.0;
	for (n = 0; n < HYP_QUICK_TERMS; n++)
	{
		double		bracket = lw - psi_n1 - psi_nm1 + psi_a + psi_b;
		double		bracket_size = fabs(lw) + fabs(psi_n1) + fabs(psi_nm1) + fabs(psi_a) + fabs(psi_b);
		double		term = coef * bracket;

		cprof_neumaier_add(&sum, &comp, term);
		abssum += fabs(coef) * ((n + 2) * fabs(bracket) + bracket_size);
		/* next: (a+m+n)(b+m+n) / ((n+1)(n+m+1)) w, and the digammas */
		coef *= (a + m + n) * (b + m + n) / ((n + 1.0) * (n + m + 1.0)) * w;
		psi_n1 += 1.0 / (n + 1.0);
		psi_nm1 += 1.0 / (n + m + 1.0);
		psi_a += 1.0 / (a + m + n);
		psi_b += 1.0 / (b + m + n);
		if (n > fabs(a) + fabs(b) + m + 10 && fabs(coef) * (fabs(bracket) + 10.0) <= 0x1p-60 * fabs(sum + comp))
			break;
		if (!isfinite(coef) || coef == 0.0)
			break;
	}
	sum += comp;
	if (n >= HYP_QUICK_TERMS || !isfinite(sum) || sum == 0.0)
	{
		hyp_fail(out);
		return;
	}
	t2.m = -sum;
	t2.e = 0;
	t2.relerr = 4.0 * DBL_EPSILON * abssum / fabs(sum);
	l1 = lgamma_sign(c, &s1);
	l3 = lgamma_sign(a, &s3);
	l4 = lgamma_sign(b, &s4);
	/* the series started at 1 for 1 / m!; (-w)^m = (-1)^m w^m */
	l2 = lgamma(m + 1.0);
	hyp_gamma_factor(&t2, l1 - l2 - l3 - l4 + m * lw,
					 s1 * s3 * s4 * (fmod(m, 2.0) != 0 ? -1 : 1),
					 fabs(l1) + fabs(l2) + fabs(l3) + fabs(l4) + fabs(m * lw));
	if (t1.m == 0.0)
		*out = t2;
	else
		hyp_add(&t1, &t2, out);
}

/*
 * The 1 - z transformation for any c - a - b: as it is, or, for a negative
 * integer c - a - b, after Euler's transformation (which makes it
 * positive).
 */
static void
hyp_connection(double a, double b, double c, double z, HypValue *out)
{
	double		d = c - a - b;

	if (d != floor(d))
		hyp_one_minus_z(a, b, c, z, out);
	else if (d >= 0)
		hyp_one_minus_z_log(a, b, c, z, out);
	else
	{
		hyp_one_minus_z_log(c - a, c - b, c, z, out);
		hyp_scale(out, d * log1p(-z), 2.0 * DBL_EPSILON * fabs(d * log1p(-z)));
	}
}

/*
 * Continue F = 2F1(a, b; c; .) along its differential equation from 1/2 to
 * z (1/2 < z < 1).  At the point zeta = 1 - eta, with t = x - zeta, the
 * equation gives the Taylor coefficients f_n of F:
 *   zeta eta (n+2)(n+1) f_(n+2) = (n+a)(n+b) f_n - ((1 - 2 zeta) n + c - (a+b+1) zeta)(n+1) f_(n+1);
 * each step goes half way to the singular point 1 (ratio 1/2 of the
 * terms), with the state (F, h F') kept at a common binary exponent.
 */
static void
hyp_continue_run(double a, double b, double c, double z, double frac,
				 const HypValue *f0, const HypValue *d0, HypValue *out)
{
	double		eta = 0.5,
				target = 1.0 - z;	/* exact for z >= 1/2 */
	double		F,
				Fp,
				relerr = 0.0;
	int64		e;

	/* bring F'(1/2) to the exponent of F(1/2) */
	F = f0->m;
	e = f0->e;
	Fp = a * b / c * ldexp(d0->m, (int) Max(Min(d0->e - e, 4000), -4000));

	while (eta > target)
	{
		double		h = Min(eta - target, frac * eta);
		double		zeta = 1.0 - eta;
		double		P0 = zeta * eta,
					P1 = 1.0 - 2.0 * zeta,
					Q0 = c - (a + b + 1.0) * zeta;
		double		g0 = F,
					g1 = h * Fp,
					S = 0.0,
					Sc = 0.0,
					SD = 0.0,
					SDc = 0.0,
					errS;
		int64		n;

		cprof_neumaier_add(&S, &Sc, g0);
		cprof_neumaier_add(&S, &Sc, g1);
		cprof_neumaier_add(&SD, &SDc, g1);
		errS = fabs(g0) + 4.0 * fabs(g1);
		for (n = 0; n < HYP_MAX_TERMS; n++)
		{
			double		g2 = ((n + a) * (n + b) * h * h * g0 -
							  (P1 * n + Q0) * (n + 1.0) * h * g1) /
				(P0 * (n + 1.0) * (n + 2.0));

			if (!isfinite(g2))
			{
				hyp_fail(out);
				return;
			}
			cprof_neumaier_add(&S, &Sc, g2);
			cprof_neumaier_add(&SD, &SDc, (n + 2.0) * g2);
			errS += (n + 3.0) * (n + 3.0) * fabs(g2);
			g0 = g1;
			g1 = g2;
			/* the terms fall like 2^-n once past the transient */
			if (n > 8 && (fabs(g0) + fabs(g1)) * (n + 3.0) <=
				0x1p-62 * (fabs(S + Sc) + fabs(SD + SDc)))
				break;
			if (fabs(g1) > HYP_BIG)
			{
				hyp_fail(out);
				return;
			}
			if ((n & 0xFFFF) == 0xFFFF)
				CHECK_FOR_INTERRUPTS();
		}
		if (n >= HYP_MAX_TERMS)
		{
			hyp_fail(out);
			return;
		}
		S += Sc;
		SD += SDc;
		{
			double		scale = fabs(S) + fabs(SD);

			if (!(scale > 0) || !isfinite(scale))
			{
				hyp_fail(out);
				return;
			}
			/*
			 * this step's own rounding (the propagation of earlier errors
			 * is judged by comparing two runs: hyp_continue)
			 */
			relerr += 4.0 * DBL_EPSILON * errS / scale;
		}
		F = S;
		Fp = SD / h;
		eta -= h;
		/* renormalize the state */
		{
			int			k;

			(void) frexp(fabs(F) + fabs(Fp * eta), &k);
			F = ldexp(F, -k);
			Fp = ldexp(Fp, -k);
			e += k;
		}
		CHECK_FOR_INTERRUPTS();
	}
	out->m = F;
	out->e = e;
	/* F itself may be small beside h F' */
	out->relerr = relerr * (fabs(F) + fabs(Fp * eta)) / fabs(F);
	if (!(F != 0.0) || !isfinite(out->relerr))
		hyp_fail(out);
}

/*
 * The continuation from 1/2 to z, judged by comparing two runs with
 * different steps (half and a third of the distance to 1): their rounding
 * and truncation differ, so their disagreement, together with the error of
 * the starting values, bounds the error in practice (an error bound
 * compounded step by step is far too pessimistic: along the dominant
 * solution, relative errors do not grow).
 */
static void
hyp_continue(double a, double b, double c, double z, HypValue *out)
{
	HypValue	f0,
				d0,
				v2;
	double		diff;

	/* F(1/2) and F'(1/2) = ab/c 2F1(a+1, b+1; c+1; 1/2) */
	hyp_eval(a, b, c, 0.5, &f0);
	hyp_eval(a + 1, b + 1, c + 1, 0.5, &d0);
	if (!isfinite(f0.relerr) || !isfinite(d0.relerr))
	{
		hyp_fail(out);
		return;
	}
	hyp_continue_run(a, b, c, z, 0.5, &f0, &d0, out);
	hyp_continue_run(a, b, c, z, 1.0 / 3.0, &f0, &d0, &v2);
	if (!isfinite(out->relerr) || !isfinite(v2.relerr))
	{
		hyp_fail(out);
		return;
	}
	diff = fabs(out->m - ldexp(v2.m, (int) Max(Min(v2.e - out->e, 4000), -4000))) / fabs(out->m);
	out->relerr = 10.0 * Max(f0.relerr, d0.relerr) + 4.0 * diff +
		Max(out->relerr, v2.relerr);
}

/*
 * 2F1(a, b; c; z) for -1 < z < 1 (c not zero or a negative integer), the
 * best of the forms in the file header.
 */
static void
hyp_eval(double a, double b, double c, double z, HypValue *out)
{
	HypValue	best,
				v;

	hyp_fail(&best);
	if (z == 0.0 || a == 0.0 || b == 0.0)
	{
		out->m = 1.0;
		out->e = 0;
		out->relerr = DBL_EPSILON;
		return;
	}
	if (c == a || c == b)
	{
		/* 2F1(a, b; b; z) = (1 - z)^-a */
		double		p = c == a ? b : a;
		double		lnf = -p * log1p(-z);

		out->m = 1.0;
		out->e = 0;
		out->relerr = DBL_EPSILON;
		hyp_scale(out, lnf, 2.0 * DBL_EPSILON * fabs(lnf));
		return;
	}
	if (z < 0)
	{
		double		w = z / (z - 1.0);
		double		l = log1p(-z);	/* ln(1 - z) > 0 */

		hyp_series(a, c - b, c, w, 0, 1.0, HYP_MAX_TERMS, &v);
		hyp_scale(&v, -a * l, 2.0 * DBL_EPSILON * fabs(a * l));
		if (v.relerr <= HYP_GOOD)
		{
			*out = v;
			return;
		}
		hyp_keep(&best, &v);
		hyp_series(c - a, b, c, w, 0, 1.0, HYP_MAX_TERMS, &v);
		hyp_scale(&v, -b * l, 2.0 * DBL_EPSILON * fabs(b * l));
		if (v.relerr <= HYP_GOOD)
		{
			*out = v;
			return;
		}
		hyp_keep(&best, &v);
		hyp_series(a, b, c, z, 0, 1.0, HYP_MAX_TERMS, &v);
		hyp_keep(&best, &v);
		*out = best;
		return;
	}
	else
	{
		double		l = log1p(-z);	/* ln(1 - z) < 0 */
		double		d = c - a - b;
		int64		quick = z > 0.5 ? HYP_QUICK_TERMS : HYP_MAX_TERMS;
		int			pass;

		for (pass = 0; pass < 2; pass++)
		{
			hyp_series(a, b, c, z, 0, 1.0, quick, &v);
			if (v.relerr <= HYP_GOOD)
			{
				*out = v;
				return;
			}
			hyp_keep(&best, &v);
			hyp_series(c - a, c - b, c, z, 0, 1.0, quick, &v);
			hyp_scale(&v, d * l, 2.0 * DBL_EPSILON * fabs(d * l));
			if (v.relerr <= HYP_GOOD)
			{
				*out = v;
				return;
			}
			hyp_keep(&best, &v);
			if (quick == HYP_MAX_TERMS)
				break;
			/* a polynomial: its expansion in 1 - z */
			hyp_terminating(a, b, c, z, &v);
			if (v.relerr <= HYP_GOOD)
			{
				*out = v;
				return;
			}
			hyp_keep(&best, &v);
			/* the 1 - z transformation */
			hyp_connection(a, b, c, z, &v);
			if (v.relerr <= HYP_GOOD)
			{
				*out = v;
				return;
			}
			hyp_keep(&best, &v);
			/* z > 1/2: continue from 1/2, then the long series */
			hyp_continue(a, b, c, z, &v);
			if (v.relerr <= HYP_GOOD)
			{
				*out = v;
				return;
			}
			hyp_keep(&best, &v);
			quick = HYP_MAX_TERMS;
		}
		*out = best;
	}
}

/*
 * The tail of the 2F1 series divided by b:
 *     S = sum over k >= 1 of  (a)_k (b + 1)_(k-1) / ((c)_k k!) z^k
 * so that 2F1(a, b; c; z) = 1 + b S (defined also at b = 0: bgnbd.c needs
 * (2F1 - 1) / (a - 1) near a = 1).  At most maxterms terms; returns NAN when
 * the series does not converge in them, and stores a bound on the absolute
 * error of S in *abserr.
 */
double
cprof_hyp2f1_tail(double a, double b, double c, double z, int64 maxterms,
				  double *abserr)
{
	HypValue	v;

	if (z == 0.0 || a == 0.0)
	{
		*abserr = 0.0;
		return 0.0;
	}
	if (!(fabs(z) < 1.0) || c == 0.0)
		return NAN;
	/* t_1 = a z / c; later terms by the 2F1(a, b; c) ratio */
	hyp_series(a, b, c, z, 1, a * z / c, maxterms, &v);
	if (!isfinite(v.relerr) || v.e != 0)
		return NAN;
	*abserr = v.relerr * fabs(v.m);
	return v.m;
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
	HypValue	v;
	double		lnabs;

	if (!isfinite(a) || !isfinite(b) || !isfinite(c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a, b and c must be finite, got %.17g, %.17g and %.17g", a, b, c),
				 errhint("Pass finite parameters.")));
	if (c <= 0 && c == floor(c))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("c must not be zero or a negative integer, got %.17g", c),
				 errhint("2F1 has a pole there.")));
	if (!(fabs(z) < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("z must be greater than -1 and less than 1, got %.17g", z),
				 errhint("Transform the argument first, for example with Pfaff's z / (z - 1).")));
	hyp_eval(a, b, c, z, &v);
	lnabs = log(fabs(v.m)) + (double) v.e * M_LN2;
	if (v.relerr < 1e-3 && (lnabs > log(DBL_MAX) || lnabs < log(DBL_MIN)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hyp2f1(%.17g, %.17g, %.17g, %.17g) is out of the range of double precision",
						a, b, c, z),
				 errdetail("Its magnitude is about 1e%.0f.", lnabs / M_LN10)));
	if (!(v.relerr <= HYP_OK))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hyp2f1(%.17g, %.17g, %.17g, %.17g) cannot be computed to 1e-10 relative accuracy",
						a, b, c, z),
				 errdetail("Every series and transformation tried either cancels or does not converge for these arguments."),
				 errhint("Use smaller parameters, or an argument z farther from 1.")));
	if (lnabs > log(DBL_MAX) || lnabs < log(DBL_MIN))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hyp2f1(%.17g, %.17g, %.17g, %.17g) is out of the range of double precision",
						a, b, c, z),
				 errdetail("Its magnitude is about 1e%.0f.", lnabs / M_LN10)));
	PG_RETURN_FLOAT8(ldexp(v.m, (int) v.e));
}
