/*
 * test/statefuzz/statefuzz.c: test-only helpers of the state fuzzer
 * (test/statefuzz/run.sh).  Never installed with cprof: the fuzzer builds
 * this module with its own PGXS Makefile, installs it into the throwaway
 * cluster's extension_destdir and creates the functions below there.
 *
 * SQL objects (test/statefuzz/setup.sql):
 *   statefuzz_trans(internal, bytea) -> internal
 *       transition function of the fuzz aggregates, which are built as
 *       (SFUNC = statefuzz_trans, SERIALFUNC = statefuzz_serialize,
 *        DESERIALFUNC, COMBINEFUNC, FINALFUNC = those of a cprof aggregate)
 *   statefuzz_serialize(internal) -> bytea
 *   statefuzz_recv(bytes bytea, typ anyelement) -> anyelement
 *       the receive function of typ applied to bytes (for aggregates whose
 *       state has a concrete SQL type)
 *
 * How bytes reach cprof's support functions.  A fuzz aggregate's group
 * receives bytea values, each a (possibly mutated) serialized state.
 *  - In a partial aggregation (a parallel or partitionwise plan), the
 *    transition function only keeps the bytes and the serialize function
 *    hands them on unchanged; the Finalize Aggregate node then calls cprof's
 *    deserialize function on them, cprof's combine function (first with a
 *    NULL state, as nodeAgg does) and cprof's final function.  Each group
 *    must then hold at most one state: two would have to be merged here,
 *    which this module does not do, so it is an error (of the test).
 *  - In a plain aggregation, the transition function does the Finalize
 *    node's work itself: it calls the aggregate's own deserialize function
 *    on each state and merges the result into the group's state with the
 *    aggregate's own combine function, in the order the rows arrive (ORDER
 *    BY in the aggregate call fixes it).  The state handed to cprof's final
 *    function is therefore always one built by cprof's own functions, never
 *    this module's.
 * The support functions are found from the calling aggregate's pg_aggregate
 * row, so one transition function serves every cprof aggregate.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_aggregate.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

PG_MODULE_MAGIC;

/* Marks this module's own partial-aggregation state. */
#define STATEFUZZ_MAGIC 0x5F5A5A46

/* The state kept by a partial aggregation: one serialized state. */
typedef struct StatefuzzPartial
{
	int32		magic;			/* STATEFUZZ_MAGIC */
	bytea	   *bytes;			/* the state's bytes, in the aggregate context */
} StatefuzzPartial;

/* The calling aggregate's support functions, cached in fn_extra. */
typedef struct StatefuzzAgg
{
	Oid			aggfnoid;		/* the fuzz aggregate */
	FmgrInfo	deserial;		/* its DESERIALFUNC (cprof's) */
	FmgrInfo	combine;		/* its COMBINEFUNC (cprof's) */
} StatefuzzAgg;

static StatefuzzAgg *
statefuzz_agg(FunctionCallInfo fcinfo, Aggref *aggref)
{
	StatefuzzAgg *agg = (StatefuzzAgg *) fcinfo->flinfo->fn_extra;
	HeapTuple	tup;
	Form_pg_aggregate form;

	if (agg != NULL && agg->aggfnoid == aggref->aggfnoid)
		return agg;
	tup = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(aggref->aggfnoid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for aggregate %u", aggref->aggfnoid);
	form = (Form_pg_aggregate) GETSTRUCT(tup);
	if (!OidIsValid(form->aggdeserialfn) || !OidIsValid(form->aggcombinefn))
		elog(ERROR, "statefuzz: aggregate %u has no deserialize or combine function",
			 aggref->aggfnoid);
	agg = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(StatefuzzAgg));
	agg->aggfnoid = aggref->aggfnoid;
	fmgr_info_cxt(form->aggdeserialfn, &agg->deserial, fcinfo->flinfo->fn_mcxt);
	fmgr_info_cxt(form->aggcombinefn, &agg->combine, fcinfo->flinfo->fn_mcxt);
	ReleaseSysCache(tup);
	fcinfo->flinfo->fn_extra = agg;
	return agg;
}

