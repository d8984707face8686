/*
 * src/pareto_select.c: selection and sorting for the concentration family.
 *
 * No SQL objects live here.  The answers of the pareto_share family need no
 * full sort: the final functions copy the values to one array and run an
 * expected-linear selection on it (select_ranks, cprof_cross_position:
 * quickselect with sample-chosen pivots that keep the part holding the
 * answer small, Floyd and Rivest 1975, CACM 18(3)), adding the values on the
 * larger side of each pivot with compensated summation as they are
 * partitioned.  gini sorts (an LSD radix sort, cprof_store_sorted_keys), as
 * the rank of every value enters its formula, and so does pareto_curve with
 * many points (one sort beats that many selections).
 *
 * All selection works on an array a[] of doubles in place and in
 * descending order: "rank k" is the (k+1)-th largest value (0-based).
 * After partitioning, a[lo, hi) holds exactly the values of ranks lo .. hi-1
 * (in some order), so ranks are positions.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "utils/memutils.h"

#include "concentration.h"

/* Below this many values, selection sorts. */
#define SELECT_SMALL		64

static inline uint64
rng_next(SelectCtx *ctx)
{
	uint64		x = ctx->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	ctx->rng = x;
	return x * UINT64CONST(2685821657736338717);
}

static int
cmp_desc(const void *a, const void *b)
{
	double		x = *(const double *) a;
	double		y = *(const double *) b;

	return (x < y) - (x > y);
}

/*
 * Partition a[lo, hi): the values > p (>= p when inclusive) first, the rest
 * after; returns the first index of the rest and adds the front's values to
 * *sum.  Branch-free Lomuto: each element is swapped unconditionally and the
 * boundary moves by the comparison's result.
 */
static int64
partition_front(double *a, int64 lo, int64 hi, double p, bool inclusive, KSum *sum)
{
	int64		j = lo;
	KSum		s = {0, 0};

	for (int64 i = lo; i < hi; i++)
	{
		double		x = a[i];
		bool		c = inclusive ? x >= p : x > p;

		a[i] = a[j];
		a[j] = x;
		j += c;
		ksum_add(&s, c ? x : 0.0);
		if (unlikely(((i - lo) & INTERRUPT_MASK) == INTERRUPT_MASK))
			CHECK_FOR_INTERRUPTS();
	}
	*sum = s;
	return j;
}

/* A sample of a[lo, hi), sorted descending, of *ns values (palloc'd). */
static double *
sample_desc(const double *a, int64 lo, int64 hi, SelectCtx *ctx, int *ns)
{
	int64		size = hi - lo;
	int			s = (int) Min(Max(size / 32, 15), 16383);
	double	   *smp = palloc(s * sizeof(double));

	for (int i = 0; i < s; i++)
		smp[i] = a[lo + (int64) (rng_next(ctx) % (uint64) size)];
	qsort(smp, s, sizeof(double), cmp_desc);
	*ns = s;
	return smp;
}

/*
 * The sample index to use as pivot, aiming at relative rank rho of the
 * subarray.  For a single answer the pivot is set a little past the answer,
 * on the side of the smaller part, so that the part holding the answer is
 * small (Floyd-Rivest); for several answers it splits them evenly.
 */
static int
pivot_index(int s, double rho, bool single)
{
	double		r = rho * s;

	if (single)
		r += (rho < 0.5 ? 1.5 : -1.5) * sqrt((double) s);
	return (int) Min(Max(r, 0.0), (double) (s - 1));
}

/* One order statistic with its prefix sum. */
typedef struct RankQuery
{
	int64		k;				/* in: the rank, 0 <= k < n */
	KSum		prefix;			/* out: sum of the values of ranks < k */
	double		value;			/* out: the value of rank k */
} RankQuery;

/* Answer queries q[0, m) (ascending k) from the sorted a[lo, hi). */
static void
answer_sorted(const double *a, int64 lo, KSum base, RankQuery *q, int m)
{
	int64		i = lo;

	for (int j = 0; j < m; j++)
	{
		while (i < q[j].k)
			ksum_add(&base, a[i++]);
		q[j].prefix = base;
		q[j].value = a[q[j].k];
	}
}

/*
 * Answer the rank queries q[0, m), ascending and distinct k within
 * [lo, hi), by recursive selection.  base is the sum of the values of ranks
 * < lo.
 */
