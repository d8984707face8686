/*
 * src/history.c: the aggregate state of the model fits (bgnbd_fit,
 * pareto_nbd_fit, gamma_gamma_fit): a multiset of client histories.
 *
 * SQL objects (sql/cprof--1.1.sql):
 *   type cprof_history_state, its functions cprof_history_state_{in,out,recv,send}
 *   cprof_history_trans            bgnbd_fit, pareto_nbd_fit
 *   cprof_history_combine          bgnbd_fit, pareto_nbd_fit, gamma_gamma_fit
 * gamma_gamma_fit has its own transition function (gamma_gamma.c): its
 * histories are (frequency, monetary), checked differently.  The 1.0
 * definitions (STYPE internal: the same transition and combine functions,
 * cprof_history_serialize, cprof_history_deserialize and
 * cprof_gamma_gamma_fit_deserialize) run on the same code until ALTER
 * EXTENSION cprof UPDATE (state.c says how).
 *
 * One state type for the three fits, with two forms, because the state is
 * the same multiset whatever the model and only the rule of a valid entry
 * differs: 'purchase' (bgnbd_fit, pareto_nbd_fit: frequency, recency, age,
 * the rule of model_args.c) and 'spend' (gamma_gamma_fit: frequency,
 * monetary and 0, the rule of gamma_gamma.c).  Each final function takes
 * only its own form, and combining two forms is an error.
 *
 * State: CprofHistState, a flat state (state.c) whose one part is an array
 * of CprofHistEntry (three doubles and the number of clients that have
 * them): a sorted, distinct prefix followed by a pending part in arrival
 * order.  A history after the last sorted one, with nothing pending, is
 * appended to the sorted part (rows in order, the common case for a
 * grouped summary); one equal to it only adds to its count; any other is
 * appended to the pending part.  When the array is full, the pending part
 * is sorted, its repeats merged, and it is merged into the sorted part;
 * when that leaves the array more than half full, it doubles.  So the
 * state grows with the number of distinct histories, not of clients, and
 * a row costs O(log n) amortized in any input order.  Combining merges the
 * two sets of histories, adding the counts of equal ones.  A fit, and the
 * text and binary forms, read the histories sorted and distinct (the
 * state's own array when nothing is pending, else a merged copy), so a fit
 * sums its likelihood in the same order for any split of the rows: the
 * result is identical with and without parallel workers, on Citus or not.
 * A zero of either sign is stored as +0, so equal histories are one entry
 * and one text.  NULL rows are skipped; no rows give a NULL state.
 *
 * Size: the state is one varlena, so it holds at most (1 GB - header) / 32
 * bytes, about 33.5 million distinct histories; past that the transition
 * or combine function raises 54000 with a hint.  The text form takes 20
 * to 100 bytes a history and is refused (54000) past 1 GB.
 *
 * Text form (cprof_history_state_out; state_io.c has the grammar):
 *   1 purchase clients=5 histories=0/0/10/2,1/2.5/10/3
 *   1 spend clients=2 histories=2/12.5/1,3/40/1
 * (frequency/recency/age/count or frequency/monetary/count, sorted,
 * distinct, doubles in their shortest exact form).
 * Binary form: version, form, clients, the number of histories, then each
 * history as 3 (purchase) or 2 (spend) float8 and its count (varint).
 * Both are checked on input: finite values, every entry one the form's
 * transition accepts (a whole frequency, recency <= age, ...), positive
 * counts adding up to clients, entries strictly ascending.
 *
 * Also here: the grouping of sorted histories by frequency that the
 * likelihoods use.  The fit driver is in fit.c.
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "fit.h"

/* Version of the binary and text forms. */
#define HIST_STATE_VERSION 1

/* Parts of the state. */
#define HIST_PART_ENTRIES	0	/* room CprofHistEntry */
#define HIST_NPARTS			1

/* Room of a new state, in histories. */
#define HIST_FIRST_ROOM		64

