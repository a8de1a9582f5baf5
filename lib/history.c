/*
 * lib/history.c: tally history, N runs joined in canonical order.  Each
 * run is a merge read one test at a time; what is kept across tests is
 * per run (its metadata and totals) and the current test's figures, so
 * memory grows with the runs, not with the tests.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tally/history.h>
#include <tally/merge.h>
#include <tally/reader.h>

#include "internal.h"

struct hrun {
	struct tally_merge		*m;
	const struct tally_record	*cur;
	size_t		 pos;		/* as added */
	char		*name;
	char		*time, *run_id, *commit, *branch, *url;
	size_t		 tests, passed, failed, notrun, flaky, newfail;
	double		 duration;
};

struct tally_history {
	struct hrun	*runs;
	size_t		 n;
	char		*skip;		/* leave out the run of this id */
};

#define MEMORY	(64u << 20)	/* shared by the runs' merge tables */
#define RUN_MIN	(1u << 20)

int
tally_history_new(struct tally_history **out)
{
	return (*out = calloc(1, sizeof(**out))) != NULL ? TALLY_OK :
	    TALLY_ENOMEM;
}

void
tally_history_free(struct tally_history *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++) {
		tally_merge_free(h->runs[i].m);
		free(h->runs[i].name);
		free(h->runs[i].time);
		free(h->runs[i].run_id);
		free(h->runs[i].commit);
		free(h->runs[i].branch);
		free(h->runs[i].url);
	}
	free(h->runs);
	free(h->skip);
	free(h);
}

int
tally_history_skip(struct tally_history *h, const char *run_id)
{
	free(h->skip);
	h->skip = NULL;
	if (run_id != NULL && (h->skip = strdup(run_id)) == NULL)
		return TALLY_ENOMEM;
	return TALLY_OK;
}

static int
is_stream_name(const char *n)
{
	static const char *const ext[] = { ".jsonl", ".json", ".ndjson" };
	size_t l = strlen(n), i, e;

	if (n[0] == '.')
		return 0;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (l > (e = strlen(ext[i])) &&
		    strcasecmp(n + l - e, ext[i]) == 0)
			return 1;
	return 0;
}

struct names {
	char	**v;
	size_t	  n;
};

static int
names_push(struct names *l, const char *dir, const char *name)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
	struct tally_buf b;

	if (v == NULL)
		return TALLY_ENOMEM;
	l->v = v;
	tally_buf_init(&b);
	if ((dir != NULL ? tally_buf_printf(&b, "%s/%s", dir, name) :
	    tally_buf_adds(&b, name)) != TALLY_OK) {
		tally_buf_free(&b);
		return TALLY_ENOMEM;
	}
	l->v[l->n++] = tally_buf_detach(&b);
	return TALLY_OK;
}

