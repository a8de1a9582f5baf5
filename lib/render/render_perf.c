/*
 * lib/render/render_perf.c: perf rows for the renderers: the figures a
 * report has and a figure as a table cell (see render_perf.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render_perf.h"
#include "render_util.h"

size_t
tally_perf_rows(const struct tally_report *rep)
{
	size_t i, n = 0;

	for (i = 0; i < rep->nperf; i++)
		n += !tally_perf_is_series(&rep->perf[i]->u.perf);
	return n;
}

unsigned
tally_perf_columns(const struct tally_report *rep)
{
	unsigned cols = 0;
	size_t i, f;

	for (i = 0; i < rep->nperf; i++)
		for (f = 0; f < TALLY_NPERF_FIG &&
		    !tally_perf_is_series(&rep->perf[i]->u.perf); f++)
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

int
tally_perf_has_change(const struct tally_report *rep)
{
	size_t i;

	for (i = 0; i < rep->nperf; i++)
		if (p95_change(&rep->perf[i]->u.perf) != NULL)
			return 1;
	return 0;
}

char *
tally_perf_change(char *buf, size_t n, const struct tally_perf *p)
{
	const char *chg = p95_change(p);
	double d;

	if (chg != NULL && sscanf(chg, "%lf", &d) == 1 && isfinite(d))
		snprintf(buf, n, "%+.1f%%", d);
	else
		snprintf(buf, n, "-");
	return buf;
}

void
tally_perf_md(struct tally_out *o, const struct tally_report *rep,
    size_t rows)
{
	const struct tally_perf *p;
	char cell[32];
	unsigned cols;
	size_t i, f, nrows, shown = 0;
	int diff;

	if ((nrows = tally_perf_rows(rep)) == 0)
		return;
	cols = tally_perf_columns(rep);
	diff = tally_perf_has_change(rep);
	tally_out_printf(o, "### Load and benchmarks (%zu)\n\n| Name |",
	    nrows);
	for (f = 0; f < TALLY_NPERF_FIG; f++)
		if (cols & (1u << f))
			tally_out_printf(o, " %s |",
			    tally_perf_heading((enum tally_perf_fig)f));
	tally_out_puts(o, diff ? " p95 vs base |\n|---|" : "\n|---|");
	for (f = 0; f < TALLY_NPERF_FIG; f++)
		if (cols & (1u << f))
			tally_out_puts(o, "---:|");
	tally_out_puts(o, diff ? "---:|\n" : "\n");
	for (i = 0; i < rep->nperf && shown < rows; i++) {
		p = &rep->perf[i]->u.perf;
		if (tally_perf_is_series(p))
			continue;
		shown++;
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
		if (diff)
			tally_out_printf(o, " %s |",
			    tally_perf_change(cell, sizeof(cell), p));
		tally_out_puts(o, "\n");
	}
	if (shown < nrows)
		tally_out_printf(o, "\n\xe2\x80\xa6 %zu more rows not shown.\n",
		    nrows - shown);
	tally_out_puts(o, "\n");
}

/* ---- charts (HTML report) ---- */

#define CHART_SERIES	8	/* endpoints charted over time */
#define CHART_BARS	50	/* percentile bars */

/* The n numbers of a comma-separated list into v (-1 for "-"). */
static size_t
parse_list(const char *s, double *v, size_t max)
{
	size_t n = 0;
	char *end;

	while (s != NULL && *s != '\0' && n < max) {
		if (*s == '-') {
			v[n++] = -1;
			end = (char *)s + 1;
		} else {
			v[n] = strtod(s, &end);
			if (end == s || !isfinite(v[n]))
				return n;
			n++;
		}
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' )
			break;
	}
	return n;
}

static void
esc_name(struct tally_buf *b, const struct tally_perf *p, int *rc)
{
	if (p->method != NULL) {
		*rc |= tally_esc_html(b, p->method, strlen(p->method));
		*rc |= tally_buf_addc(b, ' ');
	}
	if (p->name != NULL)
		*rc |= tally_esc_html(b, p->name, strlen(p->name));
}

/* One line chart of y over t: 300 x 90 units, its largest value and the
 * time span written beside it. */
