/*
 * src/rfm.c: the rfm aggregate, the per-client summary that the
 * probabilistic CLV models (BG/NBD, Pareto/NBD, Gamma-Gamma) are fitted on.
 *
 * SQL objects (sql/cprof--1.0.sql):
 *   type rfm (frequency, recency, age, monetary, first_purchase, last_purchase)
 *   rfm(purchased_at date, amount numeric, as_of date, unit interval)
 *   rfm(purchased_at timestamptz, amount numeric, as_of timestamptz, unit interval)
 *   cprof_rfm_trans (overloaded on date and timestamptz)
 *   cprof_rfm_{combine,serialize,deserialize,final}
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
 * State: CprofRfmState.  Only the number of distinct days is needed, not
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
 * NULL rules: a row whose purchased_at or amount is NULL is skipped; a
 * group without rows gives NULL.  as_of and unit must not be NULL and must
 * be the same on every row of a group.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "cprof.h"

#define RFM_STATE_VERSION 2

/* Fewest pending days that make the set merge them into its sorted part. */
#define RFM_PENDING_MIN 256

/* Per-group state of rfm(); lives in the aggregate memory context. */
typedef struct CprofRfmState
{
	int64		rows;			/* rows aggregated (NULL rows skipped) */
	CprofMoney	total;			/* exact spend of every row */
	CprofMoney	first_total;	/* exact spend on the first day */
	DateADT		as_of;			/* day of as_of */
	Interval	unit;			/* the time unit, as given */
	double		unit_days;		/* its length in days */
	DateADT		first;			/* earliest purchase day, when ndays > 0 */
	DateADT		last;			/* latest purchase day, when ndays > 0 */
	int32		nsorted;		/* days[0 .. nsorted): sorted, distinct */
	int32		ndays;			/* days[nsorted .. ndays): pending, in
								 * arrival order, maybe repeated */
	int32		maxdays;		/* allocated length of days[] */
	DateADT    *days;			/* the days, in aggcxt */
} CprofRfmState;

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

static CprofRfmState *
rfm_state_new(MemoryContext cxt)
{
	CprofRfmState *state = MemoryContextAllocZero(cxt, sizeof(CprofRfmState));

	money_init(&state->total);
	money_init(&state->first_total);
	state->maxdays = 4;
	state->days = MemoryContextAlloc(cxt, state->maxdays * sizeof(DateADT));
	return state;
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
	int32		npending = state->ndays - state->nsorted;
	DateADT    *pending;
	DateADT    *merged;

	if (npending == 0)
	{
		*n = state->nsorted;
		return state->days;
	}
	pending = palloc(npending * sizeof(DateADT));
	memcpy(pending, state->days + state->nsorted, npending * sizeof(DateADT));
	npending = sort_distinct(pending, npending);
	merged = palloc((state->nsorted + npending) * sizeof(DateADT));
	*n = merge_days(state->days, state->nsorted, pending, npending, merged);
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
	memcpy(state->days, merged, n * sizeof(DateADT));
	pfree((void *) merged);
	state->nsorted = state->ndays = n;
}

/* Add a day to the set (see the file header); the set grows in cxt. */
static void
add_day(CprofRfmState *state, DateADT day, MemoryContext cxt)
{
	bool		empty = state->ndays == 0;

	if (state->ndays == state->nsorted && !empty &&
		state->days[state->nsorted - 1] == day)
		return;					/* another purchase on the last day */
	if (state->ndays == state->maxdays)
	{
		/*
		 * Grow rather than merge: the pending part is smaller than the
		 * sorted one here, and merging it early could cost O(n) a row.  The
		 * array stays within about twice the distinct days.
		 */
		MemoryContext old;

		if ((Size) state->maxdays >= MaxAllocSize / sizeof(DateADT) / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("rfm group with more than %d purchase days", state->maxdays),
					 errhint("Aggregate one client per group.")));
		old = MemoryContextSwitchTo(cxt);
		state->maxdays *= 2;
		state->days = repalloc(state->days, state->maxdays * sizeof(DateADT));
		MemoryContextSwitchTo(old);
	}
	if (state->ndays == state->nsorted &&
		(state->nsorted == 0 || state->days[state->nsorted - 1] < day))
		state->nsorted++;		/* in order: stays sorted */
	state->days[state->ndays++] = day;
	if (state->ndays - state->nsorted >= Max(state->nsorted, RFM_PENDING_MIN))
		compact_days(state);
	state->first = empty ? day : Min(state->first, day);
	state->last = empty ? day : Max(state->last, day);
}

