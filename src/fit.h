/*
 * src/fit.h: the machinery of the probabilistic CLV models (BG/NBD,
 * Pareto/NBD, Gamma-Gamma and clv()), shared by their C files and kept out
 * of cprof.h, which the other families include.
 *
 * history.c     the aggregate state of the fits (cprof_history_state): a
 *               multiset of histories
 * model_args.c  checked arguments: a client history, a horizon, a fitted
 *               model's parameters
 * fit.c         the one fit driver (Nelder-Mead, Newton, the convergence
 *               diagnosis and its WARNING, the result row) for a model
 *               described by a CprofFitModel
 * special.c     special functions: log-Pochhammer differences, 2F1
 * quadrature.c  integrals of log-concave functions
 */
#ifndef CPROF_FIT_H
#define CPROF_FIT_H

#include "access/htup.h"
#include "fmgr.h"

#include "cprof.h"

/* One distinct client history and the number of clients that have it. */
typedef struct CprofHistEntry
{
	double		x;				/* frequency */
	double		y;				/* BG/NBD, Pareto/NBD: recency; Gamma-Gamma: monetary */
	double		z;				/* BG/NBD, Pareto/NBD: age; Gamma-Gamma: 0 */
	int64		count;			/* clients with this history */
} CprofHistEntry;

/*
 * The forms of the fits' state (history.c): which model family made it,
 * and so which rule its entries obey.
 */
typedef enum CprofHistForm
{
	CPROF_HIST_PURCHASE = 0,	/* bgnbd_fit, pareto_nbd_fit: (frequency,
								 * recency, age) */
	CPROF_HIST_SPEND = 1		/* gamma_gamma_fit: (frequency, monetary, 0) */
} CprofHistForm;

/*
 * The histories of a fit's state as its final function reads them: sorted
 * and distinct, read only (the state's own array, or a merged copy).
 */
typedef struct CprofHistories
{
	const CprofHistEntry *e;	/* the histories, sorted and distinct */
	int64		n;				/* how many */
	int64		clients;		/* sum of their counts */
} CprofHistories;

/* A rule every entry of a fit's state obeys (its transition's checks). */
typedef bool (*CprofHistValid) (const CprofHistEntry *e);

/* history.c */
extern Datum cprof_hist_trans(FunctionCallInfo fcinfo, int form,
							  const CprofHistEntry *add);
extern Datum cprof_hist_deserialize(FunctionCallInfo fcinfo, int form);
extern void cprof_hist_arg(FunctionCallInfo fcinfo, int argno, int form,
						   CprofHistories *h);

/* model_args.c */
extern bool cprof_history_valid(const CprofHistEntry *e);
extern void cprof_check_history(double x, double tx, double T);
extern void cprof_check_horizon(double t);
extern double cprof_model_param(HeapTupleHeader model, int attno,
								const char *name, const char *fit);
extern void cprof_model_params(FunctionCallInfo fcinfo, int argno, int nparams,
							   const char *const *names, const char *fit,
							   double *params);

/* fit.c: the fit driver */
#define CPROF_FIT_MAX_PARAMS 4	/* most parameters a model has */
#define CPROF_FIT_MAX_LIMITS 8	/* most limits a model describes */

/*
 * A model's objective: minus the mean log-likelihood per client at the
 * log-parameters theta, computed on 'data' (built by the model's make_data);
 * when grad is not NULL, also its gradient with respect to theta.  May
 * return +Infinity or NaN where the likelihood cannot be computed.
 */
typedef double (*CprofObjective) (const double *theta, double *grad,
								  void *data);

/*
 * A limit the likelihood may keep rising toward: moving the log-parameters
 * along 'dir' without bound.  The driver reports a fit that ends there as
 * not converged, with 'what' and the model's hint about what it means for
 * the data.
 */
typedef struct CprofFitLimit
{
	double		dir[CPROF_FIT_MAX_PARAMS];	/* direction in log-parameters */
	const char *what;			/* for the WARNING: "the likelihood keeps
								 * rising as <what>", e.g. "a and b grow
								 * together" */
	/* a hint (palloc'd) given the parameters */
	char	   *(*hint) (const double *params);
} CprofFitLimit;

