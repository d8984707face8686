/*
 * src/pareto_store.c: the value store of the concentration aggregates
 * (CprofParetoState, concentration.h) and its combine and serialization.
 *
 * SQL objects (sql/cprof--1.0.sql): cprof_pareto_combine,
 * cprof_pareto_serialize, cprof_pareto_deserialize, shared by every
 * aggregate of the family but hhi.
 *
 * The store keeps every non-NULL value of a group as a double (numeric
 * input is converted with cprof_numeric_to_double, the correctly rounded
 * value::double precision), in chunks of at most CHUNK_VALUES doubles, so a
 * group may hold far more than the 1 GB a single palloc allows; the first
 * chunk starts small and doubles, so small groups stay small.  The final
 * functions never modify it: they read copies (cprof_store_copy and
 * cprof_store_copy_sign, one array from MemoryContextAllocHuge).
 *
 * A serialized state (parallel and partitionwise aggregation) is a bytea of
 * 8 bytes per value, so it is limited to about 134 million values per
 * partial state (the 1 GB varlena limit); past that serialize raises 54000
 * with a hint to run the aggregation without parallel workers.
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "concentration.h"

#define PARETO_STATE_VERSION 2

/*
 * ---------------------------------------------------------------------------
 * The value store
 * ---------------------------------------------------------------------------
 */

CprofParetoState *
cprof_pareto_state_new(ParetoParam kind, MemoryContext cxt)
{
	CprofParetoState *st = MemoryContextAllocZero(cxt, sizeof(CprofParetoState));

	st->param_kind = kind;
	return st;
}

/* Make room for at least one more value; allocations in cxt. */
void
cprof_store_grow(CprofParetoState *st, MemoryContext cxt)
{
	if (st->nchunks > 0 && st->last_cap < CHUNK_VALUES)
	{
		/* the only chunk is still growing: double it */
		int64		cap = Min(st->last_cap * 2, CHUNK_VALUES);

		st->chunks[0] = repalloc(st->chunks[0], cap * sizeof(double));
		st->last_cap = cap;
		return;
	}
	if (st->nchunks == st->maxchunks)
	{
		int32		newmax = st->maxchunks == 0 ? 4 : st->maxchunks * 2;

		if (st->chunks == NULL)
			st->chunks = MemoryContextAlloc(cxt, newmax * sizeof(double *));
		else
			st->chunks = repalloc(st->chunks, newmax * sizeof(double *));
		st->maxchunks = newmax;
	}
	st->last_cap = st->nchunks == 0 ? FIRST_CHUNK_VALUES : CHUNK_VALUES;
	st->chunks[st->nchunks++] = MemoryContextAlloc(cxt, st->last_cap * sizeof(double));
	st->last_n = 0;
}

/* Append every value of src to dst (allocations in cxt). */
static void
store_append(CprofParetoState *dst, const CprofParetoState *src, MemoryContext cxt)
{
	for (int i = 0; i < src->nchunks; i++)
	{
		const double *c = src->chunks[i];
		int64		len = chunk_len(src, i);
		int64		done = 0;

		CHECK_FOR_INTERRUPTS();
		while (done < len)
		{
			int64		room;
			int64		take;

			if (dst->nchunks == 0 || dst->last_n == dst->last_cap)
				cprof_store_grow(dst, cxt);
			room = dst->last_cap - dst->last_n;
			take = Min(room, len - done);
			memcpy(dst->chunks[dst->nchunks - 1] + dst->last_n, c + done,
				   take * sizeof(double));
			dst->last_n += take;
			dst->n += take;
			done += take;
		}
	}
}

/*
 * The power of two the values of a group are multiplied by before they are
 * summed, given their largest magnitude (see concentration.h): 1 when it
 * lies within [CPROF_SCALE_MIN, CPROF_SCALE_MAX], else the one that brings
 * it to [0.5, 1) (or, for a subnormal largest magnitude, that multiplies
 * by 2^1023, the largest power of two a double holds).
 */
double
cprof_scale_factor(double maxabs)
{
	int			e;

	if (maxabs == 0 || (maxabs >= CPROF_SCALE_MIN && maxabs <= CPROF_SCALE_MAX))
		return 1.0;
	(void) frexp(maxabs, &e);
	return ldexp(1.0, Min(-e, 1023));
}

/*
 * Copy of the values into one array (in the current memory context),
 * multiplied by the group's scale factor, with their compensated total.
 */
