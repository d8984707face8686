/*
 * src/rfm.c: the rfm aggregate, the per-client summary that the
 * probabilistic CLV models (BG/NBD, Pareto/NBD, Gamma-Gamma) are fitted on.
 *
 * SQL objects (sql/cprof--1.1.sql):
 *   type rfm (frequency, recency, age, monetary, first_purchase, last_purchase)
 *   rfm(purchased_at date, amount numeric, as_of date, unit interval)
 *   rfm(purchased_at timestamptz, amount numeric, as_of timestamptz, unit interval)
 *   type cprof_rfm_state, its functions cprof_rfm_state_{in,out,recv,send}
 *   cprof_rfm_trans (overloaded on date and timestamptz: C symbols
 *   cprof_rfm_trans_date and cprof_rfm_trans_timestamptz)
 *   cprof_rfm_{combine,final}
 * The 1.0 definitions (STYPE internal: cprof_rfm_trans, which reads the
 * type of purchased_at from the call, and cprof_rfm_{serialize,deserialize})
 * run on the same code until ALTER EXTENSION cprof UPDATE (state.c).
 *
 * Definitions (those of the CDNOW summary used by Fader, Hardie & Lee 2005
 * and by the lifetimes library): purchases are grouped by calendar day (in
 * the session time zone for timestamptz); frequency is the number of
 * distinct purchase days after the first one; recency the time from the
 * first to the last purchase day, age the time from the first purchase day
 * to the day of as_of, both in multiples of unit (whose length in days is
 * that of extract(epoch from unit) / 86400: a month is 30.4375 days);
 * monetary the mean of the per-day totals of the repeat purchase days
 * (total spend minus the first day's spend, divided by frequency), 0 when
 * frequency is 0.
 *
 * State: CprofRfmState, a flat state (state.c) whose parts are the rarely
 * needed parts of the two money sums and the array of days.  Only the
 * number of distinct days is needed, not
 * the per-day totals: the state keeps the exact total spend, the first and
 * the last day, the exact spend on the first day (reset when an earlier
 * day arrives, the old first day then being a repeat day whose spend is
 * already in the total), and the set of distinct days.  The set is a
 * sorted, distinct prefix of an array followed by a pending part: a day
 * after the last sorted one, with nothing pending, is appended to the
 * sorted part (rows in date order, the common case); any other day is
 * appended to the pending part, which is sorted and merged into the sorted
 * part when it has grown as large as it (and at least RFM_PENDING_MIN).
 * Each day then takes O(log n) amortized time in any input order: rows
 * newest first cost a sort, not a memmove per day.  Final and serialize
 * functions read the set through a merged copy and never change the
 * state; combine merges the two sets, so any split of the rows gives the
 * same state.
 *
 * Text form (cprof_rfm_state_out; state_io.c has the grammar):
 *   1 rfm rows=3 as_of=2024-03-01 unit=0/1/0 total=70.00/3
 *     first_total=10.00/1 days=2024-01-01+9+22
 * (on one line): the unit as months/days/microseconds, the exact sums
 * (money.c), the distinct days as the first (ISO 8601, year 0 being 1 BC)
 * and the gaps between consecutive ones, in days.
 *
 * NULL rules: a row whose purchased_at or amount is NULL is skipped; a
 * group without rows gives NULL.  as_of and unit must not be NULL and must
 * be the same on every row of a group.
 *
 * Time zones: the timestamptz overload takes days in the TimeZone of the
 * session that runs its transition function; on Citus, once the aggregate
 * is split, that is the workers' (docs/scaling_out.md).
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "cprof.h"

/* Version of the binary and text forms. */
#define RFM_STATE_VERSION 1

/* Fewest pending days that make the set merge them into its sorted part. */
#define RFM_PENDING_MIN 256

/* Parts of the state. */
#define RFM_PART_TOTAL		0	/* the rarely needed part of total */
#define RFM_PART_FIRST		1	/* ... of first_total */
#define RFM_PART_DAYS		2	/* the days: maxdays DateADT */
#define RFM_NPARTS			3

/* Per-group state of rfm(): a flat state with three parts. */
typedef struct CprofRfmState
{
	CprofFlatHeader hdr;
	uint32		part_end[RFM_NPARTS];
	int64		rows;			/* rows aggregated (NULL rows skipped) */
	DateADT		as_of;			/* day of as_of */
	DateADT		first;			/* earliest purchase day, when ndays > 0 */
	DateADT		last;			/* latest purchase day, when ndays > 0 */
	int32		nsorted;		/* days[0 .. nsorted): sorted, distinct */
	int32		ndays;			/* days[nsorted .. ndays): pending, in
								 * arrival order, maybe repeated */
	int32		maxdays;		/* room in the days part */
	Interval	unit;			/* the time unit, as given */
	double		unit_days;		/* its length in days */
	CprofMoneySlot total;		/* exact spend of every row */
	CprofMoneySlot first_total; /* exact spend on the first day */
} CprofRfmState;

