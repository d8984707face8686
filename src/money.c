/*
 * src/money.c: exact sums of money, in their working form (CprofMoney) and
 * in their stored form inside a flat state (CprofMoneySlot), shared by
 * every cprof aggregate that sums money.
 *
 * No SQL objects live here.  The layouts and the NaN/Infinity rules are
 * described in cprof.h; the numeric format the fast path reads is in
 * numeric_format.h.
 */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"

#include "numeric_format.h"

void
money_init(CprofMoney *m)
{
	memset(m, 0, sizeof(CprofMoney));
}

/* The rarely needed part of m, allocated in cxt on first use. */
static inline CprofMoneyExtra *
money_extra(CprofMoney *m, MemoryContext cxt)
{
	if (m->extra == NULL)
		m->extra = MemoryContextAllocZero(cxt, sizeof(CprofMoneyExtra));
	return m->extra;
}

/* Is there anything in the extra part (a slow sum or a non-finite value)? */
static inline bool
has_special(const CprofMoney *m)
{
	return m->extra != NULL && (m->extra->nan_count != 0 ||
								m->extra->pinf_count != 0 ||
								m->extra->ninf_count != 0);
}

static inline Numeric
slow_part(const CprofMoney *m)
{
	return m->extra == NULL ? NULL : m->extra->slow;
}

/* slow += value (negated if asked), the new total palloc'd in cxt */
static void
slow_add(CprofMoney *m, Numeric value, bool negate, MemoryContext cxt)
{
	CprofMoneyExtra *x = money_extra(m, cxt);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Numeric		sum;

	if (x->slow == NULL)
		sum = negate ? DatumGetNumeric(DirectFunctionCall1(numeric_uminus, NumericGetDatum(value)))
			: DatumGetNumeric(datumCopy(NumericGetDatum(value), false, -1));
	else
	{
		sum = DatumGetNumeric(DirectFunctionCall2(negate ? numeric_sub : numeric_add,
												  NumericGetDatum(x->slow),
												  NumericGetDatum(value)));
		pfree(x->slow);
	}
	x->slow = sum;
	MemoryContextSwitchTo(old);
}

/* Move the fast part into the slow part (when it would overflow). */
static void
flush_fast(CprofMoney *m, MemoryContext cxt)
{
	if (m->fast != 0)
	{
		Numeric		f = cprof_numeric_from_int128(m->fast, m->scale);

		slow_add(m, f, false, cxt);
		pfree(f);
		m->fast = 0;
	}
}

/* Raise the sum's scale to dscale (a new value's) if it is larger. */
static void
raise_scale(CprofMoney *m, int dscale, int64 count, MemoryContext cxt)
{
	if (likely(dscale == m->scale))
		m->scale_count += count;
	else if (dscale > m->scale)
	{
		int128		f = m->fast;

		if (cprof_scale_up(&f, dscale - m->scale))
			m->fast = f;
		else
			flush_fast(m, cxt);
		m->scale = dscale;
		m->scale_count = count;
	}
}

/*
 * m += v (or -= when negate), a finite value given as int128 units of
 * 10^-dscale when 'fits', and always as the Datum 'num' (a numeric, or an
 * int64 when num_is_int) for the slow path.  The caller has done the scale
 * bookkeeping, so m->scale >= dscale.
 */
static inline void
add_value(CprofMoney *m, int128 v, int dscale, bool fits, Datum num,
		  bool num_is_int, bool negate, MemoryContext cxt)
{
	if (likely(fits) && cprof_scale_up(&v, m->scale - dscale))
	{
		int128		sum;

		if (negate ? !__builtin_sub_overflow(m->fast, v, &sum)
			: !__builtin_add_overflow(m->fast, v, &sum))
		{
			m->fast = sum;
			return;
		}
	}
	slow_add(m, num_is_int ? int64_to_numeric(DatumGetInt64(num)) : DatumGetNumeric(num),
			 negate, cxt);
}

