/*
 * lib/diff.c: tally diff, a merge-join of two runs in canonical order.
 * Each run is read once, one record at a time; what is kept across
 * records is the counts and the two runs' metadata.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/diff.h>
#include <tally/merge.h>
#include <tally/perf.h>

#include "internal.h"

static const char *const change_names[TALLY_NCHANGE] = {
	"new-failure", "still-failing", "fixed", "new", "removed",
	"newly-skipped", "unchanged"
};

const char *
tally_change_name(enum tally_change c)
{
	return (unsigned)c < TALLY_NCHANGE ? change_names[c] : NULL;
}

int
tally_change_parse(const char *s, enum tally_change *out)
{
	int i;

	for (i = 0; s != NULL && i < TALLY_NCHANGE; i++)
		if (strcmp(s, change_names[i]) == 0) {
			*out = (enum tally_change)i;
			return TALLY_OK;
		}
	return TALLY_EINVAL;
}

/* Passed, failed, or not run (skipped, pending, other). */
static int
ran(const struct tally_test *t)
{
	return t->status == TALLY_PASSED || t->status == TALLY_FAILED;
}

enum tally_change
tally_change_of(const struct tally_test *base, const struct tally_test *now)
{
	if (now == NULL)
		return TALLY_CHANGE_REMOVED;
	if (now->status == TALLY_FAILED)
		return base != NULL && base->status == TALLY_FAILED ?
		    TALLY_CHANGE_STILL_FAILING : TALLY_CHANGE_NEW_FAILURE;
	if (base == NULL)
		return TALLY_CHANGE_NEW;
	if (now->status == TALLY_PASSED)
		return base->status == TALLY_FAILED ? TALLY_CHANGE_FIXED :
		    TALLY_CHANGE_UNCHANGED;
	return ran(base) ? TALLY_CHANGE_NEWLY_SKIPPED : TALLY_CHANGE_UNCHANGED;
}

const char *
tally_duration_change(double base, double now,
    const struct tally_diff_opts *o)
{
	double d = now - base;

	if (base < 0 || now < 0 || fabs(d) < o->min_ms)
		return NULL;
	if (base > 0 && 100.0 * fabs(d) / base <= o->threshold)
		return NULL;
	return d > 0 ? "slower" : "faster";
}

/* One run's totals, as tally-render counts them. */
struct run {
	size_t		 tests, passed, failed, notrun;
	double		 duration;
	struct tally_kv	*meta;
	size_t		 nmeta;
};

struct join {
	struct tally_sink	*out;
	const struct tally_diff_opts *o;
	struct run		 base, now;
	size_t			 changes[TALLY_NCHANGE];
	size_t			 slower, faster;
};

/* One side of the join: a merge and its current record (NULL at end). */
struct side {
	struct tally_merge		*m;
	const struct tally_record	*r;
};

static int
advance(struct side *s, struct tally_error *err)
{
	int rc = tally_merge_next(s->m, &s->r, err);

	if (rc <= 0)
		s->r = NULL;
	return rc < 0 ? rc : TALLY_OK;
}

static int
is(const struct side *s, enum tally_type t)
{
	return s->r != NULL && s->r->type == t;
}

static void
count(struct run *run, const struct tally_test *t)
{
	run->tests++;
	run->passed += t->status == TALLY_PASSED;
	run->failed += t->status == TALLY_FAILED;
	run->notrun += t->status == TALLY_SKIPPED ||
	    t->status == TALLY_PENDING;
	if (t->duration > 0)
		run->duration += t->duration;
}

/* The first value of each key is kept, as the meta records give them. */
static int
keep_meta(struct run *run, const struct tally_meta *mt)
{
	struct tally_kv *v;
	size_t i;

	for (i = 0; i < mt->nitems; i++) {
		if (mt->items[i].key == NULL || tally_kv_get(run->meta,
		    run->nmeta, mt->items[i].key) != NULL)
			continue;
		if ((v = realloc(run->meta, (run->nmeta + 1) *
		    sizeof(*v))) == NULL)
			return TALLY_ENOMEM;
		run->meta = v;
		v[run->nmeta].key = tally_strdup(mt->items[i].key);
		v[run->nmeta].value = tally_strdup(mt->items[i].value ?
		    mt->items[i].value : "");
		if (v[run->nmeta].key == NULL || v[run->nmeta].value == NULL) {
			free((char *)v[run->nmeta].key);
			free((char *)v[run->nmeta].value);
			return TALLY_ENOMEM;
		}
		run->nmeta++;
	}
	return TALLY_OK;
}