static const CprofFlatHeader rfm_header[] = {
	CPROF_FLAT_HEADER(CPROF_FAMILY_RFM, 0, RFM_NPARTS, sizeof(CprofRfmState))
};
static const CprofFlatKind rfm_kind = {CPROF_FAMILY_RFM, 1, rfm_header, "rfm"};

static const char *const rfm_forms[] = {"rfm"};

#define RFM(ref)			((CprofRfmState *) (ref).st)
#define RFM_DAYS(st)		((DateADT *) cprof_state_part(&(st)->hdr, RFM_PART_DAYS))
#define RFM_TOTAL			offsetof(CprofRfmState, total)
#define RFM_FIRST_TOTAL		offsetof(CprofRfmState, first_total)

/* sort_days(DateADT *days, size_t n): ascending, interruptible */
#define ST_SORT sort_days
#define ST_ELEMENT_TYPE DateADT
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/* The length of an interval in days, as extract(epoch from unit) / 86400. */
static double
unit_in_days(const Interval *unit)
{
	return (double) unit->time / USECS_PER_DAY +
		(double) unit->day +
		(double) unit->month * (DAYS_PER_YEAR / MONTHS_PER_YEAR);
}

static void
check_unit(const Interval *unit, double days)
{
	if (!(days > 0) || !isfinite(days))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unit must be a positive interval, got \"%s\"",
						DatumGetCString(DirectFunctionCall1(interval_out,
															IntervalPGetDatum(unit)))),
				 errhint("Pass the model's time unit, for example '7 days' for weeks.")));
}

/* A new empty state in ref with room for maxdays days. */
static void
rfm_state_new(CprofStateRef *ref, int32 maxdays)
{
	uint32		len[RFM_NPARTS] = {0, 0, maxdays * sizeof(DateADT)};
	CprofRfmState *st;

	cprof_state_new(ref, 0, len);
	st = RFM(*ref);
	money_slot_init(&st->total, RFM_PART_TOTAL);
	money_slot_init(&st->first_total, RFM_PART_FIRST);
	st->maxdays = maxdays;
}

/*
 * Sort days[0 .. n) ascending: an LSD radix sort, 8 bits a pass, skipping
 * the passes in which every day has the same digit (days of a few years
 * differ in their low two bytes only), for many days; sort_days for few.
 */
static void
sort_days_fast(DateADT *days, int32 n)
{
	uint32	   *src;
	uint32	   *dst;
	int32		count[4][256];

	if (n < 1024)
	{
		sort_days(days, n);
		return;
	}
	src = (uint32 *) days;
	dst = palloc(n * sizeof(uint32));
	memset(count, 0, sizeof(count));
	for (int32 i = 0; i < n; i++)
	{
		uint32		k = (uint32) days[i] ^ 0x80000000;	/* signed order */

		src[i] = k;
		for (int p = 0; p < 4; p++)
			count[p][(k >> (8 * p)) & 0xFF]++;
	}
	for (int p = 0; p < 4; p++)
	{
		int32		sum = 0;

		if (count[p][(src[0] >> (8 * p)) & 0xFF] == n)
			continue;			/* every day has this digit */
		for (int b = 0; b < 256; b++)
		{
			int32		c = count[p][b];

			count[p][b] = sum;
			sum += c;
		}
		for (int32 i = 0; i < n; i++)
			dst[count[p][(src[i] >> (8 * p)) & 0xFF]++] = src[i];
		{
			uint32	   *t = src;

			src = dst;
			dst = t;
		}
		CHECK_FOR_INTERRUPTS();
	}
	if (src != (uint32 *) days)
	{
		memcpy(days, src, n * sizeof(uint32));
		dst = src;
	}
	pfree(dst);
	for (int32 i = 0; i < n; i++)
		days[i] = (DateADT) (((uint32 *) days)[i] ^ 0x80000000);
}

/*
 * Sort days[0 .. n) and drop repeats in place; returns how many are left.
 */
static int32
sort_distinct(DateADT *days, int32 n)
{
	int32		m = 0;

	sort_days_fast(days, n);
	for (int32 i = 0; i < n; i++)
	{
		if (m == 0 || days[i] != days[m - 1])
			days[m++] = days[i];
	}
	return m;
}