/* Per-group state of the model fits: a flat state with one part. */
typedef struct CprofHistState
{
	CprofFlatHeader hdr;
	uint32		part_end[HIST_NPARTS];
	int64		clients;		/* clients aggregated: the sum of the counts */
	int64		nsorted;		/* entries[0 .. nsorted): sorted, distinct */
	int64		n;				/* entries[nsorted .. n): pending, in arrival
								 * order, maybe repeated */
	int64		room;			/* entries the part has room for */
} CprofHistState;

/* Most histories a state can hold: its size stays below MaxAllocSize. */
#define HIST_MAX_ROOM \
	((int64) ((MaxAllocSize - MAXALIGN(sizeof(CprofHistState))) / sizeof(CprofHistEntry)))

static const CprofFlatHeader hist_header[] = {
	CPROF_FLAT_HEADER(CPROF_FAMILY_HISTORY, CPROF_HIST_PURCHASE, HIST_NPARTS, sizeof(CprofHistState)),
	CPROF_FLAT_HEADER(CPROF_FAMILY_HISTORY, CPROF_HIST_SPEND, HIST_NPARTS, sizeof(CprofHistState))
};
static const CprofFlatKind hist_kind = {CPROF_FAMILY_HISTORY, 2, hist_header, "model fit"};

static const char *const hist_forms[] = {"purchase", "spend"};

#define HIST(ref)			((CprofHistState *) (ref).st)
#define HIST_ENTRIES(st)	((CprofHistEntry *) cprof_state_part(&(st)->hdr, HIST_PART_ENTRIES))

/* The order of histories: by frequency, then recency (monetary), then age. */
static inline int
hist_cmp(const CprofHistEntry *a, const CprofHistEntry *b)
{
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	if (a->z != b->z)
		return a->z < b->z ? -1 : 1;
	return 0;
}

/* sort_histories(CprofHistEntry *e, size_t n): ascending, interruptible */
#define ST_SORT sort_histories
#define ST_ELEMENT_TYPE CprofHistEntry
#define ST_COMPARE(a, b) hist_cmp(a, b)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* The error for a state that would pass 1 GB. */
static void
hist_too_large(int64 n)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("model fit state exceeds 1 GB: " INT64_FORMAT " distinct client histories, at most " INT64_FORMAT,
					n, HIST_MAX_ROOM),
			 errhint("Round recency and age (or monetary) to fewer distinct values, for example whole days in the time unit, or fit on a sample of the clients.")));
}

/* A new empty state of the given form in ref, with room for room entries. */
static void
hist_state_new(CprofStateRef *ref, int form, int64 room)
{
	uint32		len[HIST_NPARTS];

	if (room > HIST_MAX_ROOM)
		hist_too_large(room);
	len[HIST_PART_ENTRIES] = (uint32) (room * sizeof(CprofHistEntry));
	cprof_state_new(ref, form, len);
	HIST(*ref)->room = room;
}

/* Give the entries of ref's state room for 'room' (it may move). */
static void
hist_resize(CprofStateRef *ref, int64 room)
{
	if (room > HIST_MAX_ROOM)
		hist_too_large(room);
	cprof_state_resize_part(ref, HIST_PART_ENTRIES, (uint32) (room * sizeof(CprofHistEntry)));
	HIST(*ref)->room = room;
}

/* Sort e[0 .. n) and merge repeats in place; returns how many are left. */
static int64
sort_distinct(CprofHistEntry *e, int64 n)
{
	int64		m = 0;

	sort_histories(e, n);
	for (int64 i = 0; i < n; i++)
	{
		if (m > 0 && hist_cmp(&e[m - 1], &e[i]) == 0)
			e[m - 1].count += e[i].count;
		else
			e[m++] = e[i];
	}
	return m;
}

/*
 * Merge the sorted distinct a[0 .. na) and b[0 .. nb) into out (room for
 * na + nb), adding the counts of histories both have; returns the number
 * merged.  The counts cannot overflow: the caller has checked that the
 * clients of both add up within int64.
 */
