/*
 * src/client_profit.h: the state of the client_profit aggregates, shared by
 * client_profit.c (the aggregates) and client_profit_io.c (the state's
 * text and binary forms).  What the state holds and the rules are in the
 * opening comment of client_profit.c.
 */
#ifndef CPROF_CLIENT_PROFIT_H
#define CPROF_CLIENT_PROFIT_H

#include "cprof.h"

/* The seven independent lines of the waterfall. */
typedef enum ProfitBucket
{
	BUCKET_REVENUE,
	BUCKET_DISCOUNT,
	BUCKET_COGS,
	BUCKET_COST_TO_SERVE,
	BUCKET_ACQUISITION,
	BUCKET_BAD_DEBT,
	BUCKET_REFERRAL,
	NUM_BUCKETS
} ProfitBucket;

/* Fields of the composite type profit, in order (1-based attnums - 1). */
enum
{
	F_REVENUE,
	F_DISCOUNT,
	F_COGS,
	F_GROSS_PROFIT,
	F_COST_TO_SERVE,
	F_CONTRIBUTION,
	F_ACQUISITION,
	F_BAD_DEBT,
	F_NET_PROFIT,
	F_REFERRAL,
	F_TOTAL_VALUE,
	F_MARGIN,
	F_ENTRIES,
	NUM_PROFIT_FIELDS
};


/* The field of profit that holds each bucket, and the fields' names. */
extern const int cprof_profit_bucket_field[NUM_BUCKETS];
extern const char *const cprof_profit_field_name[NUM_PROFIT_FIELDS];

/* Version of the binary and text forms. */
#define PROFIT_STATE_VERSION 1

/* Forms of the state. */
typedef enum ProfitForm
{
	FORM_NET,					/* client_profit(revenue, cost), exact */
	FORM_NET_FLOAT,				/* the same in double precision */
	FORM_WATERFALL,				/* the ledger and the roll-up, exact */
	FORM_WATERFALL_FLOAT,		/* the ledger in double precision */
	NUM_FORMS
} ProfitForm;

extern const char *const cprof_profit_form_name[NUM_FORMS];

#define FORM_IS_FLOAT(form)		((form) == FORM_NET_FLOAT || (form) == FORM_WATERFALL_FLOAT)
#define FORM_BUCKETS(form)		((form) <= FORM_NET_FLOAT ? 1 : NUM_BUCKETS)

/*
 * Per-group state of every client_profit aggregate: CprofFlatHeader, the
 * part directory (one part per money bucket, none for double precision),
 * then this body, whose place depends on the form (PROFIT_BODY), then the
 * buckets: FORM_BUCKETS exact sums (CprofMoneySlot) or compensated ones
 * (CprofFloatSum, double precision input), each bucket b of an exact form
 * keeping its rarely needed part in part b.
 */
typedef struct ProfitBody
{
	int64		rows;			/* rows aggregated (skipped rows excluded) */
	int64		entries;		/* the result's entries: rows, or for the
								 * roll-up the sum of the entries fields */
} ProfitBody;

#define BODY_AT(nparts)	MAXALIGN(sizeof(CprofFlatHeader) + (nparts) * sizeof(uint32))

extern const uint32 cprof_profit_body_at[NUM_FORMS];
extern const CprofFlatKind cprof_profit_kind;

#define PROFIT_BODY(st)		((ProfitBody *) ((char *) (st) + cprof_profit_body_at[(st)->form]))
#define BUCKET_STRIDE(form) \
	(FORM_IS_FLOAT(form) ? sizeof(CprofFloatSum) : sizeof(CprofMoneySlot))
/* Byte offset of bucket b in a state of the given form. */
#define BUCKET_OFF(form, b) \
	(cprof_profit_body_at[form] + sizeof(ProfitBody) + (b) * BUCKET_STRIDE(form))
#define MONEY_BUCKET(st, b) \
	((CprofMoneySlot *) ((char *) (st) + BUCKET_OFF((st)->form, b)))
#define FLOAT_BUCKET(st, b) \
	((CprofFloatSum *) ((char *) (st) + BUCKET_OFF((st)->form, b)))

/* A new empty state of the given form in ref (client_profit.c). */
extern void cprof_profit_state_new(CprofStateRef *ref, ProfitForm form);

#endif							/* CPROF_CLIENT_PROFIT_H */