double *
cprof_store_copy(const CprofParetoState *st, KSum *total)
{
	double	   *a = MemoryContextAllocHuge(CurrentMemoryContext,
										   Max(st->n, 1) * sizeof(double));
	double	   *p = a;
	KSum		t = {0, 0};
	double		maxabs = 0;
	double		factor;

	for (int i = 0; i < st->nchunks; i++)
	{
		const double *c = st->chunks[i];
		int64		len = chunk_len(st, i);

		CHECK_FOR_INTERRUPTS();
		for (int64 j = 0; j < len; j++)
		{
			ksum_add(&t, c[j]);
			maxabs = Max(maxabs, fabs(c[j]));
		}
		memcpy(p, c, len * sizeof(double));
		p += len;
	}
	factor = cprof_scale_factor(maxabs);
	if (factor != 1.0)
	{
		/* rare: scale, and sum again */
		t.s = t.c = 0;
		for (int64 j = 0; j < st->n; j++)
		{
			a[j] *= factor;
			ksum_add(&t, a[j]);
			if (unlikely((j & INTERRUPT_MASK) == INTERRUPT_MASK))
				CHECK_FOR_INTERRUPTS();
		}
	}
	if (!isfinite(ksum_value(&t)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sum of the values is out of the range of double precision")));
	*total = t;
	return a;
}

/* The sign statistics of the values times factor. */
static void
sign_stats(const CprofParetoState *st, double factor, SignStats *ss)
{
	double		maxabs = 0;

	memset(ss, 0, sizeof(SignStats));
	for (int i = 0; i < st->nchunks; i++)
	{
		const double *c = st->chunks[i];
		int64		len = chunk_len(st, i);

		CHECK_FOR_INTERRUPTS();
		for (int64 j = 0; j < len; j++)
		{
			double		x = c[j] * factor;

			ksum_add(&ss->total, x);
			maxabs = Max(maxabs, fabs(x));
			if (x > 0)
			{
				ksum_add(&ss->pos, x);
				ss->npos++;
			}
			else if (x < 0)
				ss->nneg++;
		}
	}
	ss->factor = factor * cprof_scale_factor(maxabs);
}

/*
 * Sign statistics of the values multiplied by the group's scale factor,
 * which ss->factor gets.
 */
void
cprof_store_sign_stats(const CprofParetoState *st, SignStats *ss)
{
	sign_stats(st, 1.0, ss);
	if (ss->factor != 1.0)
		sign_stats(st, ss->factor, ss);		/* rare: again, scaled */
	if (!isfinite(ksum_value(&ss->total)) || !isfinite(ksum_value(&ss->pos)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("sum of the values is out of the range of double precision")));
}

/*
 * Copy of the values of one sign (sign > 0: positive, else negative), times
 * factor.
 */
double *
cprof_store_copy_sign(const CprofParetoState *st, int sign, int64 count,
					  double factor)
{
	/* one spare slot: the branch-free loop writes a[k] before testing x */
	double	   *a = MemoryContextAllocHuge(CurrentMemoryContext,
										   (count + 1) * sizeof(double));
	int64		k = 0;

	for (int i = 0; i < st->nchunks; i++)
	{
		const double *c = st->chunks[i];
		int64		len = chunk_len(st, i);

		CHECK_FOR_INTERRUPTS();
		for (int64 j = 0; j < len; j++)
		{
			double		x = c[j];

			a[k] = x * factor;
			k += sign > 0 ? x > 0 : x < 0;
		}
	}
	Assert(k == count);
	return a;
}

/*
 * ---------------------------------------------------------------------------
 * Combine, serialize, deserialize
 * ---------------------------------------------------------------------------
 */

/* Copy the parameter of src into dst, or check that they agree. */
static void
param_merge(CprofParetoState *dst, const CprofParetoState *src, MemoryContext cxt)
{
	if (dst->param_kind != src->param_kind)
		cprof_state_mismatch("concentration");
	if (!src->has_param)
		return;
	if (dst->has_param)
	{
		bool		same;

		switch (dst->param_kind)
		{
			case PARAM_FLOAT:
				same = dst->fparam == src->fparam;
				break;
			case PARAM_INT:
				same = dst->iparam == src->iparam;
				break;
			default:
				same = dst->nfractions == src->nfractions &&
					dst->lbound == src->lbound &&
					memcmp(dst->fractions, src->fractions,
						   dst->nfractions * sizeof(double)) == 0;
				break;
		}
		if (!same)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the parameter of a concentration aggregate must be the same for every row of a group"),
					 errhint("Pass one constant per group.")));
		return;
	}
	dst->has_param = true;
	dst->fparam = src->fparam;
	dst->iparam = src->iparam;
	dst->nfractions = src->nfractions;
	dst->lbound = src->lbound;
	if (src->param_kind == PARAM_ARRAY)
	{
		dst->fractions = MemoryContextAlloc(cxt, Max(src->nfractions, 1) * sizeof(double));
		memcpy(dst->fractions, src->fractions, src->nfractions * sizeof(double));
		if (src->fractions_raw != NULL)
		{
			dst->fractions_raw = MemoryContextAlloc(cxt, VARSIZE(src->fractions_raw));
			memcpy(dst->fractions_raw, src->fractions_raw, VARSIZE(src->fractions_raw));
		}
	}
}

