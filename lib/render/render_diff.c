/*
 * lib/render/render_diff.c: the part of a report that a diff stream adds
 * (tally-diff(1)), shared by the text and Markdown renderers; the GitHub
 * renderer orders its annotations by the same changes.
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render_diff.h"

#define LISTED	100	/* text: tests listed per section */

static const char *const titles[TALLY_NDS] = {
	"New failures", "Still failing", "Fixed", "Newly skipped",
	"New tests", "Removed tests", "Slower"
};

/* The change words of the sections but the last. */
static const char *const changes[TALLY_NDS - 1] = {
	"new-failure", "still-failing", "fixed", "newly-skipped", "new",
	"removed"
};

const char *
tally_diffsec_title(enum tally_diffsec s)
{
	return (unsigned)s < TALLY_NDS ? titles[s] : NULL;
}

static int
sec_of(const struct tally_test *t)
{
	int i;

	for (i = 0; t->change != NULL && i < TALLY_NDS - 1; i++)
		if (strcmp(t->change, changes[i]) == 0)
			return i;
	return -1;
}

static int
keep(struct tally_picks *p, size_t max, const struct tally_record *rec)
{
	const struct tally_record **v;
	struct tally_record *dup;

	p->total++;
	if (p->n >= max)
		return TALLY_OK;
	if ((v = realloc(p->v, (p->n + 1) * sizeof(*v))) == NULL)
		return TALLY_ENOMEM;
	p->v = v;
	if (p->owned) {
		if (tally_record_dup(rec, &dup) != TALLY_OK)
			return TALLY_ENOMEM;
		rec = dup;
	}
	p->v[p->n++] = rec;
	return TALLY_OK;
}

int
tally_diffview_build(struct tally_diffview *v,
    const struct tally_report *rep, size_t max)
{
	const struct tally_record *rec;
	struct tally_error err;
	size_t pos = 0;
	int rc = TALLY_OK, more, i;

	memset(v, 0, sizeof(*v));
	if (rep->diff == NULL)
		return TALLY_OK;
	v->rep = rep;
	for (i = 0; i < TALLY_NDS; i++)
		v->sec[i].owned = rep->tests == NULL;
	tally_error_init(&err, NULL);
	while (rc == TALLY_OK &&
	    (more = tally_report_next_test(rep, &pos, &rec, &err)) == 1) {
		if ((i = sec_of(&rec->u.test)) >= 0)
			rc = keep(&v->sec[i], max, rec);
		if (rc == TALLY_OK && rec->u.test.duration_change != NULL &&
		    strcmp(rec->u.test.duration_change, "slower") == 0)
			rc = keep(&v->sec[TALLY_DS_SLOWER], max, rec);
	}
	if (rc == TALLY_OK && more < 0)
		rc = more;
	if (rc != TALLY_OK)
		tally_diffview_free(v);
	return rc;
}

void
tally_diffview_free(struct tally_diffview *v)
{
	int i;

	for (i = 0; i < TALLY_NDS; i++)
		tally_picks_free(&v->sec[i]);
	memset(v, 0, sizeof(*v));
}

int
tally_diff_failures(const struct tally_diffview *v,
    const struct tally_record ***out, size_t *n, size_t *total)
{
	const struct tally_picks *a = &v->sec[TALLY_DS_NEW_FAILURE];
	const struct tally_picks *b = &v->sec[TALLY_DS_STILL_FAILING];

	*n = *total = 0;
	if ((*out = calloc(a->n + b->n + 1, sizeof(**out))) == NULL)
		return TALLY_ENOMEM;
	if (a->n > 0)
		memcpy(*out, a->v, a->n * sizeof(**out));
	if (b->n > 0)
		memcpy(*out + a->n, b->v, b->n * sizeof(**out));
	*n = a->n + b->n;
	*total = a->total + b->total;
	return TALLY_OK;
}

static const char *
fstr(const struct tally_report *rep, const char *key)
{
	const struct tally_field *f = tally_field_get(&rep->diff->u.fields,
	    key);

	return f != NULL && f->str != NULL && f->str[0] != '\0' ? f->str :
	    NULL;
}