static void
count_special(CprofMoney *m, CprofNumKind kind, bool negate, int64 delta,
			  MemoryContext cxt)
{
	CprofMoneyExtra *x = money_extra(m, cxt);

	if (kind == CPROF_NUM_NAN)
		x->nan_count += delta;
	else if ((kind == CPROF_NUM_PINF) != negate)
		x->pinf_count += delta;
	else
		x->ninf_count += delta;
}

/* m += value (or -= when negate); value is a numeric Datum */
void
money_add_numeric(CprofMoney *m, Datum value, bool negate, MemoryContext cxt)
{
	int128		v = 0;
	int			dscale = 0;
	bool		fits;
	CprofNumKind kind = cprof_numeric_decode_inline(value, &v, &dscale, &fits);

	if (unlikely(kind != CPROF_NUM_FINITE))
		count_special(m, kind, negate, 1, cxt);
	else
	{
		raise_scale(m, dscale, 1, cxt);
		add_value(m, v, dscale, fits, value, false, negate, cxt);
	}
}

/* money_add_numeric for a value decoded by cprof_numeric_parts into p. */
void
money_add_parts(CprofMoney *m, const CprofNumericParts *p, Datum value,
				bool negate, MemoryContext cxt)
{
	if (unlikely(!p->finite))
		money_add_numeric(m, value, negate, cxt);
	else
	{
		raise_scale(m, p->dscale, 1, cxt);
		add_value(m, p->units, p->dscale, p->fits, value, false, negate, cxt);
	}
}

void
money_add_int64(CprofMoney *m, int64 value, bool negate, MemoryContext cxt)
{
	raise_scale(m, 0, 1, cxt);
	add_value(m, value, 0, true, Int64GetDatum(value), true, negate, cxt);
}

/*
 * Inverse transitions: undo an earlier add.  Returns false when that cannot
 * be done exactly: the value was the last one at the sum's display scale,
 * so the display scale would have to drop.
 */
static bool
remove_scale(CprofMoney *m, int dscale)
{
	if (dscale > m->scale)
		return false;
	if (dscale == m->scale)
	{
		if (m->scale_count <= 1)
			return false;
		m->scale_count--;
	}
	return true;
}

bool
money_sub_numeric(CprofMoney *m, Datum value, bool negate, MemoryContext cxt)
{
	int128		v = 0;
	int			dscale = 0;
	bool		fits;
	CprofNumKind kind = cprof_numeric_decode_inline(value, &v, &dscale, &fits);

	if (kind != CPROF_NUM_FINITE)
	{
		count_special(m, kind, negate, -1, cxt);
		return true;
	}
	if (!remove_scale(m, dscale))
		return false;
	add_value(m, v, dscale, fits, value, false, !negate, cxt);
	return true;
}

bool
money_sub_int64(CprofMoney *m, int64 value, bool negate, MemoryContext cxt)
{
	if (!remove_scale(m, 0))
		return false;
	add_value(m, value, 0, true, Int64GetDatum(value), true, !negate, cxt);
	return true;
}

/* m += other (or -= when negate): the combine step */
void
money_add_money(CprofMoney *m, const CprofMoney *other, bool negate,
				MemoryContext cxt)
{
	int128		v = other->fast;

	if (other->extra != NULL)
	{
		const CprofMoneyExtra *o = other->extra;

		if (o->nan_count != 0 || o->pinf_count != 0 || o->ninf_count != 0)
		{
			CprofMoneyExtra *x = money_extra(m, cxt);

			x->nan_count += o->nan_count;
			x->pinf_count += negate ? o->ninf_count : o->pinf_count;
			x->ninf_count += negate ? o->pinf_count : o->ninf_count;
		}
	}
	raise_scale(m, other->scale, other->scale_count, cxt);
	if (v != 0)
	{
		int128		sum;

		if (cprof_scale_up(&v, m->scale - other->scale) &&
			(negate ? !__builtin_sub_overflow(m->fast, v, &sum)
			 : !__builtin_add_overflow(m->fast, v, &sum)))
			m->fast = sum;
		else
		{
			Numeric		f = cprof_numeric_from_int128(other->fast, other->scale);

			slow_add(m, f, negate, cxt);
			pfree(f);
		}
	}
	if (slow_part(other) != NULL)
		slow_add(m, slow_part(other), negate, cxt);
}