static int64
merge_histories(const CprofHistEntry *a, int64 na, const CprofHistEntry *b,
				int64 nb, CprofHistEntry *out)
{
	int64		i = 0,
				j = 0,
				n = 0;

	while (i < na || j < nb)
	{
		int			c = i >= na ? 1 : j >= nb ? -1 : hist_cmp(&a[i], &b[j]);

		if (c < 0)
			out[n++] = a[i++];
		else if (c > 0)
			out[n++] = b[j++];
		else
		{
			out[n] = a[i++];
			out[n++].count += b[j++].count;
		}
		if (unlikely((n & 0xFFFFF) == 0))
			CHECK_FOR_INTERRUPTS();
	}
	return n;
}

/*
 * The histories of a state, sorted and distinct: the state's own array
 * when nothing is pending, else a merged copy in the current memory
 * context.  The state is not changed.
 */
static void
hist_view(const CprofHistState *st, CprofHistories *h)
{
	const CprofHistEntry *e = HIST_ENTRIES(st);
	int64		npending = st->n - st->nsorted;
	CprofHistEntry *pending;
	CprofHistEntry *merged;

	h->clients = st->clients;
	if (npending == 0)
	{
		h->e = e;
		h->n = st->nsorted;
		return;
	}
	pending = palloc_extended(npending * sizeof(CprofHistEntry), MCXT_ALLOC_HUGE);
	memcpy(pending, e + st->nsorted, npending * sizeof(CprofHistEntry));
	npending = sort_distinct(pending, npending);
	merged = palloc_extended((st->nsorted + npending) * sizeof(CprofHistEntry), MCXT_ALLOC_HUGE);
	h->n = merge_histories(e, st->nsorted, pending, npending, merged);
	h->e = merged;
	pfree(pending);
}

/* Release what hist_view allocated. */
static void
hist_view_free(const CprofHistState *st, CprofHistories *h)
{
	if (h->e != HIST_ENTRIES(st))
		pfree(unconstify(CprofHistEntry *, h->e));
}

/* Merge the pending histories into the sorted part, in place. */
static void
hist_compact(CprofHistState *st)
{
	CprofHistories h;

	if (st->n == st->nsorted)
		return;
	hist_view(st, &h);
	memcpy(HIST_ENTRIES(st), h.e, h.n * sizeof(CprofHistEntry));
	hist_view_free(st, &h);
	st->nsorted = st->n = h.n;
}

/*
 * The array of ref's state is full: compact it, and double it when that
 * leaves it more than half full (it may move).
 */
static pg_noinline void
hist_make_room(CprofStateRef *ref)
{
	CprofHistState *st = HIST(*ref);

	hist_compact(st);
	if (st->n + 1 > st->room / 2)
	{
		int64		room = Min(Max(st->room * 2, HIST_FIRST_ROOM), HIST_MAX_ROOM);

		if (st->n + 1 > room)
			hist_too_large(st->n + 1);
		hist_resize(ref, room);
	}
}

/*
 * Add one client with the checked history (x, y, z) to ref's state (it may
 * move).  Inline: every row of a fit comes here.
 */
static inline void
hist_add(CprofStateRef *ref, const CprofHistEntry *add)
{
	CprofHistState *st = HIST(*ref);
	CprofHistEntry *e;
	double		x = add->x + 0.0,	/* -0 becomes +0 */
				y = add->y + 0.0,
				z = add->z + 0.0;

	if (st->n == st->nsorted && st->n > 0)
	{
		e = HIST_ENTRIES(st) + st->n - 1;
		if (e->x == x && e->y == y && e->z == z)
		{
			e->count += add->count;	/* the same history as the last row */
			st->clients += add->count;
			return;
		}
	}
	if (unlikely(st->n == st->room))
	{
		hist_make_room(ref);
		st = HIST(*ref);
	}
	e = HIST_ENTRIES(st) + st->n;
	e->x = x;
	e->y = y;
	e->z = z;
	e->count = add->count;
	if (st->n == st->nsorted && (st->n == 0 || hist_cmp(e - 1, e) < 0))
		st->nsorted++;			/* in order: stays sorted */
	st->n++;
	st->clients += add->count;
}