static void
run_free(struct run *run)
{
	size_t i;

	for (i = 0; i < run->nmeta; i++) {
		free((char *)run->meta[i].key);
		free((char *)run->meta[i].value);
	}
	free(run->meta);
}

/* Write one test with its change; base or now may be NULL, not both. */
static int
emit_test(struct join *j, const struct tally_record *base,
    const struct tally_record *now, struct tally_error *err)
{
	struct tally_record r = now != NULL ? *now : *base;
	enum tally_change c;

	c = tally_change_of(base ? &base->u.test : NULL,
	    now ? &now->u.test : NULL);
	j->changes[c]++;
	r.u.test.change = tally_change_name(c);
	r.u.test.duration_change = NULL;
	r.u.test.base_duration = -1;
	if (base != NULL)
		count(&j->base, &base->u.test);
	if (now != NULL)
		count(&j->now, &now->u.test);
	if (base != NULL && now != NULL) {
		r.u.test.base_duration = base->u.test.duration;
		r.u.test.duration_change = tally_duration_change(
		    base->u.test.duration, now->u.test.duration, j->o);
		if (r.u.test.duration_change != NULL)
			(*(r.u.test.duration_change[0] == 's' ? &j->slower :
			    &j->faster))++;
	}
	return tally_sink_record(j->out, &r, err);
}

static int
field(struct tally_field **v, size_t *n, const char *key, const char *str,
    double num)
{
	struct tally_field *p;

	if ((p = realloc(*v, (*n + 1) * sizeof(*p))) == NULL)
		return TALLY_ENOMEM;
	*v = p;
	memset(&p[*n], 0, sizeof(p[*n]));
	p[*n].key = key;
	p[*n].str = str;
	p[*n].num = num;
	(*n)++;
	return TALLY_OK;
}

static double
pass_rate(const struct run *run)
{
	size_t n = run->tests - run->notrun;

	/* Tests with status "other" ran, as tally-render counts them. */
	return n == 0 ? 100.0 : 100.0 * (double)run->passed / (double)n;
}

/* The member names of one run's totals, BASE's then NEW's. */
static const char *const run_keys[2][6] = {
	{ "baseTests", "basePassed", "baseFailed", "baseSkipped",
	    "basePassRate", "baseDuration" },
	{ "newTests", "newPassed", "newFailed", "newSkipped",
	    "newPassRate", "newDuration" },
};

static int
run_fields(struct tally_field **v, size_t *n, const struct run *run, int k)
{
	int rc = 0;

	rc |= field(v, n, run_keys[k][0], NULL, (double)run->tests);
	rc |= field(v, n, run_keys[k][1], NULL, (double)run->passed);
	rc |= field(v, n, run_keys[k][2], NULL, (double)run->failed);
	rc |= field(v, n, run_keys[k][3], NULL, (double)run->notrun);
	rc |= field(v, n, run_keys[k][4], NULL,
	    round(pass_rate(run) * 100) / 100);
	rc |= field(v, n, run_keys[k][5], NULL, round(run->duration * 1000) /
	    1000);
	return rc ? TALLY_ENOMEM : TALLY_OK;
}

/* Metadata keys as "base.KEY" and "new.KEY", made in keys (owned). */
static int
meta_fields(struct tally_field **v, size_t *n, const struct run *run,
    const char *prefix, struct tally_buf *keys, size_t *offs)
{
	size_t i;

	for (i = 0; i < run->nmeta; i++) {
		offs[i] = keys->len;
		if (tally_buf_printf(keys, "%s.%s", prefix, run->meta[i].key) !=
		    TALLY_OK || tally_buf_addc(keys, '\0') != TALLY_OK ||
		    field(v, n, NULL, run->meta[i].value, 0) != TALLY_OK)
			return TALLY_ENOMEM;
	}
	return TALLY_OK;
}

