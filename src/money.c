/*
 * src/money.c: exact sums of money (CprofMoney) and compensated sums of
 * double precision (CprofFloatSum), shared by every cprof aggregate.
 *
 * No SQL objects live here.  The layouts and the NaN/Infinity rules are
 * described in cprof.h.
 *
 * The fast path reads a numeric's digits straight from PostgreSQL's on-disk
 * format (documented in src/backend/utils/adt/numeric.c, which keeps its
 * accessor macros private): a varlena whose first uint16 carries the sign
 * and the display scale, followed by base-10000 digits.  The on-disk format
 * is stable across releases (pg_upgrade keeps numeric columns as they are),
 * so reading it is safe; everything that does not fit the int128 path goes
 * through numeric_add, which is exact.
 */
#include "postgres.h"

#include <math.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"

#include "cprof.h"

/* The parts of numeric.c's on-disk format that the fast path reads. */
#define NUM_SIGN_MASK		0xC000
#define NUM_NEG				0x4000
#define NUM_SHORT			0x8000
#define NUM_SPECIAL			0xC000
#define NUM_EXT_SIGN_MASK	0xF000
#define NUM_NAN				0xC000
#define NUM_PINF			0xD000
#define NUM_NINF			0xF000
#define NUM_SHORT_SIGN_MASK	0x2000
#define NUM_SHORT_DSCALE_MASK	0x1F80
#define NUM_SHORT_DSCALE_SHIFT	7
#define NUM_SHORT_DSCALE_MAX	(NUM_SHORT_DSCALE_MASK >> NUM_SHORT_DSCALE_SHIFT)
#define NUM_SHORT_WEIGHT_SIGN	0x0040
#define NUM_SHORT_WEIGHT_MASK	0x003F
#define NUM_SHORT_WEIGHT_MAX	NUM_SHORT_WEIGHT_MASK
#define NUM_SHORT_WEIGHT_MIN	(-(NUM_SHORT_WEIGHT_MASK + 1))
#define NUM_DSCALE_MASK		0x3FFF
#define NUM_NBASE			10000
#define NUM_DEC_DIGITS		4

/* Kinds of value a numeric decodes to. */
typedef enum
{
	NUMKIND_FINITE,
	NUMKIND_NAN,
	NUMKIND_PINF,
	NUMKIND_NINF
} NumKind;

/* 10^0 .. 10^38: every power of ten an int128 holds. */
static int128 pow10_table[CPROF_MONEY_MAX_SCALE + 1];
static bool pow10_ready = false;

static inline const int128 *
pow10s(void)
{
	if (unlikely(!pow10_ready))
	{
		int128		p = 1;

		for (int i = 0; i <= CPROF_MONEY_MAX_SCALE; i++)
		{
			pow10_table[i] = p;
			p *= 10;
		}
		pow10_ready = true;
	}
	return pow10_table;
}

/* *v * 10^k without overflow, or false. */
static inline bool
scale_up(int128 *v, int k)
{
	if (k == 0 || *v == 0)
		return true;
	if (k < 0 || k > CPROF_MONEY_MAX_SCALE)
		return false;
	return !__builtin_mul_overflow(*v, pow10s()[k], v);
}

/*
 * Decode a numeric Datum.  For a finite value, *dscale gets its display
 * scale and, when the value times 10^dscale fits an int128, *value gets it
 * and *fits is set.  Only the packed form is touched: no detoasting copy for
 * the short inline values that money amounts almost always are.
 */