static void
select_ranks(double *a, int64 lo, int64 hi, KSum base, RankQuery *q, int m,
			 int depth, SelectCtx *ctx)
{
	while (m > 0)
	{
		int64		size = hi - lo;
		int			ns;
		double	   *smp;
		double		p;
		int64		j;
		KSum		sg;
		int			split;

		if (size <= SELECT_SMALL || depth > 200)
		{
			/* small, or pathologically deep: sort */
			qsort(a + lo, size, sizeof(double), cmp_desc);
			answer_sorted(a, lo, base, q, m);
			return;
		}
		CHECK_FOR_INTERRUPTS();
		smp = sample_desc(a, lo, hi, ctx, &ns);
		p = smp[pivot_index(ns, (q[m / 2].k - lo + 0.5) / size, m == 1)];
		pfree(smp);

		j = partition_front(a, lo, hi, p, false, &sg);
		if (j == lo)
		{
			/* p is the largest value: split off the values equal to it */
			j = partition_front(a, lo, hi, p, true, &sg);
			split = 0;
			while (split < m && q[split].k < j)
			{
				q[split].prefix = base;
				ksum_add(&q[split].prefix, (double) (q[split].k - lo) * p);
				q[split].value = p;
				split++;
			}
		}
		else
		{
			split = 0;
			while (split < m && q[split].k < j)
				split++;
			if (split > 0)
				select_ranks(a, lo, j, base, q, split, depth + 1, ctx);
		}
		ksum_add_ksum(&base, &sg);
		lo = j;
		q += split;
		m -= split;
		depth++;
	}
}

/*
 * The crossing point of a weighted prefix.  a[0, n) hold values of one sign;
 * the weight of x is sign * x > 0, and values are taken largest first.  Finds
 * the smallest j with (weight of ranks 0 .. j-1) >= D, 0 < D <= total
 * weight W, and returns the real position t in (j-1, j] where the linearly
 * interpolated prefix weight reaches D; *value gets the value of rank j-1.
 */
double
cprof_cross_position(double *a, int64 n, double sign, double D, double W,
					 double *value, SelectCtx *ctx)
{
	int64		lo = 0;
	int64		hi = n;
	KSum		base = {0, 0};
	double		wsub = W;
	int			depth = 0;

	for (;;)
	{
		int64		size = hi - lo;
		int			ns;
		double	   *smp;
		double		p;
		int64		j;
		KSum		sg;
		KSum		nb;

		if (size <= SELECT_SMALL || depth > 200)
		{
			qsort(a + lo, size, sizeof(double), cmp_desc);
			for (int64 i = lo; i < hi; i++)
			{
				double		w = sign * a[i];

				nb = base;
				ksum_add(&nb, w);
				if (ksum_value(&nb) >= D || i == hi - 1)
				{
					double		t = i + ((D - base.s) - base.c) / w;

					*value = a[i];
					return Min(Max(t, (double) i), (double) (i + 1));
				}
				base = nb;
			}
			elog(ERROR, "cprof_cross_position called on an empty range");
		}
		CHECK_FOR_INTERRUPTS();

		/* aim the pivot where the sample's weight reaches the rest of D */
		smp = sample_desc(a, lo, hi, ctx, &ns);
		{
			double		ws = 0;
			double		goal;
			double		acc = 0;
			int			r = ns - 1;

			for (int i = 0; i < ns; i++)
				ws += sign * smp[i];
			goal = ws * (((D - base.s) - base.c) / wsub);
			for (int i = 0; i < ns; i++)
			{
				acc += sign * smp[i];
				if (acc >= goal)
				{
					r = i;
					break;
				}
			}
			p = smp[pivot_index(ns, (r + 0.5) / ns, true)];
		}
		pfree(smp);

		j = partition_front(a, lo, hi, p, false, &sg);
		if (j == lo)
		{
			/* p is the largest value: the run of values equal to it */
			double		w = sign * p;

			j = partition_front(a, lo, hi, p, true, &sg);
			nb = base;
			ksum_add(&nb, sign * sg.s);
			ksum_add(&nb, sign * sg.c);
			if (ksum_value(&nb) >= D || j == hi)
			{
				double		t = lo + ((D - base.s) - base.c) / w;

				*value = p;
				return Min(Max(t, (double) lo), (double) j);
			}
		}
		else
		{
			nb = base;
			ksum_add(&nb, sign * sg.s);
			ksum_add(&nb, sign * sg.c);
			if (ksum_value(&nb) >= D)
			{
				hi = j;
				wsub = sign * ksum_value(&sg);
				depth++;
				continue;
			}
		}
		base = nb;
		wsub -= sign * ksum_value(&sg);
		lo = j;
		depth++;
	}
}

/*
 * L at the positions t_i = k_i + r_i (k_i integer in [0, n], 0 <= r_i < 1),
 * for the values a[0, n) with total S != 0.
 */