static double
fnum(const struct tally_report *rep, const char *key)
{
	const struct tally_field *f = tally_field_get(&rep->diff->u.fields,
	    key);

	return f != NULL && f->str == NULL ? f->num : -1;
}

int
tally_diff_base_name(struct tally_buf *b, const struct tally_report *rep)
{
	static const char *const more[][2] = {
		{ "base.branch", "" }, { "base.ref", "" },
		{ "base.run_id", "run " }, { "base.time", "" },
	};
	const char *commit, *s;
	size_t i, n = 0;
	int rc = TALLY_OK;

	tally_buf_reset(b);
	if (rep->diff == NULL)
		return TALLY_OK;
	if ((commit = fstr(rep, "base.commit")) != NULL)
		rc |= tally_buf_printf(b, "%.12s", commit);
	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		if ((s = fstr(rep, more[i][0])) == NULL)
			continue;
		rc |= tally_buf_adds(b, n == 0 ? (commit ? " (" : "") : ", ");
		rc |= tally_buf_printf(b, "%s%s", more[i][1], s);
		n++;
	}
	if (commit != NULL && n > 0)
		rc |= tally_buf_addc(b, ')');
	if (b->data == NULL)
		rc |= tally_buf_adds(b, "");
	return rc != TALLY_OK ? TALLY_ENOMEM : TALLY_OK;
}

/* One test's title, cleaned and escaped with esc. */
static void
put_title(struct tally_out *o, struct tally_buf *t, struct tally_buf *c,
    tally_esc_fn esc, const struct tally_record *rec)
{
	tally_buf_reset(t);
	tally_buf_reset(c);
	if (tally_test_title(t, rec) != TALLY_OK ||
	    tally_strip_ansi(c, t->data ? t->data : "", t->len) != TALLY_OK) {
		o->status = o->status ? o->status : TALLY_ENOMEM;
		return;
	}
	tally_out_esc(o, esc, c->data ? c->data : "", c->len);
}

static void
put_durations(struct tally_out *o, const struct tally_record *rec)
{
	char a[TALLY_FMTBUF], b[TALLY_FMTBUF];

	tally_out_printf(o, ": %s \xe2\x86\x92 %s",
	    tally_fmt_duration(a, rec->u.test.base_duration),
	    tally_fmt_duration(b, rec->u.test.duration));
}

/* "1 new failure, 2 fixed, ...; 1 slower, 0 faster". */
static void
put_counts(struct tally_out *o, const struct tally_report *rep,
    const char *strong, const char *strong_end)
{
	static const char *const words[] = {
		"new-failure", "new failure", "still-failing", "still failing",
		"fixed", "fixed", "newly-skipped", "newly skipped",
		"new", "new", "removed", "removed", "unchanged", "unchanged",
		"slower", "slower", "faster", "faster",
	};
	size_t i;
	double n;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i += 2) {
		n = fnum(rep, words[i]) < 0 ? 0 : fnum(rep, words[i]);
		tally_out_printf(o, "%s%s%.0f%s %s%s", i == 0 ? "" :
		    i == 14 ? "; " : ", ", strong, n, strong_end,
		    words[i + 1], i == 0 && n != 1 ? "s" : "");
	}
}

/* "pass rate 83.3% → 91.7%, time 450ms → 870ms, tests 12 → 13". */
static void
put_runs(struct tally_out *o, const struct tally_report *rep)
{
	char a[TALLY_FMTBUF], b[TALLY_FMTBUF];

	tally_out_printf(o, "pass rate %s", tally_fmt_rate(a,
	    fnum(rep, "basePassRate")));
	tally_out_printf(o, " \xe2\x86\x92 %s", tally_fmt_rate(b,
	    fnum(rep, "newPassRate")));
	tally_out_printf(o, ", time %s", tally_fmt_duration(a,
	    fnum(rep, "baseDuration")));
	tally_out_printf(o, " \xe2\x86\x92 %s", tally_fmt_duration(b,
	    fnum(rep, "newDuration")));
	tally_out_printf(o, ", tests %.0f \xe2\x86\x92 %.0f",
	    fnum(rep, "baseTests"), fnum(rep, "newTests"));
}