/*
 * Merge the sorted distinct a[0 .. na) and b[0 .. nb) into out (room for
 * na + nb), dropping days both have; returns the number merged.
 */
static int32
merge_days(const DateADT *a, int32 na, const DateADT *b, int32 nb,
		   DateADT *out)
{
	int32		i = 0,
				j = 0,
				n = 0;

	while (i < na || j < nb)
	{
		if (j >= nb || (i < na && a[i] < b[j]))
			out[n++] = a[i++];
		else if (i >= na || b[j] < a[i])
			out[n++] = b[j++];
		else
		{
			out[n++] = a[i++];
			j++;
		}
		if (unlikely((n & 0xFFFFF) == 0))
			CHECK_FOR_INTERRUPTS();
	}
	return n;
}

/*
 * The distinct days of the state, sorted: the state's own array when
 * nothing is pending, else a merged copy in the current memory context.
 * *n gets their number.  The state is not changed.
 */
static const DateADT *
distinct_days(const CprofRfmState *state, int32 *n)
{
	const DateADT *days = RFM_DAYS(state);
	int32		npending = state->ndays - state->nsorted;
	DateADT    *pending;
	DateADT    *merged;

	if (npending == 0)
	{
		*n = state->nsorted;
		return days;
	}
	pending = palloc(npending * sizeof(DateADT));
	memcpy(pending, days + state->nsorted, npending * sizeof(DateADT));
	npending = sort_distinct(pending, npending);
	merged = palloc((state->nsorted + npending) * sizeof(DateADT));
	*n = merge_days(days, state->nsorted, pending, npending, merged);
	pfree(pending);
	return merged;
}

/* Merge the pending days into the sorted part, in place. */
static void
compact_days(CprofRfmState *state)
{
	int32		n;
	const DateADT *merged;

	if (state->ndays == state->nsorted)
		return;
	merged = distinct_days(state, &n);
	memcpy(RFM_DAYS(state), merged, n * sizeof(DateADT));
	pfree((void *) merged);
	state->nsorted = state->ndays = n;
}

/* Give the days part of ref's state room for maxdays days (it may move). */
static void
grow_days(CprofStateRef *ref, int64 maxdays)
{
	if (maxdays > (int64) (MaxAllocSize / 2 / sizeof(DateADT)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("rfm group with too many distinct purchase days"),
				 errhint("Aggregate one client per group.")));
	cprof_state_resize_part(ref, RFM_PART_DAYS, maxdays * sizeof(DateADT));
	RFM(*ref)->maxdays = maxdays;
}

/* Add a day to the set of ref's state (see the file header; it may move). */
static void
add_day(CprofStateRef *ref, DateADT day)
{
	CprofRfmState *state = RFM(*ref);
	bool		empty = state->ndays == 0;
	DateADT    *days;

	if (state->ndays == state->nsorted && !empty &&
		RFM_DAYS(state)[state->nsorted - 1] == day)
		return;					/* another purchase on the last day */
	if (state->ndays == state->maxdays)
	{
		/*
		 * Grow rather than merge: the pending part is smaller than the
		 * sorted one here, and merging it early could cost O(n) a row.  The
		 * array stays within about twice the distinct days.
		 */
		grow_days(ref, (int64) state->maxdays * 2);
		state = RFM(*ref);
	}
	days = RFM_DAYS(state);
	if (state->ndays == state->nsorted &&
		(state->nsorted == 0 || days[state->nsorted - 1] < day))
		state->nsorted++;		/* in order: stays sorted */
	days[state->ndays++] = day;
	if (state->ndays - state->nsorted >= Max(state->nsorted, RFM_PENDING_MIN))
		compact_days(state);
	state->first = empty ? day : Min(state->first, day);
	state->last = empty ? day : Max(state->last, day);
}

/* The day and interval arguments of a row, shared by both input types. */
static void
rfm_check_same(const CprofRfmState *state, DateADT as_of, const Interval *unit)
{
	if (state->as_of != as_of)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of must be the same on every row of a group, got %s and %s",
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(state->as_of))),
						DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(as_of)))),
				 errhint("Pass a constant as_of, the end of the observation period.")));
	if (state->unit.time != unit->time || state->unit.day != unit->day ||
		state->unit.month != unit->month)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unit must be the same on every row of a group, got \"%s\" and \"%s\"",
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(&state->unit))),
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(unit)))),
				 errhint("Pass a constant unit, for example '7 days'.")));
}

