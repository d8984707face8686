/*
 * src/numeric.c: PostgreSQL numerics built and converted, for every cprof
 * file that turns numbers into numerics or back.
 *
 * No SQL objects live here.  The one numeric builder is
 * cprof_numeric_from_int128 (writes the on-disk format of
 * numeric_format.h directly), the one double-to-numeric converter
 * cprof_float8_to_numeric (float8::numeric: 15 significant digits), the
 * one numeric-to-double converter cprof_numeric_to_double
 * (numeric::float8, correctly rounded), and the powers of ten are here
 * once: cprof_pow10d (doubles) and cprof_pow10_int128_table.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"

#include "numeric_format.h"

/* 10^0 .. 10^22: the powers of ten a double holds exactly. */
const double cprof_pow10d[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

const int128 cprof_pow10_int128_table[CPROF_MONEY_MAX_SCALE + 1] = {
	(int128) INT64CONST(1),
	(int128) INT64CONST(10),
	(int128) INT64CONST(100),
	(int128) INT64CONST(1000),
	(int128) INT64CONST(10000),
	(int128) INT64CONST(100000),
	(int128) INT64CONST(1000000),
	(int128) INT64CONST(10000000),
	(int128) INT64CONST(100000000),
	(int128) INT64CONST(1000000000),
	(int128) INT64CONST(10000000000),
	(int128) INT64CONST(100000000000),
	(int128) INT64CONST(1000000000000),
	(int128) INT64CONST(10000000000000),
	(int128) INT64CONST(100000000000000),
	(int128) INT64CONST(1000000000000000),
	(int128) INT64CONST(10000000000000000),
	(int128) INT64CONST(100000000000000000),
	(int128) INT64CONST(1000000000000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(10),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(100),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(1000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(10000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(100000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(1000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(10000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(100000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(1000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(10000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(100000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(1000000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(10000000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(100000000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(1000000000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(10000000000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(100000000000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(1000000000000000000),
	(int128) INT64CONST(1000000000000000000) * INT64CONST(1000000000000000000) * 10,
	(int128) INT64CONST(1000000000000000000) * INT64CONST(1000000000000000000) * 100
};

/* The decoder of numeric_format.h, for callers outside the hot paths. */
CprofNumKind
cprof_numeric_decode(Datum d, int128 *value, int *dscale, bool *fits)
{
	return cprof_numeric_decode_inline(d, value, dscale, fits);
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
	int128		v = 0;
	int			dscale = 0;
	bool		fits;

	switch (cprof_numeric_decode_inline(value, &v, &dscale, &fits))
	{
		case CPROF_NUM_NAN:
			return get_float8_nan();
		case CPROF_NUM_PINF:
			return get_float8_infinity();
		case CPROF_NUM_NINF:
			return -get_float8_infinity();
		case CPROF_NUM_FINITE:
			break;
	}
	if (fits && dscale <= 22 &&
		v < ((int128) 1 << 53) && v > -((int128) 1 << 53))
		return (double) v / cprof_pow10d[dscale];
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
			y = k >= 0 ? ax * cprof_pow10d[k] : ax / cprof_pow10d[-k];
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

/*
 * A NaN or infinite numeric (kind is not CPROF_NUM_FINITE), as numeric_in
 * builds it (rare: no fast path).
 */
Numeric
cprof_numeric_special(CprofNumKind kind)
{
	const char *s = kind == CPROF_NUM_PINF ? "Infinity" :
		kind == CPROF_NUM_NINF ? "-Infinity" : "NaN";

	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
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