/* The day and interval arguments of a row, shared by both input types. */
static void
rfm_check_same(CprofRfmState *state, DateADT as_of, const Interval *unit)
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
 * cprof_rfm_trans(state, purchased_at, amount, as_of, unit): transition
 * function of both rfm aggregates; the type of purchased_at (date or
 * timestamptz) picks how days are taken.
 */
PG_FUNCTION_INFO_V1(cprof_rfm_trans);
Datum
cprof_rfm_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_rfm_trans");
	CprofRfmState *state = PG_ARGISNULL(0) ? NULL : (CprofRfmState *) PG_GETARG_POINTER(0);
	Oid			argtype = get_fn_expr_argtype(fcinfo->flinfo, 1);
	DateADT		day,
				as_of_day;
	Interval   *unit;
	Datum		amount;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
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

	if (state == NULL)
	{
		double		days = unit_in_days(unit);

		check_unit(unit, days);
		state = rfm_state_new(aggcxt);
		state->as_of = as_of_day;
		state->unit = *unit;
		state->unit_days = days;
	}
	else
		rfm_check_same(state, as_of_day, unit);

	money_add_numeric(&state->total, amount, false, aggcxt);
	if (state->ndays == 0 || day < state->first)
	{
		/* a new first day: the old one, if any, becomes a repeat day */
		money_init(&state->first_total);
		money_add_numeric(&state->first_total, amount, false, aggcxt);
	}
	else if (day == state->first)
		money_add_numeric(&state->first_total, amount, false, aggcxt);
	add_day(state, day, aggcxt);
	state->rows++;
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(cprof_rfm_combine);
/*
 * Combine function: adds the totals, keeps the first day's spend of the
 * earlier first day (both when they are the same day), merges the sets.
 */
Datum
cprof_rfm_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_rfm_combine");
	CprofRfmState *s1 = PG_ARGISNULL(0) ? NULL : (CprofRfmState *) PG_GETARG_POINTER(0);
	CprofRfmState *s2 = PG_ARGISNULL(1) ? NULL : (CprofRfmState *) PG_GETARG_POINTER(1);
	const DateADT *days2;
	int32		n2;
	DateADT    *merged;
	int32		alloc;

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = rfm_state_new(aggcxt);
		s1->as_of = s2->as_of;
		s1->unit = s2->unit;
		s1->unit_days = s2->unit_days;
	}
	else
		rfm_check_same(s1, s2->as_of, &s2->unit);
	if (s2->ndays == 0)
		PG_RETURN_POINTER(s1);

	money_add_money(&s1->total, &s2->total, false, aggcxt);
	if (s1->ndays == 0 || s2->first < s1->first)
		money_copy(&s1->first_total, &s2->first_total, aggcxt);
	else if (s2->first == s1->first)
		money_add_money(&s1->first_total, &s2->first_total, false, aggcxt);
	s1->first = s1->ndays == 0 ? s2->first : Min(s1->first, s2->first);
	s1->last = s1->ndays == 0 ? s2->last : Max(s1->last, s2->last);

	compact_days(s1);
	days2 = distinct_days(s2, &n2);
	if ((int64) s1->nsorted + n2 > (int64) (MaxAllocSize / sizeof(DateADT)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("rfm group with too many distinct purchase days"),
				 errhint("Aggregate one client per group.")));
	alloc = Max(s1->nsorted + n2, 4);
	merged = MemoryContextAlloc(aggcxt, alloc * sizeof(DateADT));
	s1->nsorted = s1->ndays = merge_days(s1->days, s1->nsorted, days2, n2, merged);
	pfree(s1->days);
	s1->days = merged;
	s1->maxdays = alloc;
	if (days2 != s2->days)
		pfree((void *) days2);
	if (pg_add_s64_overflow(s1->rows, s2->rows, &s1->rows))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("rfm row count out of range")));
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(cprof_rfm_serialize);
/*
 * Serialize function: version byte, row count, the two sums, as_of, unit,
 * then the distinct days in ascending order.
 */
