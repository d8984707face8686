/*
 * src/history.c: the aggregate state and the fitting machinery shared by
 * the model fits (bgnbd_fit, pareto_nbd_fit, gamma_gamma_fit): a multiset
 * of client histories.
 *
 * SQL objects (sql/cprof--1.0.sql), the support functions the fits share:
 *   cprof_history_trans(internal, frequency, recency, age)
 *                                  bgnbd_fit, pareto_nbd_fit
 *   cprof_history_combine, cprof_history_serialize
 *                                  bgnbd_fit, pareto_nbd_fit, gamma_gamma_fit
 *   cprof_history_deserialize      bgnbd_fit, pareto_nbd_fit
 * gamma_gamma_fit has its own transition and deserialize functions: its
 * histories are (frequency, monetary), checked differently.
 *
 * A history is three doubles (for BG/NBD and Pareto/NBD: frequency,
 * recency, age; for Gamma-Gamma: frequency, monetary, 0) with the number of
 * clients that have it.  Rows are appended; when the array is full it is
 * sorted and identical histories are merged, so the state grows with the
 * number of distinct histories, not of clients.  Combining appends;
 * serializing compacts first (which changes the representation, not the
 * multiset).  A fit sorts a compacted copy, so that it sums its likelihood
 * in the same order for any split of the rows: the result is identical with
 * and without parallel workers.  NULL rows are skipped; no rows give a NULL
 * state.
 *
 * Also here: the grouping of sorted histories by frequency that the
 * likelihoods use.  The rule of a valid history lives with the other
 * argument checks (model_args.c), the fit driver in fit.c.
 */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "fit.h"

#define HIST_STATE_VERSION 1

static int
hist_cmp(const void *pa, const void *pb)
{
	const CprofHistEntry *a = pa;
	const CprofHistEntry *b = pb;

	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	if (a->z != b->z)
		return a->z < b->z ? -1 : 1;
	return 0;
}

/* Sort the entries and merge identical histories. */
void
cprof_hist_compact(CprofHistState *s)
{
	int64		i,
				j;

	if (s->compact || s->n == 0)
	{
		s->compact = true;
		return;
	}
	qsort(s->e, s->n, sizeof(CprofHistEntry), hist_cmp);
	for (i = 1, j = 0; i < s->n; i++)
	{
		if (hist_cmp(&s->e[i], &s->e[j]) == 0)
			s->e[j].count += s->e[i].count;
		else
			s->e[++j] = s->e[i];
	}
	s->n = j + 1;
	s->compact = true;
}

/* A new empty state in cxt with room for cap entries. */
CprofHistState *
cprof_hist_new(MemoryContext cxt, int64 cap)
{
	CprofHistState *s = MemoryContextAllocZero(cxt, sizeof(CprofHistState));

	s->cap = Max(cap, 64);
	s->cxt = cxt;
	s->e = MemoryContextAllocHuge(cxt, s->cap * sizeof(CprofHistEntry));
	s->compact = true;
	return s;
}

/* Room for 'more' entries: compact first, grow when that is not enough. */
static void
hist_reserve(CprofHistState *s, int64 more)
{
	if (s->n + more <= s->cap)
		return;
	cprof_hist_compact(s);
	if (s->n + more > s->cap / 2)
	{
		int64		cap = Max(s->cap * 2, s->n + more);

		if ((Size) cap * sizeof(CprofHistEntry) >= MaxAllocHugeSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many distinct client histories: %lld", (long long) cap)));
		s->e = repalloc_huge(s->e, cap * sizeof(CprofHistEntry));
		s->cap = cap;
	}
}

/* Add 'count' clients with history (x, y, z). */
void
cprof_hist_add(CprofHistState *s, double x, double y, double z, int64 count)
{
	CprofHistEntry *e;

	hist_reserve(s, 1);
	e = &s->e[s->n];
	e->x = x;
	e->y = y;
	e->z = z;
	e->count = count;
	if (s->n > 0 && s->compact && hist_cmp(&s->e[s->n - 1], e) >= 0)
		s->compact = false;
	s->n++;
	s->clients += count;
}

/* s1 += s2; s1 may be NULL (then a copy of s2 in cxt is returned). */
CprofHistState *
cprof_hist_combine(CprofHistState *s1, const CprofHistState *s2, MemoryContext cxt)
{
	int64		i;

	if (s1 == NULL)
		s1 = cprof_hist_new(cxt, s2->n);
	hist_reserve(s1, s2->n);
	for (i = 0; i < s2->n; i++)
		cprof_hist_add(s1, s2->e[i].x, s2->e[i].y, s2->e[i].z, s2->e[i].count);
	return s1;
}

/*
 * A sorted and merged copy of the entries, in the current memory context:
 * the final functions never modify the state.
 */
CprofHistState *
cprof_hist_sorted_copy(const CprofHistState *s)
{
	CprofHistState *copy = palloc(sizeof(CprofHistState));

	*copy = *s;
	copy->cap = Max(s->n, 1);
	copy->e = palloc_extended(copy->cap * sizeof(CprofHistEntry), MCXT_ALLOC_HUGE);
	memcpy(copy->e, s->e, s->n * sizeof(CprofHistEntry));
	cprof_hist_compact(copy);
	return copy;
}

bytea *
cprof_hist_serialize(CprofHistState *s)
{
	StringInfoData buf;
	int64		i;

	cprof_hist_compact(s);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, HIST_STATE_VERSION);
	pq_sendint64(&buf, s->clients);
	pq_sendint64(&buf, s->n);
	for (i = 0; i < s->n; i++)
	{
		pq_sendfloat8(&buf, s->e[i].x);
		pq_sendfloat8(&buf, s->e[i].y);
		pq_sendfloat8(&buf, s->e[i].z);
		pq_sendint64(&buf, s->e[i].count);
	}
	return pq_endtypsend(&buf);
}

