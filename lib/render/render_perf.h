/*
 * lib/render/render_perf.h: what the renderers share about perf rows
 * (load-test endpoints and benchmarks): which figures the report has, a
 * figure as a short table cell, and the SVG charts of the HTML report.
 */
#ifndef TALLY_RENDER_PERF_H
#define TALLY_RENDER_PERF_H

#ifndef TALLY_BUILDING_LIB
#error "lib/render/render_perf.h is private to libtally"
#endif

#include <stddef.h>

#include <tally/perf.h>
#include <tally/report.h>

/* Perf rows tables list: all but time series. */
size_t		 tally_perf_rows(const struct tally_report *rep);

/* The figures some perf row of rep has: bit 1u << TALLY_PF_*. */
unsigned	 tally_perf_columns(const struct tally_report *rep);

/* Figure f of value v as a cell ("412ms", "1.50s", "35.2us", "1.2%",
 * "35.9/s", "878"; "-" when unknown) in buf of n bytes; returns buf. */
char		*tally_perf_cell(char *buf, size_t n, enum tally_perf_fig f,
		    double v);

/* The perf table in Markdown, its first rows rows; a diff stream's rows
 * get a column with the change of p95 against the base run. */
struct tally_out;
void		 tally_perf_md(struct tally_out *o,
		    const struct tally_report *rep, size_t rows);

/* The HTML report's charts, appended to b: for each time series row
 * (Locust's _stats_history.csv) request rate, failures and p95 over time;
 * a latency percentile bar per row.  Inline SVG, no script. */
struct tally_buf;
int		 tally_perf_svg(struct tally_buf *b,
		    const struct tally_report *rep);

/* Nonzero when some row carries a diff stream's change.p95.pct; p's
 * change of p95 against the base run as "+12.5%", or "-", in buf. */
int		 tally_perf_has_change(const struct tally_report *rep);
char		*tally_perf_change(char *buf, size_t n,
		    const struct tally_perf *p);

/* A column heading: "requests", "err%", "rps", "p95", ... */
const char	*tally_perf_heading(enum tally_perf_fig f);

#endif /* TALLY_RENDER_PERF_H */
