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
 * Also here: the fit driver (cprof_hist_fit: Nelder-Mead on a deterministic
 * sample, then Newton on every history), the grouping of sorted histories
 * by frequency the likelihoods use, and the checked reading of a fitted
 * model's parameters.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "cprof.h"

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
					   bool (*valid) (const CprofHistEntry *e))
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
 * Check one client history (frequency, recency, age) of the purchase models
 * (BG/NBD, Pareto/NBD): their transition function, predictions and clv().
 */
void
cprof_check_history(double x, double tx, double T)
{
	const char *problem = NULL;

	if (!isfinite(x) || !isfinite(tx) || !isfinite(T))
		problem = "every value must be finite";
	else if (x < 0 || x != floor(x))
		problem = "frequency must be a whole number, 0 or more";
	else if (x > 1e9)
		problem = "frequency must be at most 1e9";
	else if (tx < 0)
		problem = "recency must not be negative";
	else if (tx > T)
		problem = "recency must not exceed age";
	else if (x == 0 && tx > 0)
		problem = "recency must be 0 when frequency is 0";
	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid client history (frequency %g, recency %g, age %g): %s",
						x, tx, T, problem),
				 errhint("Pass rfm()'s frequency, recency and age, all times in the same unit.")));
}

/* Check the horizon t of a purchase model's prediction. */
void
cprof_check_horizon(double t)
{
	if (!(t >= 0) || !isfinite(t))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("t must be finite and not negative, got %g", t),
				 errhint("Pass the horizon in the model's time unit, for example 39 for 39 weeks.")));
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

/* A (frequency, recency, age) history as cprof_check_history admits it. */
static bool
history_valid(const CprofHistEntry *e)
{
	return e->x >= 0 && e->y >= 0 && e->y <= e->z;
}

/* Deserialize function of bgnbd_fit and pareto_nbd_fit (strict). */
PG_FUNCTION_INFO_V1(cprof_history_deserialize);
Datum
cprof_history_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_history_deserialize");

	PG_RETURN_POINTER(cprof_hist_deserialize(PG_GETARG_BYTEA_PP(0), aggcxt,
											 "bgnbd_fit or pareto_nbd_fit",
											 history_valid));
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

/* A CprofFitData: the grouped histories alone, a new CprofHistGroups. */
void *
cprof_hist_groups_new(const CprofHistEntry *e, int64 n)
{
	CprofHistGroups *d = palloc(sizeof(CprofHistGroups));

	cprof_hist_groups_init(d, e, n);
	return d;
}

/*
 * The final function of a model fit: the maximum-likelihood fit over the
 * sorted, merged histories h (from cprof_hist_sorted_copy, h->clients > 0),
 * returned as a row of the final function's result type, which is
 * (the nparams parameters, log_likelihood, clients, converged).
 *
 * fn is minus the mean log-likelihood over the log-parameters theta,
 * evaluated on what make_data builds from a run of entries.  Nelder-Mead
 * from the start theta runs on every k-th distinct history when there are
 * more than nm_sample of them (a deterministic subsample, with looser
 * tolerances: it only has to find the basin), on all of them otherwise;
 * then damped Newton steps on every history until each component of the
 * gradient is below CPROF_FIT_GTOL.  converged says whether that happened.
 */
Datum
cprof_hist_fit(FunctionCallInfo fcinfo, const CprofHistState *h,
			   CprofFitData make_data, CprofObjective fn, int nparams,
			   double *theta, int64 nm_sample)
{
	TupleDesc	tupdesc;
	Datum		values[CPROF_OPT_MAX + 3];
	bool		nulls[CPROF_OPT_MAX + 3] = {0};
	void	   *data;
	double		f;
	bool		converged;
	int			j;

	Assert(nparams <= CPROF_OPT_MAX);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	data = make_data(h->e, h->n);
	if (h->n > nm_sample)
	{
		int64		stride = (h->n + nm_sample - 1) / nm_sample;
		int64		m = 0,
					i;
		CprofHistEntry *sample = palloc(((h->n + stride - 1) / stride) * sizeof(CprofHistEntry));

		for (i = 0; i < h->n; i += stride)
			sample[m++] = h->e[i];
		cprof_nelder_mead(fn, make_data(sample, m), nparams, theta, 1.0, 3000, 1e-10, 1e-5);
	}
	else
		cprof_nelder_mead(fn, data, nparams, theta, 1.0, 3000, 1e-12, 1e-6);
	converged = cprof_newton(fn, data, nparams, theta, &f, 100, CPROF_FIT_GTOL);

	for (j = 0; j < nparams; j++)
		values[j] = Float8GetDatum(exp(theta[j]));
	values[nparams] = Float8GetDatum(-f * (double) h->clients);
	values[nparams + 1] = Int64GetDatum(h->clients);
	values[nparams + 2] = BoolGetDatum(converged);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/*
 * Field attno of a fitted model (a value of the composite type returned by
 * the aggregate fit, named in the hint), checked positive and finite.
 */
double
cprof_model_param(HeapTupleHeader model, int attno, const char *name,
				  const char *fit)
{
	bool		isnull;
	double		v = DatumGetFloat8(GetAttributeByNum(model, attno, &isnull));

	if (isnull || !(v > 0) || !isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model parameter %s must be positive and finite, got %s",
						name, isnull ? "NULL" : psprintf("%g", v)),
				 errhint("Pass the result of %s().", fit)));
	return v;
}
