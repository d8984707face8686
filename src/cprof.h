/*
 * src/cprof.h: state structs and helpers shared by cprof's C files.
 *
 * numeric.c   reading and building PostgreSQL numerics: the int128 decoder,
 *             the numeric builder, conversions from and to double precision
 * money.c     exact sums of numeric (and integer) money: CprofMoney, and its
 *             stored form in flat states, CprofMoneySlot
 * floatsum.c  compensated sums of double precision that count non-finite
 *             values: CprofFloatSum (the compensated step itself is
 *             cprof_twosum_err, below)
 * state.c     flat aggregate states (the cprof state types): where a state
 *             lives, how it grows, the per-call-site cache, the combine
 *             NULL rule
 * state_io.c  checked reading of binary states, and the text form of states
 * (The CLV models' machinery has its own header, fit.h.)
 */
#ifndef CPROF_H
#define CPROF_H

#include <math.h>

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/numeric.h"

#ifndef HAVE_INT128
#error "cprof needs a compiler with a 128-bit integer type"
#endif

/*
 * ---------------------------------------------------------------------------
 * Compensated summation: the one mechanism every cprof sum of doubles uses.
 *
 * cprof_twosum_err(a, b, t), with t = a + b as computed, is the rounding
 * error of that addition, exactly (Knuth's TwoSum, TAOCP vol. 2, 4.2.2):
 * a + b = t + err in real arithmetic.  Gathering the errors in a second
 * double and adding it at the end is Kahan-Babuska-Neumaier summation
 * (Neumaier 1974); Neumaier's branch on |a| >= |b| computes the same err,
 * this form needs no branch.  The variants the code needs:
 *   CprofCompSum       a bare sum and its compensation, for hot loops over
 *                      values known to be finite (the concentration family,
 *                      the model fits' log-likelihoods)
 *   CprofFloatSum      a sum of user input (floatsum.c): counts NaN and
 *                      infinities instead of adding them, so that inverse
 *                      transitions work, and raises 22003 on overflow
 * ---------------------------------------------------------------------------
 */
static inline double
cprof_twosum_err(double a, double b, double t)
{
	double		bp = t - a;

	return (a - (t - bp)) + (b - bp);
}

typedef struct CprofCompSum
{
	double		sum;			/* running sum */
	double		comp;			/* accumulated rounding errors */
} CprofCompSum;

static inline void
cprof_compsum_add(CprofCompSum *k, double x)
{
	double		t = k->sum + x;

	k->comp += cprof_twosum_err(k->sum, x, t);
	k->sum = t;
}

static inline double
cprof_compsum_value(const CprofCompSum *k)
{
	return k->sum + k->comp;
}

static inline void
cprof_compsum_add_compsum(CprofCompSum *k, const CprofCompSum *o)
{
	cprof_compsum_add(k, o->sum);
	cprof_compsum_add(k, o->comp);
}

/*
 * *sum += v with the error gathered in *comp: the CprofCompSum step for
 * callers that keep the two doubles apart (the model fits).
 */
static inline void
cprof_neumaier_add(double *sum, double *comp, double v)
{
	double		t = *sum + v;

	*comp += cprof_twosum_err(*sum, v, t);
	*sum = t;
}

/*
 * Compensated sum of double precision input; non-finite values are counted
 * instead of added (floatsum.c).
 */
typedef struct CprofFloatSum
{
	double		sum;			/* running sum */
	double		comp;			/* running compensation: the lost low bits */
	int64		nan_count;		/* NaN values added */
	int64		pinf_count;		/* +Infinity values added */
	int64		ninf_count;		/* -Infinity values added */
} CprofFloatSum;

/*
 * ---------------------------------------------------------------------------
 * numeric.c: PostgreSQL numerics read and written directly
 * ---------------------------------------------------------------------------
 */

/* Largest scale the int128 fast path works at; past it, values go slow. */
#define CPROF_MONEY_MAX_SCALE 38

/* Kinds of value a numeric decodes to. */
typedef enum CprofNumKind
{
	CPROF_NUM_FINITE,
	CPROF_NUM_NAN,
	CPROF_NUM_PINF,
	CPROF_NUM_NINF
} CprofNumKind;

/*
 * A numeric Datum decoded for the int128 fast path (cprof_numeric_parts,
 * numeric_format.h), for callers that use a value more than once
 * (money_add_parts, the roll-up's check in client_profit.c).
 */
