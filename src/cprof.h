/*
 * src/cprof.h: state structs and helpers shared by cprof's C files.
 *
 * money.c     exact sums of numeric (and integer) money: CprofMoney
 *             compensated sums of double precision: CprofFloatSum
 * state_io.c  checked reading of serialized aggregate states
 * special.c   special functions and the optimizer of the CLV models
 * history.c   the multiset of client histories the model fits aggregate,
 *             their shared support functions and fit driver
 */
#ifndef CPROF_H
#define CPROF_H

#include <math.h>

#include "access/htup.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/numeric.h"

#ifndef HAVE_INT128
#error "cprof needs a compiler with a 128-bit integer type"
#endif

/*
 * Exact running sum of numeric values.
 *
 * The common case is a fast path: the sum is an int128 count of units of
 * 10^-scale (a money amount in minor units at the group's scale), so adding
 * a row costs a decode of the numeric's digits and an integer add.  A value
 * that does not fit (more than 38 significant digits at the group's scale,
 * or a scale past CPROF_MONEY_MAX_SCALE), or an add that would overflow,
 * goes to the slow part: an exact numeric sum kept with numeric_add.  The
 * total is always fast + slow, with no rounding anywhere.
 *
 * scale is the largest display scale of any finite value added, so the
 * result has the display scale PostgreSQL's sum(numeric) gives
 * (1.10 + 2.205 = 3.305).  scale_count counts the values at that scale: a
 * moving-aggregate inverse cannot lower the scale, so removing the last of
 * them reports failure and the executor recomputes the frame, as
 * numeric_accum_inv does.
 *
 * NaN and infinities are counted, not added, so that inverse transitions can
 * remove them; the result follows sum(numeric): any NaN, or both
 * infinities, give NaN; otherwise an infinity gives that infinity.
 */
typedef struct CprofMoneyExtra
{
	Numeric		slow;			/* NULL, or the exact sum of what did not fit */
	int64		nan_count;		/* NaN values added */
	int64		pinf_count;		/* +Infinity values added */
	int64		ninf_count;		/* -Infinity values added */
} CprofMoneyExtra;

typedef struct CprofMoney
{
	int128		fast;			/* fast part, in units of 10^-scale */
	CprofMoneyExtra *extra;		/* NULL until a value leaves the fast path:
								 * the slow part and the NaN/Infinity counts,
								 * in the aggregate's memory context (kept
								 * out of line so that per-group states stay
								 * small) */
	int64		scale_count;	/* finite values added at display scale
								 * 'scale' */
	int32		scale;			/* display scale of the sum */
} CprofMoney;

/* Largest scale the int128 fast path works at; past it, values go slow. */
#define CPROF_MONEY_MAX_SCALE 38

/*
 * Compensated (Kahan-Babuska-Neumaier) sum of double precision values.
 * Non-finite values are counted instead of added, as in CprofMoney, so that
 * the compensation term never becomes NaN and inverse transitions work.
 */
typedef struct CprofFloatSum
{
	double		sum;			/* running sum */
	double		comp;			/* running compensation: the lost low bits */
	int64		nan_count;		/* NaN values added */
	int64		pinf_count;		/* +Infinity values added */
	int64		ninf_count;		/* -Infinity values added */
} CprofFloatSum;

/*
 * A numeric Datum decoded for the int128 fast path (money_decode), for
 * callers that use a value more than once (money_add_parts,
 * money_parts_running_sums).
 */
typedef struct CprofNumericParts
{
	int128		units;			/* value * 10^dscale, when fits */
	int			dscale;			/* display scale of a finite value */
	bool		finite;			/* neither NaN nor an infinity */
	bool		fits;			/* finite, and units holds it exactly */
} CprofNumericParts;

/* money.c */
extern void money_init(CprofMoney *m);
extern void money_add_numeric(CprofMoney *m, Datum value, bool negate,
							  MemoryContext cxt);
extern bool money_sub_numeric(CprofMoney *m, Datum value, bool negate,
							  MemoryContext cxt);
extern void money_decode(Datum value, CprofNumericParts *p);
extern void money_add_parts(CprofMoney *m, const CprofNumericParts *p,
							Datum value, bool negate, MemoryContext cxt);
extern int	money_parts_running_sums(const CprofNumericParts *const *t,
									 const int *sign, int n,
									 const CprofNumericParts *const *e,
									 const int *at, int m);
