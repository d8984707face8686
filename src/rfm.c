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
 * the per-day totals: the state keeps the exact total spend, the first day
 * and the exact spend on that day (reset when an earlier day arrives, the
 * old first day then being a repeat day whose spend is already in the
 * total), and the sorted set of distinct days.  Rows usually arrive in date
 * order, so adding a day is an append; otherwise a binary search and a
 * memmove.  Combine merges the two sets, so any split of the rows gives the
 * same state.
 *
 * NULL rules: a row whose purchased_at or amount is NULL is skipped; a
 * group without rows gives NULL.  as_of and unit must not be NULL and must
 * be the same on every row of a group.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "cprof.h"

#define RFM_STATE_VERSION 1

/* Per-group state of rfm(); lives in the aggregate memory context. */
typedef struct CprofRfmState
{
	int64		rows;			/* rows aggregated (NULL rows skipped) */
	CprofMoney	total;			/* exact spend of every row */
	CprofMoney	first_total;	/* exact spend on the first day */
	DateADT		as_of;			/* day of as_of */
	Interval	unit;			/* the time unit, as given */
	double		unit_days;		/* its length in days */
	int32		ndays;			/* distinct purchase days */
	int32		maxdays;		/* allocated length of days[] */
	DateADT    *days;			/* sorted distinct days, in aggcxt */
} CprofRfmState;

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
 * Add a day to the sorted set; returns true when it is new.  The set grows
 * in the aggregate context.
 */
static bool
add_day(CprofRfmState *state, DateADT day, MemoryContext cxt)
{
	int			lo = 0,
				hi = state->ndays;

	if (hi > 0 && state->days[hi - 1] < day)
		lo = hi;				/* the common case: rows in date order */
	else
	{
		while (lo < hi)
		{
			int			mid = (lo + hi) / 2;

			if (state->days[mid] < day)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < state->ndays && state->days[lo] == day)
			return false;
	}
	if (state->ndays == state->maxdays)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		state->maxdays *= 2;
		state->days = repalloc(state->days, state->maxdays * sizeof(DateADT));
		MemoryContextSwitchTo(old);
	}
	if (lo < state->ndays)
		memmove(&state->days[lo + 1], &state->days[lo],
				(state->ndays - lo) * sizeof(DateADT));
	state->days[lo] = day;
	state->ndays++;
	return true;
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
	if (state->ndays == 0 || day < state->days[0])
	{
		/* a new first day: the old one, if any, becomes a repeat day */
		money_init(&state->first_total);
		money_add_numeric(&state->first_total, amount, false, aggcxt);
	}
	else if (day == state->days[0])
		money_add_numeric(&state->first_total, amount, false, aggcxt);
	add_day(state, day, aggcxt);
	state->rows++;
	PG_RETURN_POINTER(state);
}

PG_FUNCTION_INFO_V1(cprof_rfm_combine);
Datum
cprof_rfm_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_rfm_combine");
	CprofRfmState *s1 = PG_ARGISNULL(0) ? NULL : (CprofRfmState *) PG_GETARG_POINTER(0);
	CprofRfmState *s2 = PG_ARGISNULL(1) ? NULL : (CprofRfmState *) PG_GETARG_POINTER(1);
	MemoryContext old;
	DateADT    *merged;
	int			i,
				j,
				n,
				alloc;

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
	if (s1->ndays == 0 || s2->days[0] < s1->days[0])
		money_copy(&s1->first_total, &s2->first_total, aggcxt);
	else if (s2->days[0] == s1->days[0])
		money_add_money(&s1->first_total, &s2->first_total, false, aggcxt);

	old = MemoryContextSwitchTo(aggcxt);
	alloc = s1->ndays + s2->ndays;
	merged = palloc(alloc * sizeof(DateADT));
	MemoryContextSwitchTo(old);
	i = j = n = 0;
	while (i < s1->ndays || j < s2->ndays)
	{
		DateADT		d;

		if (j >= s2->ndays || (i < s1->ndays && s1->days[i] < s2->days[j]))
			d = s1->days[i++];
		else if (i >= s1->ndays || s2->days[j] < s1->days[i])
			d = s2->days[j++];
		else
		{
			d = s1->days[i++];
			j++;
		}
		merged[n++] = d;
	}
	pfree(s1->days);
	s1->days = merged;
	s1->ndays = n;
	s1->maxdays = alloc;
	s1->rows += s2->rows;
	PG_RETURN_POINTER(s1);
}

PG_FUNCTION_INFO_V1(cprof_rfm_serialize);
Datum
cprof_rfm_serialize(PG_FUNCTION_ARGS)
{
	CprofRfmState *state = (CprofRfmState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, RFM_STATE_VERSION);
	pq_sendint64(&buf, state->rows);
	money_send(&buf, &state->total);
	money_send(&buf, &state->first_total);
	pq_sendint32(&buf, state->as_of);
	pq_sendint64(&buf, state->unit.time);
	pq_sendint32(&buf, state->unit.day);
	pq_sendint32(&buf, state->unit.month);
	pq_sendint32(&buf, state->ndays);
	for (i = 0; i < state->ndays; i++)
		pq_sendint32(&buf, state->days[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_rfm_deserialize);
Datum
cprof_rfm_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = cprof_agg_context(fcinfo, "cprof_rfm_deserialize");
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	CprofRfmState *state;
	int32		ndays;
	int			i;

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
		!(state->unit_days > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid cprof aggregate state"),
				 errdetail("The serialized rfm state has an invalid day count or unit.")));
	state->days = MemoryContextAlloc(aggcxt, Max(ndays, 1) * sizeof(DateADT));
	state->maxdays = Max(ndays, 1);
	for (i = 0; i < ndays; i++)
	{
		state->days[i] = cprof_recv_int32(&buf);
		if ((i > 0 && state->days[i] <= state->days[i - 1]) ||
			state->days[i] > state->as_of)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid cprof aggregate state"),
					 errdetail("The days of the serialized rfm state are not sorted.")));
	}
	state->ndays = ndays;
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
	Numeric		monetary;

	if (state == NULL || state->ndays == 0)
		PG_RETURN_NULL();
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

	first = state->days[0];
	last = state->days[state->ndays - 1];
	frequency = state->ndays - 1;
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