void
money_copy(CprofMoney *dst, const CprofMoney *src, MemoryContext cxt)
{
	*dst = *src;
	if (src->extra != NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		dst->extra = palloc(sizeof(CprofMoneyExtra));
		*dst->extra = *src->extra;
		if (src->extra->slow != NULL)
			dst->extra->slow = DatumGetNumeric(datumCopy(NumericGetDatum(src->extra->slow),
														 false, -1));
		MemoryContextSwitchTo(old);
	}
}

/* fast + slow, the sum of the finite values, with display scale 'scale'. */
static Numeric
finite_total(const CprofMoney *m)
{
	Numeric		result = cprof_numeric_from_int128(m->fast, m->scale);

	if (slow_part(m) != NULL)
		result = DatumGetNumeric(DirectFunctionCall2(numeric_add,
													 NumericGetDatum(result),
													 NumericGetDatum(slow_part(m))));
	return result;
}

/* The sum as a numeric, in the current memory context. */
Numeric
money_result(const CprofMoney *m)
{

	if (has_special(m))
	{
		const CprofMoneyExtra *x = m->extra;

		if (x->nan_count > 0 || (x->pinf_count > 0 && x->ninf_count > 0))
			return cprof_numeric_special(CPROF_NUM_NAN);
		return cprof_numeric_special(x->pinf_count > 0 ? CPROF_NUM_PINF : CPROF_NUM_NINF);
	}
	return finite_total(m);
}

/*
 * num / den as double precision, correctly rounded, in *result; den must
 * not be zero.  Returns CPROF_DOUBLE_IN_RANGE, or
 * why the quotient has no double precision value (too large, or not zero
 * but too small).  When both sums are plain fast-path values whose
 * magnitudes, brought to a common scale, stay below 2^53, both convert to
 * double exactly and one IEEE division rounds the exact quotient correctly.
 * Otherwise the quotient is computed in numeric with at least 40
 * significant digits (numeric_div keeps the largest input display scale,
 * so the numerator is given one that large) and rounded to double; the two
 * paths agree except for quotients within 1e-40 of a tie between two
 * doubles.  Quotients below 1e-1000 (numeric_div's largest scale) are far
 * below the double range and reported as such.
 */
CprofDoubleRange
money_ratio(const CprofMoney *num, const CprofMoney *den, double *result)
{
	const int128 limit = ((int128) 1) << 53;
	Numeric		n,
				d,
				q;
	int			num_sign;
	bool		zero;
	int			e;
	int			scale;

	if (num->extra == NULL && den->extra == NULL)
	{
		int			s = Max(num->scale, den->scale);
		int128		a = num->fast;
		int128		b = den->fast;

		if (cprof_scale_up(&a, s - num->scale) && cprof_scale_up(&b, s - den->scale) &&
			a < limit && a > -limit && b < limit && b > -limit)
		{
			*result = (double) a / (double) b;
			return CPROF_DOUBLE_IN_RANGE;
		}
	}
	num_sign = money_sign(num);
	n = money_result(num);
	d = money_result(den);
	/* the quotient's exponent, to within one, from the operands' */
	e = 0;
	if (num_sign != 0 && !numeric_is_nan(n) && !numeric_is_inf(n) &&
		!numeric_is_nan(d) && !numeric_is_inf(d))
		e = cprof_numeric_exp10(NumericGetDatum(n), &zero) -
			cprof_numeric_exp10(NumericGetDatum(d), &zero);
	scale = Min(Max(40, 42 - e), NUMERIC_MAX_DISPLAY_SCALE);
	n = DatumGetNumeric(DirectFunctionCall2(numeric_add, NumericGetDatum(n),
											NumericGetDatum(cprof_numeric_from_int128(0, scale))));
	q = DatumGetNumeric(DirectFunctionCall2(numeric_div, NumericGetDatum(n),
											NumericGetDatum(d)));
	*result = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
												 NumericGetDatum(q)));
	if (isinf(*result) && !numeric_is_inf(q))
		return CPROF_DOUBLE_TOO_LARGE;
	if (*result == 0 && num_sign != 0 && !numeric_is_inf(d))
		return CPROF_DOUBLE_TOO_SMALL;
	return CPROF_DOUBLE_IN_RANGE;
}

