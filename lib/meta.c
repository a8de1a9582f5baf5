/*
 * lib/meta.c: a run's metadata from CI variables, --meta and the clock,
 * and the sink that stamps it into a stream.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tally/meta.h>

#include "internal.h"

/*
 * CI variables and the key each fills, looked at in this order; a later
 * variable for the same key wins, so a pull request's GITHUB_HEAD_REF
 * names the branch rather than GITHUB_REF_NAME's "123/merge".  Empty
 * values are ignored.
 */
static const struct {
	const char	*var;
	const char	*key;
} civars[] = {
	/* GitHub Actions */
	{ "GITHUB_SHA",			"commit" },
	{ "GITHUB_REF_NAME",		"branch" },
	{ "GITHUB_HEAD_REF",		"branch" },
	{ "GITHUB_RUN_ID",		"run_id" },
	{ "GITHUB_RUN_ATTEMPT",		"run_attempt" },
	{ "GITHUB_REPOSITORY",		"repository" },
	/* GitLab CI */
	{ "CI_COMMIT_SHA",		"commit" },
	{ "CI_COMMIT_REF_NAME",		"branch" },
	{ "CI_PIPELINE_ID",		"run_id" },
	{ "CI_PIPELINE_URL",		"run_url" },
	{ "CI_JOB_URL",			"job_url" },
	/* Jenkins */
	{ "GIT_COMMIT",			"commit" },
	{ "BRANCH_NAME",		"branch" },
	{ "BUILD_NUMBER",		"run_id" },
	{ "BUILD_URL",			"run_url" },
};

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

void
tally_meta_items_free(struct tally_kv *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)items[i].key);
		free((char *)items[i].value);
	}
	free(items);
}

/* Set key to a copy of value in v[0..*n) (room for one more). */
static int
put(struct tally_kv *v, size_t *n, const char *key, const char *value)
{
	char *s;
	size_t i;

	if ((s = strdup(value)) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < *n; i++)
		if (strcmp(v[i].key, key) == 0) {
			free((char *)v[i].value);
			v[i].value = s;
			return TALLY_OK;
		}
	if ((v[*n].key = strdup(key)) == NULL) {
		free(s);
		return TALLY_ENOMEM;
	}
	v[(*n)++].value = s;
	return TALLY_OK;
}

/* SOURCE_DATE_EPOCH when it is a number of seconds, else now. */
static time_t
clock_now(time_t now)
{
	const char *s = env("SOURCE_DATE_EPOCH");
	char *end;
	long long t;

	if (s == NULL)
		return now;
	errno = 0;
	t = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || t < 0)
		return now;
	return (time_t)t;
}

int
tally_meta_ci(struct tally_kv **out, size_t *n,
    const struct tally_kv *extra, size_t nextra, time_t now)
{
	const size_t nci = sizeof(civars) / sizeof(civars[0]);
	struct tally_kv *v;
	const char *srv, *repo, *run;
	char stamp[32];
	struct tm tm;
	size_t i, k = 0, any = 0;
	time_t t;
	int rc = TALLY_OK;

	*out = NULL;
	*n = 0;
	for (i = 0; i < nci; i++)
		any += env(civars[i].var) != NULL;
	if (any == 0 && nextra == 0)
		return TALLY_OK;
	/* Every CI key, the GitHub run URL, every extra item, the time. */
	if ((v = calloc(nci + nextra + 2, sizeof(*v))) == NULL)
		return TALLY_ENOMEM;
	for (i = 0; i < nci && rc == TALLY_OK; i++)
		if (env(civars[i].var) != NULL)
			rc = put(v, &k, civars[i].key, env(civars[i].var));
	srv = env("GITHUB_SERVER_URL");
	repo = env("GITHUB_REPOSITORY");
	run = env("GITHUB_RUN_ID");
	if (rc == TALLY_OK && srv != NULL && repo != NULL && run != NULL) {
		struct tally_buf b;

		tally_buf_init(&b);
		rc = tally_buf_printf(&b, "%s/%s/actions/runs/%s", srv, repo,
		    run);
		if (rc == TALLY_OK)
			rc = put(v, &k, "run_url", b.data);
		tally_buf_free(&b);
	}
	for (i = 0; i < nextra && rc == TALLY_OK; i++)
		if (extra[i].key != NULL && extra[i].value != NULL)
			rc = put(v, &k, extra[i].key, extra[i].value);
	if (rc == TALLY_OK && tally_kv_get(v, k, "time") == NULL) {
		t = clock_now(now);
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ",
		    &tm) == 0)
			rc = TALLY_EINVAL;
		else
			rc = put(v, &k, "time", stamp);
	}
	if (rc != TALLY_OK) {
		tally_meta_items_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	return TALLY_OK;
}