static void
check_not_null(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("as_of must not be null"),
				 errhint("Pass the end of the observation period, for example date '1997-09-30'.")));
	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("unit must not be null"),
				 errhint("Pass the model's time unit, for example '7 days' for weeks.")));
}

/*
 * The transition step of both rfm aggregates: the type of purchased_at
 * (date or timestamptz) picks how days are taken.
 */
static Datum
rfm_step(FunctionCallInfo fcinfo, Oid argtype)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	CprofStateRef ref;
	bool		have = cprof_state_begin(fcinfo, mode, aggcxt, &rfm_kind, 0, &ref);
	CprofRfmState *state;
	DateADT		day,
				as_of_day;
	Interval   *unit;
	Datum		amount;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (!have)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(ref.st);
	}
	check_not_null(fcinfo);
	amount = PG_GETARG_DATUM(2);
	unit = PG_GETARG_INTERVAL_P(4);

	if (numeric_is_nan(DatumGetNumeric(amount)) || numeric_is_inf(DatumGetNumeric(amount)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount must be finite, got %s",
						DatumGetCString(DirectFunctionCall1(numeric_out, amount))),
				 errhint("Filter out or correct the rows with NaN or infinite amounts.")));

	if (argtype == TIMESTAMPTZOID)
	{
		TimestampTz ts = PG_GETARG_TIMESTAMPTZ(1);
		TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(3);

		if (TIMESTAMP_NOT_FINITE(ts) || TIMESTAMP_NOT_FINITE(as_of))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("purchased_at and as_of must be finite, got %s and %s",
							DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(ts))),
							DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(as_of)))),
					 errhint("Filter out the rows with infinite timestamps.")));
		if (ts > as_of)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("purchase at %s is after as_of %s",
							DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(ts))),
							DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(as_of)))),
					 errhint("Keep only the purchases of the observation period: WHERE purchased_at <= as_of.")));
		day = DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(ts)));
		as_of_day = DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(as_of)));
	}
	else
	{
		day = PG_GETARG_DATEADT(1);
		as_of_day = PG_GETARG_DATEADT(3);
		if (DATE_NOT_FINITE(day) || DATE_NOT_FINITE(as_of_day))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("purchased_at and as_of must be finite, got %s and %s",
							DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day))),
							DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(as_of_day)))),
					 errhint("Filter out the rows with infinite dates.")));
		if (day > as_of_day)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("purchase on %s is after as_of %s",
							DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(day))),
							DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(as_of_day)))),
					 errhint("Keep only the purchases of the observation period: WHERE purchased_at <= as_of.")));
	}

	if (!have)
	{
		double		days = unit_in_days(unit);

		check_unit(unit, days);
		rfm_state_new(&ref, 4);
		state = RFM(ref);
		state->as_of = as_of_day;
		state->unit = *unit;
		state->unit_days = days;
	}
	else
		rfm_check_same(RFM(ref), as_of_day, unit);

	money_slot_add_numeric(&ref, RFM_TOTAL, amount, false);
	state = RFM(ref);
	if (state->ndays == 0 || day < state->first)
	{
		/* a new first day: the old one, if any, becomes a repeat day */
		CprofMoney	m;

		money_init(&m);
		money_add_numeric(&m, amount, false, CurrentMemoryContext);
		money_slot_set(&ref, RFM_FIRST_TOTAL, &m);
	}
	else if (day == state->first)
		money_slot_add_numeric(&ref, RFM_FIRST_TOTAL, amount, false);
	add_day(&ref, day);
	RFM(ref)->rows++;
	PG_RETURN_POINTER(ref.st);
}

PG_FUNCTION_INFO_V1(cprof_rfm_trans_date);
/* Transition function of rfm(date, numeric, date, interval). */
Datum
cprof_rfm_trans_date(PG_FUNCTION_ARGS)
{
	return rfm_step(fcinfo, DATEOID);
}

PG_FUNCTION_INFO_V1(cprof_rfm_trans_timestamptz);
/*
 * Transition function of rfm(timestamptz, numeric, timestamptz, interval):
 * days in the session's TimeZone.
 */
Datum
cprof_rfm_trans_timestamptz(PG_FUNCTION_ARGS)
{
	return rfm_step(fcinfo, TIMESTAMPTZOID);
}

PG_FUNCTION_INFO_V1(cprof_rfm_trans);
/*
 * Transition function of the 1.0 definitions (STYPE internal), whose two
 * overloads share this symbol: the type of purchased_at is read from the
 * call.
 */
Datum
cprof_rfm_trans(PG_FUNCTION_ARGS)
{
	return rfm_step(fcinfo, get_fn_expr_argtype(fcinfo->flinfo, 1) == TIMESTAMPTZOID ?
					TIMESTAMPTZOID : DATEOID);
}

