/*
 * src/hhi.c: the hhi aggregate, the Herfindahl-Hirschman index of a value
 * over clients: the sum of the squared shares, sum(v^2) / S^2.
 *
 * SQL objects (sql/cprof--1.1.sql), T numeric, double precision or integer:
 *   hhi(value T) -> double precision
 *   type cprof_hhi_state, its functions cprof_hhi_state_{in,out,recv,send}
 *   cprof_hhi_trans (overloaded on T: C symbols cprof_hhi_trans_numeric,
 *   _float8, _int4), cprof_hhi_{combine,final}
 * The 1.0 definitions (STYPE internal: cprof_hhi_trans and
 * cprof_hhi_{serialize,deserialize}) run on the same code until ALTER
 * EXTENSION cprof UPDATE (state.c says how).
 *
 * State: CprofHhiState, a flat state (state.c) of a count and two
 * compensated sums.  hhi is scale-free (multiplying every value by the
 * same number leaves it unchanged), but squares overflow double precision
 * above about 1.3e154 and lose bits below about 1.5e-154.  So the sums are
 * of the values scaled by a power of two, 2^-exponent, that keeps every
 * scaled magnitude below 1: when a value of larger magnitude arrives, the
 * sums are rescaled (exactly, by a power of two) before it is added.
 * Values far below the largest may then underflow, which changes nothing:
 * their squares are below 2^-1022 of the largest square.
 *
 * Text form (cprof_hhi_state_out; state_io.c has the grammar):
 *   1 hhi n=3 exponent=3 sum=1.25/0 sumsq=0.59375/0
 * n values, the sums of v * 2^-exponent and of its squares (each sum and
 * its compensation), exponent=none before the first non-zero value.
 *
 * NULL rules as for the rest of the family (pareto.c).
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "libpq/pqformat.h"

#include "concentration.h"

/* Version of the binary and text forms. */
#define HHI_STATE_VERSION 1

/* The exponent of a state without a non-zero value: below every double's. */
#define HHI_NO_EXPONENT		(-2000)
/* Exponents of non-zero doubles (frexp) lie in [-1073, 1024]. */
#define HHI_MIN_EXPONENT	(-1073)
#define HHI_MAX_EXPONENT	1024

/* Per-group state of hhi(): a flat state without parts. */
typedef struct CprofHhiState
{
	CprofFlatHeader hdr;
	int32		exponent;		/* the sums are of v * 2^-exponent; every
								 * non-zero value added has |v| <
								 * 2^exponent */
	int64		n;				/* values added */
	CprofFloatSum sum;			/* sum of the scaled values */
	CprofFloatSum sumsq;		/* sum of their squares */
} CprofHhiState;

static const CprofFlatHeader hhi_header[] = {
	CPROF_FLAT_HEADER(CPROF_FAMILY_HHI, 0, 0, sizeof(CprofHhiState))
};
static const CprofFlatKind hhi_kind = {CPROF_FAMILY_HHI, 1, hhi_header, "hhi"};

static const char *const hhi_forms[] = {"hhi"};

#define HHI(ref) ((CprofHhiState *) (ref).st)

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

/* The transition step for a value of type 'type' (argument 1). */
static Datum
hhi_step(FunctionCallInfo fcinfo, Oid type)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	CprofStateRef ref;
	bool		have = cprof_state_begin(fcinfo, mode, aggcxt, &hhi_kind, 0, &ref);
	CprofHhiState *st;
	double		x;

	if (PG_ARGISNULL(1))
	{
		if (!have)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(ref.st);
	}
	x = value_double(fcinfo, PG_GETARG_DATUM(1), type, "hhi");
	if (!have)
	{
		cprof_state_new(&ref, 0, NULL);
		HHI(ref)->exponent = HHI_NO_EXPONENT;
	}
	st = HHI(ref);
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
	PG_RETURN_POINTER(ref.st);
}

PG_FUNCTION_INFO_V1(cprof_hhi_trans_numeric);
/* Transition function of hhi(numeric). */
Datum
cprof_hhi_trans_numeric(PG_FUNCTION_ARGS)
{
	return hhi_step(fcinfo, NUMERICOID);
}

PG_FUNCTION_INFO_V1(cprof_hhi_trans_float8);
/* Transition function of hhi(double precision). */
Datum
cprof_hhi_trans_float8(PG_FUNCTION_ARGS)
{
	return hhi_step(fcinfo, FLOAT8OID);
}