void
cprof_lorenz_at(double *a, int64 n, double S, const int64 *k, const double *r,
				int m, double *out)
{
	RankQuery  *q = palloc(Max(m, 1) * sizeof(RankQuery));
	int		   *slot = palloc(Max(m, 1) * sizeof(int));
	int			nq = 0;
	int		   *order = palloc(Max(m, 1) * sizeof(int));
	SelectCtx	ctx = {UINT64CONST(0x9E3779B97F4A7C15) ^ (uint64) n};
	KSum		zero = {0, 0};

	/* queries sorted by k and distinct; positions at n or 0 need none */
	for (int i = 0; i < m; i++)
		order[i] = i;
	for (int i = 1; i < m; i++)
	{
		/* insertion sort: the callers pass k nearly or fully sorted */
		int			x = order[i];
		int			j = i - 1;

		while (j >= 0 && k[order[j]] > k[x])
		{
			order[j + 1] = order[j];
			j--;
		}
		order[j + 1] = x;
	}
	for (int i = 0; i < m; i++)
	{
		int			o = order[i];

		slot[o] = -1;
		if (k[o] >= n || (k[o] == 0 && r[o] == 0))
			continue;
		if (nq == 0 || q[nq - 1].k != k[o])
			q[nq++].k = k[o];
		slot[o] = nq - 1;
	}
	if (nq > 0)
		select_ranks(a, 0, n, zero, q, nq, 0, &ctx);
	for (int i = 0; i < m; i++)
	{
		if (k[i] >= n)
			out[i] = 1.0;
		else if (slot[i] < 0)
			out[i] = 0.0;
		else
		{
			KSum		t = q[slot[i]].prefix;

			if (r[i] > 0)
				ksum_add(&t, r[i] * q[slot[i]].value);
			out[i] = ksum_value(&t) / S + 0.0;	/* never -0 */
		}
	}
	pfree(q);
	pfree(slot);
	pfree(order);
}

/* Split t = f * n (f in [0, 1]) into an integer k and 0 <= r < 1, exactly. */
void
cprof_position_of(double f, int64 n, int64 *k, double *r)
{
	double		t = f * (double) n;
	double		kf = floor(t);
	double		rem = fma(f, (double) n, -kf);	/* f * n - kf, one rounding */

	if (rem < 0)
	{
		kf -= 1;
		rem += 1;
	}
	if (rem >= 1)
	{
		kf += 1;
		rem -= 1;
	}
	if (kf >= (double) n)
	{
		*k = n;
		*r = 0;
		return;
	}
	*k = (int64) kf;
	*r = Max(rem, 0.0);
}

/*
 * ---------------------------------------------------------------------------
 * Sorting
 * ---------------------------------------------------------------------------
 */

/* Ascending-order key of a double, for the radix sort. */
static inline uint64
radix_key(double x)
{
	uint64		u;

	memcpy(&u, &x, sizeof(u));
	return (u & UINT64CONST(0x8000000000000000)) ? ~u : (u | UINT64CONST(0x8000000000000000));
}

#define RADIX_BITS		11
#define RADIX_BUCKETS	(1 << RADIX_BITS)
#define RADIX_PASSES	6		/* 6 * 11 >= 64 */

/*
 * Sort the values of the store ascending (LSD radix sort on order-preserving
 * keys, 11 bits a pass, skipping the passes where every key has the same
 * digit).  Returns a palloc'd array of n keys; decode with radix_unkey
 * (concentration.h).
 */
uint64 *
cprof_store_sorted_keys(const CprofParetoState *st)
{
	int64		n = st->n;
	uint64	   *keys = MemoryContextAllocHuge(CurrentMemoryContext, n * sizeof(uint64));
	uint64	   *tmp = MemoryContextAllocHuge(CurrentMemoryContext, n * sizeof(uint64));
	int64	   *hist = palloc0(RADIX_PASSES * RADIX_BUCKETS * sizeof(int64));
	uint64	   *src = keys;
	uint64	   *dst = tmp;
	int64		k = 0;

	for (int i = 0; i < st->nchunks; i++)
	{
		const double *c = st->chunks[i];
		int64		len = chunk_len(st, i);

		CHECK_FOR_INTERRUPTS();
		for (int64 j = 0; j < len; j++)
		{
			uint64		u = radix_key(c[j]);

			keys[k++] = u;
			for (int p = 0; p < RADIX_PASSES; p++)
				hist[p * RADIX_BUCKETS + ((u >> (p * RADIX_BITS)) & (RADIX_BUCKETS - 1))]++;
		}
	}
	for (int p = 0; p < RADIX_PASSES; p++)
	{
		int64	   *h = hist + p * RADIX_BUCKETS;
		int			shift = p * RADIX_BITS;
		int64		sum = 0;

		if (h[(src[0] >> shift) & (RADIX_BUCKETS - 1)] == n)
			continue;			/* every key has this digit */
		for (int b = 0; b < RADIX_BUCKETS; b++)
		{
			int64		c = h[b];

			h[b] = sum;
			sum += c;
		}
		for (int64 i = 0; i < n; i++)
		{
			uint64		u = src[i];

			dst[h[(u >> shift) & (RADIX_BUCKETS - 1)]++] = u;
			if (unlikely((i & INTERRUPT_MASK) == INTERRUPT_MASK))
				CHECK_FOR_INTERRUPTS();
		}
		{
			uint64	   *x = src;

			src = dst;
			dst = x;
		}
	}
	pfree(hist);
	pfree(dst);
	return src;
}

/*
 * The scale factor (cprof_scale_factor) of n > 0 sorted keys: the largest
 * magnitude is that of the first or the last.
 */
double
cprof_keys_scale_factor(const uint64 *keys, int64 n)
{
	return cprof_scale_factor(Max(fabs(radix_unkey(keys[0])),
								  fabs(radix_unkey(keys[n - 1]))));
}
