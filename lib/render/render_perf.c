/*
 * lib/render/render_perf.c: perf rows for the renderers: the figures a
 * report has and a figure as a table cell (see render_perf.h).
 */
#include <math.h>
#include <stdio.h>

#include "escape.h"
#include "render_perf.h"
#include "render_util.h"

unsigned
tally_perf_columns(const struct tally_report *rep)
{
	unsigned cols = 0;
	size_t i, f;

	for (i = 0; i < rep->nperf; i++)
		for (f = 0; f < TALLY_NPERF_FIG; f++)
			if (tally_perf_fig_get(&rep->perf[i]->u.perf,
			    (enum tally_perf_fig)f) >= 0)
				cols |= 1u << f;
	return cols;
}

char *
tally_perf_cell(char *buf, size_t n, enum tally_perf_fig f, double v)
{
	if (!(v >= 0) || !isfinite(v)) {
		snprintf(buf, n, "-");
		return buf;
	}
	switch (tally_perf_fig_unit(f)) {
	case TALLY_PU_COUNT:
		snprintf(buf, n, "%.0f", v);
		break;
	case TALLY_PU_PERCENT:
		snprintf(buf, n, v >= 10 || v == 0 ? "%.0f%%" : "%.1f%%", v);
		break;
	case TALLY_PU_RATE:
		if (v >= 1e6)
			snprintf(buf, n, "%.2fM/s", v / 1e6);
		else if (v >= 1e4)
			snprintf(buf, n, "%.1fk/s", v / 1e3);
		else
			snprintf(buf, n, v >= 1000 ? "%.0f/s" : "%.1f/s", v);
		break;
	case TALLY_PU_MS:
		if (v >= 10000)
			snprintf(buf, n, "%.1fs", v / 1000);
		else if (v >= 1000)
			snprintf(buf, n, "%.2fs", v / 1000);
		else if (v >= 10)
			snprintf(buf, n, "%.0fms", v);
		else if (v >= 1)
			snprintf(buf, n, "%.1fms", v);
		else if (v >= 0.1)
			snprintf(buf, n, "%.2fms", v);
		else if (v == 0)
			snprintf(buf, n, "0ms");
		else
			snprintf(buf, n, "%.3gus", v * 1000);
		break;
	}
	return buf;
}

const char *
tally_perf_heading(enum tally_perf_fig f)
{
	switch (f) {
	case TALLY_PF_REQUESTS:
		return "requests";
	case TALLY_PF_FAILURES:
		return "failures";
	case TALLY_PF_ERROR_RATE:
		return "err%";
	case TALLY_PF_RPS:
		return "rps";
	default:
		return tally_perf_fig_name(f);
	}
}

/* The change of p95 in percent a diff stream's row carries, or NULL. */
static const char *
p95_change(const struct tally_perf *p)
{
	return tally_kv_get(p->properties, p->nproperties, "change.p95.pct");
}

void
tally_perf_md(struct tally_out *o, const struct tally_report *rep,
    size_t rows)
{
	const struct tally_perf *p;
	const char *chg;
	char cell[32];
	unsigned cols;
	size_t i, f;
	double d;
	int diff = 0;

	if (rep->nperf == 0)
		return;
	cols = tally_perf_columns(rep);
	for (i = 0; i < rep->nperf; i++)
		diff |= p95_change(&rep->perf[i]->u.perf) != NULL;
	tally_out_printf(o, "### Load and benchmarks (%zu)\n\n| Name |",
	    rep->nperf);
	for (f = 0; f < TALLY_NPERF_FIG; f++)
		if (cols & (1u << f))
			tally_out_printf(o, " %s |",
			    tally_perf_heading((enum tally_perf_fig)f));
	tally_out_puts(o, diff ? " p95 vs base |\n|---|" : "\n|---|");
	for (f = 0; f < TALLY_NPERF_FIG; f++)
		if (cols & (1u << f))
			tally_out_puts(o, "---:|");
	tally_out_puts(o, diff ? "---:|\n" : "\n");
	for (i = 0; i < rep->nperf && i < rows; i++) {
		p = &rep->perf[i]->u.perf;
		tally_out_puts(o, "| ");
		if (p->method != NULL) {
			tally_out_esc(o, tally_esc_md, p->method, TALLY_NTS);
			tally_out_puts(o, " ");
		}
		if (p->name != NULL)
			tally_out_esc(o, tally_esc_md, p->name, TALLY_NTS);
		tally_out_puts(o, " |");
		for (f = 0; f < TALLY_NPERF_FIG; f++)
			if (cols & (1u << f))
				tally_out_printf(o, " %s |", tally_perf_cell(
				    cell, sizeof(cell), (enum tally_perf_fig)f,
				    tally_perf_fig_get(p,
				    (enum tally_perf_fig)f)));
		if (diff) {
			chg = p95_change(p);
			if (chg != NULL && sscanf(chg, "%lf", &d) == 1 &&
			    isfinite(d))
				tally_out_printf(o, " %+.1f%% |", d);
			else
				tally_out_puts(o, " - |");
		}
		tally_out_puts(o, "\n");
	}
	if (rows < rep->nperf)
		tally_out_printf(o, "\n\xe2\x80\xa6 %zu more rows not shown.\n",
		    rep->nperf - rows);
	tally_out_puts(o, "\n");
}
