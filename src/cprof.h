/*
 * src/cprof.h: state structs and helpers shared by cprof's C files.
 *
 * money.c     exact sums of numeric (and integer) money: CprofMoney
 *             compensated sums of double precision: CprofFloatSum
 * state_io.c  checked reading of serialized aggregate states
 * (The CLV models' machinery has its own header, fit.h.)
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

/* money.c */
extern void money_init(CprofMoney *m);
extern void money_add_numeric(CprofMoney *m, Datum value, bool negate,
							  MemoryContext cxt);
extern bool money_sub_numeric(CprofMoney *m, Datum value, bool negate,
							  MemoryContext cxt);
extern void money_add_int64(CprofMoney *m, int64 value, bool negate,
							MemoryContext cxt);
extern bool money_sub_int64(CprofMoney *m, int64 value, bool negate,
							MemoryContext cxt);
extern void money_add_money(CprofMoney *m, const CprofMoney *other,
							bool negate, MemoryContext cxt);
extern void money_copy(CprofMoney *dst, const CprofMoney *src,
					   MemoryContext cxt);
extern Numeric money_result(const CprofMoney *m);
extern bool money_is_zero(const CprofMoney *m);
extern double money_ratio(const CprofMoney *num, const CprofMoney *den);
extern void money_send(StringInfo buf, const CprofMoney *m);
extern void money_recv(StringInfo buf, CprofMoney *m, MemoryContext cxt);
extern Numeric cprof_numeric_from_int128(int128 value, int scale);
extern double cprof_numeric_to_double(Datum value);
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