PG_FUNCTION_INFO_V1(cprof_hhi_trans_int4);
/* Transition function of hhi(integer). */
Datum
cprof_hhi_trans_int4(PG_FUNCTION_ARGS)
{
	return hhi_step(fcinfo, INT4OID);
}

PG_FUNCTION_INFO_V1(cprof_hhi_trans);
/*
 * Transition function of the 1.0 definitions (STYPE internal), whose
 * overloads share this symbol: the value's type is read from the call.
 */
Datum
cprof_hhi_trans(PG_FUNCTION_ARGS)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 1);

	if (type != NUMERICOID && type != FLOAT8OID && type != INT4OID)
		elog(ERROR, "cprof_hhi_trans called with input type %u", type);
	return hhi_step(fcinfo, type);
}

PG_FUNCTION_INFO_V1(cprof_hhi_combine);
/*
 * Combine function of hhi(): the sums brought to the larger exponent,
 * added.  STRICT for the state type; the 1.0 definition (internal) is not.
 */
Datum
cprof_hhi_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	CprofStateRef ref;
	const CprofHhiState *s2;
	CprofHhiState other;
	CprofHhiState *s1;
	Datum		result;

	if (cprof_combine_null_cases(fcinfo, &result))
		return result;
	s2 = (const CprofHhiState *) cprof_state_arg(fcinfo, 1, &hhi_kind);
	if (!cprof_state_begin(fcinfo, mode, aggcxt, &hhi_kind, s2->hdr.form, &ref))
	{
		cprof_state_copy_into(&ref, &s2->hdr);
		PG_RETURN_POINTER(ref.st);
	}
	s1 = HHI(ref);
	other = *s2;
	if (other.exponent > s1->exponent)
		hhi_rescale(s1, other.exponent);
	else
		hhi_rescale(&other, s1->exponent);
	if (pg_add_s64_overflow(s1->n, other.n, &s1->n))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hhi value count out of range")));
	floatsum_add_floatsum(&s1->sum, &other.sum);
	floatsum_add_floatsum(&s1->sumsq, &other.sumsq);
	PG_RETURN_POINTER(ref.st);
}

