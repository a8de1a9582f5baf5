/*
 * tally/perf.h: the figures of a "perf" record (load-test endpoints and
 * benchmarks) by name, and the gates on them that tally-render(1) checks:
 * --max p95=300ms, --min rps=50, --max 'GET /items:error-rate=1%',
 * --max-regression p95=10%.
 *
 * Ownership: a struct tally_perf_gate borrows the text it was parsed
 * from (its target points into it); keep that text while the gate is used.
 */
#ifndef TALLY_PERF_H
#define TALLY_PERF_H

#include <stddef.h>

#include <tally/error.h>
#include <tally/record.h>

/* The figures gates and diffs know, in the order reports list them. */
enum tally_perf_fig {
	TALLY_PF_REQUESTS = 0,
	TALLY_PF_FAILURES,
	TALLY_PF_ERROR_RATE,	/* failures / requests, percent */
	TALLY_PF_RPS,		/* throughput, per second */
	TALLY_PF_MIN,
	TALLY_PF_AVG,
	TALLY_PF_MEDIAN,
	TALLY_PF_P90,
	TALLY_PF_P95,
	TALLY_PF_P99,
	TALLY_PF_MAX,
	TALLY_PF_STDDEV		/* the "stddev" property (pytest-benchmark) */
};
#define TALLY_NPERF_FIG	12

/* What a figure counts in: a limit is written with this unit. */
enum tally_perf_unit {
	TALLY_PU_COUNT = 0,	/* no unit */
	TALLY_PU_MS,		/* written "ms" or "s" */
	TALLY_PU_PERCENT,	/* written "%" */
	TALLY_PU_RATE		/* written "/s" or nothing */
};

/* "p95", "error-rate", ... and back; parse takes aliases (mean, p50,
 * rps, throughput).  NULL / TALLY_EINVAL when unknown. */
const char	*tally_perf_fig_name(enum tally_perf_fig f);
int		 tally_perf_fig_parse(const char *s, size_t n,
		    enum tally_perf_fig *out);
enum tally_perf_unit tally_perf_fig_unit(enum tally_perf_fig f);

/* A figure of p in its unit (ms, percent, per second, count); -1 when
 * the record does not have it. */
double		 tally_perf_fig_get(const struct tally_perf *p,
		    enum tally_perf_fig f);

/* "412 ms", "1.50%", "35.9/s", "878" into buf of n bytes; returns buf. */
char		*tally_perf_fig_fmt(char *buf, size_t n, enum tally_perf_fig f,
		    double v);

/* Nonzero for a time series row (the property series, e.g. Locust's
 * _stats_history.csv): charts draw it; tables and gates leave it out. */
int		 tally_perf_is_series(const struct tally_perf *p);

/* Nonzero for the totals row of a run (the property aggregated=true). */
int		 tally_perf_is_aggregate(const struct tally_perf *p);

enum tally_perf_gate_kind {
	TALLY_PG_MAX = 0,	/* figure at most limit */
	TALLY_PG_MIN,		/* figure at least limit */
	TALLY_PG_REGRESSION	/* change against the baseline at most
				   limit, percent */
};

struct tally_perf_gate {
	enum tally_perf_gate_kind kind;
	const char	*target;	/* NULL: the aggregate row; "*": every
					   row; else a row's name or
					   "METHOD NAME" */
	size_t		 ntarget;
	enum tally_perf_fig fig;
	double		 limit;		/* in the figure's unit; percent for
					   regressions */
	const char	*text;		/* what it was parsed from */
};

/*
 * Parse "[TARGET:]FIGURE=VALUE[UNIT]" into *g.  TARGET is everything
 * before the last ':' ahead of the '='.  On TALLY_EINVAL, err's message
 * names the part not understood.
 */
int		 tally_perf_gate_parse(struct tally_perf_gate *g,
		    enum tally_perf_gate_kind kind, const char *text,
		    struct tally_error *err);

/* Nonzero when p is a row gate g looks at. */
int		 tally_perf_gate_matches(const struct tally_perf_gate *g,
		    const struct tally_perf *p);

/*
 * Check one row: 1 when the gate is breached, 0 when it holds, -1 when
 * the figure is unknown (a gate that cannot be checked).  base is the
 * baseline's row for TALLY_PG_REGRESSION (NULL otherwise, or when
 * there is none: -1).  *value gets the measured figure (for regressions
 * the change in percent).
 */
int		 tally_perf_gate_check(const struct tally_perf_gate *g,
		    const struct tally_perf *p, const struct tally_perf *base,
		    double *value);

/* Same name and method (NULL equal to NULL). */
int		 tally_perf_same_row(const struct tally_perf *a,
		    const struct tally_perf *b);

#endif /* TALLY_PERF_H */