/*
 * The transition step of every fit: the state of the given form (a new
 * one for the group's first row), with one client of history *add added,
 * or unchanged when add is NULL (a row that is skipped).  The caller has
 * checked the history.
 */
Datum
cprof_hist_trans(FunctionCallInfo fcinfo, int form, const CprofHistEntry *add)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	CprofStateRef ref;
	bool		have = cprof_state_begin(fcinfo, mode, aggcxt, &hist_kind, form, &ref);

	if (add == NULL)
	{
		if (!have)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(ref.st);
	}
	if (!have)
		hist_state_new(&ref, form, HIST_FIRST_ROOM);
	hist_add(&ref, add);
	PG_RETURN_POINTER(ref.st);
}

PG_FUNCTION_INFO_V1(cprof_history_trans);
/*
 * Transition function of bgnbd_fit and pareto_nbd_fit: adds one checked
 * history (frequency, recency, age); a row with a NULL is skipped.
 */
Datum
cprof_history_trans(PG_FUNCTION_ARGS)
{
	CprofHistEntry e;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		return cprof_hist_trans(fcinfo, CPROF_HIST_PURCHASE, NULL);
	e.x = PG_GETARG_FLOAT8(1);
	e.y = PG_GETARG_FLOAT8(2);
	e.z = PG_GETARG_FLOAT8(3);
	e.count = 1;
	cprof_check_history(e.x, e.y, e.z);
	return cprof_hist_trans(fcinfo, CPROF_HIST_PURCHASE, &e);
}

PG_FUNCTION_INFO_V1(cprof_history_combine);
/*
 * Combine function of every model fit: the union of the two multisets,
 * which must be of the same form.  STRICT for the state type; the 1.0
 * definition (internal) is not.
 */
Datum
cprof_history_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	CprofStateRef ref;
	const CprofHistState *s2;
	CprofHistState *s1;
	CprofHistories h2;
	CprofHistEntry *merged;
	int64		n,
				clients;
	Datum		result;

	if (cprof_combine_null_cases(fcinfo, &result))
		return result;
	s2 = (const CprofHistState *) cprof_state_arg(fcinfo, 1, &hist_kind);
	if (!cprof_state_begin(fcinfo, mode, aggcxt, &hist_kind, s2->hdr.form, &ref))
	{
		cprof_state_copy_into(&ref, &s2->hdr);
		PG_RETURN_POINTER(ref.st);
	}
	if (s2->clients == 0)
		PG_RETURN_POINTER(ref.st);
	if (pg_add_s64_overflow(HIST(ref)->clients, s2->clients, &clients))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("model fit client count out of range")));
	s1 = HIST(ref);
	hist_compact(s1);
	hist_view(s2, &h2);
	merged = palloc_extended(((Size) s1->nsorted + h2.n) * sizeof(CprofHistEntry),
							 MCXT_ALLOC_HUGE);
	n = merge_histories(HIST_ENTRIES(s1), s1->nsorted, h2.e, h2.n, merged);
	hist_view_free(s2, &h2);
	if (n > s1->room)
	{
		hist_resize(&ref, n > HIST_MAX_ROOM ? n : Min(Max(n, s1->room * 2), HIST_MAX_ROOM));
		s1 = HIST(ref);
	}
	memcpy(HIST_ENTRIES(s1), merged, n * sizeof(CprofHistEntry));
	pfree(merged);
	s1->nsorted = s1->n = n;
	s1->clients = clients;
	PG_RETURN_POINTER(ref.st);
}

/*
 * The histories of the state argument argno, which must be of the given
 * form, for a final function: sorted and distinct, read only.
 */