typedef struct CprofNumericParts
{
	int128		units;			/* value * 10^dscale, when fits */
	int			dscale;			/* display scale of a finite value */
	bool		finite;			/* neither NaN nor an infinity */
	bool		fits;			/* finite, and units holds it exactly */
} CprofNumericParts;

/* Whether a number has a double precision value, and why not. */
typedef enum CprofDoubleRange
{
	CPROF_DOUBLE_IN_RANGE,
	CPROF_DOUBLE_TOO_LARGE,		/* magnitude above about 1.8e308 */
	CPROF_DOUBLE_TOO_SMALL		/* not zero, magnitude below about 4.9e-324 */
} CprofDoubleRange;

/* 10^0 .. 10^22: the powers of ten a double holds exactly */
extern const double cprof_pow10d[23];

extern CprofNumKind cprof_numeric_decode(Datum d, int128 *value, int *dscale,
										 bool *fits);
extern Numeric cprof_numeric_from_int128(int128 value, int scale);
extern Numeric cprof_numeric_special(CprofNumKind kind);
extern double cprof_numeric_to_double(Datum value);
extern Numeric cprof_float8_to_numeric(double x);
extern int	cprof_numeric_exp10(Datum value, bool *zero);
extern CprofDoubleRange cprof_double_range(Datum value, double x);
extern void cprof_double_range_error(CprofDoubleRange r, const char *what,
									 const char *where, const char *hint) pg_attribute_noreturn();
extern double cprof_numeric_to_double_checked(Datum value, const char *what,
											  const char *where, const char *hint);

/*
 * ---------------------------------------------------------------------------
 * state.c: flat aggregate states
 *
 * Every concrete state type of cprof (cprof_client_profit_state, ...) is a
 * flat state: one varlena with no pointer inside, laid out as
 *   CprofFlatHeader | uint32 part_end[nparts] | the family's fields |
 *   part 0 | part 1 | ...
 * The parts are the variable-size pieces of a state (the rarely needed
 * slow part of a money sum, rfm's set of days), each MAXALIGNed, in order,
 * part k ending at part_end[k] (its start is the end of part k - 1, or
 * 'fixed' for part 0; an empty part has length 0).  The state's size is
 * the end of its last part.  This layout is the in-memory and on-disk form
 * only (native byte order, offsets); states travel between nodes as text
 * (the type's output and input functions) or as the type's send/receive
 * bytes, which are portable.
 *
 * A support function updates a state through a CprofStateRef, which knows
 * who owns it (CprofStateMode, see cprof_state_mode in state.c for the
 * rules) and replaces it when a part must grow.
 * ---------------------------------------------------------------------------
 */

/* Version of the in-memory layout below and of every family's fields. */
#define CPROF_FLAT_LAYOUT 1

/* Families of flat states (CprofFlatHeader.family). */
typedef enum CprofFamily
{
	CPROF_FAMILY_CLIENT_PROFIT = 1,
	CPROF_FAMILY_COHORT_LTV = 2,
	CPROF_FAMILY_HHI = 3,
	CPROF_FAMILY_RFM = 4,
	CPROF_FAMILY_HISTORY = 5,
	CPROF_FAMILY_IDLE_CAPACITY = 6
} CprofFamily;

typedef struct CprofFlatHeader
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		layout;			/* CPROF_FLAT_LAYOUT */
	uint8		family;			/* CprofFamily */
	uint8		form;			/* the family's form of the state */
	uint8		nparts;			/* entries of part_end[] after the header */
	uint32		fixed;			/* bytes before part 0: header, part_end[],
								 * fields; MAXALIGNed */
} CprofFlatHeader;

/*
 * A family's constants, for the checks of state.c: per form, the header
 * its states start with (vl_len_ aside), made by CPROF_FLAT_HEADER.
 */
typedef struct CprofFlatKind
{
	uint8		family;			/* CprofFamily */
	uint8		nforms;			/* forms are 0 .. nforms - 1 */
	const CprofFlatHeader *header;	/* per form */
	const char *name;			/* the aggregate, for messages */
} CprofFlatKind;

#define CPROF_FLAT_HEADER(family, form, nparts, fixed) \
	{0, CPROF_FLAT_LAYOUT, (family), (form), (nparts), MAXALIGN(fixed)}

/* Who owns the state a support function works on. */
typedef enum CprofStateMode
{
	CPROF_STATE_COPY,			/* not called as an aggregate: the argument is
								 * read only; changes go to a copy */
	CPROF_STATE_FLAT,			/* a concrete state type, owned by the
								 * executor: updated in place; a new or
								 * larger state is built in the current
								 * memory context and returned */
	CPROF_STATE_INTERNAL		/* STYPE internal (the 1.0 definitions):
								 * states live in the aggregate context and
								 * the function frees what it replaces */
} CprofStateMode;