struct meta_sink {
	struct tally_sink	 sink;
	struct tally_sink	*next;
	struct tally_kv		*items;
	size_t			 n;
	struct tally_kv		*scratch;
	size_t			 nscratch;
	int			 done;
};

static int
stamp(struct meta_sink *ms, struct tally_error *err)
{
	struct tally_record r;

	ms->done = 1;
	if (ms->n == 0)
		return TALLY_OK;
	tally_record_init(&r, TALLY_REC_META);
	r.u.meta.items = ms->items;
	r.u.meta.nitems = ms->n;
	return tally_sink_record(ms->next, &r, err);
}

static int
meta_record(struct tally_sink *s, const struct tally_record *rec,
    struct tally_error *err)
{
	struct meta_sink *ms = (struct meta_sink *)s;
	const struct tally_meta *mt = &rec->u.meta;
	struct tally_record r;
	size_t i, k = 0;
	int rc;

	if (!ms->done && (rc = stamp(ms, err)) != TALLY_OK)
		return rc;
	if (rec->type != TALLY_REC_META || ms->n == 0)
		return tally_sink_record(ms->next, rec, err);
	if (mt->nitems > ms->nscratch) {
		struct tally_kv *p = realloc(ms->scratch,
		    mt->nitems * sizeof(*p));

		if (p == NULL)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		ms->scratch = p;
		ms->nscratch = mt->nitems;
	}
	for (i = 0; i < mt->nitems; i++)
		if (mt->items[i].key == NULL || tally_kv_get(ms->items, ms->n,
		    mt->items[i].key) == NULL)
			ms->scratch[k++] = mt->items[i];
	if (k == 0)
		return TALLY_OK;
	r = *rec;
	r.u.meta.items = ms->scratch;
	r.u.meta.nitems = k;
	return tally_sink_record(ms->next, &r, err);
}

static int
meta_end(struct tally_sink *s, struct tally_error *err)
{
	struct meta_sink *ms = (struct meta_sink *)s;
	int rc;

	if (!ms->done && (rc = stamp(ms, err)) != TALLY_OK)
		return rc;
	return tally_sink_end(ms->next, err);
}

int
tally_meta_sink_stamp(struct tally_sink *s, struct tally_error *err)
{
	struct meta_sink *ms = (struct meta_sink *)s;

	return ms->done ? TALLY_OK : stamp(ms, err);
}

void
tally_meta_sink_stamped(struct tally_sink *s)
{
	((struct meta_sink *)s)->done = 1;
}

static void
meta_free(struct tally_sink *s)
{
	struct meta_sink *ms = (struct meta_sink *)s;

	tally_meta_items_free(ms->items, ms->n);
	free(ms->scratch);
	free(ms);
}

int
tally_meta_sink_new(struct tally_sink **out, struct tally_sink *next,
    const struct tally_kv *items, size_t n)
{
	struct meta_sink *ms;
	size_t i;

	*out = NULL;
	if ((ms = calloc(1, sizeof(*ms))) == NULL)
		return TALLY_ENOMEM;
	ms->sink.record = meta_record;
	ms->sink.end = meta_end;
	ms->sink.free = meta_free;
	ms->next = next;
	if (n > 0 && (ms->items = calloc(n, sizeof(*ms->items))) == NULL) {
		free(ms);
		return TALLY_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		ms->items[i].key = strdup(items[i].key);
		ms->items[i].value = strdup(items[i].value);
		ms->n++;
		if (ms->items[i].key == NULL || ms->items[i].value == NULL) {
			meta_free(&ms->sink);
			return TALLY_ENOMEM;
		}
	}
	*out = &ms->sink;
	return TALLY_OK;
}