/*
 * Is the sum equal to a numeric Datum?  Compared as numeric_eq compares:
 * by value (1.10 = 1.1), NaN equal to NaN, an infinity to itself.
 */
bool
money_equals(const CprofMoney *m, Datum value)
{
	int128		v = 0;
	int			dscale = 0;
	bool		fits;
	Numeric		r;
	bool		eq;

	if (cprof_numeric_decode_inline(value, &v, &dscale, &fits) == CPROF_NUM_FINITE && fits &&
		m->extra == NULL)
	{
		int128		a = m->fast;
		int			s = Max(m->scale, dscale);

		if (cprof_scale_up(&a, s - m->scale) && cprof_scale_up(&v, s - dscale))
			return a == v;
	}
	r = money_result(m);
	eq = DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(r), value));
	pfree(r);
	return eq;
}

/*
 * The sign of the sum: -1, 0 or 1.  NaN (any NaN, or both infinities)
 * counts as above zero, as numeric_cmp orders it.
 */
int
money_sign(const CprofMoney *m)
{
	Numeric		r;
	int			sign;

	if (has_special(m))
	{
		const CprofMoneyExtra *x = m->extra;

		if (x->nan_count == 0 && x->pinf_count == 0)
			return -1;
		return 1;
	}
	if (slow_part(m) == NULL)
		return m->fast > 0 ? 1 : m->fast < 0 ? -1 : 0;
	/* fast + slow can cancel: compare exactly */
	r = money_result(m);
	sign = DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(r),
											 NumericGetDatum(cprof_numeric_from_int128(0, 0))));
	pfree(r);
	return sign > 0 ? 1 : sign < 0 ? -1 : 0;
}

/*
 * Serialized layout, compact because parallel aggregation ships one state
 * per group and worker: a flag byte, then variable-length integers (the
 * fast part zigzag-encoded when it fits 64 bits, else as two int64), the
 * scale and its count, the NaN/Infinity counts when there are any, and the
 * slow part when there is one.  A typical money sum takes 5 to 10 bytes.
 */
#define MONEY_WIRE_SLOW		0x01
#define MONEY_WIRE_SPECIAL	0x02
#define MONEY_WIRE_WIDE		0x04

void
money_send(StringInfo buf, const CprofMoney *m)
{
	static const CprofMoneyExtra none;
	const CprofMoneyExtra *x = m->extra != NULL ? m->extra : &none;
	bool		wide = m->fast > PG_INT64_MAX || m->fast < PG_INT64_MIN;
	int			flags = (x->slow != NULL ? MONEY_WIRE_SLOW : 0) |
		(has_special(m) ? MONEY_WIRE_SPECIAL : 0) |
		(wide ? MONEY_WIRE_WIDE : 0);

	pq_sendbyte(buf, flags);
	if (wide)
	{
		pq_sendint64(buf, (int64) (m->fast >> 64));
		pq_sendint64(buf, (int64) (uint64) m->fast);
	}
	else
		cprof_send_varint(buf, (int64) m->fast);
	cprof_send_varint(buf, m->scale);
	cprof_send_varint(buf, m->scale_count);
	if (flags & MONEY_WIRE_SPECIAL)
	{
		cprof_send_varint(buf, x->nan_count);
		cprof_send_varint(buf, x->pinf_count);
		cprof_send_varint(buf, x->ninf_count);
	}
	if (flags & MONEY_WIRE_SLOW)
		cprof_send_numeric(buf, x->slow);
}

