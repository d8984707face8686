/*
 * src/numeric_format.h: PostgreSQL's numeric on-disk format, as the int128
 * fast path reads it (numeric.c and money.c).
 *
 * numeric.c in PostgreSQL keeps its accessor macros private; the format is
 * documented there and is stable across releases (pg_upgrade keeps numeric
 * columns as they are): a varlena whose first uint16 carries the sign and
 * the display scale (and, in the short form, the weight), followed by
 * base-10000 digits.  Only the decoder lives here, inline, because every
 * row of a money sum goes through it.
 */
#ifndef CPROF_NUMERIC_FORMAT_H
#define CPROF_NUMERIC_FORMAT_H

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

/* 10^0 .. 10^38: every power of ten an int128 holds (numeric.c). */
extern const int128 cprof_pow10_int128_table[CPROF_MONEY_MAX_SCALE + 1];

/* *v * 10^k without overflow, or false. */
static inline bool
cprof_scale_up(int128 *v, int k)
{
	if (k == 0 || *v == 0)
		return true;
	if (k < 0 || k > CPROF_MONEY_MAX_SCALE)
		return false;
	return !__builtin_mul_overflow(*v, cprof_pow10_int128_table[k], v);
}


/*
 * Decode a numeric Datum.  For a finite value, *dscale gets its display
 * scale and, when the value times 10^dscale fits an int128, *value gets it
 * and *fits is set.  Only the packed form is touched: no detoasting copy for
 * the short inline values that money amounts almost always are.
 */
static inline CprofNumKind
cprof_numeric_decode_inline(Datum d, int128 *value, int *dscale, bool *fits)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	const char *p = VARDATA_ANY(v);
	int			len = VARSIZE_ANY_EXHDR(v);
	uint16		header;
	int			weight;
	int			ndigits;
	const char *digits;
	bool		neg;
	int128		acc = 0;
	int			e;

	/* short headers are read as they are; only a toasted value is fetched */
	if (unlikely(VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v)))
	{
		v = pg_detoast_datum_packed(v);
		p = VARDATA_ANY(v);
		len = VARSIZE_ANY_EXHDR(v);
	}
	memcpy(&header, p, sizeof(uint16));
	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
	{
		*fits = false;
		switch (header & NUM_EXT_SIGN_MASK)
		{
			case NUM_PINF:
				return CPROF_NUM_PINF;
			case NUM_NINF:
				return CPROF_NUM_NINF;
			default:
				return CPROF_NUM_NAN;
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
	*fits = true;

	/* Nine base-10000 digits are 36 decimal digits: always fit. */
	if (ndigits > 9 || *dscale > CPROF_MONEY_MAX_SCALE)
	{
		*fits = false;
		if ((Pointer) v != DatumGetPointer(d))
			pfree(v);
		return CPROF_NUM_FINITE;
	}

	/*
	 * acc counts units of 10^(4 * (weight - ndigits + 1)); want 10^-dscale.
	 * When the display scale ends inside the last base-10000 digit (amounts
	 * with 2 decimals: e = -2), that digit is divided by 10^-e before it is
	 * added, in int arithmetic: no int128 division.
	 */
	e = NUM_DEC_DIGITS * (weight - ndigits + 1) + *dscale;
	if (ndigits > 0)
	{
		int16		dig;

		for (int i = 0; i < ndigits - 1; i++)
		{
			memcpy(&dig, digits + i * sizeof(int16), sizeof(int16));
			acc = acc * NUM_NBASE + dig;
		}
		memcpy(&dig, digits + (ndigits - 1) * sizeof(int16), sizeof(int16));
		if (e >= 0)
		{
			acc = acc * NUM_NBASE + dig;
			if (!cprof_scale_up(&acc, e))
				*fits = false;
		}
		else
		{
			/*
			 * digits below the display scale are zero in a valid numeric;
			 * constant divisors, which the compiler turns into multiplies
			 */
			int			q;
			int			r;
			int			mul;

			switch (-e)
			{
				case 1:
					q = dig / 10, r = dig % 10, mul = 1000;
					break;
				case 2:
					q = dig / 100, r = dig % 100, mul = 100;
					break;
				case 3:
					q = dig / 1000, r = dig % 1000, mul = 10;
					break;
				default:
					q = 0, r = 1, mul = 0;	/* not a valid numeric */
					break;
			}
			if (r != 0)
				*fits = false;
			else
				acc = acc * mul + q;
		}
	}
	if ((Pointer) v != DatumGetPointer(d))
		pfree(v);
	if (!*fits)
		return CPROF_NUM_FINITE;
	*value = neg ? -acc : acc;
	return CPROF_NUM_FINITE;
}

/*
 * Decode a numeric Datum once into p, for callers that use it several
 * times (money_add_parts, the roll-up's check in client_profit.c).
 */
static inline void
cprof_numeric_parts(Datum value, CprofNumericParts *p)
{
	p->units = 0;
	p->dscale = 0;
	p->finite = cprof_numeric_decode_inline(value, &p->units, &p->dscale,
											&p->fits) == CPROF_NUM_FINITE;
	p->fits &= p->finite;
}

#endif							/* CPROF_NUMERIC_FORMAT_H */