extern void money_add_int64(CprofMoney *m, int64 value, bool negate,
							MemoryContext cxt);
extern bool money_sub_int64(CprofMoney *m, int64 value, bool negate,
							MemoryContext cxt);
extern void money_add_money(CprofMoney *m, const CprofMoney *other,
							bool negate, MemoryContext cxt);
extern void money_copy(CprofMoney *dst, const CprofMoney *src,
					   MemoryContext cxt);
extern Numeric money_result(const CprofMoney *m);
extern int	money_sign(const CprofMoney *m);
extern bool money_equals(const CprofMoney *m, Datum value);
extern void money_send(StringInfo buf, const CprofMoney *m);
extern void money_recv(StringInfo buf, CprofMoney *m, MemoryContext cxt);
extern Numeric cprof_numeric_from_int128(int128 value, int scale);
extern bool cprof_numeric_int128(Datum value, int128 *v, int *dscale,
								 bool *finite);
extern bool cprof_int128_scale_up(int128 *v, int k);
extern double cprof_numeric_to_double(Datum value);
extern int	cprof_numeric_exp10(Datum value, bool *zero);

/* Whether a number has a double precision value, and why not. */
typedef enum CprofDoubleRange
{
	CPROF_DOUBLE_IN_RANGE,
	CPROF_DOUBLE_TOO_LARGE,		/* magnitude above about 1.8e308 */
	CPROF_DOUBLE_TOO_SMALL		/* not zero, magnitude below about 4.9e-324 */
} CprofDoubleRange;

extern CprofDoubleRange cprof_double_range(Datum value, double x);
extern void cprof_double_range_error(CprofDoubleRange r, const char *what,
									 const char *where, const char *hint) pg_attribute_noreturn();
extern double cprof_numeric_to_double_checked(Datum value, const char *what,
											  const char *where, const char *hint);
extern CprofDoubleRange money_ratio(const CprofMoney *num, const CprofMoney *den,
									double *result);
extern Numeric cprof_float8_to_numeric(double x);

extern void floatsum_init(CprofFloatSum *f);
extern void floatsum_add(CprofFloatSum *f, double value);
extern void floatsum_remove(CprofFloatSum *f, double value);
extern void floatsum_add_floatsum(CprofFloatSum *f, const CprofFloatSum *other);
extern double floatsum_result(const CprofFloatSum *f);
extern void floatsum_send(StringInfo buf, const CprofFloatSum *f);
extern void floatsum_recv(StringInfo buf, CprofFloatSum *f);

/* state_io.c */
extern void cprof_recv_begin(StringInfo buf, bytea *state, int version,
							 const char *what);
extern int64 cprof_recv_int64(StringInfo buf);
extern void cprof_send_varint(StringInfo buf, int64 value);
extern int64 cprof_recv_varint(StringInfo buf);
extern int32 cprof_recv_int32(StringInfo buf);
extern int	cprof_recv_byte(StringInfo buf);
extern double cprof_recv_float8(StringInfo buf);
extern Numeric cprof_recv_numeric(StringInfo buf);
extern void cprof_send_numeric(StringInfo buf, Numeric value);
extern void cprof_recv_end(StringInfo buf);
extern void cprof_send_float8(StringInfo buf, double value);
extern void cprof_state_mismatch(const char *what) pg_attribute_noreturn();
extern const char *cprof_agg_name(FunctionCallInfo fcinfo, const char *fallback);

/* special.c */
#define CPROF_OPT_MAX 4			/* most parameters an optimizer handles */

/*
 * An objective to minimize: returns its value at x (+Infinity or NaN
 * outside the domain) and, when grad is not NULL, stores its gradient.
 */
typedef double (*CprofObjective) (const double *x, double *grad, void *arg);

extern double cprof_digamma(double x);
extern double cprof_hyp2f1_tail(double a, double b, double c, double z);
extern double cprof_hyp2f1(double a, double b, double c, double z);
extern double cprof_nelder_mead(CprofObjective fn, void *arg, int n, double *x,
								double step, int maxeval, double ftol, double xtol);
extern bool cprof_newton(CprofObjective fn, void *arg, int n, double *x,
						 double *fx, int maxiter, double gtol);