void
cprof_hist_arg(FunctionCallInfo fcinfo, int argno, int form, CprofHistories *h)
{
	const CprofHistState *st = (const CprofHistState *) cprof_state_arg(fcinfo, argno, &hist_kind);

	cprof_state_check_form(&st->hdr, form, &hist_kind);
	hist_view(st, h);
}

/*
 * ---------------------------------------------------------------------------
 * The forms of the state: binary, text, and their checks
 * ---------------------------------------------------------------------------
 */

/*
 * Every invariant of a state (which must have nothing pending: input and
 * receive functions build it so): room for its entries, entries strictly
 * ascending, each one the form's transition accepts, positive counts that
 * add up to clients.  NULL if they hold, else what is wrong.
 */
static const char *
hist_check(const CprofHistState *st)
{
	const CprofHistEntry *e = HIST_ENTRIES(st);
	CprofHistValid valid = st->hdr.form == CPROF_HIST_PURCHASE ?
		cprof_history_valid : cprof_spend_valid;
	int64		total = 0;

	if (st->n < 0 || st->nsorted != st->n || st->room < st->n ||
		(uint64) st->room * sizeof(CprofHistEntry) > cprof_state_part_len(&st->hdr, HIST_PART_ENTRIES) ||
		st->clients < st->n)
		return "The counts of clients and histories are inconsistent.";
	for (int64 i = 0; i < st->n; i++)
	{
		if (e[i].count <= 0 || pg_add_s64_overflow(total, e[i].count, &total))
			return "A history has a count that is not positive, or the counts overflow.";
		if (!valid(&e[i]))
			return st->hdr.form == CPROF_HIST_PURCHASE ?
				"A history is not one bgnbd_fit and pareto_nbd_fit accept: finite, a whole frequency from 0 to 1e9, 0 <= recency <= age, recency 0 when frequency is 0." :
				"A history is not one gamma_gamma_fit accepts: a whole frequency of at least 1 and a positive finite monetary.";
		if (i > 0 && hist_cmp(&e[i - 1], &e[i]) >= 0)
			return "The histories are not sorted, or not distinct.";
	}
	if (total != st->clients)
		return "The counts of the histories do not add up to clients.";
	return NULL;
}

/*
 * A state of the given form holding a copy of the entries e[0 .. n) (read
 * from a text or binary form, -0 already made +0), in the current memory
 * context; not checked yet.
 */
static CprofHistState *
hist_from_entries(int form, int64 clients, const CprofHistEntry *e, int64 n)
{
	CprofStateRef ref = {NULL, CPROF_STATE_COPY, NULL, &hist_kind};
	CprofHistState *st;

	hist_state_new(&ref, form, Max(n, 1));
	st = HIST(ref);
	memcpy(HIST_ENTRIES(st), e, n * sizeof(CprofHistEntry));
	st->nsorted = st->n = n;
	st->clients = clients;
	return st;
}

/*
 * Fail before a text or binary form passes 1 GB: called after each
 * history, which takes less than 1024 bytes.
 */
static inline void
hist_check_length(StringInfo buf, int64 n)
{
	if (unlikely(buf->len > (int) (MaxAllocSize - 1024)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("model fit state with " INT64_FORMAT " distinct client histories is too large to write: its text or binary form exceeds 1 GB",
						n),
				 errhint("Fit without moving the state between nodes, or round recency and age (or monetary) to fewer distinct values.")));
}

/* The binary form (the file header), of the sorted distinct histories. */
static void
hist_send(StringInfo buf, const CprofHistState *st)
{
	CprofHistories h;

	hist_view(st, &h);
	pq_sendbyte(buf, HIST_STATE_VERSION);
	pq_sendbyte(buf, st->hdr.form);
	pq_sendint64(buf, h.clients);
	pq_sendint64(buf, h.n);
	for (int64 i = 0; i < h.n; i++)
	{
		pq_sendfloat8(buf, h.e[i].x);
		pq_sendfloat8(buf, h.e[i].y);
		if (st->hdr.form == CPROF_HIST_PURCHASE)
			pq_sendfloat8(buf, h.e[i].z);
		cprof_send_varint(buf, h.e[i].count);
		hist_check_length(buf, h.n);
		if (unlikely((i & 0xFFFF) == 0))
			CHECK_FOR_INTERRUPTS();
	}
	hist_view_free(st, &h);
}

