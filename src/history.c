/*
 * src/history.c: the aggregate state shared by the model fits
 * (bgnbd_fit, gamma_gamma_fit): a multiset of client histories.
 *
 * No SQL objects live here.  A history is three doubles (for BG/NBD:
 * frequency, recency, age; for Gamma-Gamma: frequency, monetary, 0) with
 * the number of clients that have it.  Rows are appended; when the array
 * is full it is sorted and identical histories are merged, so the state
 * grows with the number of distinct histories, not of clients.  Combining
 * appends; serializing compacts first (which changes the representation,
 * not the multiset).  A fit sorts a compacted copy, so that it sums its
 * likelihood in the same order for any split of the rows: the result is
 * identical with and without parallel workers.
 */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"
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
 * distinct, with positive counts adding up to the number of clients.
 */
CprofHistState *
cprof_hist_deserialize(bytea *bytes, MemoryContext cxt, const char *what)
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
	return s;
}