PG_FUNCTION_INFO_V1(cprof_rfm_combine);
/*
 * Combine function: adds the totals, keeps the first day's spend of the
 * earlier first day (both when they are the same day), merges the sets.
 * STRICT for the state type; the 1.0 definition (internal) is not.
 */
Datum
cprof_rfm_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	CprofStateMode mode = cprof_state_mode(fcinfo, &aggcxt);
	CprofStateRef ref;
	const CprofRfmState *s2;
	CprofRfmState *s1;
	const DateADT *days2;
	int32		n2;
	DateADT    *merged;
	int32		n;
	int64		rows;
	Datum		result;

	if (cprof_combine_null_cases(fcinfo, &result))
		return result;
	s2 = (const CprofRfmState *) cprof_state_arg(fcinfo, 1, &rfm_kind);
	if (!cprof_state_begin(fcinfo, mode, aggcxt, &rfm_kind, s2->hdr.form, &ref))
	{
		cprof_state_copy_into(&ref, &s2->hdr);
		PG_RETURN_POINTER(ref.st);
	}
	rfm_check_same(RFM(ref), s2->as_of, &s2->unit);
	if (s2->ndays == 0)
		PG_RETURN_POINTER(ref.st);
	if (pg_add_s64_overflow(RFM(ref)->rows, s2->rows, &rows))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("rfm row count out of range")));

	money_slot_add_slot(&ref, RFM_TOTAL, &s2->hdr, &s2->total);
	s1 = RFM(ref);
	if (s1->ndays == 0 || s2->first < s1->first)
	{
		CprofMoney	m;

		money_slot_view(&s2->hdr, &s2->first_total, &m);
		money_slot_set(&ref, RFM_FIRST_TOTAL, &m);
	}
	else if (s2->first == s1->first)
		money_slot_add_slot(&ref, RFM_FIRST_TOTAL, &s2->hdr, &s2->first_total);
	s1 = RFM(ref);
	s1->first = s1->ndays == 0 ? s2->first : Min(s1->first, s2->first);
	s1->last = s1->ndays == 0 ? s2->last : Max(s1->last, s2->last);

	/* the union of the two sets of days, into s1's part */
	compact_days(s1);
	days2 = distinct_days(s2, &n2);
	merged = palloc(((Size) s1->nsorted + n2) * sizeof(DateADT));
	n = merge_days(RFM_DAYS(s1), s1->nsorted, days2, n2, merged);
	if (n > s1->maxdays)
		grow_days(&ref, n);
	s1 = RFM(ref);
	memcpy(RFM_DAYS(s1), merged, n * sizeof(DateADT));
	s1->nsorted = s1->ndays = n;
	s1->rows = rows;
	PG_RETURN_POINTER(ref.st);
}

/*
 * ---------------------------------------------------------------------------
 * The forms of the state: binary, text, and their checks
 * ---------------------------------------------------------------------------
 */

/*
 * Every invariant of a state: a finite as_of, a unit the transition
 * function accepts, at least one row per day and a day for every group
 * with rows, distinct days strictly ascending, finite and not after as_of,
 * first and last the first and last of them, room for them, and exact sums
 * of at most 'rows' finite amounts.  NULL if they hold, else what is wrong.
 * The state must have no pending day (input and receive functions build
 * it so).
 */
static const char *
rfm_check(const CprofRfmState *st)
{
	const DateADT *days = RFM_DAYS(st);
	CprofMoney	m;
	const char *bad;

	if (st->rows < 0 || st->ndays < 0 || st->nsorted != st->ndays ||
		st->ndays > st->maxdays ||
		(int64) st->maxdays * sizeof(DateADT) > cprof_state_part_len(&st->hdr, RFM_PART_DAYS) ||
		st->rows < st->ndays || (st->ndays == 0) != (st->rows == 0))
		return "The counts of rows and days are inconsistent.";
	if (!(st->unit_days > 0) || !isfinite(st->unit_days) ||
		st->unit_days != unit_in_days(&st->unit) ||
		DATE_NOT_FINITE(st->as_of) || !IS_VALID_DATE(st->as_of))
		return "The unit or as_of is invalid.";
	for (int32 i = 0; i < st->ndays; i++)
	{
		if ((i > 0 && days[i] <= days[i - 1]) || days[i] > st->as_of ||
			DATE_NOT_FINITE(days[i]) || !IS_VALID_DATE(days[i]))
			return "The days are not sorted, or not valid days up to as_of.";
	}
	if (st->ndays > 0 && (st->first != days[0] || st->last != days[st->ndays - 1]))
		return "The first or last day is not the first or last of the days.";
	if (st->total.part != RFM_PART_TOTAL || st->first_total.part != RFM_PART_FIRST)
		return "A money sum refers to another sum's part.";
	money_slot_view(&st->hdr, &st->total, &m);
	if ((bad = money_check(&m, st->rows, true)) != NULL)
		return bad;
	money_slot_view(&st->hdr, &st->first_total, &m);
	return money_check(&m, st->rows, true);
}

