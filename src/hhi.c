/*
 * src/hhi.c: the hhi aggregate, the Herfindahl-Hirschman index of a value
 * over clients: the sum of the squared shares, sum(v^2) / S^2.
 *
 * SQL objects (sql/cprof--1.0.sql), T numeric, double precision or integer:
 *   hhi(value T) -> double precision
 *   cprof_hhi_trans (overloaded on T), cprof_hhi_{combine,serialize,
 *   deserialize,final}
 *
 * State: CprofHhiState, a count and two compensated sums, in the aggregate
 * memory context.  hhi is scale-free (multiplying every value by the same
 * number leaves it unchanged), but squares overflow double precision above
 * about 1.3e154 and lose bits below about 1.5e-154.  So the sums are of the
 * values scaled by a power of two, 2^-exponent, that keeps every scaled
 * magnitude below 1: when a value of larger magnitude arrives, the sums are
 * rescaled (exactly, by a power of two) before it is added.  Values far
 * below the largest may then underflow, which changes nothing: their
 * squares are below 2^-1022 of the largest square.
 *
 * NULL rules as for the rest of the family (pareto.c).
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "libpq/pqformat.h"

#include "concentration.h"

#define HHI_STATE_VERSION 2

/* The exponent of a state without a non-zero value: below every double's. */
#define HHI_NO_EXPONENT		(-2000)
/* Exponents of non-zero doubles (frexp) lie in [-1073, 1024]. */
#define HHI_MIN_EXPONENT	(-1073)
#define HHI_MAX_EXPONENT	1024

/* Per-group state of hhi(). */
typedef struct CprofHhiState
{
	int64		n;				/* values added */
	int32		exponent;		/* the sums are of v * 2^-exponent; every
								 * non-zero value added has |v| <
								 * 2^exponent */
	CprofFloatSum sum;			/* sum of the scaled values */
	CprofFloatSum sumsq;		/* sum of their squares */
} CprofHhiState;

/* Multiply a compensated sum by 2^k (exact but for underflow). */
static void
floatsum_ldexp(CprofFloatSum *f, int k)
{
	f->sum = ldexp(f->sum, k);
	f->comp = ldexp(f->comp, k);
}

/* Bring the sums of st to the exponent e >= st->exponent. */
static void
hhi_rescale(CprofHhiState *st, int e)
{
	int			d = e - st->exponent;

	if (d == 0)
		return;
	floatsum_ldexp(&st->sum, -d);
	floatsum_ldexp(&st->sumsq, -2 * d);
	st->exponent = e;
}

PG_FUNCTION_INFO_V1(cprof_hhi_trans);
/* Transition function of hhi(value). */
Datum
cprof_hhi_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_hhi_trans");
	CprofHhiState *st = PG_ARGISNULL(0) ? NULL : (CprofHhiState *) PG_GETARG_POINTER(0);
	Oid			type = arg_types(fcinfo)->value;
	double		x;

	if (PG_ARGISNULL(1))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	x = value_double(fcinfo, PG_GETARG_DATUM(1), type, "hhi");
	if (st == NULL)
	{
		st = MemoryContextAllocZero(aggcxt, sizeof(CprofHhiState));
		st->exponent = HHI_NO_EXPONENT;
	}
	if (x != 0)
	{
		int			e;
		double		xs;

		(void) frexp(x, &e);
		if (e > st->exponent)
			hhi_rescale(st, e);
		xs = ldexp(x, -st->exponent);
		floatsum_add(&st->sum, xs);
		floatsum_add(&st->sumsq, xs * xs);
	}
	st->n++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_hhi_combine);