static NumKind
numeric_decode(Datum d, int128 *value, int *dscale, bool *fits)
{
	struct varlena *v = (struct varlena *) PG_DETOAST_DATUM_PACKED(d);
	const char *p = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	uint16		header;
	int			weight;
	int			ndigits;
	const char *digits;
	bool		neg;
	int128		acc = 0;
	int			e;

	memcpy(&header, p, sizeof(uint16));
	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
	{
		*fits = false;
		switch (header & NUM_EXT_SIGN_MASK)
		{
			case NUM_PINF:
				return NUMKIND_PINF;
			case NUM_NINF:
				return NUMKIND_NINF;
			default:
				return NUMKIND_NAN;
		}
	}
	if (header & NUM_SHORT)
	{
		neg = (header & NUM_SHORT_SIGN_MASK) != 0;
		*dscale = (header & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
		weight = (header & NUM_SHORT_WEIGHT_SIGN ? ~NUM_SHORT_WEIGHT_MASK : 0)
			| (header & NUM_SHORT_WEIGHT_MASK);
		digits = p + sizeof(uint16);
	}
	else
	{
		int16		w;

		neg = (header & NUM_SIGN_MASK) == NUM_NEG;
		*dscale = header & NUM_DSCALE_MASK;
		memcpy(&w, p + sizeof(uint16), sizeof(int16));
		weight = w;
		digits = p + sizeof(uint16) + sizeof(int16);
	}
	ndigits = (len - (digits - p)) / (int) sizeof(int16);

	/* Nine base-10000 digits are 36 decimal digits: always fit. */
	if (ndigits > 9 || *dscale > CPROF_MONEY_MAX_SCALE)
	{
		*fits = false;
		if ((Pointer) v != DatumGetPointer(d))
			pfree(v);
		return NUMKIND_FINITE;
	}
	for (int i = 0; i < ndigits; i++)
	{
		int16		dig;

		memcpy(&dig, digits + i * sizeof(int16), sizeof(int16));
		acc = acc * NUM_NBASE + dig;
	}
	if ((Pointer) v != DatumGetPointer(d))
		pfree(v);

	/* acc counts units of 10^(4 * (weight - ndigits + 1)); want 10^-dscale */
	e = NUM_DEC_DIGITS * (weight - ndigits + 1) + *dscale;
	if (ndigits == 0)
		acc = 0;
	else if (e >= 0)
	{
		if (!scale_up(&acc, e))
		{
			*fits = false;
			return NUMKIND_FINITE;
		}
	}
	else
	{
		/* digits below the display scale are zero in a valid numeric */
		int128		div = pow10s()[Min(-e, CPROF_MONEY_MAX_SCALE)];

		if (-e > NUM_DEC_DIGITS || acc % div != 0)
		{
			*fits = false;
			return NUMKIND_FINITE;
		}
		acc /= div;
	}
	*value = neg ? -acc : acc;
	*fits = true;
	return NUMKIND_FINITE;
}

/*
 * A finite numeric as an int128 count of units of 10^-dscale (its display
 * scale), for callers that do their own exact integer arithmetic
 * (allocate.c).  Returns true when the value is finite and fits the int128
 * path (the condition of CprofMoney's fast path); *finite tells NaN and the
 * infinities from a finite value that is merely too large, and *dscale is
 * set for every finite value.
 */
bool
cprof_numeric_int128(Datum value, int128 *v, int *dscale, bool *finite)
{
	bool		fits;

	*finite = numeric_decode(value, v, dscale, &fits) == NUMKIND_FINITE;
	return *finite && fits;
}

/* *v * 10^k for k >= 0, or false when it would overflow an int128. */
bool
cprof_int128_scale_up(int128 *v, int k)
{
	return scale_up(v, k);
}

/*
 * Build a numeric equal to value * 10^-scale with display scale 'scale',
 * written directly in the on-disk format (short header when it fits, as
 * numeric.c's make_result does).  scale > CPROF_MONEY_MAX_SCALE is allowed
 * only for zero.  This runs for every money field of every group, so the
 * common case (a magnitude below 2^64 / 1000) uses 64-bit arithmetic.
 */
Numeric
cprof_numeric_from_int128(int128 value, int scale)
{
	uint128		mag = value < 0 ? -(uint128) value : (uint128) value;
	int16		groups[16];		/* base-10000 digits, least significant first */
	int			ngroups = 0;
	int			low = 0;		/* power of 10000 of groups[0] */
	int			first = 0;		/* lowest non-zero group */
	int			ndigits;
	int			weight = 0;
	bool		isshort;
	Size		size;
	Numeric		result;
	char	   *p;
	uint16		header;

	if (mag != 0 && mag < (uint128) (PG_UINT64_MAX / 1000))
	{
		/* align the decimal point to a group boundary, then split */
		static const uint64 pad10[4] = {1, 1000, 100, 10};
		uint64		m = (uint64) mag * pad10[scale % 4];

		low = -((scale + 3) / 4);
		while (m != 0)
		{
			groups[ngroups++] = (int16) (m % NUM_NBASE);
			m /= NUM_NBASE;
		}
	}
	else if (mag != 0)
	{
		/* decimal digit i has exponent i - scale, in group floor(exp / 4) */
		static const int16 mult[4] = {1, 10, 100, 1000};

		Assert(scale >= 0 && scale <= CPROF_MONEY_MAX_SCALE);
		low = -((scale + 3) / 4);
		memset(groups, 0, sizeof(groups));
		for (int i = 0; mag != 0; i++)
		{
			int			exp10 = i - scale;
			int			g = exp10 >= 0 ? exp10 / 4 : -((-exp10 + 3) / 4);

			groups[g - low] += (int16) (mag % 10) * mult[exp10 - 4 * g];
			ngroups = g - low + 1;
			mag /= 10;
		}
	}
	/* the top group is non-zero; trailing zero groups are not stored */
	while (first < ngroups && groups[first] == 0)
		first++;
	ndigits = ngroups - first;
	if (ndigits > 0)
		weight = low + ngroups - 1;

	isshort = scale <= NUM_SHORT_DSCALE_MAX &&
		weight <= NUM_SHORT_WEIGHT_MAX && weight >= NUM_SHORT_WEIGHT_MIN;
	size = VARHDRSZ + sizeof(uint16) + (isshort ? 0 : sizeof(int16)) +
		ndigits * sizeof(int16);
	result = (Numeric) palloc(size);
	SET_VARSIZE(result, size);
	p = VARDATA(result);
	if (isshort)
	{
		header = NUM_SHORT | (value < 0 ? NUM_SHORT_SIGN_MASK : 0) |
			(scale << NUM_SHORT_DSCALE_SHIFT) |
			(weight < 0 ? NUM_SHORT_WEIGHT_SIGN : 0) |
			(weight & NUM_SHORT_WEIGHT_MASK);
		memcpy(p, &header, sizeof(uint16));
		p += sizeof(uint16);
	}
	else
	{
		int16		w = weight;

		if (scale > NUM_DSCALE_MASK)
			elog(ERROR, "numeric display scale %d out of range", scale);
		header = (value < 0 ? NUM_NEG : 0) | scale;
		memcpy(p, &header, sizeof(uint16));
		memcpy(p + sizeof(uint16), &w, sizeof(int16));
		p += sizeof(uint16) + sizeof(int16);
	}
	for (int i = 0; i < ndigits; i++)
		memcpy(p + i * sizeof(int16), &groups[ngroups - 1 - i], sizeof(int16));
	return result;
}

/*
 * value::double precision for a numeric Datum, exactly as numeric_float8
 * computes it (correctly rounded), but without its detour through text in
 * the common case: a value v * 10^-dscale with |v| < 2^53 and dscale <= 22
 * is the quotient of two exactly representable doubles, and IEEE division
 * rounds that quotient correctly.  Anything else goes through
 * numeric_float8_no_overflow: a finite value past the double range becomes
 * +/-Infinity (callers tell it from a numeric infinity with numeric_is_inf
 * and raise their own 22003) and one below it 0.  NaN and the infinities map
 * to their double counterparts.
 */
double
cprof_numeric_to_double(Datum value)
{
	static const double pow10d[23] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	int128		v = 0;
	int			dscale = 0;
	bool		fits;

	switch (numeric_decode(value, &v, &dscale, &fits))
	{
		case NUMKIND_NAN:
			return get_float8_nan();
		case NUMKIND_PINF:
			return get_float8_infinity();
		case NUMKIND_NINF:
			return -get_float8_infinity();
		case NUMKIND_FINITE:
			break;
	}
	if (fits && dscale <= 22 &&
		v < ((int128) 1 << 53) && v > -((int128) 1 << 53))
		return (double) v / pow10d[dscale];
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow, value));
}