PG_FUNCTION_INFO_V1(cprof_pareto_combine);
/* Combine function: appends the values of the second state to the first. */
Datum
cprof_pareto_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_pareto_combine");
	CprofParetoState *s1 = PG_ARGISNULL(0) ? NULL : (CprofParetoState *) PG_GETARG_POINTER(0);
	CprofParetoState *s2 = PG_ARGISNULL(1) ? NULL : (CprofParetoState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
		s1 = cprof_pareto_state_new(s2->param_kind, aggcxt);
	param_merge(s1, s2, aggcxt);
	store_append(s1, s2, aggcxt);
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(cprof_pareto_serialize);
/*
 * Serialize function: version byte, parameter kind and value (the fractions
 * with the array's lower bound), the number of values, then the values.
 */
Datum
cprof_pareto_serialize(PG_FUNCTION_ARGS)
{
	CprofParetoState *st = (CprofParetoState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	Size		need;

	cprof_agg_context(fcinfo, "cprof_pareto_serialize");
	need = (Size) 64 + (Size) st->nfractions * 8 + (Size) st->n * 8;
	if (need > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("concentration aggregate state of " INT64_FORMAT " values is too large to pass between processes",
						st->n),
				 errdetail("A serialized state is limited to 1 GB, about 134 million values."),
				 errhint("Run the query with SET max_parallel_workers_per_gather = 0 (and enable_partitionwise_aggregate = off), so that each group is aggregated in one process.")));
	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) need);
	pq_sendbyte(&buf, PARETO_STATE_VERSION);
	pq_sendbyte(&buf, st->param_kind);
	pq_sendbyte(&buf, st->has_param);
	cprof_send_float8(&buf, st->fparam);
	pq_sendint64(&buf, st->iparam);
	pq_sendint32(&buf, st->nfractions);
	pq_sendint32(&buf, st->lbound);
	for (int i = 0; i < st->nfractions; i++)
		cprof_send_float8(&buf, st->fractions[i]);
	pq_sendint64(&buf, st->n);
	for (int i = 0; i < st->nchunks; i++)
	{
		const double *c = st->chunks[i];
		int64		len = chunk_len(st, i);

		CHECK_FOR_INTERRUPTS();
		for (int64 j = 0; j < len; j++)
			cprof_send_float8(&buf, c[j]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
bad_state(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid concentration aggregate state"),
			 errdetail("%s", detail)));
}

PG_FUNCTION_INFO_V1(cprof_pareto_deserialize);
/*
 * Deserialize function: the inverse of the above, every field checked: a
 * known parameter kind with a value its transition functions accept (a
 * share or fraction >= 0, a count >= 0, fractions in [0, 1] only for the
 * array kind, with bounds an array can have), as many values as the length
 * says, all finite.  The ranges that depend on the aggregate (top_fraction
 * at most 1, points at least 1) are checked by the final functions.
 */
Datum
cprof_pareto_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CprofParetoState *st;
	int			kind;
	int			has_param;
	int32		nfractions;
	int32		lbound;
	int32		ubound;
	int64		n;

	cprof_agg_context(fcinfo, "cprof_pareto_deserialize");
	cprof_recv_begin(&buf, bytes, PARETO_STATE_VERSION, "concentration");
	kind = cprof_recv_byte(&buf);
	has_param = cprof_recv_byte(&buf);
	if (kind < PARAM_NONE || kind > PARAM_ARRAY || (has_param != 0 && has_param != 1))
		bad_state("The parameter kind is unknown.");
	st = cprof_pareto_state_new(kind, CurrentMemoryContext);
	st->has_param = has_param;
	st->fparam = cprof_recv_float8(&buf);
	st->iparam = cprof_recv_int64(&buf);
	if (has_param && kind == PARAM_FLOAT && !(st->fparam >= 0 && isfinite(st->fparam)))
		bad_state("The share or fraction is out of range.");
	if (has_param && kind == PARAM_INT && st->iparam < 0)
		bad_state("The number of points or clients is negative.");
	nfractions = cprof_recv_int32(&buf);
	lbound = cprof_recv_int32(&buf);
	if (nfractions < 0 || nfractions > (buf.len - buf.cursor) / 8 ||
		(nfractions > 0 && (kind != PARAM_ARRAY || !has_param)) ||
		pg_add_s32_overflow(lbound, nfractions, &ubound))
		bad_state("The number of fractions or their bounds are out of range.");
	st->nfractions = nfractions;
	st->lbound = lbound;
	st->fractions = palloc(Max(nfractions, 1) * sizeof(double));
	for (int i = 0; i < nfractions; i++)
	{
		st->fractions[i] = cprof_recv_float8(&buf);
		if (!(st->fractions[i] >= 0 && st->fractions[i] <= 1))
			bad_state("A fraction is out of range.");
	}
	n = cprof_recv_int64(&buf);
	if (n < 0 || n != (buf.len - buf.cursor) / 8)
		bad_state("The number of values does not match the state's length.");
	for (int64 i = 0; i < n; i++)
	{
		double		x = cprof_recv_float8(&buf);

		if (!isfinite(x))
			bad_state("A value is not finite.");
		store_add(st, x, CurrentMemoryContext);
		if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
			CHECK_FOR_INTERRUPTS();
	}
	cprof_recv_end(&buf);
	PG_RETURN_POINTER(st);
}