/* Read the binary form; money_check then checks the values. */
void
money_recv(StringInfo buf, CprofMoney *m, MemoryContext cxt)
{
	int			flags = cprof_recv_byte(buf);
	int64		scale;
	CprofMoneyExtra x;

	memset(&x, 0, sizeof(x));
	if (flags & ~(MONEY_WIRE_SLOW | MONEY_WIRE_SPECIAL | MONEY_WIRE_WIDE))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid cprof aggregate state: bad money flags %d", flags)));
	if (flags & MONEY_WIRE_WIDE)
	{
		int64		hi = cprof_recv_int64(buf);
		uint64		lo = (uint64) cprof_recv_int64(buf);

		m->fast = (int128) (((uint128) (uint64) hi << 64) | lo);
	}
	else
		m->fast = cprof_recv_varint(buf);
	scale = cprof_recv_varint(buf);
	m->scale_count = cprof_recv_varint(buf);
	if (flags & MONEY_WIRE_SPECIAL)
	{
		x.nan_count = cprof_recv_varint(buf);
		x.pinf_count = cprof_recv_varint(buf);
		x.ninf_count = cprof_recv_varint(buf);
	}
	if (scale < 0 || scale > NUM_DSCALE_MASK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid cprof aggregate state: bad money sum")));
	m->scale = (int32) scale;
	if (flags & MONEY_WIRE_SLOW)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		x.slow = cprof_recv_numeric(buf);
		MemoryContextSwitchTo(old);
	}
	m->extra = NULL;
	if (x.slow != NULL || x.nan_count != 0 || x.pinf_count != 0 || x.ninf_count != 0)
		*money_extra(m, cxt) = x;
}

/*
 * ---------------------------------------------------------------------------
 * Text form and checks
 * ---------------------------------------------------------------------------
 */

/*
 * Text form: "total/scale_count", the total of the finite values in plain
 * decimal with the sum's display scale (so the scale is written by the
 * total itself: 1.50 has scale 2), followed by "/nan/+inf/-inf" counts
 * when any is not zero.  How the total splits into the fast and the slow
 * part is not written: money_text_in puts it in the fast part when it fits.
 */
void
money_text_out(StringInfo buf, const CprofMoney *m)
{
	Numeric		total = finite_total(m);

	appendStringInfo(buf, "%s/" INT64_FORMAT,
					 DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(total))),
					 m->scale_count);
	if (has_special(m))
		appendStringInfo(buf, "/" INT64_FORMAT "/" INT64_FORMAT "/" INT64_FORMAT,
						 m->extra->nan_count, m->extra->pinf_count, m->extra->ninf_count);
}

/* Read money_text_out's form into m (in the current memory context). */
void
money_text_in(CprofTextReader *rd, CprofMoney *m)
{
	Numeric		total = cprof_text_numeric(rd);
	int128		units = 0;
	int			dscale = 0;
	bool		fits;

	money_init(m);
	(void) cprof_numeric_decode_inline(NumericGetDatum(total), &units, &dscale, &fits);
	if (dscale > NUM_DSCALE_MASK)
		cprof_text_invalid(rd, "A money total has too many decimal places.");
	m->scale = dscale;
	if (fits && dscale <= CPROF_MONEY_MAX_SCALE)
		m->fast = units;
	else
		money_extra(m, CurrentMemoryContext)->slow = total;
	if (!cprof_text_next_is(rd, '/'))
		cprof_text_invalid(rd, "A money sum is written total/count.");
	m->scale_count = cprof_text_int64(rd);
	if (cprof_text_next_is(rd, '/'))
	{
		CprofMoneyExtra *x = money_extra(m, CurrentMemoryContext);

		x->nan_count = cprof_text_int64(rd);
		if (!cprof_text_next_is(rd, '/'))
			cprof_text_invalid(rd, "The counts of a money sum are /NaN/+Infinity/-Infinity.");
		x->pinf_count = cprof_text_int64(rd);
		if (!cprof_text_next_is(rd, '/'))
			cprof_text_invalid(rd, "The counts of a money sum are /NaN/+Infinity/-Infinity.");
		x->ninf_count = cprof_text_int64(rd);
	}
}