static int
line_chart(struct tally_buf *b, const char *title, const char *unit,
    const double *t, const double *y, size_t n)
{
	double tmax = 0, ymax = 0;
	size_t i;
	int rc = TALLY_OK, pen = 0;

	for (i = 0; i < n; i++) {
		if (t[i] > tmax)
			tmax = t[i];
		if (y[i] > ymax)
			ymax = y[i];
	}
	rc |= tally_buf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 300 90\" "
	    "width=\"300\" height=\"90\" role=\"img\" aria-label=\"%s over "
	    "time, at most %.4g%s\"><title>%s over %.0f s, at most %.4g%s"
	    "</title><rect x=\"0\" y=\"0\" width=\"300\" height=\"90\" "
	    "fill=\"none\" stroke=\"currentColor\" stroke-opacity=\"0.2\"/>"
	    "<text x=\"4\" y=\"12\" font-size=\"10\" fill=\"currentColor\">"
	    "%s (max %.4g%s)</text><polyline fill=\"none\" "
	    "stroke=\"currentColor\" stroke-width=\"1.5\" points=\"",
	    title, ymax, unit, title, tmax, ymax, unit, title, ymax, unit);
	for (i = 0; i < n; i++) {
		if (t[i] < 0 || y[i] < 0)
			continue;
		rc |= tally_buf_printf(b, "%s%.1f,%.1f", pen++ ? " " : "",
		    tmax > 0 ? 4 + 292 * t[i] / tmax : 4,
		    ymax > 0 ? 86 - 68 * y[i] / ymax : 86);
	}
	rc |= tally_buf_printf(b, "\"/><text x=\"296\" y=\"86\" "
	    "font-size=\"9\" text-anchor=\"end\" fill=\"currentColor\">"
	    "%.0f s</text></svg>\n", tmax);
	return rc;
}

/* Request rate, failures and p95 over time of one series row. */
static int
series_charts(struct tally_buf *b, const struct tally_perf *p)
{
	static const char *const keys[4] = { "series.t", "series.rps",
	    "series.fail", "series.p95" };
	double *v[4];
	size_t n[4], i, m;
	int rc = TALLY_OK;

	for (i = 0; i < 4; i++)
		v[i] = NULL;
	for (i = 0; i < 4; i++) {
		const char *s = tally_kv_get(p->properties, p->nproperties,
		    keys[i]);
		size_t k = 1;

		for (const char *c = s; c != NULL && *c; c++)
			k += *c == ',';
		if ((v[i] = malloc(k * sizeof(double))) == NULL) {
			rc = TALLY_ENOMEM;
			goto out;
		}
		n[i] = parse_list(s, v[i], k);
	}
	m = n[0];
	for (i = 1; i < 4; i++)
		if (n[i] < m)
			m = n[i];
	rc |= tally_buf_adds(b, "<figure class=\"perfchart\"><figcaption>");
	esc_name(b, p, &rc);
	rc |= tally_buf_adds(b, "</figcaption>\n");
	rc |= line_chart(b, "requests/s", "/s", v[0], v[1], m);
	rc |= line_chart(b, "failures/s", "/s", v[0], v[2], m);
	rc |= line_chart(b, "p95", " ms", v[0], v[3], m);
	rc |= tally_buf_adds(b, "</figure>\n");
out:
	for (i = 0; i < 4; i++)
		free(v[i]);
	return rc != TALLY_OK ? TALLY_ENOMEM : TALLY_OK;
}

/* A bar per row from min to max, median to p95 darker, p99 marked; one
 * scale for all, up to the largest p99 (longer bars are cut). */