Datum
cprof_rfm_serialize(PG_FUNCTION_ARGS)
{
	CprofRfmState *state = (CprofRfmState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	const DateADT *days;
	int32		ndays;

	cprof_agg_context(fcinfo, "cprof_rfm_serialize");
	days = distinct_days(state, &ndays);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, RFM_STATE_VERSION);
	pq_sendint64(&buf, state->rows);
	money_send(&buf, &state->total);
	money_send(&buf, &state->first_total);
	pq_sendint32(&buf, state->as_of);
	pq_sendint64(&buf, state->unit.time);
	pq_sendint32(&buf, state->unit.day);
	pq_sendint32(&buf, state->unit.month);
	pq_sendint32(&buf, ndays);
	for (int32 i = 0; i < ndays; i++)
		pq_sendint32(&buf, days[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
bad_rfm_state(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid cprof aggregate state"),
			 errdetail("%s", detail)));
}

PG_FUNCTION_INFO_V1(cprof_rfm_deserialize);
/*
 * Deserialize function: every field checked: a finite as_of, a unit the
 * transition function accepts, at least one row per day and a day for
 * every group with rows, days strictly ascending, finite and not after
 * as_of.
 */
Datum
cprof_rfm_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_rfm_deserialize");
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CprofRfmState *state;
	int32		ndays;

	cprof_recv_begin(&buf, bytes, RFM_STATE_VERSION, "rfm");
	state = rfm_state_new(aggcxt);
	state->rows = cprof_recv_int64(&buf);
	money_recv(&buf, &state->total, aggcxt);
	money_recv(&buf, &state->first_total, aggcxt);
	state->as_of = cprof_recv_int32(&buf);
	state->unit.time = cprof_recv_int64(&buf);
	state->unit.day = cprof_recv_int32(&buf);
	state->unit.month = cprof_recv_int32(&buf);
	state->unit_days = unit_in_days(&state->unit);
	ndays = cprof_recv_int32(&buf);
	if (ndays < 0 || ndays > (buf.len - buf.cursor) / 4 || state->rows < ndays ||
		(ndays == 0) != (state->rows == 0))
		bad_rfm_state("The serialized rfm state has an invalid day or row count.");
	if (!(state->unit_days > 0) || !isfinite(state->unit_days) ||
		DATE_NOT_FINITE(state->as_of) || !IS_VALID_DATE(state->as_of))
		bad_rfm_state("The serialized rfm state has an invalid unit or as_of.");
	state->days = MemoryContextAlloc(aggcxt, Max(ndays, 1) * sizeof(DateADT));
	state->maxdays = Max(ndays, 1);
	for (int32 i = 0; i < ndays; i++)
	{
		state->days[i] = cprof_recv_int32(&buf);
		if ((i > 0 && state->days[i] <= state->days[i - 1]) ||
			state->days[i] > state->as_of || DATE_NOT_FINITE(state->days[i]) ||
			!IS_VALID_DATE(state->days[i]))
			bad_rfm_state("The days of the serialized rfm state are not sorted, or not valid days up to as_of.");
	}
	state->nsorted = state->ndays = ndays;
	if (ndays > 0)
	{
		state->first = state->days[0];
		state->last = state->days[ndays - 1];
	}
	cprof_recv_end(&buf);
	PG_RETURN_POINTER(state);
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
Datum
cprof_rfm_final(PG_FUNCTION_ARGS)
{
	CprofRfmState *state = PG_ARGISNULL(0) ? NULL : (CprofRfmState *) PG_GETARG_POINTER(0);
	TupleDesc	tupdesc;
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

		if (days != state->days)
			pfree((void *) days);
	}
	/* the blessed descriptor of rfm, looked up once per query */
	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "cprof_rfm_final: return type must be a row type");
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = tupdesc;
	}

	first = state->first;
	last = state->last;
	frequency = ndistinct - 1;
	if (frequency == 0)
		monetary = int64_to_numeric(0);
	else
	{
		Numeric		repeat = DatumGetNumeric(DirectFunctionCall2(numeric_sub,
																 NumericGetDatum(money_result(&state->total)),
																 NumericGetDatum(money_result(&state->first_total))));

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
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
