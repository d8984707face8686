/*
 * src/client_profit_io.c: the text and binary forms of
 * cprof_client_profit_state, the state type of the client_profit
 * aggregates, and the check of every invariant of a state that enters by
 * them.
 *
 * SQL objects (sql/cprof--1.1.sql): cprof_client_profit_state_{in,out,
 * recv,send}; the 1.0 definitions' cprof_client_profit_{serialize,
 * deserialize} are the binary form.  The forms are described in the
 * opening comment of client_profit.c.
 */
#include "postgres.h"

#include "common/int.h"
#include "libpq/pqformat.h"

#include "client_profit.h"

/*
 * ---------------------------------------------------------------------------
 * The forms of the state: binary, text, and their checks
 * ---------------------------------------------------------------------------
 */

/* The text form's key of each bucket. */
static const char *
bucket_key(int form, int b)
{
	return FORM_BUCKETS(form) == 1 ? "net" : cprof_profit_field_name[cprof_profit_bucket_field[b]];
}

/*
 * Every invariant of a state: counts not negative, entries = rows but for
 * the roll-up's form, each bucket a sum its rows can give (a row adds at
 * most one value to a waterfall bucket, two to the net one) with its
 * rarely needed part in its own part.  NULL if they hold, else what is
 * wrong.
 */
static const char *
profit_check(const CprofFlatHeader *st)
{
	const ProfitBody *body = PROFIT_BODY(st);
	int			form = st->form;
	int64		max_values;
	const char *bad;

	if (body->rows < 0 || body->entries < 0)
		return "The count of rows or entries is negative.";
	if (FORM_BUCKETS(form) == 1 && body->entries != body->rows)
		return "The count of entries differs from the count of rows.";
	if (FORM_BUCKETS(form) == 1 && pg_mul_s64_overflow(body->rows, 2, &max_values))
		max_values = PG_INT64_MAX;
	else if (FORM_BUCKETS(form) > 1)
		max_values = body->rows;
	for (int b = 0; b < FORM_BUCKETS(form); b++)
	{
		if (FORM_IS_FLOAT(form))
			bad = floatsum_check(FLOAT_BUCKET(st, b), max_values, false);
		else
		{
			CprofMoney	m;

			if (MONEY_BUCKET(st, b)->part != b)
				return "A money sum refers to another sum's part.";
			money_slot_view(st, MONEY_BUCKET(st, b), &m);
			bad = money_check(&m, max_values, false);
		}
		if (bad != NULL)
			return bad;
	}
	return NULL;
}

/* The binary form: version, form, rows, entries, then each bucket. */
static void
profit_send(StringInfo buf, const CprofFlatHeader *st)
{
	const ProfitBody *body = PROFIT_BODY(st);

	pq_sendbyte(buf, PROFIT_STATE_VERSION);
	pq_sendbyte(buf, st->form);
	cprof_send_varint(buf, body->rows);
	cprof_send_varint(buf, body->entries);
	for (int b = 0; b < FORM_BUCKETS(st->form); b++)
	{
		if (FORM_IS_FLOAT(st->form))
			floatsum_send(buf, FLOAT_BUCKET(st, b));
		else
		{
			CprofMoney	m;

			money_slot_view(st, MONEY_BUCKET(st, b), &m);
			money_send(buf, &m);
		}
	}
}

/* Read the binary form into a new state in the current memory context. */
static CprofFlatHeader *
profit_recv(StringInfo buf, const char *type)
{
	CprofStateRef ref = {NULL, CPROF_STATE_COPY, NULL, &cprof_profit_kind};
	int			form;
	int64		rows;
	int64		entries;
	const char *bad;

	cprof_recv_version(buf, PROFIT_STATE_VERSION, type);
	form = cprof_recv_byte(buf);
	if (form >= NUM_FORMS)
		cprof_binary_invalid(type, "The form of the state is unknown.");
	cprof_profit_state_new(&ref, form);
	rows = cprof_recv_varint(buf);
	entries = cprof_recv_varint(buf);
	for (int b = 0; b < FORM_BUCKETS(form); b++)
	{
		if (FORM_IS_FLOAT(form))
			floatsum_recv(buf, FLOAT_BUCKET(ref.st, b));
		else
		{
			CprofMoney	m;

			money_recv(buf, &m, CurrentMemoryContext);
			money_slot_set(&ref, BUCKET_OFF(form, b), &m);
		}
	}
	cprof_recv_end(buf);
	PROFIT_BODY(ref.st)->rows = rows;
	PROFIT_BODY(ref.st)->entries = entries;
	if ((bad = profit_check(ref.st)) != NULL)
		cprof_binary_invalid(type, bad);
	return ref.st;
}