/* The base run's name from the diff record (t), plain (c), escaped by esc. */
static void
put_base(struct tally_out *o, const struct tally_report *rep,
    struct tally_buf *t, struct tally_buf *c, tally_esc_fn esc)
{
	if (tally_diff_base_name(t, rep) != TALLY_OK)
		o->status = o->status ? o->status : TALLY_ENOMEM;
	tally_buf_reset(c);
	if (t->len > 0 && tally_strip_ansi(c, t->data, t->len) == TALLY_OK)
		tally_out_esc(o, esc, c->data, c->len);
	else
		tally_out_puts(o, "the base run");
}

void
tally_diff_text(struct tally_out *o, const struct tally_diffview *v,
    int color)
{
	struct tally_buf t, c;
	const struct tally_picks *p;
	int i;
	size_t k;

	if (v->rep == NULL)
		return;
	tally_buf_init(&t);
	tally_buf_init(&c);
	tally_out_puts(o, o->n > 0 ? "\n" : "");
	tally_out_puts(o, color ? "\033[1m=== Compared with " :
	    "=== Compared with ");
	put_base(o, v->rep, &t, &c, tally_esc_term_line);
	tally_out_puts(o, color ? "\033[0m\n  " : "\n  ");
	put_counts(o, v->rep, "", "");
	tally_out_puts(o, "\n  ");
	put_runs(o, v->rep);
	tally_out_puts(o, "\n");
	for (i = 0; i < TALLY_NDS && !tally_out_stop(o); i++) {
		p = &v->sec[i];
		if (p->total == 0)
			continue;
		tally_out_printf(o, "\n%s=== %s (%zu)%s\n", color ?
		    (i == TALLY_DS_NEW_FAILURE ? "\033[1m\033[31m" :
		    "\033[1m") : "", titles[i], p->total,
		    color ? "\033[0m" : "");
		for (k = 0; k < p->n && k < LISTED; k++) {
			tally_out_puts(o, "  ");
			put_title(o, &t, &c, tally_esc_term_line, p->v[k]);
			if (i == TALLY_DS_SLOWER)
				put_durations(o, p->v[k]);
			tally_out_puts(o, "\n");
		}
		if (p->total > k)
			tally_out_printf(o, "  \xe2\x80\xa6 %zu more\n",
			    p->total - k);
	}
	tally_buf_free(&t);
	tally_buf_free(&c);
}

void
tally_diff_md(struct tally_out *o, const struct tally_diffview *v, size_t n)
{
	struct tally_buf t, c;
	const struct tally_picks *p;
	int i;
	size_t k;

	if (v->rep == NULL)
		return;
	tally_buf_init(&t);
	tally_buf_init(&c);
	tally_out_puts(o, "### Compared with ");
	put_base(o, v->rep, &t, &c, tally_esc_md);
	tally_out_puts(o, "\n\n");
	put_counts(o, v->rep, "**", "**");
	tally_out_puts(o, ".\n\n");
	put_runs(o, v->rep);
	tally_out_puts(o, ".\n\n");
	for (i = 0; i < TALLY_NDS && n > 0; i++) {
		p = &v->sec[i];
		if (p->total == 0)
			continue;
		tally_out_printf(o, "#### %s%s (%zu)\n\n",
		    i == TALLY_DS_NEW_FAILURE ? "\xe2\x9d\x8c " : "",
		    titles[i], p->total);
		for (k = 0; k < p->n && k < n; k++) {
			tally_out_puts(o, "- ");
			put_title(o, &t, &c, tally_esc_md, p->v[k]);
			if (i == TALLY_DS_SLOWER)
				put_durations(o, p->v[k]);
			tally_out_puts(o, "\n");
		}
		if (p->total > k)
			tally_out_printf(o, "- \xe2\x80\xa6 %zu more not "
			    "shown\n", p->total - k);
		tally_out_puts(o, "\n");
	}
	tally_buf_free(&t);
	tally_buf_free(&c);
}