/*
 * The binary form: version, rows, the total and first-day spend, as_of,
 * the unit (microseconds, days, months), the number of distinct days, then
 * the days ascending.
 */
static void
rfm_send(StringInfo buf, const CprofRfmState *st)
{
	CprofMoney	m;
	const DateADT *days;
	int32		ndays;

	days = distinct_days(st, &ndays);
	pq_sendbyte(buf, RFM_STATE_VERSION);
	pq_sendint64(buf, st->rows);
	money_slot_view(&st->hdr, &st->total, &m);
	money_send(buf, &m);
	money_slot_view(&st->hdr, &st->first_total, &m);
	money_send(buf, &m);
	pq_sendint32(buf, st->as_of);
	pq_sendint64(buf, st->unit.time);
	pq_sendint32(buf, st->unit.day);
	pq_sendint32(buf, st->unit.month);
	pq_sendint32(buf, ndays);
	for (int32 i = 0; i < ndays; i++)
		pq_sendint32(buf, days[i]);
}

/* The fields every form has; days are set by the caller. */
static void
rfm_set_fields(CprofStateRef *ref, int64 rows, const CprofMoney *total,
			   const CprofMoney *first_total, DateADT as_of, const Interval *unit)
{
	CprofRfmState *st;

	money_slot_set(ref, RFM_TOTAL, total);
	money_slot_set(ref, RFM_FIRST_TOTAL, first_total);
	st = RFM(*ref);
	st->rows = rows;
	st->as_of = as_of;
	st->unit = *unit;
	st->unit_days = unit_in_days(unit);
}

/* Set first, last and the counts after the days were written. */
static void
rfm_set_days(CprofRfmState *st, int32 ndays)
{
	st->nsorted = st->ndays = ndays;
	if (ndays > 0)
	{
		st->first = RFM_DAYS(st)[0];
		st->last = RFM_DAYS(st)[ndays - 1];
	}
}

/* Read the binary form into a new state in the current memory context. */
static CprofRfmState *
rfm_recv(StringInfo buf, const char *type)
{
	CprofStateRef ref = {NULL, CPROF_STATE_COPY, NULL, &rfm_kind};
	CprofMoney	total;
	CprofMoney	first_total;
	int64		rows;
	DateADT		as_of;
	Interval	unit;
	int32		ndays;
	const char *bad;

	cprof_recv_version(buf, RFM_STATE_VERSION, type);
	rows = cprof_recv_int64(buf);
	money_recv(buf, &total, CurrentMemoryContext);
	money_recv(buf, &first_total, CurrentMemoryContext);
	as_of = cprof_recv_int32(buf);
	unit.time = cprof_recv_int64(buf);
	unit.day = cprof_recv_int32(buf);
	unit.month = cprof_recv_int32(buf);
	ndays = cprof_recv_int32(buf);
	if (ndays < 0 || ndays > (buf->len - buf->cursor) / 4)
		cprof_binary_invalid(type, "The number of days does not match the length.");
	rfm_state_new(&ref, Max(ndays, 1));
	rfm_set_fields(&ref, rows, &total, &first_total, as_of, &unit);
	for (int32 i = 0; i < ndays; i++)
		RFM_DAYS(RFM(ref))[i] = cprof_recv_int32(buf);
	cprof_recv_end(buf);
	rfm_set_days(RFM(ref), ndays);
	if ((bad = rfm_check(RFM(ref))) != NULL)
		cprof_binary_invalid(type, bad);
	return RFM(ref);
}

/* A day as ISO 8601 yyyy-mm-dd, the year astronomical (0 is 1 BC). */
static void
day_out(StringInfo buf, DateADT d)
{
	int			y,
				m,
				dd;

	j2date(d + POSTGRES_EPOCH_JDATE, &y, &m, &dd);
	appendStringInfo(buf, y < 0 ? "-%04d-%02d-%02d" : "%04d-%02d-%02d",
					 y < 0 ? -y : y, m, dd);
}

