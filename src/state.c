/*
 * src/state.c: flat aggregate states, the mechanism behind cprof's state
 * types (cprof_client_profit_state, cprof_cohort_ltv_state,
 * cprof_hhi_state, cprof_rfm_state), and the per-call-site cache every
 * support function uses.
 *
 * No SQL objects live here.  The layout of a flat state is in cprof.h.
 *
 * Who owns a state, and so what a support function may do with it
 * (cprof_state_mode, decided once per call site):
 *
 *   CPROF_STATE_FLAT  a concrete state type, called by the executor as an
 *       aggregate (nodeAgg, a window aggregate, Citus's
 *       worker_partial_agg and coord_combine_agg, which pass on the
 *       outer aggregate's context).  The executor owns the state: the
 *       function updates it in place and returns the same pointer, which
 *       costs nothing.  A state that must be created or grow is built in
 *       the current memory context (the per-tuple context) and returned:
 *       the executor copies a new pointer into its aggregate context once
 *       and frees the state it replaces.  So a new state is never built in
 *       the aggregate context (the executor would copy it again and the
 *       first copy would leak), the old one is never freed here (the
 *       executor frees it), and no state is ever repalloc'd.
 *   CPROF_STATE_INTERNAL  STYPE internal, the 1.0 definitions, which the
 *       1.1 library keeps running until ALTER EXTENSION cprof UPDATE: the
 *       executor never copies or frees an internal value, so states live
 *       in the aggregate context and the function frees what it replaces.
 *   CPROF_STATE_COPY  not called as an aggregate (a support function
 *       called from SQL, which any user can do): the argument is read only,
 *       so the function changes a copy in the current memory context and
 *       returns it.
 *
 * These rules live in cprof_state_begin, cprof_state_new,
 * cprof_state_copy_into and cprof_state_resize_part, and nowhere else: a
 * family only says which parts it needs and how large.
 *
 * Deserialize functions (STYPE internal only) build their state in the
 * current memory context, which the executor resets per input row: the
 * combine function that gets it only reads it, and copies it into the
 * aggregate context when it is the group's first state (first argument
 * NULL), so no deserialized state outlives its combine.  The NULL cases of
 * such combine functions are cprof_combine_null_cases.
 *
 * How a family adopts the mechanism: declare its state struct as
 * CprofFlatHeader, then uint32 part_end[N] when it has N variable-size
 * parts, then its fields; a CprofFlatKind with its constants; in each
 * support function get the mode from cprof_state_mode, the state from
 * cprof_state_begin (or cprof_state_new for the first row), change the
 * fields in place, and grow a part with cprof_state_resize_part (then
 * re-read every pointer into the state, which may have moved); return
 * ref.st.  Final, output and send functions read the state through
 * cprof_state_arg.  Input and receive functions build the state in
 * CPROF_STATE_COPY mode and check every invariant before returning it.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/memutils.h"

#include "cprof.h"

/* Make the per-call-site cache (cprof_call_site, cprof.h). */
CprofCallSite *
cprof_call_site_new(FunctionCallInfo fcinfo)
{
	FmgrInfo   *flinfo = fcinfo->flinfo;
	CprofCallSite *site = MemoryContextAllocZero(flinfo->fn_mcxt,
												 sizeof(CprofCallSite));

	site->internal = -1;
	flinfo->fn_extra = site;
	return site;
}

/*
 * The blessed descriptor of the function's composite result, looked up
 * once per call site.
 */
TupleDesc
cprof_result_tupdesc(FunctionCallInfo fcinfo)
{
	CprofCallSite *site = cprof_call_site(fcinfo);

	if (site->result == NULL)
	{
		TupleDesc	tupdesc;
		MemoryContext old;

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "function returning a row called in a context that cannot accept one");
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		site->result = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
	}
	return site->result;
}

/*
 * cprof_state_mode (cprof.h) the first time at a call site: whether the
 * state type is internal is read from the call expression.  Citus's inner
 * calls have none, and Citus splits only aggregates with a concrete state
 * type.
 */
CprofStateMode
cprof_state_mode_first(FunctionCallInfo fcinfo, CprofCallSite *site)
{
	site->internal = get_fn_expr_argtype(fcinfo->flinfo, 0) == INTERNALOID;
	return site->internal ? CPROF_STATE_INTERNAL : CPROF_STATE_FLAT;
}