PG_FUNCTION_INFO_V1(statefuzz_trans);
/* Transition function of the fuzz aggregates (see the file header). */
Datum
statefuzz_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	Aggref	   *aggref;
	StatefuzzAgg *agg;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "statefuzz_trans called in non-aggregate context");
	aggref = AggGetAggref(fcinfo);
	if (aggref == NULL)
		elog(ERROR, "statefuzz_trans: no Aggref");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}

	if (DO_AGGSPLIT_SERIALIZE(aggref->aggsplit))
	{
		/* partial aggregation: keep the bytes for statefuzz_serialize */
		StatefuzzPartial *p;
		bytea	   *in = PG_GETARG_BYTEA_PP(1);

		if (!PG_ARGISNULL(0))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("statefuzz: a group of a partial aggregation got two states"),
					 errhint("Give each group one row when the plan is parallel.")));
		p = MemoryContextAlloc(aggcxt, sizeof(StatefuzzPartial));
		p->magic = STATEFUZZ_MAGIC;
		p->bytes = MemoryContextAlloc(aggcxt, VARSIZE_ANY_EXHDR(in) + VARHDRSZ);
		SET_VARSIZE(p->bytes, VARSIZE_ANY_EXHDR(in) + VARHDRSZ);
		memcpy(VARDATA(p->bytes), VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in));
		PG_RETURN_POINTER(p);
	}
	else
	{
		/* plain aggregation: deserialize and combine as nodeAgg would */
		LOCAL_FCINFO(call, 2);
		Datum		state;
		Datum		result;

		agg = statefuzz_agg(fcinfo, aggref);

		InitFunctionCallInfoData(*call, &agg->deserial, 2, InvalidOid,
								 fcinfo->context, NULL);
		call->args[0].value = PG_GETARG_DATUM(1);
		call->args[0].isnull = false;
		call->args[1].value = (Datum) 0;	/* the dummy internal argument */
		call->args[1].isnull = false;
		state = FunctionCallInvoke(call);
		if (call->isnull)
			elog(ERROR, "statefuzz: deserialize function %u returned NULL",
				 agg->deserial.fn_oid);

		InitFunctionCallInfoData(*call, &agg->combine, 2, InvalidOid,
								 fcinfo->context, NULL);
		call->args[0].value = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
		call->args[0].isnull = PG_ARGISNULL(0);
		call->args[1].value = state;
		call->args[1].isnull = false;
		result = FunctionCallInvoke(call);
		if (call->isnull)
			PG_RETURN_NULL();
		PG_RETURN_DATUM(result);
	}
}

PG_FUNCTION_INFO_V1(statefuzz_serialize);
/* Serialize function of the fuzz aggregates: the bytes, unchanged. */
Datum
statefuzz_serialize(PG_FUNCTION_ARGS)
{
	StatefuzzPartial *p = (StatefuzzPartial *) PG_GETARG_POINTER(0);

	if (p->magic != STATEFUZZ_MAGIC)
		elog(ERROR, "statefuzz_serialize: not a partial statefuzz state");
	PG_RETURN_BYTEA_P(p->bytes);
}

PG_FUNCTION_INFO_V1(statefuzz_recv);
/*
 * The receive function of the type of the second argument (a NULL of that
 * type) applied to bytes, as binary COPY or a binary bind parameter would
 * call it, including their check that every byte was read.
 */
Datum
statefuzz_recv(PG_FUNCTION_ARGS)
{
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 1);
	Oid			recvfn;
	Oid			ioparam;
	bytea	   *bytes;
	StringInfoData buf;
	Datum		result;

	if (!OidIsValid(type))
		elog(ERROR, "statefuzz_recv: cannot determine the target type");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	bytes = PG_GETARG_BYTEA_PP(0);
	getTypeBinaryInputInfo(type, &recvfn, &ioparam);

	/* the receive function gets a private, NUL-terminated copy */
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes));
	result = OidReceiveFunctionCall(recvfn, &buf, ioparam, -1);
	if (buf.cursor != buf.len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("incorrect binary data format: %d bytes left over",
						buf.len - buf.cursor)));
	PG_RETURN_DATUM(result);
}