/*
 * Read the binary form into a new state in the current memory context,
 * every invariant checked ('type' names the type in errors).
 */
static CprofHistState *
hist_recv(StringInfo buf, const char *type)
{
	int			form;
	int			width;
	int64		clients,
				n;
	CprofHistEntry *e;
	CprofHistState *st;
	const char *bad;

	cprof_recv_version(buf, HIST_STATE_VERSION, type);
	form = cprof_recv_byte(buf);
	if (form != CPROF_HIST_PURCHASE && form != CPROF_HIST_SPEND)
		cprof_binary_invalid(type, "The form of the state is unknown.");
	width = form == CPROF_HIST_PURCHASE ? 25 : 17;	/* bytes an entry takes, at least */
	clients = cprof_recv_int64(buf);
	n = cprof_recv_int64(buf);
	if (n < 0 || n > (buf->len - buf->cursor) / width)
		cprof_binary_invalid(type, "The number of histories does not match the length.");
	if (n > HIST_MAX_ROOM)
		hist_too_large(n);
	e = palloc_extended(Max(n, 1) * sizeof(CprofHistEntry), MCXT_ALLOC_HUGE);
	for (int64 i = 0; i < n; i++)
	{
		e[i].x = cprof_recv_float8(buf) + 0.0;
		e[i].y = cprof_recv_float8(buf) + 0.0;
		e[i].z = form == CPROF_HIST_PURCHASE ? cprof_recv_float8(buf) + 0.0 : 0.0;
		e[i].count = cprof_recv_varint(buf);
		if (unlikely((i & 0xFFFF) == 0))
			CHECK_FOR_INTERRUPTS();
	}
	cprof_recv_end(buf);
	st = hist_from_entries(form, clients, e, n);
	pfree(e);
	if ((bad = hist_check(st)) != NULL)
		cprof_binary_invalid(type, bad);
	return st;
}

PG_FUNCTION_INFO_V1(cprof_history_state_in);
/* Input function of cprof_history_state: every invariant checked. */
Datum
cprof_history_state_in(PG_FUNCTION_ARGS)
{
	CprofTextReader rd;
	int			form;
	int64		clients;
	int64		n = 0,
				max = 16;
	CprofHistEntry *e;
	CprofHistState *st;
	const char *bad;

	form = cprof_text_open(&rd, PG_GETARG_CSTRING(0), "cprof_history_state",
						   HIST_STATE_VERSION, hist_forms, lengthof(hist_forms));
	cprof_text_expect_key(&rd, "clients");
	clients = cprof_text_int64(&rd);
	cprof_text_expect_key(&rd, "histories");
	e = palloc(max * sizeof(CprofHistEntry));
	/* histories separated by commas, none after the last */
	while (*rd.p != '\0')
	{
		if (n == max)
		{
			if (max > HIST_MAX_ROOM / 2)
				hist_too_large(max + 1);
			max *= 2;
			e = repalloc_huge(e, max * sizeof(CprofHistEntry));
		}
		e[n].x = cprof_text_double_in(&rd) + 0.0;
		if (!cprof_text_next_is(&rd, '/'))
			cprof_text_invalid(&rd, form == CPROF_HIST_PURCHASE ?
							   "A history is written frequency/recency/age/count." :
							   "A history is written frequency/monetary/count.");
		e[n].y = cprof_text_double_in(&rd) + 0.0;
		if (!cprof_text_next_is(&rd, '/'))
			cprof_text_invalid(&rd, form == CPROF_HIST_PURCHASE ?
							   "A history is written frequency/recency/age/count." :
							   "A history is written frequency/monetary/count.");
		e[n].z = 0.0;
		if (form == CPROF_HIST_PURCHASE)
		{
			e[n].z = cprof_text_double_in(&rd) + 0.0;
			if (!cprof_text_next_is(&rd, '/'))
				cprof_text_invalid(&rd, "A history is written frequency/recency/age/count.");
		}
		e[n].count = cprof_text_int64(&rd);
		n++;
		if (!cprof_text_next_is(&rd, ','))
			break;
		if (*rd.p == '\0')
			cprof_text_invalid(&rd, "A comma must be followed by another history.");
		if (unlikely((n & 0xFFFF) == 0))
			CHECK_FOR_INTERRUPTS();
	}
	cprof_text_close(&rd);
	st = hist_from_entries(form, clients, e, n);
	pfree(e);
	if ((bad = hist_check(st)) != NULL)
		cprof_text_invalid(&rd, bad);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_history_state_out);