static void
hist_corrupt(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid cprof aggregate state"),
			 errdetail("The serialized client histories are inconsistent.")));
}

/*
 * Read back a state written by cprof_hist_serialize, into cxt; 'what'
 * names the aggregate in errors.  The entries must be finite, sorted and
 * distinct, with positive counts adding up to the number of clients, and
 * each must pass 'valid' (the model's own rule for a history).
 */
CprofHistState *
cprof_hist_deserialize(bytea *bytes, MemoryContext cxt, const char *what,
					   CprofHistValid valid)
{
	StringInfoData buf;
	CprofHistState *s;
	int64		clients,
				n,
				total = 0,
				i;

	cprof_recv_begin(&buf, bytes, HIST_STATE_VERSION, what);
	clients = cprof_recv_int64(&buf);
	n = cprof_recv_int64(&buf);
	if (n < 0 || n > (buf.len - buf.cursor) / 32 || clients < n)
		hist_corrupt();
	s = cprof_hist_new(cxt, n);
	for (i = 0; i < n; i++)
	{
		CprofHistEntry *e = &s->e[i];

		e->x = cprof_recv_float8(&buf);
		e->y = cprof_recv_float8(&buf);
		e->z = cprof_recv_float8(&buf);
		e->count = cprof_recv_int64(&buf);
		if (e->count <= 0 || e->count > clients - total ||
			!isfinite(e->x) || !isfinite(e->y) || !isfinite(e->z))
			hist_corrupt();
		total += e->count;
		if (i > 0 && hist_cmp(&s->e[i - 1], e) >= 0)
			hist_corrupt();
	}
	if (total != clients)
		hist_corrupt();
	s->n = n;
	s->clients = clients;
	cprof_recv_end(&buf);
	for (i = 0; i < n; i++)
		if (!valid(&s->e[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid cprof aggregate state"),
					 errdetail("The serialized %s state holds an invalid history.", what)));
	return s;
}

/*
 * Transition function of bgnbd_fit and pareto_nbd_fit: adds one checked
 * history (frequency, recency, age); a row with a NULL is skipped.
 */
PG_FUNCTION_INFO_V1(cprof_history_trans);
Datum
cprof_history_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_history_trans");
	CprofHistState *s = PG_ARGISNULL(0) ? NULL : (CprofHistState *) PG_GETARG_POINTER(0);
	double		x,
				tx,
				T;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
	{
		if (s == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s);
	}
	x = PG_GETARG_FLOAT8(1);
	tx = PG_GETARG_FLOAT8(2);
	T = PG_GETARG_FLOAT8(3);
	cprof_check_history(x, tx, T);
	if (s == NULL)
		s = cprof_hist_new(aggcxt, 1024);
	cprof_hist_add(s, x, tx, T, 1);
	PG_RETURN_POINTER(s);
}

/*
 * Combine function of every model fit (the state is the same multiset of
 * histories whatever the model): non-strict, a NULL side is no rows.
 */
PG_FUNCTION_INFO_V1(cprof_history_combine);
Datum
cprof_history_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_history_combine");
	CprofHistState *s1 = PG_ARGISNULL(0) ? NULL : (CprofHistState *) PG_GETARG_POINTER(0);
	CprofHistState *s2 = PG_ARGISNULL(1) ? NULL : (CprofHistState *) PG_GETARG_POINTER(1);

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	PG_RETURN_POINTER(cprof_hist_combine(s1, s2, aggcxt));
}

/* Serialize function of every model fit (strict). */
PG_FUNCTION_INFO_V1(cprof_history_serialize);
Datum
cprof_history_serialize(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(cprof_hist_serialize((CprofHistState *) PG_GETARG_POINTER(0)));
}

/* Deserialize function of bgnbd_fit and pareto_nbd_fit (strict). */
PG_FUNCTION_INFO_V1(cprof_history_deserialize);
Datum
cprof_history_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_history_deserialize");

	PG_RETURN_POINTER(cprof_hist_deserialize(PG_GETARG_BYTEA_PP(0), aggcxt,
											 "bgnbd_fit or pareto_nbd_fit",
											 cprof_history_valid));
}

/*
 * Group sorted histories e[0 .. n) by frequency: the likelihoods compute
 * the terms that depend on x only once per group.
 */
void
cprof_hist_groups_init(CprofHistGroups *d, const CprofHistEntry *e, int64 n)
{
	int64		i,
				g = 0;

	d->e = e;
	d->n = n;
	d->clients = 0;
	d->group = palloc((n + 1) * sizeof(int64));
	for (i = 0; i < n; i++)
	{
		if (i == 0 || e[i].x != e[i - 1].x)
			d->group[g++] = i;
		d->clients += e[i].count;
	}
	d->group[g] = n;
	d->ngroups = g;
}

/* A make_data for CprofFitModel: the grouped histories alone. */
void *
cprof_hist_groups_new(const CprofHistEntry *e, int64 n)
{
	CprofHistGroups *d = palloc(sizeof(CprofHistGroups));

	cprof_hist_groups_init(d, e, n);
	return d;
}