/* A directory's streams, in name order; else the path itself. */
static int
expand(struct names *l, const char *path, struct tally_error *err)
{
	struct dirent **ents;
	struct stat st;
	int i, n, rc = TALLY_OK;

	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return names_push(l, NULL, path);
	if ((n = scandir(path, &ents, NULL, alphasort)) < 0) {
		tally_error_init(err, path);
		err->sys_errno = errno;
		return tally_error_set(err, TALLY_EIO, 0, 0, "%s",
		    strerror(errno));
	}
	for (i = 0; i < n; i++) {
		if (rc == TALLY_OK && is_stream_name(ents[i]->d_name))
			rc = names_push(l, path, ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int
tally_history_read(struct tally_history *h, char *const *paths, size_t n,
    const char *tmpdir, void (*report)(void *arg, int status,
    const struct tally_error *err), void *arg, struct tally_error *err)
{
	struct names l = { NULL, 0 };
	struct tally_merge *m;
	struct tally_sink *in;
	size_t i, run;
	int rc = TALLY_OK;

	for (i = 0; i < n && rc != TALLY_ENOMEM; i++)
		if ((rc = expand(&l, paths[i], err)) == TALLY_EIO) {
			report(arg, rc, err);
			rc = TALLY_OK;
		}
	run = l.n > 0 && MEMORY / l.n > RUN_MIN ? MEMORY / l.n : RUN_MIN;
	for (i = 0; i < l.n && rc == TALLY_OK; i++) {
		if ((rc = tally_merge_new(&m)) != TALLY_OK)
			break;
		tally_merge_set_run_bytes(m, run);
		if ((rc = tally_merge_set_tmpdir(m, tmpdir)) != TALLY_OK) {
			tally_merge_free(m);
			break;
		}
		if ((rc = tally_history_add(h, m, l.v[i])) != TALLY_OK ||
		    (rc = tally_merge_input_new(&in, m)) != TALLY_OK)
			break;
		rc = tally_stream_walk(l.v[i], NULL, in, report, arg);
		tally_sink_free(in);
		if (rc != TALLY_ENOMEM)
			rc = TALLY_OK;	/* reported */
		tally_error_init(err, l.v[i]);
		if (rc == TALLY_OK)
			rc = tally_merge_finish(m, err);
	}
	for (i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	if (rc == TALLY_ENOMEM)
		return tally_error_set(err, rc, 0, 0, "out of memory");
	return rc;
}

int
tally_history_add(struct tally_history *h, struct tally_merge *m,
    const char *name)
{
	struct hrun *v;

	if ((v = realloc(h->runs, (h->n + 1) * sizeof(*v))) == NULL) {
		tally_merge_free(m);
		return TALLY_ENOMEM;
	}
	h->runs = v;
	memset(&v[h->n], 0, sizeof(v[h->n]));
	v[h->n].m = m;
	v[h->n].pos = h->n;
	if ((v[h->n].name = tally_strdup(name ? name : "-")) == NULL) {
		tally_merge_free(m);
		return TALLY_ENOMEM;
	}
	h->n++;
	return TALLY_OK;
}

double
tally_median(double *v, size_t n)
{
	if (n == 0)
		return -1;
	tally_percentile(v, n, 50);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
tally_percentile(double *v, size_t n, double p)
{
	size_t k;

	if (n == 0)
		return -1;
	qsort(v, n, sizeof(*v), dbl_cmp);
	k = (size_t)ceil(p / 100 * (double)n);
	return v[k > 0 ? k - 1 : 0];
}

static int
advance(struct hrun *r, struct tally_error *err)
{
	int rc = tally_merge_next(r->m, &r->cur, err);

	if (rc <= 0)
		r->cur = NULL;
	return rc < 0 ? rc : TALLY_OK;
}

static int
set(char **dst, const char *v)
{
	if (*dst != NULL || v == NULL || v[0] == '\0')
		return TALLY_OK;
	return (*dst = strdup(v)) != NULL ? TALLY_OK : TALLY_ENOMEM;
}

/*
 * A time that orders runs starts with a date, 2026-12-01...; a JUnit
 * root's time="0.02" in an unstamped stream is a duration.
 */
static int
is_date(const char *v)
{
	return v != NULL && strlen(v) >= 10 && isdigit((unsigned char)v[0]) &&
	    isdigit((unsigned char)v[1]) && isdigit((unsigned char)v[2]) &&
	    isdigit((unsigned char)v[3]) && v[4] == '-';
}

/* Read a run's metadata and pass its suites: cur is its first test. */
static int
start(struct hrun *r, struct tally_error *err)
{
	const struct tally_meta *mt;
	size_t i;
	int rc;

	tally_merge_rewind(r->m);
	if ((rc = advance(r, err)) != TALLY_OK)
		return rc;
	while (r->cur != NULL && (r->cur->type == TALLY_REC_META ||
	    r->cur->type == TALLY_REC_SUITE)) {
		mt = &r->cur->u.meta;
		for (i = 0; r->cur->type == TALLY_REC_META && i < mt->nitems;
		    i++) {
			const char *k = mt->items[i].key, *v = mt->items[i].value;

			if (k == NULL)
				continue;
			rc = 0;
			if (strcmp(k, "time") == 0 && is_date(v))
				rc = set(&r->time, v);
			else if (strcmp(k, "run_id") == 0)
				rc = set(&r->run_id, v);
			else if (strcmp(k, "commit") == 0)
				rc = set(&r->commit, v);
			else if (strcmp(k, "run_url") == 0)
				rc = set(&r->url, v);
			else if (strcmp(k, "branch") == 0 ||
			    strcmp(k, "ref") == 0)
				rc = set(&r->branch, v);
			if (rc != TALLY_OK)
				return tally_error_set(err, rc, 0, 0,
				    "out of memory");
		}
		if ((rc = advance(r, err)) != TALLY_OK)
			return rc;
	}
	return TALLY_OK;
}

static int
all_digits(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Run ids: numbers numerically, else as strings. */
static int
id_cmp(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	if (all_digits(a) && all_digits(b)) {
		while (*a == '0' && a[1] != '\0')
			a++;
		while (*b == '0' && b[1] != '\0')
			b++;
		if ((la = strlen(a)) != (lb = strlen(b)))
			return la < lb ? -1 : 1;
	}
	return strcmp(a, b);
}

static int by_time;

static int
run_cmp(const void *pa, const void *pb)
{
	const struct hrun *a = pa, *b = pb;
	int c = 0;

	if (by_time == 1)
		c = strcmp(a->time, b->time);
	if (c == 0 && by_time >= 0)
		c = id_cmp(a->run_id, b->run_id);
	if (c == 0)
		c = (a->pos > b->pos) - (a->pos < b->pos);
	return c;
}

/*
 * By time when every run has one (ISO 8601 times compare as strings),
 * then by run id; by run id when every run has one; else as added.
 */
static void
order(struct tally_history *h)
{
	size_t i, ntime = 0, nid = 0;

	for (i = 0; i < h->n; i++) {
		ntime += h->runs[i].time != NULL;
		nid += h->runs[i].run_id != NULL;
	}
	if (ntime == h->n)
		by_time = 1;
	else if (nid == h->n)
		by_time = 0;
	else
		by_time = -1;
	qsort(h->runs, h->n, sizeof(*h->runs), run_cmp);
}

/* A growing list of members. */
struct flist {
	struct tally_field *v;
	size_t		 n, cap;
	int		 bad;
};

static void
add(struct flist *f, const char *key, const char *str, double num)
{
	struct tally_field *p;

	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 32;

		if ((p = realloc(f->v, nc * sizeof(*p))) == NULL) {
			f->bad = 1;
			return;
		}
		f->v = p;
		f->cap = nc;
	}
	memset(&f->v[f->n], 0, sizeof(f->v[f->n]));
	f->v[f->n].key = key;
	f->v[f->n].str = str;
	f->v[f->n].num = num;
	f->n++;
}

static double
round4(double x)
{
	return round(x * 10000) / 10000;
}

/* How a run is named in failingSince: run id, else time, else name. */
static const char *
run_name(const struct hrun *r)
{
	return r->run_id ? r->run_id : r->time ? r->time : r->name;
}

/* The history of one test; at[i] is its record in run i or NULL. */
static int
one_test(struct tally_history *h, const struct tally_record **at,
    double *durs, char *marks, struct flist *f, struct tally_sink *out,
    struct tally_error *err)
{
	const struct tally_record *first = NULL, *last = NULL;
	struct tally_record r;
	struct tally_kv *lab = NULL;
	size_t i, seen = 0, passed = 0, failed = 0, notrun = 0, flips = 0;
	size_t flaky = 0, unstable = 0, nd = 0, streak = 0, since = 0, nl = 0;
	int prev = -1, prevrun = -1, st;
	int rc;

	for (i = 0; i < h->n; i++) {
		const struct tally_test *t;

		if (at[i] == NULL) {
			marks[i] = '.';
			prevrun = -1;
			continue;
		}
		t = &at[i]->u.test;
		marks[i] = "PFSSO"[t->status < TALLY_NSTATUS ? t->status :
		    TALLY_OTHER];
		if (first == NULL)
			first = at[i];
		last = at[i];
		seen++;
		h->runs[i].tests++;
		st = t->status;
		if (t->duration >= 0) {
			durs[nd++] = t->duration;
			h->runs[i].duration += t->duration;
		}
		if (t->flaky) {
			flaky++;
			h->runs[i].flaky++;
		}
		if (st == TALLY_PASSED || st == TALLY_FAILED) {
			int fl = prev >= 0 && prev != st;

			flips += fl;
			unstable += fl || t->flaky;
			prev = st;
			if (st == TALLY_PASSED) {
				passed++;
				h->runs[i].passed++;
				streak = 0;
			} else {
				failed++;
				h->runs[i].failed++;
				if (streak++ == 0)
					since = i;
				if (prevrun != TALLY_FAILED)
					h->runs[i].newfail++;
			}
		} else {
			notrun++;
			h->runs[i].notrun++;
			unstable += t->flaky != 0;
		}
		prevrun = st;
	}
	/* Labels but the shard: they are part of the identity. */
	if (first->nlabels > 0 &&
	    (lab = calloc(first->nlabels, sizeof(*lab))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	for (i = 0; i < first->nlabels; i++)
		if (first->labels[i].key == NULL ||
		    strcmp(first->labels[i].key, TALLY_LABEL_SHARD) != 0)
			lab[nl++] = first->labels[i];
	f->n = 0;
	add(f, "name", first->u.test.name ? first->u.test.name : "", 0);
	if (first->u.test.classname != NULL)
		add(f, "classname", first->u.test.classname, 0);
	if (first->u.test.nsuite > 0) {
		add(f, "suite", NULL, 0);
		if (!f->bad) {
			f->v[f->n - 1].strv = first->u.test.suite;
			f->v[f->n - 1].nstrv = first->u.test.nsuite;
		}
	}
	add(f, "lastStatus", tally_status_name(last->u.test.status), 0);
	add(f, "runs", NULL, (double)seen);
	add(f, "passed", NULL, (double)passed);
	add(f, "failed", NULL, (double)failed);
	add(f, "skipped", NULL, (double)notrun);
	add(f, "flakyRuns", NULL, (double)flaky);
	add(f, "flips", NULL, (double)flips);
	add(f, "flakyRate", NULL, round4((double)unstable / (double)seen));
	add(f, "failureRate", NULL, passed + failed == 0 ? 0 :
	    round4((double)failed / (double)(passed + failed)));
	if (streak > 0) {
		add(f, "failingSince", run_name(&h->runs[since]), 0);
		add(f, "failingSinceRun", NULL, (double)since + 1);
		if (h->runs[since].commit != NULL)
			add(f, "failingSinceCommit", h->runs[since].commit, 0);
		add(f, "failingRuns", NULL, (double)streak);
	}
	marks[h->n] = '\0';
	add(f, "statuses", marks, 0);
	if (nd > 0) {
		add(f, "medianDuration", NULL, round4(tally_median(durs, nd)));
		add(f, "p95Duration", NULL, round4(tally_percentile(durs, nd,
		    95)));
	}
	if (f->bad) {
		free(lab);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	}
	tally_record_init(&r, TALLY_REC_HISTORY);
	r.labels = lab;
	r.nlabels = nl;
	r.u.fields.items = f->v;
	r.u.fields.nitems = f->n;
	rc = tally_sink_record(out, &r, err);
	free(lab);
	return rc;
}

static int
one_run(const struct hrun *r, size_t i, struct flist *f,
    struct tally_sink *out, struct tally_error *err)
{
	struct tally_record rec;
	size_t ran = r->tests - r->notrun;

	f->n = 0;
	add(f, "run", NULL, (double)i + 1);
	add(f, "path", r->name, 0);
	if (r->run_id != NULL)
		add(f, "runId", r->run_id, 0);
	if (r->time != NULL)
		add(f, "time", r->time, 0);
	if (r->commit != NULL)
		add(f, "commit", r->commit, 0);
	if (r->branch != NULL)
		add(f, "branch", r->branch, 0);
	if (r->url != NULL)
		add(f, "runUrl", r->url, 0);
	add(f, "tests", NULL, (double)r->tests);
	add(f, "passed", NULL, (double)r->passed);
	add(f, "failed", NULL, (double)r->failed);
	add(f, "skipped", NULL, (double)r->notrun);
	add(f, "flaky", NULL, (double)r->flaky);
	add(f, "passRate", NULL, ran == 0 ? 100 :
	    round(10000.0 * (double)r->passed / (double)ran) / 100);
	add(f, "duration", NULL, round(r->duration * 1000) / 1000);
	if (i > 0)
		add(f, "newFailures", NULL, (double)r->newfail);
	if (f->bad)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	tally_record_init(&rec, TALLY_REC_RUN);
	rec.u.fields.items = f->v;
	rec.u.fields.nitems = f->n;
	return tally_sink_record(out, &rec, err);
}

/* The run being marked, when it is among the runs, is no history. */
static void
drop_skipped(struct tally_history *h)
{
	size_t i, k = 0;

	for (i = 0; i < h->n; i++) {
		struct hrun *r = &h->runs[i];

		if (h->skip != NULL && r->run_id != NULL &&
		    strcmp(r->run_id, h->skip) == 0) {
			tally_merge_free(r->m);
			free(r->name);
			free(r->time);
			free(r->run_id);
			free(r->commit);
			free(r->branch);
			free(r->url);
			continue;
		}
		h->runs[k++] = *r;
	}
	h->n = k;
}

static int
is_test(const struct hrun *r)
{
	return r->cur != NULL && r->cur->type == TALLY_REC_TEST;
}

int
tally_history_write(struct tally_history *h, struct tally_sink *out,
    struct tally_error *err)
{
	const struct tally_record **at = NULL, *min;
	double *durs = NULL;
	char *marks = NULL;
	struct flist f;
	size_t i;
	int rc = TALLY_OK;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < h->n && rc == TALLY_OK; i++)
		rc = start(&h->runs[i], err);
	if (rc != TALLY_OK)
		return rc;
	drop_skipped(h);
	order(h);
	if ((at = calloc(h->n + 1, sizeof(*at))) == NULL ||
	    (durs = calloc(h->n + 1, sizeof(*durs))) == NULL ||
	    (marks = calloc(h->n + 1, 1)) == NULL)
		rc = tally_error_set(err, TALLY_ENOMEM, 0, 0, "out of memory");
	while (rc == TALLY_OK) {
		min = NULL;
		for (i = 0; i < h->n; i++)
			if (is_test(&h->runs[i]) && (min == NULL ||
			    tally_merge_test_cmp(h->runs[i].cur, min) < 0))
				min = h->runs[i].cur;
		if (min == NULL)
			break;
		for (i = 0; i < h->n; i++)
			at[i] = is_test(&h->runs[i]) && (h->runs[i].cur == min ||
			    tally_merge_test_cmp(h->runs[i].cur, min) == 0) ?
			    h->runs[i].cur : NULL;
		rc = one_test(h, at, durs, marks, &f, out, err);
		for (i = 0; i < h->n && rc == TALLY_OK; i++)
			if (at[i] != NULL)
				rc = advance(&h->runs[i], err);
	}
	for (i = 0; i < h->n && rc == TALLY_OK; i++)
		rc = one_run(&h->runs[i], i, &f, out, err);
	if (rc == TALLY_OK)
		rc = tally_sink_end(out, err);
	free(f.v);
	free(at);
	free(durs);
	free(marks);
	return rc;
}