/* Output function of cprof_history_state: the text form of the file header. */
Datum
cprof_history_state_out(PG_FUNCTION_ARGS)
{
	const CprofHistState *st = (const CprofHistState *) cprof_state_arg(fcinfo, 0, &hist_kind);
	CprofHistories h;
	StringInfoData buf;

	hist_view(st, &h);
	initStringInfo(&buf);
	cprof_text_begin(&buf, HIST_STATE_VERSION, hist_forms[st->hdr.form]);
	cprof_text_key(&buf, "clients");
	appendStringInfo(&buf, INT64_FORMAT, h.clients);
	cprof_text_key(&buf, "histories");
	for (int64 i = 0; i < h.n; i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		cprof_text_double(&buf, h.e[i].x);
		appendStringInfoChar(&buf, '/');
		cprof_text_double(&buf, h.e[i].y);
		appendStringInfoChar(&buf, '/');
		if (st->hdr.form == CPROF_HIST_PURCHASE)
		{
			cprof_text_double(&buf, h.e[i].z);
			appendStringInfoChar(&buf, '/');
		}
		appendStringInfo(&buf, INT64_FORMAT, h.e[i].count);
		hist_check_length(&buf, h.n);
		if (unlikely((i & 0xFFFF) == 0))
			CHECK_FOR_INTERRUPTS();
	}
	hist_view_free(st, &h);
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(cprof_history_state_recv);
/* Receive function of cprof_history_state, every invariant checked. */
Datum
cprof_history_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(hist_recv((StringInfo) PG_GETARG_POINTER(0), "cprof_history_state"));
}

PG_FUNCTION_INFO_V1(cprof_history_state_send);
/* Send function of cprof_history_state. */
Datum
cprof_history_state_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	hist_send(&buf, (const CprofHistState *) cprof_state_arg(fcinfo, 0, &hist_kind));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_history_serialize);
/* Serialize function of the 1.0 definitions: the type's binary form. */
Datum
cprof_history_serialize(PG_FUNCTION_ARGS)
{
	return cprof_history_state_send(fcinfo);
}

/*
 * A deserialize function of the 1.0 definitions: the binary form read
 * back, every invariant checked, into the current memory context
 * (state.c); a state of another form than the aggregate's is an error.
 */
Datum
cprof_hist_deserialize(FunctionCallInfo fcinfo, int form)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CprofHistState *st;

	buf.data = VARDATA_ANY(bytes);
	buf.len = buf.maxlen = VARSIZE_ANY_EXHDR(bytes);
	buf.cursor = 0;
	st = hist_recv(&buf, "cprof_history_state");
	cprof_state_check_form(&st->hdr, form, &hist_kind);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(cprof_history_deserialize);
/* Deserialize function of the 1.0 bgnbd_fit and pareto_nbd_fit. */
Datum
cprof_history_deserialize(PG_FUNCTION_ARGS)
{
	return cprof_hist_deserialize(fcinfo, CPROF_HIST_PURCHASE);
}

/*
 * ---------------------------------------------------------------------------
 * Sorted histories grouped by frequency
 * ---------------------------------------------------------------------------
 */

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