/*
 * value::numeric for a double, exactly as float8_numeric computes it (the
 * value printed with 15 significant digits, %.15g, then read back), but
 * without the text round trip in the common case: x * 10^k, k chosen to
 * leave 15 digits before the point, is formed with one rounding (10^k is an
 * exact double for |k| <= 22) and rounded to an integer.  That integer is
 * the correctly rounded 15-digit mantissa unless the product lies within
 * its own rounding error (at most 1/16 below 1e15) of a tie, which is left to
 * float8_numeric, as are non-finite values and magnitudes outside
 * 1e-7 .. 1e22.  Trailing zeros are dropped as %g drops them, which gives
 * numeric_in's display scale.
 */
Numeric
cprof_float8_to_numeric(double x)
{
	static const double p10[23] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	double		ax = fabs(x);

	if (x == 0)
		return cprof_numeric_from_int128(0, 0);
	if (isfinite(x) && ax >= 1e-7 && ax < 1e22)
	{
		int			e = (int) floor(log10(ax));

		for (int attempt = 0; attempt < 2; attempt++)
		{
			int			k = 14 - e;
			double		y,
						r;
			int64		mant;
			int			scale;

			if (k > 22 || k < -22)
				break;
			y = k >= 0 ? ax * p10[k] : ax / p10[-k];
			/* 15 digits before the point; log10 can be off by one */
			if (y >= 1e15)
			{
				e++;
				continue;
			}
			if (y < 1e14)
			{
				e--;
				continue;
			}
			r = nearbyint(y);	/* may carry to 10^15: still right */
			if (fabs(y - floor(y) - 0.5) < 0.07)
				break;			/* too close to a tie: the exact path */
			mant = (int64) r;
			scale = k;
			while (scale > 0 && mant % 10 == 0)
			{
				mant /= 10;
				scale--;
			}
			if (scale >= 0)
				return cprof_numeric_from_int128(x < 0 ? -mant : mant, scale);
			{
				/* below 1e22: 15 digits times at most 10^7, in int128 */
				int128		big = mant;

				for (; scale < 0; scale++)
					big *= 10;
				return cprof_numeric_from_int128(x < 0 ? -big : big, 0);
			}
		}
	}
	return DatumGetNumeric(DirectFunctionCall1(float8_numeric, Float8GetDatum(x)));
}

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

		if (scale_up(&f, dscale - m->scale))
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
	if (likely(fits) && scale_up(&v, m->scale - dscale))
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
count_special(CprofMoney *m, NumKind kind, bool negate, int64 delta,
			  MemoryContext cxt)
{
	CprofMoneyExtra *x = money_extra(m, cxt);

	if (kind == NUMKIND_NAN)
		x->nan_count += delta;
	else if ((kind == NUMKIND_PINF) != negate)
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
	NumKind		kind = numeric_decode(value, &v, &dscale, &fits);

	if (unlikely(kind != NUMKIND_FINITE))
		count_special(m, kind, negate, 1, cxt);
	else
	{
		raise_scale(m, dscale, 1, cxt);
		add_value(m, v, dscale, fits, value, false, negate, cxt);
	}
}

