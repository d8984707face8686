/*
 * src/model_args.c: the checked arguments of the probabilistic CLV
 * functions: a client history (frequency, recency, age) of the purchase
 * models, a prediction horizon, and the parameters of a fitted model (a
 * value of the composite type a fit returns).  No SQL objects.
 *
 * The parameters of a model are read once per distinct model value and call
 * site (cprof_model_params).
 *
 * The rule of a valid history is written once (history_problem) and used
 * both to raise the error a user sees (cprof_check_history: the transition
 * of bgnbd_fit and pareto_nbd_fit, the predictions, clv) and to accept the
 * entries of a deserialized state or of a state handed to a final
 * (cprof_history_valid), so that a state can only hold histories the
 * transition would have accepted.
 */
#include "postgres.h"

#include <math.h>

#include "executor/executor.h"
#include "utils/builtins.h"

#include "fit.h"

/* Largest frequency a history may have. */
#define MAX_FREQUENCY 1e9

/* What is wrong with a history (frequency x, recency tx, age T), or NULL. */
static const char *
history_problem(double x, double tx, double T)
{
	if (!isfinite(x) || !isfinite(tx) || !isfinite(T))
		return "every value must be finite";
	if (x < 0 || x != floor(x))
		return "frequency must be a whole number, 0 or more";
	if (x > MAX_FREQUENCY)
		return "frequency must be at most 1e9";
	if (tx < 0)
		return "recency must not be negative";
	if (tx > T)
		return "recency must not exceed age";
	if (x == 0 && tx > 0)
		return "recency must be 0 when frequency is 0";
	return NULL;
}

/* A state entry (frequency, recency, age) the transition would accept. */
bool
cprof_history_valid(const CprofHistEntry *e)
{
	return history_problem(e->x, e->y, e->z) == NULL;
}

/*
 * Check one client history (frequency, recency, age) of the purchase models
 * (BG/NBD, Pareto/NBD): their transition function, predictions and clv().
 */
void
cprof_check_history(double x, double tx, double T)
{
	const char *problem = history_problem(x, tx, T);

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid client history (frequency %g, recency %g, age %g): %s",
						x, tx, T, problem),
				 errhint("Pass rfm()'s frequency, recency and age, all times in the same unit.")));
}

/* Check the horizon t of a purchase model's prediction. */
void
cprof_check_horizon(double t)
{
	if (!(t >= 0) || !isfinite(t))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("t must be finite and not negative, got %g", t),
				 errhint("Pass the horizon in the model's time unit, for example 39 for 39 weeks.")));
}

/*
 * Field attno of a fitted model (a value of the composite type returned by
 * the aggregate fit, named in the hint), checked positive and finite.
 */
double
cprof_model_param(HeapTupleHeader model, int attno, const char *name,
				  const char *fit)
{
	bool		isnull;
	double		v = DatumGetFloat8(GetAttributeByNum(model, attno, &isnull));

	if (isnull || !(v > 0) || !isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model parameter %s must be positive and finite, got %s",
						name, isnull ? "NULL" : psprintf("%g", v)),
				 errhint("Pass the result of %s().", fit)));
	return v;
}

/* The models cprof_model_params remembers per call site: arguments 0 and 1. */
#define MODEL_CACHE_ARGS 2

/* One remembered model: its bytes and its checked parameters. */
typedef struct ModelCacheEntry
{
	Size		len;			/* bytes of the model value; 0: none yet */
	Size		cap;			/* allocated size of bytes */
	char	   *bytes;			/* the (detoasted) model value */
	int			nparams;		/* parameters read from it */
	double		params[CPROF_FIT_MAX_PARAMS];
} ModelCacheEntry;

/* fn_extra of a prediction or clv(): the last model of each argument. */
typedef struct ModelCache
{
	ModelCacheEntry arg[MODEL_CACHE_ARGS];
} ModelCache;

/*
 * The first nparams fields of the fitted model in argument argno (0 or 1),
 * each checked by cprof_model_param (names[i] names field i + 1).  The
 * predictions and clv() run once per row, nearly always with the same
 * model: fn_extra keeps the last model value of each argument, bytes and
 * parameters, and a value with the same bytes (which hold the composite
 * type too) has the same parameters, so they are read and checked once per
 * distinct model instead of once per row.
 */
void
cprof_model_params(FunctionCallInfo fcinfo, int argno, int nparams,
				   const char *const *names, const char *fit, double *params)
{
	HeapTupleHeader model = PG_GETARG_HEAPTUPLEHEADER(argno);
	Size		len = HeapTupleHeaderGetDatumLength(model);
	FmgrInfo   *flinfo = fcinfo->flinfo;
	ModelCache *cache = (ModelCache *) flinfo->fn_extra;
	ModelCacheEntry *e;
	int			i;

	Assert(argno >= 0 && argno < MODEL_CACHE_ARGS);
	Assert(nparams <= CPROF_FIT_MAX_PARAMS);
	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(ModelCache));
		flinfo->fn_extra = cache;
	}
	e = &cache->arg[argno];
	if (e->len == len && e->nparams == nparams && memcmp(e->bytes, model, len) == 0)
	{
		memcpy(params, e->params, nparams * sizeof(double));
		return;
	}
	for (i = 0; i < nparams; i++)
		params[i] = cprof_model_param(model, i + 1, names[i], fit);
	/* remember it (only a model whose parameters passed the checks) */
	if (e->cap < len)
	{
		char	   *bytes = MemoryContextAlloc(flinfo->fn_mcxt, len);

		if (e->bytes)
			pfree(e->bytes);
		e->bytes = bytes;
		e->cap = len;
	}
	memcpy(e->bytes, model, len);
	e->len = len;
	e->nparams = nparams;
	memcpy(e->params, params, nparams * sizeof(double));
}
