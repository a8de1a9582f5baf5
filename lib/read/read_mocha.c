/*
 * lib/read/read_mocha.c: mocha --reporter json and mochawesome JSON.
 *
 * mocha json: tests[] holds every test that ended, then pending[],
 * failures[] and passes[] repeat them by outcome.  mocha writes no state:
 * a non-empty err means failed, no duration means pending (it.skip,
 * never run); a test with a duration and no err passed, unless pending[]
 * lists it (this.skip() at run time).  failures[] also holds what no
 * test owns: a failing hook ('"before all" hook for "x"') becomes a
 * failed test named "(before all hook) TITLE", rawStatus "hook".  The
 * suite is fullTitle without the title.
 *
 * Status therefore comes from every array, and tests[] comes first.  A
 * test whose outcome tests[] settles (err, no duration, a state) goes
 * out at once; one that looks passed waits, as a small entry (file,
 * fullTitle, title, duration, retries), for pending[] or passes[] to
 * settle it from their own copy; whatever none of them claims goes out
 * as passed at the end, as a file with tests[] only says.  The entries
 * (one per test, never its error texts) are the memory this costs.  An
 * entry in the outcome arrays that tests[] did not list goes out too;
 * one listed in two arrays (a test that failed after it passed) once,
 * under the first.  stats (tests, failures, pending) are the declared
 * counts (lib/read/declared.c), hooks counting as failures as mocha counts
 * them.
 *
 * mochawesome: results[] holds one tree of suites per spec file; one
 * results[i] is held in memory at a time and walked for its tests, the
 * suite path being the titles of the suites around each test.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

static const char *const paths[] = {
	"tests[*]", "results[*]", "stats", "pending[*]", "failures[*]",
	"passes[*]", NULL
};

enum { P_TESTS, P_RESULTS, P_STATS, P_PENDING, P_FAILURES, P_PASSES };

/* A test tests[] listed, by file and fullTitle. */
struct seen {
	char		*key;		/* file "\n" fullTitle */
	char		*title;		/* NULL once sent */
	double		 duration;
	double		 retry;
	long		 line;		/* where tests[] has it */
	int		 timed;		/* duration given */
	uint32_t	 hash;
	int		 claimed;	/* an outcome array named it */
	int		 sent;
	struct seen	*hnext;		/* same bucket */
	struct seen	*next;		/* tests[] order */
};

struct mocha {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_src	*src;
	long			 line;	/* where the value read starts */
	struct tally_jtmp	 t;
	struct tally_jtmp	 meta;
	const char		*suite[TALLY_MAX_DEPTH];	/* mochawesome */
	size_t			 nsuite;
	struct seen		**hash;
	size_t			 nbuckets, nseen;
	struct seen		*first, *last;
	struct tally_declared	 d;
	int			 awesome;
};

/* '"before all" hook for "x"' -> "before all", else NULL. */
static char *
hook_kind(const char *title)
{
	const char *e;

	if (title == NULL || title[0] != '"' ||
	    (e = strstr(title + 1, "\" hook")) == NULL)
		return NULL;
	return strndup(title + 1, (size_t)(e - title - 1));
}

/* One test; force is a status an outcome array settled, or -1. */
static int
test(struct mocha *m, const cJSON *j, const char *file, int force,
    struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *r = &rec.u.test;
	const cJSON *e = tally_json_get(j, "err");
	const char *full, *state;
	char *hook, *name;
	size_t i, n, k;
	int has_err;
	double v;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = m->source;
	r->name = tally_json_str(j, "title");
	full = tally_json_str(j, "fullTitle");
	for (i = 0; i < m->nsuite; i++)
		tally_jtmp_suite(&m->t, m->suite[i]);
	if (m->nsuite == 0 && full != NULL && r->name != NULL &&
	    (n = strlen(full)) > (k = strlen(r->name)) + 1 &&
	    strcmp(full + n - k, r->name) == 0 && full[n - k - 1] == ' ')
		tally_jtmp_suite(&m->t, tally_jtmp_own(&m->t,
		    strndup(full, n - k - 1)));
	if (r->name == NULL)
		r->name = full;
	r->file_path = tally_json_nstr(j, "file");
	if (r->file_path == NULL)
		r->file_path = file;
	if (tally_json_num(j, "duration", &r->duration) == 0)
		r->duration = tally_jduration(m->src, m->line, &m->t,
		    r->duration, 1);
	r->message = tally_json_nstr(e, "message");
	r->trace = tally_json_nstr(e, "stack");
	r->type = tally_json_nstr(e, "name");
	if (tally_json_num(j, "currentRetry", &v) == 0 && v > 0 && v < 1e9)
		r->retries = (long)v;
	has_err = cJSON_IsObject(e) && e->child != NULL;
	state = tally_json_nstr(j, "state");
	if (state != NULL) {
		r->status = tally_status_from_word(state);
		if (strcmp(state, tally_status_name(r->status)) != 0)
			r->raw_status = state;
	} else if (has_err)
		r->status = TALLY_FAILED;
	else if (tally_json_get(j, "duration") == NULL)
		r->status = TALLY_PENDING;
	else
		r->status = TALLY_PASSED;
	if (state == NULL && tally_json_bool(j, "pending") == 1)
		r->status = TALLY_PENDING;
	if (state == NULL && tally_json_bool(j, "skipped") == 1)
		r->status = TALLY_SKIPPED;
	if (force >= 0 && state == NULL)
		r->status = (enum tally_status)force;
	if (force == TALLY_FAILED && (hook = hook_kind(r->name)) != NULL) {
		if (asprintf(&name, "(%s hook) %s", hook, r->name) < 0)
			m->t.oom = 1;
		else
			r->name = tally_jtmp_own(&m->t, name);
		free(hook);
		r->raw_status = "hook";
	}
	if (r->status == TALLY_PASSED && r->retries > 0)
		r->flaky = 1;
	r->suite = m->t.suite;
	r->nsuite = m->t.nsuite;
	r->properties = m->t.kv;	/* tally.badDuration */
	r->nproperties = m->t.nkv;
	tally_declared_saw(&m->d, r->status, r->raw_status == NULL ||
	    strcmp(r->raw_status, "hook") != 0);
	return tally_jtmp_send(&m->t, m->sink, &rec, err);
}