/* Everything the driver needs to know about a model: described once. */
typedef struct CprofFitModel
{
	const char *name;			/* the SQL aggregate, e.g. "bgnbd_fit" */
	int			nparams;		/* parameters, all positive */
	const char *param_names[CPROF_FIT_MAX_PARAMS];
	CprofHistForm form;			/* the form of its state */
	CprofHistValid valid;		/* the rule of its state's entries */
	/* the starting log-parameters, from the sorted distinct histories */
	void		(*start) (const CprofHistEntry *e, int64 n, int64 clients,
						  double *theta);
	/* the objective's data for histories e[0 .. n) (sorted, distinct) */
	void	   *(*make_data) (const CprofHistEntry *e, int64 n);
	CprofObjective objective;
	int64		nm_sample;		/* Nelder-Mead runs on at most this many
								 * distinct histories */
	int			nlimits;
	const CprofFitLimit *limits;	/* checked in order: the most specific
									 * first */
} CprofFitModel;

extern Datum cprof_fit_final(FunctionCallInfo fcinfo, const CprofFitModel *model);

/*
 * Sorted distinct histories grouped by frequency: the data of a likelihood,
 * which computes the terms that depend on x only once per group.
 */
typedef struct CprofHistGroups
{
	const CprofHistEntry *e;	/* the histories, sorted and distinct */
	int64		n;				/* how many */
	int64		clients;		/* sum of the counts */
	int64		ngroups;		/* distinct frequencies */
	int64	   *group;			/* group g is e[group[g] .. group[g+1]) */
} CprofHistGroups;

extern void cprof_hist_groups_init(CprofHistGroups *d, const CprofHistEntry *e,
								   int64 n);
extern void *cprof_hist_groups_new(const CprofHistEntry *e, int64 n);

/* special.c */
extern double cprof_digamma(double x);
extern double cprof_lpoch(double z, double x);
extern double cprof_dpoch(double z, double x);
extern double cprof_lpoch_ratio(double b, double a, double x);
extern double cprof_dpoch_ratio(double b, double a, double x);
extern double cprof_hyp2f1_tail(double a, double b, double c, double z,
								int64 maxterms, double *abserr);

/* quadrature.c */
#define CPROF_QUAD_MAX_EXTRA 6

/*
 * A concave psi for cprof_quad_logconcave: returns psi(u), stores psi'(u)
 * in *d1 and psi''(u) in *d2, and when extras is not NULL the values h_j(u)
 * to integrate against exp(psi).
 */
typedef double (*CprofLogConcave) (double u, double *d1, double *d2,
								   double *extras, void *arg);

typedef struct CprofQuad
{
	double		ref;			/* psi at the mode */
	double		sum;			/* integral of exp(psi - ref) */
	double		extra[CPROF_QUAD_MAX_EXTRA];	/* of h_j exp(psi - ref) */
	int			panels;			/* panels used */
	bool		ok;				/* false: the panel cap was reached */
} CprofQuad;

extern void cprof_quad_logconcave(CprofLogConcave psi, void *arg, int nx,
								  double u0, double u1, double width,
								  double verify_tol, CprofQuad *q);

/* The predictions clv() combines (bgnbd.c, pareto_nbd.c, gamma_gamma.c). */
typedef struct CprofBgnbd
{
	double		r,
				alpha,			/* purchase rate ~ Gamma(r, alpha) */
				a,
				b;				/* dropout probability ~ Beta(a, b) */
} CprofBgnbd;

typedef struct CprofParetoNbd
{
	double		r,
				alpha,			/* purchase rate ~ Gamma(r, alpha) */
				s,
				beta;			/* dropout rate ~ Gamma(s, beta) */
} CprofParetoNbd;

typedef struct CprofGammaGamma
{
	double		p,				/* a transaction's value ~ Gamma(p, nu) */
				q,
				v;				/* nu ~ Gamma(q, v) */
} CprofGammaGamma;

extern void cprof_bgnbd_params(FunctionCallInfo fcinfo, int argno,
							   CprofBgnbd *m);
extern void cprof_bgnbd_expected(const CprofBgnbd *m, int n, const double *t,
								 double x, double tx, double T, double *out);
extern void cprof_pareto_nbd_params(FunctionCallInfo fcinfo, int argno,
									CprofParetoNbd *m);
extern void cprof_pareto_nbd_expected(const CprofParetoNbd *m, int n,
									  const double *t, double x, double tx,
									  double T, double *out);
extern bool cprof_spend_valid(const CprofHistEntry *e);
extern void cprof_gamma_gamma_params(FunctionCallInfo fcinfo, int argno,
									 CprofGammaGamma *g);
extern double cprof_gamma_gamma_expected(const CprofGammaGamma *g, double x,
										 double m);

#endif							/* CPROF_FIT_H */