PG_FUNCTION_INFO_V1(cprof_client_profit_state_in);
/* Input function of cprof_client_profit_state: every invariant checked. */
Datum
cprof_client_profit_state_in(PG_FUNCTION_ARGS)
{
	CprofTextReader rd;
	CprofStateRef ref = {NULL, CPROF_STATE_COPY, NULL, &cprof_profit_kind};
	int			form;
	int64		rows;
	int64		entries;
	const char *bad;

	form = cprof_text_open(&rd, PG_GETARG_CSTRING(0), "cprof_client_profit_state",
						   PROFIT_STATE_VERSION, cprof_profit_form_name, NUM_FORMS);
	cprof_profit_state_new(&ref, form);
	cprof_text_expect_key(&rd, "rows");
	rows = cprof_text_int64(&rd);
	cprof_text_expect_key(&rd, "entries");
	entries = cprof_text_int64(&rd);
	for (int b = 0; b < FORM_BUCKETS(form); b++)
	{
		cprof_text_expect_key(&rd, bucket_key(form, b));
		if (FORM_IS_FLOAT(form))
			floatsum_text_in(&rd, FLOAT_BUCKET(ref.st, b));
		else
		{
			CprofMoney	m;

			money_text_in(&rd, &m);
			money_slot_set(&ref, BUCKET_OFF(form, b), &m);
		}
	}
	cprof_text_close(&rd);
	PROFIT_BODY(ref.st)->rows = rows;
	PROFIT_BODY(ref.st)->entries = entries;
	if ((bad = profit_check(ref.st)) != NULL)
		cprof_text_invalid(&rd, bad);
	PG_RETURN_POINTER(ref.st);
}

PG_FUNCTION_INFO_V1(cprof_client_profit_state_out);
/* Output function of cprof_client_profit_state: the text form above. */
Datum
cprof_client_profit_state_out(PG_FUNCTION_ARGS)
{
	const CprofFlatHeader *st = cprof_state_arg(fcinfo, 0, &cprof_profit_kind);
	const ProfitBody *body = PROFIT_BODY(st);
	StringInfoData buf;

	initStringInfo(&buf);
	cprof_text_begin(&buf, PROFIT_STATE_VERSION, cprof_profit_form_name[st->form]);
	cprof_text_key(&buf, "rows");
	appendStringInfo(&buf, INT64_FORMAT, body->rows);
	cprof_text_key(&buf, "entries");
	appendStringInfo(&buf, INT64_FORMAT, body->entries);
	for (int b = 0; b < FORM_BUCKETS(st->form); b++)
	{
		cprof_text_key(&buf, bucket_key(st->form, b));
		if (FORM_IS_FLOAT(st->form))
			floatsum_text_out(&buf, FLOAT_BUCKET(st, b));
		else
		{
			CprofMoney	m;

			money_slot_view(st, MONEY_BUCKET(st, b), &m);
			money_text_out(&buf, &m);
		}
	}
	PG_RETURN_CSTRING(buf.data);
}

PG_FUNCTION_INFO_V1(cprof_client_profit_state_recv);
/* Receive function of cprof_client_profit_state, every invariant checked. */
Datum
cprof_client_profit_state_recv(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(profit_recv((StringInfo) PG_GETARG_POINTER(0),
								  "cprof_client_profit_state"));
}

PG_FUNCTION_INFO_V1(cprof_client_profit_state_send);
/* Send function of cprof_client_profit_state. */
Datum
cprof_client_profit_state_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	profit_send(&buf, cprof_state_arg(fcinfo, 0, &cprof_profit_kind));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(cprof_client_profit_serialize);
/* Serialize function of the 1.0 definitions: the type's binary form. */
Datum
cprof_client_profit_serialize(PG_FUNCTION_ARGS)
{
	return cprof_client_profit_state_send(fcinfo);
}

PG_FUNCTION_INFO_V1(cprof_client_profit_deserialize);
/*
 * Deserialize function of the 1.0 definitions: the binary form read back,
 * every invariant checked, into the current memory context (state.c).
 */
Datum
cprof_client_profit_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;

	cprof_bytea_reader(&buf, bytes);
	PG_RETURN_POINTER(profit_recv(&buf, "cprof_client_profit_state"));
}