static uint32_t
hash_of(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static char *
key_of(const cJSON *j, const char *file)
{
	const char *full = tally_json_str(j, "fullTitle");
	char *k;

	if (file == NULL)
		file = tally_json_str(j, "file");
	if (asprintf(&k, "%s\n%s", file ? file : "", full ? full : "") < 0)
		return NULL;
	return k;
}

static int
remember(struct mocha *m, char *key, struct seen **out)
{
	struct seen *e, **nh;
	size_t i, n;

	if (m->nseen >= m->nbuckets) {
		n = m->nbuckets ? m->nbuckets * 2 : 256;
		if ((nh = calloc(n, sizeof(*nh))) == NULL)
			return TALLY_ENOMEM;
		for (i = 0; i < m->nbuckets; i++)
			while ((e = m->hash[i]) != NULL) {
				m->hash[i] = e->hnext;
				e->hnext = nh[e->hash % n];
				nh[e->hash % n] = e;
			}
		free(m->hash);
		m->hash = nh;
		m->nbuckets = n;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return TALLY_ENOMEM;
	e->key = key;
	e->hash = hash_of(key);
	e->hnext = m->hash[e->hash % m->nbuckets];
	m->hash[e->hash % m->nbuckets] = e;
	if (m->last != NULL)
		m->last->next = e;
	else
		m->first = e;
	m->last = e;
	m->nseen++;
	*out = e;
	return TALLY_OK;
}

/*
 * The first entry for key no outcome array claimed yet; else *any tells
 * whether key was seen at all.
 */
static struct seen *
lookup(struct mocha *m, const char *key, int *any)
{
	struct seen *e, *found = NULL;
	uint32_t h = hash_of(key);

	*any = 0;
	if (m->nbuckets == 0)
		return NULL;
	/* Buckets hold the newest first: the oldest unclaimed one wins. */
	for (e = m->hash[h % m->nbuckets]; e != NULL; e = e->hnext)
		if (e->hash == h && strcmp(e->key, key) == 0) {
			*any = 1;
			if (!e->claimed)
				found = e;
		}
	return found;
}

/* tests[]: send what it settles, keep the rest for the outcome arrays. */
static int
listed(struct mocha *m, const cJSON *j, struct tally_error *err)
{
	const cJSON *e = tally_json_get(j, "err");
	struct seen *s;
	char *key;
	int rc;

	if ((key = key_of(j, NULL)) == NULL ||
	    (rc = remember(m, key, &s)) != TALLY_OK) {
		free(key);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	}
	if (tally_json_str(j, "state") != NULL ||
	    (cJSON_IsObject(e) && e->child != NULL) ||
	    tally_json_get(j, "duration") == NULL ||
	    tally_json_bool(j, "pending") == 1 ||
	    tally_json_bool(j, "skipped") == 1) {
		s->sent = 1;
		return test(m, j, NULL, -1, err);
	}
	if ((s->title = strdup(tally_json_str(j, "title") ?
	    tally_json_str(j, "title") : "")) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	s->line = m->line;
	s->timed = tally_json_num(j, "duration", &s->duration) == 0;
	tally_json_num(j, "currentRetry", &s->retry);
	return TALLY_OK;
}

/* pending[], failures[], passes[]: the outcome of a test. */
static int
outcome(struct mocha *m, const cJSON *j, enum tally_status st,
    struct tally_error *err)
{
	struct seen *s;
	char *key;
	int any;

	if ((key = key_of(j, NULL)) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	s = lookup(m, key, &any);
	if (s != NULL || any)
		free(key);
	else if (remember(m, key, &s) != TALLY_OK) {
		free(key);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	}
	/* Listed in an earlier outcome array too: said already. */
	if (s == NULL)
		return TALLY_OK;
	s->claimed = 1;
	if (s->sent)
		return TALLY_OK;
	s->sent = 1;
	free(s->title);
	s->title = NULL;
	return test(m, j, NULL, (int)st, err);
}

/* What tests[] listed and no outcome array settled: passed. */
static int
unclaimed(struct mocha *m, struct tally_error *err)
{
	struct seen *s;
	cJSON *j;
	char *nl;
	int rc = TALLY_OK;

	for (s = m->first; s != NULL && rc == TALLY_OK; s = s->next) {
		if (s->sent)
			continue;
		nl = strchr(s->key, '\n');
		*nl = '\0';
		if ((j = cJSON_CreateObject()) == NULL ||
		    cJSON_AddStringToObject(j, "title", s->title) == NULL ||
		    cJSON_AddStringToObject(j, "fullTitle", nl + 1) == NULL ||
		    (nl != s->key && cJSON_AddStringToObject(j, "file",
		    s->key) == NULL) ||
		    (s->timed && cJSON_AddNumberToObject(j,
		    "duration", s->duration) == NULL) ||
		    cJSON_AddNumberToObject(j, "currentRetry", s->retry) ==
		    NULL)
			rc = tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		else {
			m->line = s->line;
			rc = test(m, j, NULL, TALLY_PASSED, err);
		}
		*nl = '\n';
		cJSON_Delete(j);
	}
	return rc;
}

static void
forget(struct mocha *m)
{
	struct seen *s, *n;

	for (s = m->first; s != NULL; s = n) {
		n = s->next;
		free(s->key);
		free(s->title);
		free(s);
	}
	free(m->hash);
}

/* A mochawesome suite: its tests, then its child suites. */
static int
walk(struct mocha *m, const cJSON *s, const char *file,
    struct tally_error *err)
{
	const cJSON *c, *list;
	const char *title = tally_json_nstr(s, "title");
	int rc = TALLY_OK;

	if (tally_json_nstr(s, "file") != NULL)
		file = tally_json_nstr(s, "file");
	if (title != NULL && m->nsuite < TALLY_MAX_DEPTH)
		m->suite[m->nsuite++] = title;
	list = tally_json_get(s, "tests");
	for (c = cJSON_IsArray(list) ? list->child : NULL; c && !rc;
	    c = c->next)
		if (cJSON_IsObject(c))
			rc = test(m, c, file, -1, err);
	list = tally_json_get(s, "suites");
	for (c = cJSON_IsArray(list) ? list->child : NULL; c && !rc;
	    c = c->next)
		rc = walk(m, c, file, err);
	if (title != NULL && m->nsuite > 0)
		m->nsuite--;
	return rc;
}

/* stats: the counts mocha declares (hook failures among failures). */
static void
declared(struct mocha *m, const struct tally_jvalue *v)
{
	static const char *const keys[] = { "tests", "failures", "pending" };
	long *dst[3];
	double n;
	size_t i;

	dst[0] = &m->d.tests;
	dst[1] = &m->d.failed;
	dst[2] = &m->d.skipped;
	m->d.line = v->line;
	for (i = 0; i < 3; i++)
		if (tally_json_num(v->json, keys[i], &n) == 0 && n >= 0 &&
		    n < 1e15)
			*dst[i] = (long)n;
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct mocha *m = arg;

	m->line = v->line;
	if (!cJSON_IsObject(v->json))
		return TALLY_OK;
	switch (v->which) {
	case P_TESTS:
		return listed(m, v->json, err);
	case P_RESULTS:
		m->awesome = 1;
		m->nsuite = 0;
		return walk(m, v->json, NULL, err);
	case P_PENDING:
		return outcome(m, v->json, TALLY_PENDING, err);
	case P_FAILURES:
		return outcome(m, v->json, TALLY_FAILED, err);
	case P_PASSES:
		return outcome(m, v->json, TALLY_PASSED, err);
	default:
		declared(m, v);
		tally_jtmp_keep_map(&m->meta, &m->t, "stats", v->json);
		return TALLY_OK;
	}
}

int
tally_read_mocha(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct mocha m;
	struct tally_error e2;
	int rc, rc2;

	memset(&m, 0, sizeof(m));
	m.sink = sink;
	m.source = src->name;
	m.src = src;
	tally_declared_init(&m.d);
	rc = tally_jscan_read(src, paths, on_value, &m, 3u,
	    "not a mocha report: no tests or results array",
	    &m.t, &m.meta, sink, err);
	/* After a fault in the input, what tests[] listed still counts. */
	if (rc == TALLY_OK)
		rc = unclaimed(&m, err);
	else if (rc == TALLY_EPARSE || rc == TALLY_ELIMIT || rc == TALLY_EIO) {
		tally_error_init(&e2, src->name);
		if ((rc2 = unclaimed(&m, &e2)) != TALLY_OK) {
			*err = e2;
			rc = rc2;
		}
	}
	tally_jtmp_free(&m.t);
	if (rc == TALLY_OK && !m.awesome)
		rc = tally_declared_check(&m.d, src, NULL, NULL, 0, sink, err);
	forget(&m);
	return rc;
}