static int
summary(struct join *j, struct tally_error *err)
{
	struct tally_record r;
	struct tally_field *v = NULL;
	struct tally_buf keys;
	size_t n = 0, i, first, *offs = NULL, nmeta;
	int rc = TALLY_OK;

	tally_buf_init(&keys);
	for (i = 0; i < TALLY_NCHANGE && rc == TALLY_OK; i++)
		rc = field(&v, &n, change_names[i], NULL,
		    (double)j->changes[i]);
	if (rc == TALLY_OK)
		rc = field(&v, &n, "slower", NULL, (double)j->slower);
	if (rc == TALLY_OK)
		rc = field(&v, &n, "faster", NULL, (double)j->faster);
	if (rc == TALLY_OK)
		rc = field(&v, &n, "timeThreshold", NULL, j->o->threshold);
	if (rc == TALLY_OK)
		rc = field(&v, &n, "timeMin", NULL, j->o->min_ms);
	if (rc == TALLY_OK)
		rc = run_fields(&v, &n, &j->base, 0);
	if (rc == TALLY_OK)
		rc = run_fields(&v, &n, &j->now, 1);
	first = n;
	nmeta = j->base.nmeta + j->now.nmeta;
	if (rc == TALLY_OK &&
	    (offs = calloc(nmeta + 1, sizeof(*offs))) == NULL)
		rc = TALLY_ENOMEM;
	if (rc == TALLY_OK)
		rc = meta_fields(&v, &n, &j->base, "base", &keys, offs);
	if (rc == TALLY_OK)
		rc = meta_fields(&v, &n, &j->now, "new", &keys,
		    offs + j->base.nmeta);
	if (rc == TALLY_OK) {
		/* The key buffer has stopped moving: point into it. */
		for (i = first; i < n; i++)
			v[i].key = keys.data + offs[i - first];
		tally_record_init(&r, TALLY_REC_DIFF);
		r.u.fields.items = v;
		r.u.fields.nitems = n;
		rc = tally_sink_record(j->out, &r, err);
	} else
		rc = tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	free(offs);
	free(v);
	tally_buf_free(&keys);
	return rc;
}

/* A perf row with BASE's figures: base.F, change.F and change.F.pct. */
struct perf_out {
	struct tally_kv	*kv;
	char		 key[3 * TALLY_NPERF_FIG][32];
	char		 val[3 * TALLY_NPERF_FIG][32];
};