/* Allocate a state of size bytes where mode says new states live. */
static CprofFlatHeader *
state_alloc(const CprofStateRef *ref, Size size)
{
	if (size > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s aggregate state exceeds 1 GB", ref->kind->name),
				 errhint("Aggregate fewer rows per group.")));
	if (ref->mode == CPROF_STATE_INTERNAL)
		return MemoryContextAllocZero(ref->aggcxt, size);
	return palloc0(size);
}

/* Free a state that ref's state has replaced, when this function owns it. */
static void
state_release(const CprofStateRef *ref, CprofFlatHeader *old)
{
	if (ref->mode != CPROF_STATE_FLAT)
		pfree(old);
}

/*
 * The cheap check of a state this library made (its header says so): every
 * value of a cprof state type comes from its input or receive function,
 * which check everything, or from cprof's own support functions.  What is
 * checked here guards against a state of an older layout or of another
 * family, and is all a per-row path pays.
 */
static inline void
check_kind(const CprofFlatHeader *st, const CprofFlatKind *kind)
{
	if (unlikely(st->layout != CPROF_FLAT_LAYOUT || st->family != kind->family ||
				 st->form >= kind->nforms ||
				 st->nparts != kind->header[st->form].nparts ||
				 st->fixed != kind->header[st->form].fixed))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s aggregate state", kind->name),
				 errdetail("The state's header (layout %d, family %d, form %d) is not one this version of cprof makes.",
						   st->layout, st->family, st->form),
				 errhint("States stored by another version of cprof must be computed again.")));
}

/*
 * Every structural property of a flat state: the cheap check, a size that
 * matches the end of the last part, and parts in order and MAXALIGNed.  For
 * states of unknown origin; returns st.
 */
const CprofFlatHeader *
cprof_state_check_header(const struct varlena *v, const CprofFlatKind *kind)
{
	const CprofFlatHeader *st = (const CprofFlatHeader *) v;
	Size		size = VARSIZE(v);
	uint32		end;

	if (VARATT_IS_EXTENDED(v) || size < sizeof(CprofFlatHeader) ||
		size < ((const CprofFlatHeader *) v)->fixed)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s aggregate state", kind->name),
				 errdetail("The state is shorter than its header.")));
	check_kind(st, kind);
	end = st->fixed;
	for (int k = 0; k < st->nparts; k++)
	{
		uint32		e = CPROF_FLAT_PART_END(st)[k];

		if (e < end || e != MAXALIGN(e))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid %s aggregate state", kind->name),
					 errdetail("The state's parts are out of order.")));
		end = e;
	}
	if (end != size)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s aggregate state", kind->name),
				 errdetail("The state's size does not match its parts.")));
	return st;
}

/*
 * A state argument to read only (final, output, send functions, the second
 * state of a combine): detoasted (a copy in the current memory context
 * when it was stored compressed or with a short header), structure
 * checked.
 */
const CprofFlatHeader *
cprof_state_arg(FunctionCallInfo fcinfo, int argno, const CprofFlatKind *kind)
{
	return cprof_state_check_header(PG_DETOAST_DATUM(PG_GETARG_DATUM(argno)), kind);
}

/*
 * cprof_state_begin (cprof.h) when the state cannot be changed in place as
 * it is: not called as an aggregate (read only), stored compressed or with
 * a short header, or not of the expected form or layout.  ref->st becomes
 * a checked private copy in the current memory context, or the function
 * raises the error for a state it cannot take.
 */
bool
cprof_state_begin_copy(FunctionCallInfo fcinfo, const CprofFlatKind *kind,
					   int form, CprofStateRef *ref)
{
	struct varlena *v = (struct varlena *) PG_GETARG_POINTER(0);
	const CprofFlatHeader *st;

	if (ref->mode == CPROF_STATE_INTERNAL)
	{
		check_kind((const CprofFlatHeader *) v, kind);
		cprof_state_check_form((const CprofFlatHeader *) v, form, kind);
		ref->st = (CprofFlatHeader *) v;
		return true;
	}
	st = cprof_state_check_header(PG_DETOAST_DATUM_COPY(PointerGetDatum(v)), kind);
	cprof_state_check_form(st, form, kind);
	ref->st = unconstify(CprofFlatHeader *, st);
	return true;
}