/* A state being updated by a transition or combine function. */
typedef struct CprofStateRef
{
	CprofFlatHeader *st;		/* the state; replaced when it must grow */
	CprofStateMode mode;		/* who owns it */
	MemoryContext aggcxt;		/* the aggregate context (INTERNAL mode) */
	const CprofFlatKind *kind;	/* its family */
} CprofStateRef;

/* What a support function caches per call site (fn_extra). */
typedef struct CprofCallSite
{
	int8		internal;		/* argument 0 is internal: -1 not known yet */
	TupleDesc	result;			/* the blessed result row descriptor, or NULL */
	void	   *family;			/* a family's own per-call-site data */
} CprofCallSite;

#define CPROF_FLAT_PART_END(st) \
	((uint32 *) ((char *) (st) + sizeof(CprofFlatHeader)))

extern CprofCallSite *cprof_call_site_new(FunctionCallInfo fcinfo);
extern TupleDesc cprof_result_tupdesc(FunctionCallInfo fcinfo);
extern CprofStateMode cprof_state_mode_first(FunctionCallInfo fcinfo,
											 CprofCallSite *site);
extern bool cprof_state_begin_copy(FunctionCallInfo fcinfo, const CprofFlatKind *kind,
								   int form, CprofStateRef *ref);
extern void cprof_state_new(CprofStateRef *ref, int form,
							const uint32 *part_len);
extern void cprof_state_copy_into(CprofStateRef *ref, const CprofFlatHeader *src);
extern const CprofFlatHeader *cprof_state_arg(FunctionCallInfo fcinfo, int argno,
											  const CprofFlatKind *kind);
extern const CprofFlatHeader *cprof_state_check_header(const struct varlena *v,
													   const CprofFlatKind *kind);
extern void cprof_state_check_form(const CprofFlatHeader *st, int form,
								   const CprofFlatKind *kind);
extern uint32 cprof_state_part_len(const CprofFlatHeader *st, int k);
extern char *cprof_state_part(const CprofFlatHeader *st, int k);
extern void cprof_state_resize_part(CprofStateRef *ref, int k, uint32 len);
extern bool cprof_combine_null_cases(FunctionCallInfo fcinfo, Datum *result);
extern void cprof_state_mismatch(const char *what) pg_attribute_noreturn();

/* The per-call-site cache of a support function, made on first use. */
static inline CprofCallSite *
cprof_call_site(FunctionCallInfo fcinfo)
{
	if (likely(fcinfo->flinfo->fn_extra != NULL))
		return (CprofCallSite *) fcinfo->flinfo->fn_extra;
	return cprof_call_site_new(fcinfo);
}

/*
 * Who owns the state argument (argument 0) of a transition or combine
 * function (see state.c); *aggcxt gets the aggregate context when called
 * as an aggregate.  Inline: every row of every aggregate asks.
 */
static inline CprofStateMode
cprof_state_mode(FunctionCallInfo fcinfo, MemoryContext *aggcxt)
{
	CprofCallSite *site;

	if (!AggCheckCallContext(fcinfo, aggcxt))
	{
		*aggcxt = NULL;
		return CPROF_STATE_COPY;
	}
	site = cprof_call_site(fcinfo);
	if (likely(site->internal == 0))
		return CPROF_STATE_FLAT;
	if (site->internal > 0)
		return CPROF_STATE_INTERNAL;
	return cprof_state_mode_first(fcinfo, site);
}

/*
 * Start updating the state argument (argument 0), which must be of the
 * given form: false when it is NULL (ref->st is then NULL), else ref->st is
 * the state to change, in place when the mode allows it (state.c), else a
 * copy in the current memory context.  A state of another form is an
 * error.  Inline: the common case is a header compare.
 */
static inline bool
cprof_state_begin(FunctionCallInfo fcinfo, CprofStateMode mode,
				  MemoryContext aggcxt, const CprofFlatKind *kind, int form,
				  CprofStateRef *ref)
{
	CprofFlatHeader *st;

	ref->mode = mode;
	ref->aggcxt = aggcxt;
	ref->kind = kind;
	ref->st = NULL;
	if (PG_ARGISNULL(0))
		return false;
	st = (CprofFlatHeader *) PG_GETARG_POINTER(0);
	if (likely(mode != CPROF_STATE_COPY &&
			   (mode == CPROF_STATE_INTERNAL || !VARATT_IS_EXTENDED(st)) &&
			   memcmp(&st->layout, &kind->header[form].layout,
					  sizeof(CprofFlatHeader) - offsetof(CprofFlatHeader, layout)) == 0))
	{
		ref->st = st;
		return true;
	}
	return cprof_state_begin_copy(fcinfo, kind, form, ref);
}