/* Read day_out's form; the day must be a valid date. */
static DateADT
day_in(CprofTextReader *rd)
{
	int64		y;
	int64		m;
	int64		d;
	DateADT		day;

	y = cprof_text_int64(rd);
	if (!cprof_text_next_is(rd, '-') || !isdigit((unsigned char) *rd->p))
		cprof_text_invalid(rd, "A day is written yyyy-mm-dd.");
	m = cprof_text_int64(rd);
	if (!cprof_text_next_is(rd, '-') || !isdigit((unsigned char) *rd->p))
		cprof_text_invalid(rd, "A day is written yyyy-mm-dd.");
	d = cprof_text_int64(rd);
	if (m < 1 || m > 12 || d < 1 || d > day_tab[isleap(y)][m - 1] ||
		y < -4713 || y > 5874898 || !IS_VALID_JULIAN(y, m, d))
		cprof_text_invalid(rd, "A day is not a valid date.");
	day = date2j((int) y, (int) m, (int) d) - POSTGRES_EPOCH_JDATE;
	if (!IS_VALID_DATE(day))
		cprof_text_invalid(rd, "A day is out of the range of date.");
	return day;
}

PG_FUNCTION_INFO_V1(cprof_rfm_state_in);
/* Input function of cprof_rfm_state: every invariant checked. */
Datum
cprof_rfm_state_in(PG_FUNCTION_ARGS)
{
	CprofTextReader rd;
	CprofStateRef ref = {NULL, CPROF_STATE_COPY, NULL, &rfm_kind};
	CprofMoney	total;
	CprofMoney	first_total;
	int64		rows;
	DateADT		as_of;
	Interval	unit;
	int64		v;
	int32		ndays = 0;
	int32		maxdays = 4;
	const char *bad;

	(void) cprof_text_open(&rd, PG_GETARG_CSTRING(0), "cprof_rfm_state",
						   RFM_STATE_VERSION, rfm_forms, lengthof(rfm_forms));
	cprof_text_expect_key(&rd, "rows");
	rows = cprof_text_int64(&rd);
	cprof_text_expect_key(&rd, "as_of");
	as_of = day_in(&rd);
	cprof_text_expect_key(&rd, "unit");
	v = cprof_text_int64(&rd);
	unit.month = (int32) v;
	if (v != unit.month || !cprof_text_next_is(&rd, '/'))
		cprof_text_invalid(&rd, "The unit is written months/days/microseconds.");
	v = cprof_text_int64(&rd);
	unit.day = (int32) v;
	if (v != unit.day || !cprof_text_next_is(&rd, '/'))
		cprof_text_invalid(&rd, "The unit is written months/days/microseconds.");
	unit.time = cprof_text_int64(&rd);
	cprof_text_expect_key(&rd, "total");
	money_text_in(&rd, &total);
	cprof_text_expect_key(&rd, "first_total");
	money_text_in(&rd, &first_total);
	cprof_text_expect_key(&rd, "days");
	rfm_state_new(&ref, maxdays);
	rfm_set_fields(&ref, rows, &total, &first_total, as_of, &unit);
	if (*rd.p != '\0')
	{
		int64		day = day_in(&rd);

		for (;;)
		{
			if (ndays == maxdays)
			{
				grow_days(&ref, (int64) maxdays * 2);
				maxdays *= 2;
			}
			RFM_DAYS(RFM(ref))[ndays++] = (DateADT) day;
			if (!cprof_text_next_is(&rd, '+'))
				break;
			if (!isdigit((unsigned char) *rd.p))
				cprof_text_invalid(&rd, "The days are the first day and the gaps to the next, +n days each.");
			day += cprof_text_int64(&rd);
			if (day > as_of)
				cprof_text_invalid(&rd, "A day is after as_of.");
		}
	}
	cprof_text_close(&rd);
	rfm_set_days(RFM(ref), ndays);
	if ((bad = rfm_check(RFM(ref))) != NULL)
		cprof_text_invalid(&rd, bad);
	PG_RETURN_POINTER(ref.st);
}