/* Combine function of hhi(): the sums brought to the larger exponent, added. */
Datum
cprof_hhi_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_hhi_combine");
	CprofHhiState *s1 = PG_ARGISNULL(0) ? NULL : (CprofHhiState *) PG_GETARG_POINTER(0);
	CprofHhiState *s2 = PG_ARGISNULL(1) ? NULL : (CprofHhiState *) PG_GETARG_POINTER(1);
	CprofHhiState other;

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = MemoryContextAlloc(aggcxt, sizeof(CprofHhiState));
		*s1 = *s2;
		PG_RETURN_POINTER(s1);
	}
	other = *s2;
	if (other.exponent > s1->exponent)
		hhi_rescale(s1, other.exponent);
	else
		hhi_rescale(&other, s1->exponent);
	if (pg_add_s64_overflow(s1->n, other.n, &s1->n))
		cprof_state_mismatch("hhi");
	floatsum_add_floatsum(&s1->sum, &other.sum);
	floatsum_add_floatsum(&s1->sumsq, &other.sumsq);
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(cprof_hhi_serialize);
/* Serialize function of hhi(): version byte, count, exponent, the two sums. */
Datum
cprof_hhi_serialize(PG_FUNCTION_ARGS)
{
	CprofHhiState *st = (CprofHhiState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	cprof_agg_context(fcinfo, "cprof_hhi_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, HHI_STATE_VERSION);
	pq_sendint64(&buf, st->n);
	pq_sendint32(&buf, st->exponent);
	floatsum_send(&buf, &st->sum);
	floatsum_send(&buf, &st->sumsq);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_hhi_deserialize);
/*
 * Deserialize function of hhi(): every field checked, down to what the
 * scaling guarantees: each scaled value is below 1 in magnitude, so the
 * sums are at most the count, and the sum of squares is not negative.
 */
Datum
cprof_hhi_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CprofHhiState *st;
	double		sum;
	double		sumsq;

	cprof_agg_context(fcinfo, "cprof_hhi_deserialize");
	cprof_recv_begin(&buf, bytes, HHI_STATE_VERSION, "hhi");
	st = palloc0(sizeof(CprofHhiState));
	st->n = cprof_recv_int64(&buf);
	st->exponent = cprof_recv_int32(&buf);
	floatsum_recv(&buf, &st->sum);
	floatsum_recv(&buf, &st->sumsq);
	cprof_recv_end(&buf);
	sum = floatsum_result(&st->sum);
	sumsq = floatsum_result(&st->sumsq);
	if (st->n < 0 || st->sum.nan_count != 0 || st->sum.pinf_count != 0 ||
		st->sum.ninf_count != 0 || st->sumsq.nan_count != 0 ||
		st->sumsq.pinf_count != 0 || st->sumsq.ninf_count != 0 ||
		(st->exponent != HHI_NO_EXPONENT &&
		 (st->exponent < HHI_MIN_EXPONENT || st->exponent > HHI_MAX_EXPONENT)) ||
		(st->exponent == HHI_NO_EXPONENT && (sum != 0 || sumsq != 0)) ||
		!(sumsq >= 0) || fabs(sum) > (double) st->n * 1.000001 ||
		sumsq > (double) st->n * 1.000001)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid concentration aggregate state"),
				 errdetail("The hhi state has a negative count, a bad exponent or sums its count cannot give.")));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_hhi_final);
/* Final function of hhi(): sum(v^2) / S^2, NULL for no value or S = 0. */
Datum
cprof_hhi_final(PG_FUNCTION_ARGS)
{
	CprofHhiState *st;
	double		S;
	double		result;

	cprof_agg_context(fcinfo, "cprof_hhi_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (CprofHhiState *) PG_GETARG_POINTER(0);
	S = floatsum_result(&st->sum);
	if (st->n == 0 || S == 0)
		PG_RETURN_NULL();
	/* S * S may underflow where the quotient does not (S tiny by cancellation) */
	if (isnormal(S * S))
		result = floatsum_result(&st->sumsq) / (S * S);
	else
		result = floatsum_result(&st->sumsq) / S / S;
	if (!isfinite(result))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hhi is out of the range of double precision"),
				 errdetail("The values cancel out to a total that is tiny next to their squares.")));
	PG_RETURN_FLOAT8(result);
}