/*
 * ---------------------------------------------------------------------------
 * money.c: exact sums of money
 *
 * The common case is a fast path: the sum is an int128 count of units of
 * 10^-scale (a money amount in minor units at the group's scale), so adding
 * a row costs a decode of the numeric's digits and an integer add.  A value
 * that does not fit (more than 38 significant digits at the group's scale,
 * or a scale past CPROF_MONEY_MAX_SCALE), or an add that would overflow,
 * goes to the slow part: an exact numeric sum kept with numeric_add.  The
 * total is always fast + slow, with no rounding anywhere.
 *
 * scale is the largest display scale of any finite value added, so the
 * result has the display scale PostgreSQL's sum(numeric) gives
 * (1.10 + 2.205 = 3.305).  scale_count counts the values at that scale: a
 * moving-aggregate inverse cannot lower the scale, so removing the last of
 * them reports failure and the executor recomputes the frame, as
 * numeric_accum_inv does.
 *
 * NaN and infinities are counted, not added, so that inverse transitions can
 * remove them; the result follows sum(numeric): any NaN, or both
 * infinities, give NaN; otherwise an infinity gives that infinity.
 *
 * Two forms: CprofMoney, the working form (its rarely needed part behind a
 * pointer, in a memory context the caller names), and CprofMoneySlot, the
 * form stored in a flat state (the rarely needed part in one of the state's
 * parts).  The slot operations load a slot into a CprofMoney only when the
 * rarely needed part is involved.
 * ---------------------------------------------------------------------------
 */
typedef struct CprofMoneyExtra
{
	Numeric		slow;			/* NULL, or the exact sum of what did not fit */
	int64		nan_count;		/* NaN values added */
	int64		pinf_count;		/* +Infinity values added */
	int64		ninf_count;		/* -Infinity values added */
} CprofMoneyExtra;

typedef struct CprofMoney
{
	int128		fast;			/* fast part, in units of 10^-scale */
	CprofMoneyExtra *extra;		/* NULL until a value leaves the fast path:
								 * the slow part and the NaN/Infinity counts */
	int64		scale_count;	/* finite values added at display scale
								 * 'scale' */
	int32		scale;			/* display scale of the sum */
} CprofMoney;

typedef struct CprofMoneySlot
{
	int128		fast;			/* as in CprofMoney */
	int64		scale_count;	/* as in CprofMoney */
	int32		scale;			/* as in CprofMoney */
	int32		part;			/* the state's part that holds the rarely
								 * needed part (empty until needed) */
} CprofMoneySlot;

extern void money_init(CprofMoney *m);
extern void money_add_numeric(CprofMoney *m, Datum value, bool negate,
							  MemoryContext cxt);
extern bool money_sub_numeric(CprofMoney *m, Datum value, bool negate,
							  MemoryContext cxt);
extern void money_add_parts(CprofMoney *m, const CprofNumericParts *p,
							Datum value, bool negate, MemoryContext cxt);
extern void money_add_int64(CprofMoney *m, int64 value, bool negate,
							MemoryContext cxt);
extern bool money_sub_int64(CprofMoney *m, int64 value, bool negate,
							MemoryContext cxt);
extern void money_add_money(CprofMoney *m, const CprofMoney *other,
							bool negate, MemoryContext cxt);
extern void money_copy(CprofMoney *dst, const CprofMoney *src,
					   MemoryContext cxt);
extern Numeric money_result(const CprofMoney *m);
extern int	money_sign(const CprofMoney *m);
extern bool money_equals(const CprofMoney *m, Datum value);
extern CprofDoubleRange money_ratio(const CprofMoney *num, const CprofMoney *den,
									double *result);
extern void money_send(StringInfo buf, const CprofMoney *m);
extern void money_recv(StringInfo buf, CprofMoney *m, MemoryContext cxt);
extern void money_text_out(StringInfo buf, const CprofMoney *m);
struct CprofTextReader;
extern void money_text_in(struct CprofTextReader *rd, CprofMoney *m);
extern const char *money_check(const CprofMoney *m, int64 max_values,
							   bool finite_only);