/*
 * Decode a numeric Datum once, for callers that use it several times
 * (money_add_parts, money_parts_sum_equals).
 */
void
money_decode(Datum value, CprofNumericParts *p)
{
	p->units = 0;
	p->dscale = 0;
	p->finite = numeric_decode(value, &p->units, &p->dscale, &p->fits) == NUMKIND_FINITE;
	p->fits &= p->finite;
}

/* money_add_numeric for a value decoded by money_decode into p. */
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

/*
 * Running sums of decoded values checked against expected ones: the sum
 * sign[0] t[0] + ... + sign[at[j] - 1] t[at[j] - 1] must equal e[j] for
 * j = 0 .. m-1 (at[] ascending, signs +1 or -1).  Returns -1 when all hold,
 * the first j that does not, or -2 when the int128 fast path cannot decide
 * (a value that is not finite or does not fit, or an overflow): the caller
 * then decides in numeric.
 */
int
money_parts_running_sums(const CprofNumericParts *const *t, const int *sign,
						 int n, const CprofNumericParts *const *e,
						 const int *at, int m)
{
	int			s = 0;
	int128		acc = 0;
	int			j = 0;

	for (int i = 0; i < n; i++)
	{
		if (!t[i]->fits)
			return -2;
		s = Max(s, t[i]->dscale);
	}
	for (int i = 0; i < m; i++)
	{
		if (!e[i]->fits)
			return -2;
		s = Max(s, e[i]->dscale);
	}
	for (int i = 0; i <= n; i++)
	{
		while (j < m && at[j] == i)
		{
			int128		want = e[j]->units;

			if (!scale_up(&want, s - e[j]->dscale))
				return -2;
			if (acc != want)
				return j;
			j++;
		}
		if (i < n)
		{
			int128		v = t[i]->units;

			if (!scale_up(&v, s - t[i]->dscale) ||
				(sign[i] > 0 ? __builtin_add_overflow(acc, v, &acc)
				 : __builtin_sub_overflow(acc, v, &acc)))
				return -2;
		}
	}
	return -1;
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
	NumKind		kind = numeric_decode(value, &v, &dscale, &fits);

	if (kind != NUMKIND_FINITE)
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

		if (scale_up(&v, m->scale - other->scale) &&
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

/* The sum as a numeric, in the current memory context. */
Numeric
money_result(const CprofMoney *m)
{
	Numeric		result;

	if (has_special(m))
	{
		const CprofMoneyExtra *x = m->extra;
		const char *special;

		if (x->nan_count > 0 || (x->pinf_count > 0 && x->ninf_count > 0))
			special = "NaN";
		else if (x->pinf_count > 0)
			special = "Infinity";
		else
			special = "-Infinity";
		return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(special),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
	}
	result = cprof_numeric_from_int128(m->fast, m->scale);
	if (slow_part(m) != NULL)
		result = DatumGetNumeric(DirectFunctionCall2(numeric_add,
													 NumericGetDatum(result),
													 NumericGetDatum(slow_part(m))));
	return result;
}

/*
 * The decimal exponent of a finite numeric Datum, floor(log10 |value|), read
 * from its header and first base-10000 digit; *zero is set for a zero.
 */
int
cprof_numeric_exp10(Datum d, bool *zero)
{
	struct varlena *v = (struct varlena *) PG_DETOAST_DATUM_PACKED(d);
	const char *p = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	uint16		header;
	int			weight;
	const char *digits;
	int			ndigits;
	int			result = 0;

	memcpy(&header, p, sizeof(uint16));
	if (header & NUM_SHORT)
	{
		weight = (header & NUM_SHORT_WEIGHT_SIGN ? ~NUM_SHORT_WEIGHT_MASK : 0)
			| (header & NUM_SHORT_WEIGHT_MASK);
		digits = p + sizeof(uint16);
	}
	else
	{
		int16		w;

		memcpy(&w, p + sizeof(uint16), sizeof(int16));
		weight = w;
		digits = p + sizeof(uint16) + sizeof(int16);
	}
	ndigits = (len - (digits - p)) / (int) sizeof(int16);
	*zero = true;
	for (int i = 0; i < ndigits; i++)
	{
		int16		dig;

		memcpy(&dig, digits + i * sizeof(int16), sizeof(int16));
		if (dig != 0)
		{
			/* digit i has weight (weight - i) in powers of 10000 */
			result = NUM_DEC_DIGITS * (weight - i) +
				(dig >= 1000 ? 3 : dig >= 100 ? 2 : dig >= 10 ? 1 : 0);
			*zero = false;
			break;
		}
	}
	if ((Pointer) v != DatumGetPointer(d))
		pfree(v);
	return result;
}

/*
 * Does a finite numeric value have a double precision value?  x is
 * cprof_numeric_to_double's result for it.  A magnitude above the largest
 * double (about 1.8e308) has none, and neither has a non-zero magnitude
 * below the smallest (about 4.9e-324), which would silently become 0:
 * value::double precision rejects both.
 */
CprofDoubleRange
cprof_double_range(Datum value, double x)
{
	if (unlikely(isinf(x)) && !numeric_is_inf(DatumGetNumeric(value)))
		return CPROF_DOUBLE_TOO_LARGE;
	if (unlikely(x == 0))
	{
		bool		zero;

		(void) cprof_numeric_exp10(value, &zero);
		if (!zero)
			return CPROF_DOUBLE_TOO_SMALL;
	}
	return CPROF_DOUBLE_IN_RANGE;
}

/*
 * The error for a number that double precision cannot hold (r is not
 * CPROF_DOUBLE_IN_RANGE): 'what' is out of range for 'where' (a function or
 * a computation).  hint may be NULL for the default one.
 */
void
cprof_double_range_error(CprofDoubleRange r, const char *what,
						 const char *where, const char *hint)
{
	if (r == CPROF_DOUBLE_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range for %s: its magnitude exceeds double precision (about 1.8e308)",
						what, where),
				 errhint("%s", hint != NULL ? hint :
						 "The computation is in double precision: express the amounts in a larger money unit.")));
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range for %s: it is not zero, but its magnitude is below the smallest double precision value (about 4.9e-324)",
					what, where),
			 errhint("%s", hint != NULL ? hint :
					 "The computation is in double precision: round the amounts, for example with round(value, 10), or express them in a smaller money unit.")));
}

