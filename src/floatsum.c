/*
 * src/floatsum.c: compensated sums of double precision input
 * (CprofFloatSum), shared by the aggregates that sum doubles.
 *
 * No SQL objects live here.  The compensated step is cprof_twosum_err
 * (cprof.h), the one mechanism of every cprof sum of doubles; this file
 * adds what a sum of user input needs on top: non-finite values are
 * counted instead of added (so that the compensation never becomes NaN and
 * inverse transitions work), overflow is an error (22003), and the sum has
 * a binary and a text form.  The result follows sum(double precision):
 * any NaN, or both infinities, give NaN; otherwise an infinity gives that
 * infinity.
 */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/float.h"

#include "cprof.h"

void
floatsum_init(CprofFloatSum *f)
{
	memset(f, 0, sizeof(CprofFloatSum));
}

/* *sum += x with the rounding error gathered in *comp; overflow is 22003. */
static inline void
checked_add(double *sum, double *comp, double x)
{
	double		t = *sum + x;

	if (unlikely(isinf(t)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("double precision sum out of range"),
				 errhint("Aggregate numeric values, which have no such limit.")));
	*comp += cprof_twosum_err(*sum, x, t);
	*sum = t;
}

/* f += value (sign 1) or f -= value (sign -1, undoing an earlier add). */
static inline void
floatsum_apply(CprofFloatSum *f, double value, int sign)
{
	if (isnan(value))
		f->nan_count += sign;
	else if (isinf(value))
	{
		if (value > 0)
			f->pinf_count += sign;
		else
			f->ninf_count += sign;
	}
	else
		checked_add(&f->sum, &f->comp, sign > 0 ? value : -value);
}

void
floatsum_add(CprofFloatSum *f, double value)
{
	floatsum_apply(f, value, 1);
}

/* Undo floatsum_add(f, value), for moving-aggregate inverse transitions. */
void
floatsum_remove(CprofFloatSum *f, double value)
{
	floatsum_apply(f, value, -1);
}

void
floatsum_add_floatsum(CprofFloatSum *f, const CprofFloatSum *other)
{
	checked_add(&f->sum, &f->comp, other->sum);
	checked_add(&f->sum, &f->comp, other->comp);
	f->nan_count += other->nan_count;
	f->pinf_count += other->pinf_count;
	f->ninf_count += other->ninf_count;
}

double
floatsum_result(const CprofFloatSum *f)
{
	if (f->nan_count > 0 || (f->pinf_count > 0 && f->ninf_count > 0))
		return get_float8_nan();
	if (f->pinf_count > 0)
		return get_float8_infinity();
	if (f->ninf_count > 0)
		return -get_float8_infinity();
	return f->sum + f->comp;
}

static inline bool
has_special(const CprofFloatSum *f)
{
	return f->nan_count != 0 || f->pinf_count != 0 || f->ninf_count != 0;
}

/*
 * Binary form: a flag byte (1 when there are non-finite counts), the sum
 * and the compensation (float8), then the counts when there are any.
 */
void
floatsum_send(StringInfo buf, const CprofFloatSum *f)
{
	bool		special = has_special(f);

	pq_sendbyte(buf, special);
	cprof_send_float8(buf, f->sum);
	cprof_send_float8(buf, f->comp);
	if (special)
	{
		cprof_send_varint(buf, f->nan_count);
		cprof_send_varint(buf, f->pinf_count);
		cprof_send_varint(buf, f->ninf_count);
	}
}

/* Read the binary form; floatsum_check then checks the values. */
void
floatsum_recv(StringInfo buf, CprofFloatSum *f)
{
	int			special = cprof_recv_byte(buf);

	if (special != 0 && special != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid cprof aggregate state: bad double precision sum")));
	f->sum = cprof_recv_float8(buf);
	f->comp = cprof_recv_float8(buf);
	f->nan_count = f->pinf_count = f->ninf_count = 0;
	if (special)
	{
		f->nan_count = cprof_recv_varint(buf);
		f->pinf_count = cprof_recv_varint(buf);
		f->ninf_count = cprof_recv_varint(buf);
	}
}

/*
 * Text form: "sum/compensation", each in its shortest exact form, followed
 * by "/nan/+inf/-inf" counts when any is not zero (read back by
 * cprof_text_floatsum, state_io.c).
 */
void
floatsum_text_out(StringInfo buf, const CprofFloatSum *f)
{
	cprof_text_double(buf, f->sum);
	appendStringInfoChar(buf, '/');
	cprof_text_double(buf, f->comp);
	if (has_special(f))
		appendStringInfo(buf, "/" INT64_FORMAT "/" INT64_FORMAT "/" INT64_FORMAT,
						 f->nan_count, f->pinf_count, f->ninf_count);
}

/*
 * Is f a sum that max_values values can have given (finite_only: finite
 * values only)?  NULL if so, else what is wrong, for an error detail.  The
 * sum and its compensation are finite (adding never stores an infinity:
 * overflow is an error), so is their total, and the non-finite counts are
 * between 0 and the number of values.
 */
const char *
floatsum_check(const CprofFloatSum *f, int64 max_values, bool finite_only)
{
	if (!isfinite(f->sum) || !isfinite(f->comp) || !isfinite(f->sum + f->comp))
		return "A double precision sum is not finite.";
	if (f->nan_count < 0 || f->pinf_count < 0 || f->ninf_count < 0)
		return "A count of non-finite values is negative.";
	if (finite_only && has_special(f))
		return "A sum of finite values counts a non-finite one.";
	if (f->nan_count > max_values || f->pinf_count > max_values - f->nan_count ||
		f->ninf_count > max_values - f->nan_count - f->pinf_count)
		return "A sum counts more non-finite values than the state has rows.";
	return NULL;
}

/* Read floatsum_text_out's form into f. */
void
floatsum_text_in(CprofTextReader *rd, CprofFloatSum *f)
{
	floatsum_init(f);
	f->sum = cprof_text_double_in(rd);
	if (!cprof_text_next_is(rd, '/'))
		cprof_text_invalid(rd, "A double precision sum is written sum/compensation.");
	f->comp = cprof_text_double_in(rd);
	if (cprof_text_next_is(rd, '/'))
	{
		f->nan_count = cprof_text_int64(rd);
		if (!cprof_text_next_is(rd, '/'))
			cprof_text_invalid(rd, "The counts of a double precision sum are /NaN/+Infinity/-Infinity.");
		f->pinf_count = cprof_text_int64(rd);
		if (!cprof_text_next_is(rd, '/'))
			cprof_text_invalid(rd, "The counts of a double precision sum are /NaN/+Infinity/-Infinity.");
		f->ninf_count = cprof_text_int64(rd);
	}
}