extern void money_slot_init(CprofMoneySlot *s, int part);
extern void money_slot_view(const CprofFlatHeader *st,
							const CprofMoneySlot *s, CprofMoney *m);
extern void money_slot_set(CprofStateRef *ref, Size off, const CprofMoney *m);
extern void money_slot_add_numeric(CprofStateRef *ref, Size off, Datum value,
								   bool negate);
extern bool money_slot_sub_numeric(CprofStateRef *ref, Size off, Datum value,
								   bool negate);
extern void money_slot_add_int64(CprofStateRef *ref, Size off, int64 value,
								 bool negate);
extern bool money_slot_sub_int64(CprofStateRef *ref, Size off, int64 value,
								 bool negate);
extern void money_slot_add_parts(CprofStateRef *ref, Size off,
								 const CprofNumericParts *p, Datum value);
extern void money_slot_add_slot(CprofStateRef *ref, Size off,
								const CprofFlatHeader *st2, const CprofMoneySlot *s2);
extern uint32 money_slot_part_len(const CprofMoney *m);

/* floatsum.c */
extern void floatsum_init(CprofFloatSum *f);
extern void floatsum_add(CprofFloatSum *f, double value);
extern void floatsum_remove(CprofFloatSum *f, double value);
extern void floatsum_add_floatsum(CprofFloatSum *f, const CprofFloatSum *other);
extern double floatsum_result(const CprofFloatSum *f);
extern void floatsum_send(StringInfo buf, const CprofFloatSum *f);
extern void floatsum_recv(StringInfo buf, CprofFloatSum *f);
extern void floatsum_text_out(StringInfo buf, const CprofFloatSum *f);
extern void floatsum_text_in(struct CprofTextReader *rd, CprofFloatSum *f);
extern const char *floatsum_check(const CprofFloatSum *f, int64 max_values,
								  bool finite_only);

/*
 * ---------------------------------------------------------------------------
 * state_io.c: binary and text forms of states
 * ---------------------------------------------------------------------------
 */
extern void cprof_bytea_reader(StringInfo buf, bytea *bytes);
extern void cprof_recv_begin(StringInfo buf, bytea *state, int version,
							 const char *what);
extern void cprof_recv_version(StringInfo buf, int version, const char *type);
extern int64 cprof_recv_int64(StringInfo buf);
extern void cprof_send_varint(StringInfo buf, int64 value);
extern int64 cprof_recv_varint(StringInfo buf);
extern int32 cprof_recv_int32(StringInfo buf);
extern int	cprof_recv_byte(StringInfo buf);
extern double cprof_recv_float8(StringInfo buf);
extern Numeric cprof_recv_numeric(StringInfo buf);
extern void cprof_send_numeric(StringInfo buf, Numeric value);
extern void cprof_recv_end(StringInfo buf);
extern void cprof_send_float8(StringInfo buf, double value);
extern const char *cprof_agg_name(FunctionCallInfo fcinfo, const char *fallback);

/*
 * The text form of a state: "<version> <form> key=value key=value ...",
 * the keys in a fixed order, numbers in exact decimal (doubles in their
 * shortest exact form), nothing that depends on a setting.
 */
typedef struct CprofTextReader
{
	const char *input;			/* the whole text, for messages */
	const char *p;				/* the next character to read */
	const char *type;			/* the type's name, for messages */
} CprofTextReader;

extern void cprof_text_begin(StringInfo buf, int version, const char *form);
extern void cprof_text_key(StringInfo buf, const char *key);
extern void cprof_text_double(StringInfo buf, double x);
extern int	cprof_text_open(CprofTextReader *rd, const char *input,
							const char *type, int version,
							const char *const *forms, int nforms);
extern void cprof_text_expect_key(CprofTextReader *rd, const char *key);
extern bool cprof_text_next_is(CprofTextReader *rd, char c);
extern int64 cprof_text_int64(CprofTextReader *rd);
extern double cprof_text_double_in(CprofTextReader *rd);
extern Numeric cprof_text_numeric(CprofTextReader *rd);
extern void cprof_text_close(CprofTextReader *rd);
extern void cprof_text_invalid(const CprofTextReader *rd, const char *detail) pg_attribute_noreturn();
extern void cprof_binary_invalid(const char *type, const char *detail) pg_attribute_noreturn();


/*
 * The aggregate memory context of the calling aggregate, or an error when a
 * support function is called outside an aggregate.
 */
static inline MemoryContext
cprof_agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return aggcxt;
}

#endif							/* CPROF_H */