static int
perf_emit(struct join *j, struct perf_out *po, const struct tally_record *r,
    const struct tally_perf *base, struct tally_error *err)
{
	struct tally_record rec = *r;
	const struct tally_perf *p = &r->u.perf;
	const char *name;
	size_t i, n = 0, k = 0;
	double vb, vn;

	if (base == NULL)
		return tally_sink_record(j->out, r, err);
	free(po->kv);
	if ((po->kv = calloc(p->nproperties + 3 * TALLY_NPERF_FIG,
	    sizeof(*po->kv))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	for (i = 0; i < p->nproperties; i++)
		po->kv[n++] = p->properties[i];
	for (i = 0; i < TALLY_NPERF_FIG; i++) {
		name = tally_perf_fig_name((enum tally_perf_fig)i);
		vb = tally_perf_fig_get(base, (enum tally_perf_fig)i);
		vn = tally_perf_fig_get(p, (enum tally_perf_fig)i);
		if (vb < 0)
			continue;
		snprintf(po->key[k], sizeof(po->key[k]), "base.%s", name);
		snprintf(po->val[k], sizeof(po->val[k]), "%.10g", vb);
		po->kv[n].key = po->key[k];
		po->kv[n++].value = po->val[k++];
		if (vn < 0)
			continue;
		snprintf(po->key[k], sizeof(po->key[k]), "change.%s", name);
		snprintf(po->val[k], sizeof(po->val[k]), "%+.10g", vn - vb);
		po->kv[n].key = po->key[k];
		po->kv[n++].value = po->val[k++];
		if (vb == 0)
			continue;
		snprintf(po->key[k], sizeof(po->key[k]), "change.%s.pct", name);
		snprintf(po->val[k], sizeof(po->val[k]), "%+.2f",
		    100.0 * (vn - vb) / vb);
		po->kv[n].key = po->key[k];
		po->kv[n++].value = po->val[k++];
	}
	rec.u.perf.properties = po->kv;
	rec.u.perf.nproperties = n;
	return tally_sink_record(j->out, &rec, err);
}

/*
 * NEW's perf rows, each with the figures of BASE's row of the same name
 * and method and their changes (see tally-stream(5)).  BASE's rows are
 * kept while NEW's are read: a run has few.  An input's own diff record
 * is left out.
 */
static int
perf_join(struct join *j, struct side *b, struct side *n,
    struct tally_error *err)
{
	struct tally_record **base = NULL, **v, *dup;
	struct perf_out po;
	const struct tally_perf *match;
	size_t nbase = 0, i;
	int rc = TALLY_OK;

	po.kv = NULL;
	while (rc == TALLY_OK && b->r != NULL) {
		if (b->r->type == TALLY_REC_PERF) {
			if (tally_record_dup(b->r, &dup) != TALLY_OK ||
			    (v = realloc(base, (nbase + 1) *
			    sizeof(*base))) == NULL) {
				if (dup != NULL)
					tally_record_free(dup);
				rc = tally_error_set(err, TALLY_ENOMEM, 0, 0,
				    "out of memory");
				break;
			}
			base = v;
			base[nbase++] = dup;
		}
		rc = advance(b, err);
	}
	while (rc == TALLY_OK && n->r != NULL) {
		if (n->r->type == TALLY_REC_PERF) {
			match = NULL;
			for (i = 0; i < nbase && match == NULL; i++)
				if (tally_perf_same_row(&base[i]->u.perf,
				    &n->r->u.perf))
					match = &base[i]->u.perf;
			rc = perf_emit(j, &po, n->r, match, err);
		} else if (n->r->type != TALLY_REC_DIFF)
			rc = tally_sink_record(j->out, n->r, err);
		if (rc == TALLY_OK)
			rc = advance(n, err);
	}
	for (i = 0; i < nbase; i++)
		tally_record_free(base[i]);
	free(base);
	free(po.kv);
	return rc;
}

static int
join(struct join *j, struct side *b, struct side *n, struct tally_error *err)
{
	int rc = TALLY_OK, c;

	/* NEW's metadata and suites go out; BASE's metadata is kept. */
	while (rc == TALLY_OK && is(n, TALLY_REC_META)) {
		if ((rc = keep_meta(&j->now, &n->r->u.meta)) != TALLY_OK)
			return tally_error_set(err, rc, 0, 0, "out of memory");
		if ((rc = tally_sink_record(j->out, n->r, err)) == TALLY_OK)
			rc = advance(n, err);
	}
	while (rc == TALLY_OK && is(b, TALLY_REC_META)) {
		if ((rc = keep_meta(&j->base, &b->r->u.meta)) != TALLY_OK)
			return tally_error_set(err, rc, 0, 0, "out of memory");
		rc = advance(b, err);
	}
	while (rc == TALLY_OK && is(n, TALLY_REC_SUITE))
		if ((rc = tally_sink_record(j->out, n->r, err)) == TALLY_OK)
			rc = advance(n, err);
	while (rc == TALLY_OK && is(b, TALLY_REC_SUITE))
		rc = advance(b, err);

	/* The join: both sides in canonical order, one test each. */
	while (rc == TALLY_OK && (is(n, TALLY_REC_TEST) ||
	    is(b, TALLY_REC_TEST))) {
		c = !is(n, TALLY_REC_TEST) ? 1 : !is(b, TALLY_REC_TEST) ? -1 :
		    tally_merge_test_cmp(n->r, b->r);
		if (c < 0) {
			if ((rc = emit_test(j, NULL, n->r, err)) == TALLY_OK)
				rc = advance(n, err);
		} else if (c > 0) {
			if ((rc = emit_test(j, b->r, NULL, err)) == TALLY_OK)
				rc = advance(b, err);
		} else if ((rc = emit_test(j, b->r, n->r, err)) == TALLY_OK &&
		    (rc = advance(n, err)) == TALLY_OK)
			rc = advance(b, err);
	}

	/* Unreadable inputs of either run stay visible. */
	while (rc == TALLY_OK && is(n, TALLY_REC_ERROR))
		if ((rc = tally_sink_record(j->out, n->r, err)) == TALLY_OK)
			rc = advance(n, err);
	while (rc == TALLY_OK && is(b, TALLY_REC_ERROR))
		if ((rc = tally_sink_record(j->out, b->r, err)) == TALLY_OK)
			rc = advance(b, err);
	if (rc == TALLY_OK)
		rc = summary(j, err);
	if (rc == TALLY_OK)
		rc = perf_join(j, b, n, err);
	return rc;
}

int
tally_diff(struct tally_merge *base, struct tally_merge *now,
    const struct tally_diff_opts *opts, struct tally_sink *out,
    struct tally_error *err)
{
	static const struct tally_diff_opts defaults = {
		TALLY_DIFF_THRESHOLD, TALLY_DIFF_MIN_MS
	};
	struct side b = { base, NULL }, n = { now, NULL };
	struct join j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.out = out;
	j.o = opts != NULL ? opts : &defaults;
	tally_merge_rewind(base);
	tally_merge_rewind(now);
	if ((rc = advance(&b, err)) == TALLY_OK &&
	    (rc = advance(&n, err)) == TALLY_OK &&
	    (rc = join(&j, &b, &n, err)) == TALLY_OK)
		rc = tally_sink_end(out, err);
	run_free(&j.base);
	run_free(&j.now);
	return rc;
}