/* One distinct client history and the number of clients that have it. */
typedef struct CprofHistEntry
{
	double		x;				/* frequency */
	double		y;				/* BG/NBD, Pareto/NBD: recency; Gamma-Gamma: monetary */
	double		z;				/* BG/NBD, Pareto/NBD: age; Gamma-Gamma: 0 */
	int64		count;			/* clients with this history */
} CprofHistEntry;

/* Per-group state of the model fits; lives in the aggregate context. */
typedef struct CprofHistState
{
	int64		clients;		/* rows aggregated (NULL rows skipped) */
	int64		n;				/* entries used */
	int64		cap;			/* entries allocated */
	bool		compact;		/* entries sorted and distinct */
	MemoryContext cxt;			/* where e lives */
	CprofHistEntry *e;			/* the histories */
} CprofHistState;

/*
 * Sorted distinct histories grouped by frequency: the data of a likelihood,
 * which computes the terms that depend on x only once per group.
 */
typedef struct CprofHistGroups
{
	const CprofHistEntry *e;	/* the histories, sorted and distinct */
	int64		n;				/* how many */
	int64		clients;		/* sum of the counts */
	int64		ngroups;		/* distinct frequencies */
	int64	   *group;			/* group g is e[group[g] .. group[g+1]) */
} CprofHistGroups;

/*
 * Builds the argument of a fit's objective from sorted distinct histories
 * e[0 .. n), in the current memory context.
 */
typedef void *(*CprofFitData) (const CprofHistEntry *e, int64 n);

/*
 * One step of Neumaier's compensated summation (Neumaier 1974): *sum += v,
 * with the low bits lost by the addition gathered in *comp; the total is
 * *sum + *comp.  The fits' objectives add their per-group log-likelihoods
 * with it.
 */
static inline void
cprof_neumaier_add(double *sum, double *comp, double v)
{
	double		t = *sum + v;

	if (fabs(*sum) >= fabs(v))
		*comp += (*sum - t) + v;
	else
		*comp += (v - t) + *sum;
	*sum = t;
}

/* Newton stops when every component of the gradient of the mean
 * log-likelihood with respect to the log-parameters is below this. */
#define CPROF_FIT_GTOL 1e-10

/* history.c */
extern CprofHistState *cprof_hist_new(MemoryContext cxt, int64 cap);
extern void cprof_hist_add(CprofHistState *s, double x, double y, double z,
						   int64 count);
extern void cprof_hist_compact(CprofHistState *s);
extern CprofHistState *cprof_hist_combine(CprofHistState *s1,
										  const CprofHistState *s2,
										  MemoryContext cxt);
extern CprofHistState *cprof_hist_sorted_copy(const CprofHistState *s);
extern bytea *cprof_hist_serialize(CprofHistState *s);
extern CprofHistState *cprof_hist_deserialize(bytea *bytes, MemoryContext cxt,
											  const char *what,
											  bool (*valid) (const CprofHistEntry *e));
extern void cprof_check_history(double x, double tx, double T);
extern void cprof_check_horizon(double t);
extern void cprof_hist_groups_init(CprofHistGroups *d, const CprofHistEntry *e,
								   int64 n);
extern void *cprof_hist_groups_new(const CprofHistEntry *e, int64 n);
extern Datum cprof_hist_fit(FunctionCallInfo fcinfo, const CprofHistState *h,
							CprofFitData make_data, CprofObjective fn,
							int nparams, double *theta, int64 nm_sample);
extern double cprof_model_param(HeapTupleHeader model, int attno,
								const char *name, const char *fit);

/* bgnbd.c */
extern void cprof_bgnbd_params(HeapTupleHeader model, double *params);
extern double cprof_bgnbd_expected(const double *params, double t, double x,
								   double tx, double T);

/* pareto_nbd.c */
extern void cprof_pareto_nbd_params(HeapTupleHeader model, double *params);
extern double cprof_pareto_nbd_expected(const double *params, double t,
										double x, double tx, double T);

/* gamma_gamma.c */
extern double cprof_gamma_gamma_expected(HeapTupleHeader model, double x,
										 double m);

/*
 * The aggregate memory context of the calling aggregate, or an error when a
 * support function is called outside an aggregate.
 */
static inline MemoryContext
cprof_agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return aggcxt;
}

#endif							/* CPROF_H */