PG_FUNCTION_INFO_V1(cprof_hhi_final);
/* Final function of hhi(): sum(v^2) / S^2, NULL for no value or S = 0. */
Datum
cprof_hhi_final(PG_FUNCTION_ARGS)
{
	const CprofHhiState *st;
	double		S;
	double		result;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (const CprofHhiState *) cprof_state_arg(fcinfo, 0, &hhi_kind);
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

/*
 * ---------------------------------------------------------------------------
 * The forms of the state: binary, text, and their checks
 * ---------------------------------------------------------------------------
 */

/*
 * Every invariant of a state, down to what the scaling guarantees: each
 * scaled value is below 1 in magnitude, so the sums are at most the count,
 * and the sum of squares is not negative.  NULL if it holds, else what is
 * wrong.
 */
static const char *
hhi_check(const CprofHhiState *st)
{
	const char *bad;
	double		sum;
	double		sumsq;

	if (st->n < 0)
		return "The count is negative.";
	if (st->exponent != HHI_NO_EXPONENT &&
		(st->exponent < HHI_MIN_EXPONENT || st->exponent > HHI_MAX_EXPONENT))
		return "The exponent is out of range.";
	if ((bad = floatsum_check(&st->sum, 0, true)) != NULL ||
		(bad = floatsum_check(&st->sumsq, 0, true)) != NULL)
		return bad;
	sum = floatsum_result(&st->sum);
	sumsq = floatsum_result(&st->sumsq);
	if (st->exponent == HHI_NO_EXPONENT && (sum != 0 || sumsq != 0 ||
											st->sum.comp != 0 || st->sumsq.comp != 0))
		return "A state without a non-zero value has non-zero sums.";
	if (!(sumsq >= 0) || fabs(sum) > (double) st->n * 1.000001 ||
		sumsq > (double) st->n * 1.000001)
		return "The sums are more than the count of values can give.";
	return NULL;
}

/* The binary form: version, count, exponent, the two sums. */
static void
hhi_send(StringInfo buf, const CprofHhiState *st)
{
	pq_sendbyte(buf, HHI_STATE_VERSION);
	pq_sendint64(buf, st->n);
	pq_sendint32(buf, st->exponent);
	floatsum_send(buf, &st->sum);
	floatsum_send(buf, &st->sumsq);
}

/* Read the binary form into a new state in the current memory context. */
static CprofHhiState *
hhi_recv(StringInfo buf, const char *type)
{
	CprofStateRef ref = {NULL, CPROF_STATE_COPY, NULL, &hhi_kind};
	CprofHhiState *st;
	const char *bad;

	cprof_recv_version(buf, HHI_STATE_VERSION, type);
	cprof_state_new(&ref, 0, NULL);
	st = HHI(ref);
	st->n = cprof_recv_int64(buf);
	st->exponent = cprof_recv_int32(buf);
	floatsum_recv(buf, &st->sum);
	floatsum_recv(buf, &st->sumsq);
	cprof_recv_end(buf);
	if ((bad = hhi_check(st)) != NULL)
		cprof_binary_invalid(type, bad);
	return st;
}

PG_FUNCTION_INFO_V1(cprof_hhi_state_in);
/* Input function of cprof_hhi_state: the text form, every invariant checked. */
Datum
cprof_hhi_state_in(PG_FUNCTION_ARGS)
{
	CprofTextReader rd;
	CprofStateRef ref = {NULL, CPROF_STATE_COPY, NULL, &hhi_kind};
	CprofHhiState *st;
	const char *bad;

	cprof_state_new(&ref, cprof_text_open(&rd, PG_GETARG_CSTRING(0), "cprof_hhi_state",
										  HHI_STATE_VERSION, hhi_forms,
										  lengthof(hhi_forms)), NULL);
	st = HHI(ref);
	cprof_text_expect_key(&rd, "n");
	st->n = cprof_text_int64(&rd);
	cprof_text_expect_key(&rd, "exponent");
	if (strncmp(rd.p, "none", 4) == 0)
	{
		rd.p += 4;
		st->exponent = HHI_NO_EXPONENT;
	}
	else
	{
		int64		e = cprof_text_int64(&rd);

		st->exponent = (e >= HHI_MIN_EXPONENT && e <= HHI_MAX_EXPONENT) ? (int32) e : PG_INT32_MAX;
	}
	cprof_text_expect_key(&rd, "sum");
	floatsum_text_in(&rd, &st->sum);
	cprof_text_expect_key(&rd, "sumsq");
	floatsum_text_in(&rd, &st->sumsq);
	cprof_text_close(&rd);
	if ((bad = hhi_check(st)) != NULL)
		cprof_text_invalid(&rd, bad);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_hhi_state_out);
/* Output function of cprof_hhi_state: the text form of the file header. */
Datum
cprof_hhi_state_out(PG_FUNCTION_ARGS)
{
	const CprofHhiState *st = (const CprofHhiState *) cprof_state_arg(fcinfo, 0, &hhi_kind);
	StringInfoData buf;

	initStringInfo(&buf);
	cprof_text_begin(&buf, HHI_STATE_VERSION, hhi_forms[st->hdr.form]);
	cprof_text_key(&buf, "n");
	appendStringInfo(&buf, INT64_FORMAT, st->n);
	cprof_text_key(&buf, "exponent");
	if (st->exponent == HHI_NO_EXPONENT)
		appendStringInfoString(&buf, "none");
	else
		appendStringInfo(&buf, "%d", st->exponent);
	cprof_text_key(&buf, "sum");
	floatsum_text_out(&buf, &st->sum);
	cprof_text_key(&buf, "sumsq");
	floatsum_text_out(&buf, &st->sumsq);
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(cprof_hhi_state_recv);
/* Receive function of cprof_hhi_state, every invariant checked. */
Datum
cprof_hhi_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(hhi_recv((StringInfo) PG_GETARG_POINTER(0), "cprof_hhi_state"));
}

PG_FUNCTION_INFO_V1(cprof_hhi_state_send);
/* Send function of cprof_hhi_state. */
Datum
cprof_hhi_state_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	hhi_send(&buf, (const CprofHhiState *) cprof_state_arg(fcinfo, 0, &hhi_kind));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_hhi_serialize);
/* Serialize function of the 1.0 definition: the type's binary form. */
Datum
cprof_hhi_serialize(PG_FUNCTION_ARGS)
{
	return cprof_hhi_state_send(fcinfo);
}

PG_FUNCTION_INFO_V1(cprof_hhi_deserialize);
/*
 * Deserialize function of the 1.0 definition: the binary form read back,
 * every invariant checked, into the current memory context (state.c).
 */
Datum
cprof_hhi_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;

	cprof_bytea_reader(&buf, bytes);
	PG_RETURN_POINTER(hhi_recv(&buf, "cprof_hhi_state"));
}