/*
 * Is m a sum that max_values values can have given (finite_only: finite
 * values only)?  NULL if so, else what is wrong, for an error detail.  The
 * invariants: a display scale numeric can have, past the fast path's only
 * for a zero fast part; a count at that scale between 1 (0 for scale 0)
 * and the number of values; non-negative NaN/Infinity counts that, with
 * it, fit the number of values; a finite slow part whose display scale is
 * at most the sum's.
 */
const char *
money_check(const CprofMoney *m, int64 max_values, bool finite_only)
{
	static const CprofMoneyExtra none;
	const CprofMoneyExtra *x = m->extra != NULL ? m->extra : &none;
	int64		budget = max_values;

	if (m->scale < 0 || m->scale > NUM_DSCALE_MASK ||
		(m->scale > CPROF_MONEY_MAX_SCALE && m->fast != 0))
		return "A money sum has a display scale it cannot have.";
	if (m->scale_count < 0 || x->nan_count < 0 || x->pinf_count < 0 || x->ninf_count < 0)
		return "A money sum has a negative count.";
	if (m->scale > 0 && m->scale_count == 0)
		return "A money sum has a display scale but no value at it.";
	if (finite_only && has_special(m))
		return "A money sum of finite amounts counts a NaN or infinite one.";
	if (m->scale_count > budget || x->nan_count > (budget -= m->scale_count) ||
		x->pinf_count > (budget -= x->nan_count) ||
		x->ninf_count > budget - x->pinf_count)
		return "A money sum counts more values than the state has rows.";
	if (x->slow != NULL)
	{
		int128		units;
		int			dscale = 0;
		bool		fits;

		if (cprof_numeric_decode_inline(NumericGetDatum(x->slow), &units, &dscale,
										&fits) != CPROF_NUM_FINITE)
			return "The slow part of a money sum is not finite.";
		if (dscale > m->scale)
			return "The slow part of a money sum has more decimal places than the sum.";
	}
	return NULL;
}

/*
 * ---------------------------------------------------------------------------
 * Money sums stored in flat states (CprofMoneySlot)
 *
 * A slot keeps the fast part; its rarely needed part (the slow sum and the
 * NaN/Infinity counts) lives in the state's part s->part, empty until a
 * value needs it, laid out as a MoneyPart followed by the slow sum (a
 * numeric, MAXALIGNed) when has_slow.  Every operation works on a
 * CprofMoney (the slot's fields, and a private copy of its rarely needed
 * part when there is one) with the functions above, then stores it back
 * (money_slot_set), growing the part when the slow sum needs more room.
 * ---------------------------------------------------------------------------
 */

typedef struct MoneyPart
{
	int64		nan_count;		/* as in CprofMoneyExtra */
	int64		pinf_count;
	int64		ninf_count;
	int32		has_slow;		/* a slow sum follows */
	int32		pad;
} MoneyPart;

#define MONEY_PART_SLOW(p)	((Numeric) ((char *) (p) + MAXALIGN(sizeof(MoneyPart))))
/* Room for the slow sum grows in steps of this many bytes. */
#define MONEY_PART_STEP		32

#define SLOT(ref, off)		((CprofMoneySlot *) ((char *) (ref)->st + (off)))

void
money_slot_init(CprofMoneySlot *s, int part)
{
	memset(s, 0, sizeof(CprofMoneySlot));
	s->part = part;
}

/*
 * The bytes the rarely needed part of m takes in a state: 0 when it has
 * nothing (no slow sum, no NaN or infinity), else the counts and the slow
 * sum, with room to spare.
 */
