/*
 * src/pareto_class.c: the pareto_class window function, ABC classes of a
 * value over the clients of a window partition.
 *
 * SQL objects (sql/cprof--1.0.sql), T numeric, double precision or integer:
 *   pareto_class(value T [, a_share, b_share])  window function -> text
 *
 * On its first call in a partition it reads every value of the partition
 * and finds the two class thresholds by selection (cprof_cross_position,
 * no sort); later calls compare the row's value with them.  NULL rules as
 * for the rest of the family (pareto.c).
 */
#include "postgres.h"

#include <limits.h>
#include <math.h>

#include "miscadmin.h"
#include "utils/builtins.h"
#include "windowapi.h"

#include "concentration.h"

/* What pareto_class computes once per partition. */
typedef struct ClassPartition
{
	bool		ready;			/* thresholds computed */
	bool		undefined;		/* no value, or a total of 0: all NULL */
	double		a_share;		/* the partition's parameters */
	double		b_share;
	double		factor;			/* the values' scale factor */
	double		a_min;			/* scaled values >= a_min are class A */
	double		b_min;			/* scaled values >= b_min (and < a_min) are B */
} ClassPartition;

#define RANGE_CLASSES	"shares with 0 < a_share <= b_share <= 1, for example 0.8 and 0.95"

/*
 * The smallest value of a class: the value of the client whose cumulative
 * share (largest first) crosses 'share'.  A client belongs to the class when
 * the clients strictly larger than it hold less than 'share' of the total,
 * so every value >= the crossing client's value is in.
 */
static double
class_threshold(double *pos, int64 npos, double *neg, int64 nneg,
				const SignStats *ss, double share, SelectCtx *ctx)
{
	double		S = ksum_value(&ss->total);
	double		P = ksum_value(&ss->pos);
	double		v;

	if (S > 0)
		(void) cprof_cross_position(pos, npos, 1.0, Min(share * S, P), P, &v, ctx);
	else
	{
		KSum		d = ss->pos;
		double		M = P - S;

		ksum_add(&d, share * -S);
		(void) cprof_cross_position(neg, nneg, -1.0, Min(ksum_value(&d), M), M, &v, ctx);
	}
	return v;
}

PG_FUNCTION_INFO_V1(pareto_class);
/*
 * pareto_class(value [, a_share, b_share]): 'A', 'B' or 'C' for each row of
 * the window partition; NULL for a NULL value, or when the partition's total
 * is 0.  On its first call in a partition it reads every value of the
 * partition and finds the two thresholds by selection (no sort); later calls
 * compare the row's value with them.
 */
Datum
pareto_class(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	ClassPartition *part;
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 0);
	double		a = 0.8;
	double		b = 0.95;
	bool		isnull;
	Datum		d;
	double		x;

	if (type != NUMERICOID && type != FLOAT8OID && type != INT4OID)
		elog(ERROR, "pareto_class called with input type %u", type);
	if (PG_NARGS() == 3)
	{
		d = WinGetFuncArgCurrent(winobj, 1, &isnull);
		if (isnull)
			cprof_pareto_param_null("a_share", RANGE_CLASSES);
		a = DatumGetFloat8(d);
		d = WinGetFuncArgCurrent(winobj, 2, &isnull);
		if (isnull)
			cprof_pareto_param_null("b_share", RANGE_CLASSES);
		b = DatumGetFloat8(d);
		if (!(a > 0 && a <= 1))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a_share must be greater than 0 and at most 1, got %s", fstr(a)),
					 errhint("Pass %s.", RANGE_CLASSES)));
		if (!(b >= a && b <= 1))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("b_share must be at least a_share (%s) and at most 1, got %s",
							fstr(a), fstr(b)),
					 errhint("Pass %s.", RANGE_CLASSES)));
	}

	part = (ClassPartition *) WinGetPartitionLocalMemory(winobj, sizeof(ClassPartition));
	if (!part->ready)
	{
		int64		rows = WinGetPartitionRowCount(winobj);
		double	   *all = MemoryContextAllocHuge(CurrentMemoryContext,
												 Max(rows, 1) * sizeof(double));
		int64		n = 0;
		SignStats	ss;
		SelectCtx	ctx = {UINT64CONST(0x9E3779B97F4A7C15) ^ (uint64) rows};
		double		maxabs = 0;

		memset(&ss, 0, sizeof(ss));
		if (rows > INT_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("pareto_class partition of " INT64_FORMAT " rows is too large", rows),
					 errhint("Partition the rows into windows of at most 2147483647 rows.")));
		for (int64 i = 0; i < rows; i++)
		{
			bool		isout;

			d = WinGetFuncArgInPartition(winobj, 0, (int) i, WINDOW_SEEK_HEAD,
										 false, &isnull, &isout);
			if (isout)
				break;
			if (isnull)
				continue;
			x = value_double(fcinfo, d, type, "pareto_class");
			all[n++] = x;
			maxabs = Max(maxabs, fabs(x));
			if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
				CHECK_FOR_INTERRUPTS();
		}
		/* the values scaled as the aggregates scale them (concentration.h) */
		part->factor = cprof_scale_factor(maxabs);
		for (int64 i = 0; i < n; i++)
		{
			x = all[i] *= part->factor;
			ksum_add(&ss.total, x);
			if (x > 0)
			{
				ksum_add(&ss.pos, x);
				ss.npos++;
			}
			else if (x < 0)
				ss.nneg++;
		}
		part->a_share = a;
		part->b_share = b;
		if (!isfinite(ksum_value(&ss.total)))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("sum of the values is out of the range of double precision")));
		if (n == 0 || ksum_value(&ss.total) == 0)
			part->undefined = true;
		else
		{
			/* split the values by sign: positives first, then negatives */
			int64		p = 0;
			int64		q = n - 1;

			while (p <= q)
			{
				if (all[p] > 0)
					p++;
				else
				{
					double		t = all[p];

					all[p] = all[q];
					all[q--] = t;
				}
			}
			/* all[0, npos) positive; the negatives are among all[npos, n) */
			{
				int64		m = 0;
				double	   *neg = all + ss.npos;

				for (int64 i = 0; i < n - ss.npos; i++)
				{
					if (neg[i] < 0)
						neg[m++] = neg[i];
				}
				part->a_min = class_threshold(all, ss.npos, neg, ss.nneg, &ss, a, &ctx);
				part->b_min = class_threshold(all, ss.npos, neg, ss.nneg, &ss, b, &ctx);
			}
		}
		pfree(all);
		part->ready = true;
	}
	else if (a != part->a_share || b != part->b_share)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a_share and b_share must be the same for every row of a partition, got %s, %s and %s, %s",
						fstr(part->a_share), fstr(part->b_share), fstr(a), fstr(b)),
				 errhint("Pass one constant pair per partition: %s.", RANGE_CLASSES)));

	d = WinGetFuncArgCurrent(winobj, 0, &isnull);
	if (isnull || part->undefined)
		PG_RETURN_NULL();
	x = value_double(fcinfo, d, type, "pareto_class") * part->factor;
	PG_RETURN_TEXT_P(cstring_to_text(x >= part->a_min ? "A" : x >= part->b_min ? "B" : "C"));
}