static int
percentile_bars(struct tally_buf *b, const struct tally_report *rep)
{
	const struct tally_perf *p;
	char c[6][32];
	double scale = 0, v;
	size_t i, n = 0, k;
	int rc = TALLY_OK;

	for (i = 0; i < rep->nperf; i++) {
		p = &rep->perf[i]->u.perf;
		if (tally_perf_is_series(p) || p->median < 0)
			continue;
		v = p->p99 >= 0 ? p->p99 : p->p95 >= 0 ? p->p95 : p->max;
		if (v > scale)
			scale = v;
		n++;
	}
	if (n == 0 || !(scale > 0))
		return TALLY_OK;
	if (n > CHART_BARS)
		n = CHART_BARS;
	rc |= tally_buf_adds(b, "<h3>Latency percentiles</h3>\n"
	    "<p class=\"legend\">min to max, median to p95 darker, a line at "
	    "p99</p>\n");
	rc |= tally_buf_printf(b, "<svg class=\"bars\" viewBox=\"0 0 600 %zu\" "
	    "width=\"600\" height=\"%zu\" role=\"img\" aria-label=\"latency "
	    "percentiles per row\">\n", 16 * n + 14, 16 * n + 14);
	k = 0;
	for (i = 0; i < rep->nperf && k < n; i++) {
		double x0, x1, m0, m1, y;

		p = &rep->perf[i]->u.perf;
		if (tally_perf_is_series(p) || p->median < 0)
			continue;
		y = 16.0 * (double)k++;
#define X(ms) (220 + 370 * ((ms) > scale ? 1 : (ms) / scale))
		x0 = X(p->min >= 0 ? p->min : p->median);
		x1 = X(p->max >= 0 ? p->max : p->median);
		m0 = X(p->median);
		m1 = X(p->p95 >= 0 ? p->p95 : p->median);
		rc |= tally_buf_printf(b, "<g><title>");
		esc_name(b, p, &rc);
		rc |= tally_buf_printf(b, ": min %s, median %s, p90 %s, p95 %s, "
		    "p99 %s, max %s</title><text x=\"216\" y=\"%.0f\" "
		    "font-size=\"10\" text-anchor=\"end\" "
		    "fill=\"currentColor\">",
		    tally_perf_cell(c[0], 32, TALLY_PF_MIN, p->min),
		    tally_perf_cell(c[1], 32, TALLY_PF_MEDIAN, p->median),
		    tally_perf_cell(c[2], 32, TALLY_PF_P90, p->p90),
		    tally_perf_cell(c[3], 32, TALLY_PF_P95, p->p95),
		    tally_perf_cell(c[4], 32, TALLY_PF_P99, p->p99),
		    tally_perf_cell(c[5], 32, TALLY_PF_MAX, p->max), y + 11);
		if (p->method != NULL && p->name != NULL &&
		    strlen(p->method) + strlen(p->name) < 36)
			esc_name(b, p, &rc);
		else if (p->name != NULL)
			rc |= tally_esc_html(b, p->name, strlen(p->name) < 36 ?
			    strlen(p->name) : 36);
		rc |= tally_buf_printf(b, "</text><rect x=\"%.1f\" y=\"%.0f\" "
		    "width=\"%.1f\" height=\"10\" fill=\"currentColor\" "
		    "fill-opacity=\"0.2\"/><rect x=\"%.1f\" y=\"%.0f\" "
		    "width=\"%.1f\" height=\"10\" fill=\"currentColor\" "
		    "fill-opacity=\"0.6\"/>", x0, y + 2, x1 - x0 < 1 ? 1 :
		    x1 - x0, m0, y + 2, m1 - m0 < 1 ? 1 : m1 - m0);
		if (p->p99 >= 0)
			rc |= tally_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" "
			    "y1=\"%.0f\" y2=\"%.0f\" stroke=\"currentColor\"/>",
			    X(p->p99), X(p->p99), y, y + 14);
		rc |= tally_buf_adds(b, "</g>\n");
#undef X
	}
	rc |= tally_buf_printf(b, "<text x=\"220\" y=\"%zu\" font-size=\"9\" "
	    "fill=\"currentColor\">0</text><text x=\"590\" y=\"%zu\" "
	    "font-size=\"9\" text-anchor=\"end\" fill=\"currentColor\">%s"
	    "</text></svg>\n", 16 * n + 12, 16 * n + 12,
	    tally_perf_cell(c[0], 32, TALLY_PF_P99, scale));
	return rc != TALLY_OK ? TALLY_ENOMEM : TALLY_OK;
}

int
tally_perf_svg(struct tally_buf *b, const struct tally_report *rep)
{
	const struct tally_perf *p;
	size_t i, n = 0;
	int rc = TALLY_OK;

	for (i = 0; i < rep->nperf && n < CHART_SERIES && rc == TALLY_OK;
	    i++) {
		p = &rep->perf[i]->u.perf;
		if (!tally_perf_is_series(p))
			continue;
		if (n++ == 0)
			rc = tally_buf_adds(b, "<h3>Over time</h3>\n");
		if (rc == TALLY_OK)
			rc = series_charts(b, p);
	}
	if (rc == TALLY_OK)
		rc = percentile_bars(b, rep);
	return rc;
}