uint32
money_slot_part_len(const CprofMoney *m)
{
	uint32		len;

	if (m->extra == NULL || (m->extra->slow == NULL && !has_special(m)))
		return 0;
	len = MAXALIGN(sizeof(MoneyPart));
	if (m->extra->slow != NULL)
		len += TYPEALIGN(MONEY_PART_STEP, VARSIZE_ANY(m->extra->slow));
	return len;
}

/*
 * m is slot s of st, to read only: its rarely needed part, if any, points
 * into the state.
 */
void
money_slot_view(const CprofFlatHeader *st, const CprofMoneySlot *s,
				CprofMoney *m)
{
	m->fast = s->fast;
	m->scale = s->scale;
	m->scale_count = s->scale_count;
	m->extra = NULL;
	if (unlikely(cprof_state_part_len(st, s->part) > 0))
	{
		const MoneyPart *p = (const MoneyPart *) cprof_state_part(st, s->part);

		if (p->has_slow || p->nan_count != 0 || p->pinf_count != 0 || p->ninf_count != 0)
		{
			CprofMoneyExtra *x = palloc(sizeof(CprofMoneyExtra));

			x->nan_count = p->nan_count;
			x->pinf_count = p->pinf_count;
			x->ninf_count = p->ninf_count;
			x->slow = p->has_slow ? MONEY_PART_SLOW(p) : NULL;
			m->extra = x;
		}
	}
}

/* m is slot s of st, to change: its rarely needed part copied. */
static inline void
slot_load(const CprofFlatHeader *st, const CprofMoneySlot *s, CprofMoney *m)
{
	money_slot_view(st, s, m);
	if (unlikely(m->extra != NULL && m->extra->slow != NULL))
		m->extra->slow = DatumGetNumeric(datumCopy(NumericGetDatum(m->extra->slow),
												   false, -1));
}

/*
 * Store m in the slot at byte offset off of ref's state, growing its part
 * when m's rarely needed part needs more room (the state may then move).
 */
void
money_slot_set(CprofStateRef *ref, Size off, const CprofMoney *m)
{
	CprofMoneySlot *s = SLOT(ref, off);
	int			part = s->part;
	uint32		have;
	uint32		need;
	MoneyPart  *p;

	s->fast = m->fast;
	s->scale = m->scale;
	s->scale_count = m->scale_count;
	have = cprof_state_part_len(ref->st, part);
	if (likely(m->extra == NULL && have == 0))
		return;
	need = money_slot_part_len(m);
	if (need > have)
		cprof_state_resize_part(ref, part, need);
	else if (have == 0)
		return;
	p = (MoneyPart *) cprof_state_part(ref->st, part);
	memset(p, 0, sizeof(MoneyPart));
	if (m->extra != NULL)
	{
		p->nan_count = m->extra->nan_count;
		p->pinf_count = m->extra->pinf_count;
		p->ninf_count = m->extra->ninf_count;
		if (m->extra->slow != NULL)
		{
			p->has_slow = 1;
			memcpy(MONEY_PART_SLOW(p), m->extra->slow, VARSIZE_ANY(m->extra->slow));
		}
	}
}

/*
 * The slot at byte offset off of ref's state, loaded into m for a change
 * (cheap when it has no rarely needed part).
 */
static inline void
slot_get(CprofStateRef *ref, Size off, CprofMoney *m)
{
	const CprofMoneySlot *s = SLOT(ref, off);

	if (likely(cprof_state_part_len(ref->st, s->part) == 0))
	{
		m->fast = s->fast;
		m->scale = s->scale;
		m->scale_count = s->scale_count;
		m->extra = NULL;
	}
	else
		slot_load(ref->st, s, m);
}

/*
 * The fast path of every slot operation, on the slot's own fields: add (or
 * remove) a finite value that fits, given as int128 units of 10^-dscale, at
 * most at the sum's display scale, without overflow.  The rarely needed
 * part is not involved (the fast part is independent of it).  Returns
 * false when the general path must do it.
 */