PG_FUNCTION_INFO_V1(cprof_rfm_state_out);
/* Output function of cprof_rfm_state: the text form of the file header. */
Datum
cprof_rfm_state_out(PG_FUNCTION_ARGS)
{
	const CprofRfmState *st = (const CprofRfmState *) cprof_state_arg(fcinfo, 0, &rfm_kind);
	CprofMoney	m;
	StringInfoData buf;
	const DateADT *days;
	int32		ndays;

	initStringInfo(&buf);
	cprof_text_begin(&buf, RFM_STATE_VERSION, rfm_forms[0]);
	cprof_text_key(&buf, "rows");
	appendStringInfo(&buf, INT64_FORMAT, st->rows);
	cprof_text_key(&buf, "as_of");
	day_out(&buf, st->as_of);
	cprof_text_key(&buf, "unit");
	appendStringInfo(&buf, "%d/%d/" INT64_FORMAT, st->unit.month, st->unit.day,
					 st->unit.time);
	cprof_text_key(&buf, "total");
	money_slot_view(&st->hdr, &st->total, &m);
	money_text_out(&buf, &m);
	cprof_text_key(&buf, "first_total");
	money_slot_view(&st->hdr, &st->first_total, &m);
	money_text_out(&buf, &m);
	cprof_text_key(&buf, "days");
	days = distinct_days(st, &ndays);
	for (int32 i = 0; i < ndays; i++)
	{
		if (i == 0)
			day_out(&buf, days[0]);
		else
			appendStringInfo(&buf, "+%d", days[i] - days[i - 1]);
	}
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(cprof_rfm_state_recv);
/* Receive function of cprof_rfm_state, every invariant checked. */
Datum
cprof_rfm_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(rfm_recv((StringInfo) PG_GETARG_POINTER(0), "cprof_rfm_state"));
}

PG_FUNCTION_INFO_V1(cprof_rfm_state_send);
/* Send function of cprof_rfm_state. */
Datum
cprof_rfm_state_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	rfm_send(&buf, (const CprofRfmState *) cprof_state_arg(fcinfo, 0, &rfm_kind));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_rfm_serialize);
/* Serialize function of the 1.0 definitions: the type's binary form. */
Datum
cprof_rfm_serialize(PG_FUNCTION_ARGS)
{
	return cprof_rfm_state_send(fcinfo);
}

PG_FUNCTION_INFO_V1(cprof_rfm_deserialize);
/*
 * Deserialize function of the 1.0 definitions: the binary form read back,
 * every invariant checked, into the current memory context (state.c).
 */
Datum
cprof_rfm_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;

	cprof_bytea_reader(&buf, bytes);
	PG_RETURN_POINTER(rfm_recv(&buf, "cprof_rfm_state"));
}

/* Fields of the composite type rfm, in order. */
enum
{
	F_FREQUENCY,
	F_RECENCY,
	F_AGE,
	F_MONETARY,
	F_FIRST_PURCHASE,
	F_LAST_PURCHASE,
	NUM_RFM_FIELDS
};

PG_FUNCTION_INFO_V1(cprof_rfm_final);
/* Final function of rfm(): the summary of the file header.  Only reads. */
Datum
cprof_rfm_final(PG_FUNCTION_ARGS)
{
	const CprofRfmState *state = PG_ARGISNULL(0) ? NULL :
	(const CprofRfmState *) cprof_state_arg(fcinfo, 0, &rfm_kind);
	CprofMoney	total;
	CprofMoney	first_total;
	Datum		values[NUM_RFM_FIELDS];
	bool		nulls[NUM_RFM_FIELDS] = {0};
	DateADT		first,
				last;
	int32		frequency;
	int32		ndistinct;
	Numeric		monetary;

	if (state == NULL || state->ndays == 0)
		PG_RETURN_NULL();
	{
		const DateADT *days = distinct_days(state, &ndistinct);

		if (days != RFM_DAYS(state))
			pfree((void *) days);
	}
	money_slot_view(&state->hdr, &state->total, &total);
	money_slot_view(&state->hdr, &state->first_total, &first_total);

	first = state->first;
	last = state->last;
	frequency = ndistinct - 1;
	if (frequency == 0)
		monetary = int64_to_numeric(0);
	else
	{
		Numeric		repeat = DatumGetNumeric(DirectFunctionCall2(numeric_sub,
																 NumericGetDatum(money_result(&total)),
																 NumericGetDatum(money_result(&first_total))));

		monetary = DatumGetNumeric(DirectFunctionCall2(numeric_div,
													   NumericGetDatum(repeat),
													   NumericGetDatum(int64_to_numeric(frequency))));
	}
	values[F_FREQUENCY] = Int32GetDatum(frequency);
	values[F_RECENCY] = Float8GetDatum((double) (last - first) / state->unit_days);
	values[F_AGE] = Float8GetDatum((double) (state->as_of - first) / state->unit_days);
	values[F_MONETARY] = NumericGetDatum(monetary);
	values[F_FIRST_PURCHASE] = DateADTGetDatum(first);
	values[F_LAST_PURCHASE] = DateADTGetDatum(last);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(cprof_result_tupdesc(fcinfo),
													  values, nulls)));
}
