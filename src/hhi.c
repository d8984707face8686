/*
 * src/hhi.c: the hhi aggregate, the Herfindahl-Hirschman index of a value
 * over clients: the sum of the squared shares, sum(v^2) / S^2.
 *
 * SQL objects (sql/cprof--1.0.sql), T numeric, double precision or integer:
 *   hhi(value T) -> double precision
 *   cprof_hhi_trans (overloaded on T), cprof_hhi_{combine,serialize,
 *   deserialize,final}
 *
 * State: CprofHhiState, three numbers, in the aggregate memory context.
 * NULL rules as for the rest of the family (pareto.c).
 */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"

#include "concentration.h"

#define HHI_STATE_VERSION 1

/* Per-group state of hhi(). */
typedef struct CprofHhiState
{
	int64		n;				/* values added */
	CprofFloatSum sum;			/* sum of the values */
	CprofFloatSum sumsq;		/* sum of their squares */
} CprofHhiState;

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
	x = value_double(PG_GETARG_DATUM(1), type);
	if (st == NULL)
		st = MemoryContextAllocZero(aggcxt, sizeof(CprofHhiState));
	st->n++;
	floatsum_add(&st->sum, x);
	floatsum_add(&st->sumsq, x * x);
	if (unlikely(isinf(x * x)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("square of value %s is out of the range of double precision", fstr(x))));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_hhi_combine);
/* Combine function of hhi(). */
Datum
cprof_hhi_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_hhi_combine");
	CprofHhiState *s1 = PG_ARGISNULL(0) ? NULL : (CprofHhiState *) PG_GETARG_POINTER(0);
	CprofHhiState *s2 = PG_ARGISNULL(1) ? NULL : (CprofHhiState *) PG_GETARG_POINTER(1);

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
	s1->n += s2->n;
	floatsum_add_floatsum(&s1->sum, &s2->sum);
	floatsum_add_floatsum(&s1->sumsq, &s2->sumsq);
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(cprof_hhi_serialize);
/* Serialize function of hhi(): version byte, count, the two sums. */
Datum
cprof_hhi_serialize(PG_FUNCTION_ARGS)
{
	CprofHhiState *st = (CprofHhiState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	cprof_agg_context(fcinfo, "cprof_hhi_serialize");
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, HHI_STATE_VERSION);
	pq_sendint64(&buf, st->n);
	floatsum_send(&buf, &st->sum);
	floatsum_send(&buf, &st->sumsq);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_hhi_deserialize);
/* Deserialize function of hhi(). */
Datum
cprof_hhi_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CprofHhiState *st;

	cprof_agg_context(fcinfo, "cprof_hhi_deserialize");
	cprof_recv_begin(&buf, bytes, HHI_STATE_VERSION, "hhi");
	st = palloc0(sizeof(CprofHhiState));
	st->n = cprof_recv_int64(&buf);
	floatsum_recv(&buf, &st->sum);
	floatsum_recv(&buf, &st->sumsq);
	cprof_recv_end(&buf);
	if (st->n < 0 || st->sum.nan_count != 0 || st->sum.pinf_count != 0 ||
		st->sum.ninf_count != 0 || st->sumsq.nan_count != 0 ||
		st->sumsq.pinf_count != 0 || st->sumsq.ninf_count != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid concentration aggregate state"),
				 errdetail("The hhi state has a negative count or a non-finite sum.")));
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
	/* S * S may overflow (or underflow) where the quotient does not */
	if (isnormal(S * S))
		result = floatsum_result(&st->sumsq) / (S * S);
	else
		result = floatsum_result(&st->sumsq) / S / S;
	if (!isfinite(result))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hhi is out of the range of double precision")));
	PG_RETURN_FLOAT8(result);
}