static inline bool
slot_fast(CprofMoneySlot *s, int128 v, int dscale, bool negate, bool remove)
{
	int128		sum;

	if (unlikely(dscale > s->scale))
	{
		/* a larger display scale: the fast part scales up (raise_scale) */
		int128		f = s->fast;

		if (remove || !cprof_scale_up(&f, dscale - s->scale) ||
			(negate ? __builtin_sub_overflow(f, v, &sum)
			 : __builtin_add_overflow(f, v, &sum)))
			return false;
		s->fast = sum;
		s->scale = dscale;
		s->scale_count = 1;
		return true;
	}
	if (!cprof_scale_up(&v, s->scale - dscale))
		return false;
	if (dscale == s->scale && remove && s->scale_count <= 1)
		return false;			/* the general path reports it */
	if (negate != remove ? __builtin_sub_overflow(s->fast, v, &sum)
		: __builtin_add_overflow(s->fast, v, &sum))
		return false;
	s->fast = sum;
	if (dscale == s->scale)
		s->scale_count += remove ? -1 : 1;
	return true;
}

/* The slot at byte offset off += value (-= when negate), a numeric Datum. */
void
money_slot_add_numeric(CprofStateRef *ref, Size off, Datum value, bool negate)
{
	CprofMoney	m;
	CprofNumericParts p;

	cprof_numeric_parts(value, &p);
	if (likely(p.fits && slot_fast(SLOT(ref, off), p.units, p.dscale, negate, false)))
		return;
	slot_get(ref, off, &m);
	money_add_parts(&m, &p, value, negate, CurrentMemoryContext);
	money_slot_set(ref, off, &m);
}

/* Undo money_slot_add_numeric; false when it cannot (money_sub_numeric). */
bool
money_slot_sub_numeric(CprofStateRef *ref, Size off, Datum value, bool negate)
{
	CprofMoney	m;
	bool		ok;
	int128		v = 0;
	int			dscale = 0;
	bool		fits;

	if (likely(cprof_numeric_decode_inline(value, &v, &dscale, &fits) == CPROF_NUM_FINITE &&
			   fits && slot_fast(SLOT(ref, off), v, dscale, negate, true)))
		return true;
	slot_get(ref, off, &m);
	ok = money_sub_numeric(&m, value, negate, CurrentMemoryContext);
	money_slot_set(ref, off, &m);
	return ok;
}

void
money_slot_add_int64(CprofStateRef *ref, Size off, int64 value, bool negate)
{
	CprofMoney	m;

	if (likely(slot_fast(SLOT(ref, off), value, 0, negate, false)))
		return;
	slot_get(ref, off, &m);
	money_add_int64(&m, value, negate, CurrentMemoryContext);
	money_slot_set(ref, off, &m);
}

bool
money_slot_sub_int64(CprofStateRef *ref, Size off, int64 value, bool negate)
{
	CprofMoney	m;
	bool		ok;

	if (likely(slot_fast(SLOT(ref, off), value, 0, negate, true)))
		return true;
	slot_get(ref, off, &m);
	ok = money_sub_int64(&m, value, negate, CurrentMemoryContext);
	money_slot_set(ref, off, &m);
	return ok;
}

/* The slot += a value decoded by cprof_numeric_parts into p (value its Datum). */
void
money_slot_add_parts(CprofStateRef *ref, Size off, const CprofNumericParts *p,
					 Datum value)
{
	CprofMoney	m;

	if (likely(p->fits && slot_fast(SLOT(ref, off), p->units, p->dscale, false, false)))
		return;
	slot_get(ref, off, &m);
	money_add_parts(&m, p, value, false, CurrentMemoryContext);
	money_slot_set(ref, off, &m);
}

/* The slot += slot s2 of the state st2 (the combine step). */
void
money_slot_add_slot(CprofStateRef *ref, Size off, const CprofFlatHeader *st2,
					const CprofMoneySlot *s2)
{
	CprofMoney	m;
	CprofMoney	other;

	slot_get(ref, off, &m);
	money_slot_view(st2, s2, &other);
	money_add_money(&m, &other, false, CurrentMemoryContext);
	money_slot_set(ref, off, &m);
}