/*
 * A new empty state of the given form in ref (which must have no state
 * yet), with room part_len[k] for part k (NULL: every part empty).
 */
void
cprof_state_new(CprofStateRef *ref, int form, const uint32 *part_len)
{
	const CprofFlatHeader *h = &ref->kind->header[form];
	Size		size = h->fixed;
	CprofFlatHeader *st;

	for (int k = 0; k < h->nparts; k++)
		size += MAXALIGN(part_len != NULL ? part_len[k] : 0);
	st = state_alloc(ref, size);
	*st = *h;
	SET_VARSIZE(st, size);
	size = h->fixed;
	for (int k = 0; k < h->nparts; k++)
	{
		size += MAXALIGN(part_len != NULL ? part_len[k] : 0);
		CPROF_FLAT_PART_END(st)[k] = size;
	}
	ref->st = st;
}

/* ref's state (none yet) becomes a copy of src, where new states live. */
void
cprof_state_copy_into(CprofStateRef *ref, const CprofFlatHeader *src)
{
	ref->st = state_alloc(ref, VARSIZE(src));
	memcpy(ref->st, src, VARSIZE(src));
}

/* Length of part k of a state. */
uint32
cprof_state_part_len(const CprofFlatHeader *st, int k)
{
	const uint32 *end = CPROF_FLAT_PART_END(st);

	return end[k] - (k == 0 ? st->fixed : end[k - 1]);
}

/* Start of part k of a state (MAXALIGNed). */
char *
cprof_state_part(const CprofFlatHeader *st, int k)
{
	return (char *) st + (k == 0 ? st->fixed : CPROF_FLAT_PART_END(st)[k - 1]);
}

/*
 * Give part k of ref's state room for len bytes: the state is rebuilt
 * (where new states live, see the file header) with every part copied, as
 * much of part k as fits, the rest of it zeroed.  Every pointer into the
 * old state is invalid afterwards.
 */
void
cprof_state_resize_part(CprofStateRef *ref, int k, uint32 len)
{
	CprofFlatHeader *old = ref->st;
	uint32		oldlen = cprof_state_part_len(old, k);
	CprofFlatHeader *st;
	Size		size;
	uint32		pos;

	len = MAXALIGN(len);
	if (len == oldlen)
		return;
	size = (Size) VARSIZE(old) - oldlen + len;
	st = state_alloc(ref, size);
	memcpy(st, old, old->fixed);
	SET_VARSIZE(st, size);
	pos = old->fixed;
	for (int j = 0; j < old->nparts; j++)
	{
		uint32		have = cprof_state_part_len(old, j);
		uint32		want = j == k ? len : have;

		memcpy((char *) st + pos, cprof_state_part(old, j), Min(have, want));
		pos += want;
		CPROF_FLAT_PART_END(st)[j] = pos;
	}
	ref->st = st;
	state_release(ref, old);
}

/*
 * The NULL cases of a combine function whose states may be NULL (STYPE
 * internal; a concrete state type's combine function is STRICT and the
 * executor handles them): when the second state is NULL, the result is
 * the first as it is (NULL when both are), and this returns true with
 * *result and fcinfo->isnull set.  Otherwise it returns false; when the
 * first state is then NULL, the caller copies the second into the
 * aggregate context (see the memory rule in the file header).
 */
bool
cprof_combine_null_cases(FunctionCallInfo fcinfo, Datum *result)
{
	if (!PG_ARGISNULL(1))
		return false;
	fcinfo->isnull = PG_ARGISNULL(0);
	*result = fcinfo->isnull ? (Datum) 0 : PG_GETARG_DATUM(0);
	return true;
}

/*
 * The error for a state that a transition, combine or final function
 * cannot take: one of another form of the same aggregate family (or with a
 * parameter out of the final function's range), which only a hand-made
 * aggregate, or a direct call, can pass.
 */
void
cprof_state_mismatch(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid %s aggregate state", what),
			 errdetail("The state was made by another form of the aggregate, or its parameter is out of range.")));
}

/* A state of another form than the function's is cprof_state_mismatch. */
void
cprof_state_check_form(const CprofFlatHeader *st, int form,
					   const CprofFlatKind *kind)
{
	if (unlikely(st->form != form))
		cprof_state_mismatch(kind->name);
}