/*
 * cprof_numeric_to_double for a finite or infinite numeric Datum that must
 * have a double precision value: a finite value outside the double range is
 * the error of cprof_double_range_error.
 */
double
cprof_numeric_to_double_checked(Datum value, const char *what,
								const char *where, const char *hint)
{
	double		x = cprof_numeric_to_double(value);
	CprofDoubleRange r = cprof_double_range(value, x);

	if (unlikely(r != CPROF_DOUBLE_IN_RANGE))
		cprof_double_range_error(r, what, where, hint);
	return x;
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

		if (scale_up(&a, s - num->scale) && scale_up(&b, s - den->scale) &&
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

	if (numeric_decode(value, &v, &dscale, &fits) == NUMKIND_FINITE && fits &&
		m->extra == NULL)
	{
		int128		a = m->fast;
		int			s = Max(m->scale, dscale);

		if (scale_up(&a, s - m->scale) && scale_up(&v, s - dscale))
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
	if (scale < 0 || scale > NUM_DSCALE_MASK ||
		(scale > CPROF_MONEY_MAX_SCALE && m->fast != 0) ||
		m->scale_count < 0 || x.nan_count < 0 || x.pinf_count < 0 ||
		x.ninf_count < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid cprof aggregate state: bad money sum")));
	m->scale = (int32) scale;
	if (flags & MONEY_WIRE_SLOW)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		x.slow = cprof_recv_numeric(buf);
		MemoryContextSwitchTo(old);
		/* NaN and infinities are counted, never part of the slow sum */
		if (numeric_is_nan(x.slow) || numeric_is_inf(x.slow))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid cprof aggregate state: bad money sum")));
	}
	m->extra = NULL;
	if (x.slow != NULL || x.nan_count != 0 || x.pinf_count != 0 || x.ninf_count != 0)
		*money_extra(m, cxt) = x;
}

void
floatsum_init(CprofFloatSum *f)
{
	memset(f, 0, sizeof(CprofFloatSum));
}

/*
 * Neumaier's variant of Kahan summation (Neumaier 1974, "Rundungsfehleranalyse
 * einiger Verfahren zur Summation endlicher Summen"): the compensation also
 * captures the low bits of the running sum when the new term is larger.
 */
static inline void
neumaier_add(double *sum, double *comp, double x)
{
	double		t = *sum + x;

	if (unlikely(isinf(t)))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("double precision sum out of range"),
				 errhint("Aggregate numeric values, which have no such limit.")));
	if (fabs(*sum) >= fabs(x))
		*comp += (*sum - t) + x;
	else
		*comp += (x - t) + *sum;
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
		neumaier_add(&f->sum, &f->comp, sign > 0 ? value : -value);
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
	neumaier_add(&f->sum, &f->comp, other->sum);
	neumaier_add(&f->sum, &f->comp, other->comp);
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

/* Serialized layout: sum, compensation, then the non-finite counts when any. */
void
floatsum_send(StringInfo buf, const CprofFloatSum *f)
{
	bool		special = f->nan_count != 0 || f->pinf_count != 0 || f->ninf_count != 0;

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

void
floatsum_recv(StringInfo buf, CprofFloatSum *f)
{
	int			special = cprof_recv_byte(buf);

	f->sum = cprof_recv_float8(buf);
	f->comp = cprof_recv_float8(buf);
	f->nan_count = f->pinf_count = f->ninf_count = 0;
	if (special == 1)
	{
		f->nan_count = cprof_recv_varint(buf);
		f->pinf_count = cprof_recv_varint(buf);
		f->ninf_count = cprof_recv_varint(buf);
	}
	if (special > 1 || !isfinite(f->sum) || !isfinite(f->comp) ||
		f->nan_count < 0 || f->pinf_count < 0 || f->ninf_count < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid cprof aggregate state: bad double precision sum")));
}
