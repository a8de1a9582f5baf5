/*
 * lib/read/read_jest.c: jest --json (AggregatedResult), and the internal
 * TestResult shape some tools save (testResults[].testResults[] with
 * testFilePath).  One test file's entry, testResults[i], is the unit
 * held in memory: jest writes a file's name after its assertions.
 *
 * A test file that failed with no failing assertion (a compile error
 * or a throw at load time: no assertions at all; a failing beforeAll or
 * afterAll: its assertions passed) has a failure message or a
 * testExecError; it becomes one failed "test" named "(test suite) FILE"
 * with rawStatus "suite-failed", classname and filePath the test file,
 * so the loss is never silent.  numTotalTests, numFailedTests (plus
 * numRuntimeErrorTestSuites, as those records count) and numPendingTests
 * plus numTodoTests are the declared counts (lib/read/declared.c).
 */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

static const char *const paths[] = {
	"testResults[*]", "startTime", "success", "numTotalTests",
	"numFailedTests", "numRuntimeErrorTestSuites", "numPendingTests",
	"numTodoTests", NULL
};

enum { P_FILES, P_START, P_SUCCESS, P_TOTAL, P_FAILED, P_RUNTIME,
	P_PENDING, P_TODO };

struct jest {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_src	*src;
	long			 line;	/* where the value read starts */
	struct tally_jtmp	 t;
	struct tally_jtmp	 meta;
	struct tally_declared	 d;
	double			 num[P_TODO + 1];	/* -1: not given */
};

/* The words jest uses that differ from CTRF's keep their own word. */
static enum tally_status
status_of(const char *word, const char **raw)
{
	enum tally_status st = tally_status_from_word(word);

	*raw = word != NULL && strcmp(word, tally_status_name(st)) != 0 ?
	    word : NULL;
	return st;
}

/* A failure text up to its stack trace, without trailing blanks. */
static const char *
headline(struct tally_jtmp *t, const char *s)
{
	const char *e;
	char *h;

	if (s == NULL)
		return NULL;
	while (*s == '\n')
		s++;
	if (*s == '\0')
		return NULL;
	if ((e = strstr(s, "\n    at ")) == NULL)
		e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == ' '))
		e--;
	if ((h = strndup(s, (size_t)(e - s))) == NULL)
		t->oom = 1;
	return tally_jtmp_own(t, h);
}

static int
emit(struct jest *j, struct tally_record *rec, struct tally_error *err)
{
	rec->u.test.suite = j->t.suite;
	rec->u.test.nsuite = j->t.nsuite;
	rec->u.test.attempts = j->t.att;
	rec->u.test.nattempts = j->t.natt;
	rec->u.test.properties = j->t.kv;	/* tally.badDuration */
	rec->u.test.nproperties = j->t.nkv;
	return tally_jtmp_send(&j->t, j->sink, rec, err);
}

static int
assertion(struct jest *j, const cJSON *a, const char *file,
    struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *r = &rec.u.test;
	const cJSON *c, *fails = tally_json_get(a, "failureMessages");
	struct tally_attempt *at;
	double v;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = j->source;
	for (c = cJSON_IsArray(tally_json_get(a, "ancestorTitles")) ?
	    tally_json_get(a, "ancestorTitles")->child : NULL; c; c = c->next)
		if (cJSON_IsString(c))
			tally_jtmp_suite(&j->t, c->valuestring);
	r->name = tally_json_str(a, "title");
	if (r->name == NULL)
		r->name = tally_json_str(a, "fullName");
	r->status = status_of(tally_json_str(a, "status"), &r->raw_status);
	if (tally_json_num(a, "duration", &r->duration) == 0)
		r->duration = tally_jduration(j->src, j->line, &j->t,
		    r->duration, 1);
	r->file_path = file;
	if (cJSON_IsArray(fails) && fails->child != NULL) {
		r->message = headline(&j->t, tally_jtmp_text(&j->t,
		    fails->child));
		r->trace = tally_jtmp_join(&j->t, fails, "\n\n");
	}
	if (tally_json_num(tally_json_get(a, "location"), "line", &v) == 0 &&
	    v > 0 && v < 1e9)
		r->line = (long)v;
	/* jest.retryTimes(): invocations counts every run. */
	if (tally_json_num(a, "invocations", &v) == 0 && v > 1 && v < 1e9)
		r->retries = (long)v - 1;
	c = tally_json_get(a, "retryReasons");
	for (c = cJSON_IsArray(c) ? c->child : NULL; c; c = c->next)
		if ((at = tally_jtmp_attempt(&j->t)) != NULL) {
			at->status = TALLY_FAILED;
			at->message = headline(&j->t, tally_jtmp_text(&j->t, c));
		}
	if ((long)j->t.natt > r->retries)
		r->retries = (long)j->t.natt;
	r->flaky = r->retries > 0 && r->status == TALLY_PASSED;
	tally_declared_saw(&j->d, r->status, 1);
	return emit(j, &rec, err);
}

/* A test file without assertions that failed to run. */
static int
suite_failed(struct jest *j, const cJSON *e, const char *file,
    struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *r = &rec.u.test;
	const char *msg = tally_json_nstr(e, "failureMessage");
	const cJSON *x = tally_json_get(e, "testExecError");
	char *name;

	if (msg == NULL)
		msg = tally_json_nstr(e, "message");
	if (msg == NULL && cJSON_IsString(x))
		msg = x->valuestring;
	if (msg == NULL)
		msg = tally_json_nstr(x, "stack");
	if (msg == NULL && x == NULL)
		return TALLY_OK;
	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = j->source;
	if (asprintf(&name, "(test suite) %s", file ? file : "") < 0)
		j->t.oom = 1;
	else
		r->name = tally_jtmp_own(&j->t, name);
	r->classname = file;
	r->file_path = file;
	r->status = TALLY_FAILED;
	r->raw_status = "suite-failed";
	r->message = tally_json_nstr(x, "message");
	if (r->message == NULL && cJSON_IsString(x))
		r->message = headline(&j->t, x->valuestring);
	if (r->message == NULL)
		r->message = headline(&j->t, msg);
	r->trace = msg;
	tally_declared_saw(&j->d, TALLY_FAILED, 0);
	return emit(j, &rec, err);
}

static int
on_file(struct jest *j, const cJSON *e, struct tally_error *err)
{
	const cJSON *list, *a;
	const char *file, *st;
	int rc, n = 0, nfailed = 0;

	file = tally_json_nstr(e, "name");
	if (file == NULL)
		file = tally_json_nstr(e, "testFilePath");
	list = tally_json_get(e, "assertionResults");
	if (list == NULL)
		list = tally_json_get(e, "testResults");
	for (a = cJSON_IsArray(list) ? list->child : NULL; a; a = a->next) {
		if (!cJSON_IsObject(a))
			continue;
		if ((rc = assertion(j, a, file, err)) != TALLY_OK)
			return rc;
		n++;
		st = tally_json_str(a, "status");
		nfailed += st != NULL && strcmp(st, "failed") == 0;
	}
	st = tally_json_str(e, "status");
	if ((n == 0 && st == NULL) ||
	    (nfailed == 0 && st != NULL && strcmp(st, "failed") == 0))
		return suite_failed(j, e, file, err);
	return TALLY_OK;
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct jest *j = arg;

	j->line = v->line;
	if (v->which == P_FILES)
		return cJSON_IsObject(v->json) ? on_file(j, v->json, err) :
		    TALLY_OK;
	if (v->which >= P_TOTAL) {
		if (cJSON_IsNumber(v->json) &&
		    ((const cJSON *)v->json)->valuedouble >= 0 &&
		    ((const cJSON *)v->json)->valuedouble < 1e15)
			j->num[v->which] = ((const cJSON *)v->json)->valuedouble;
		if (j->d.line == 0)
			j->d.line = v->line;
		if (v->which != P_TOTAL)
			return TALLY_OK;
	}
	tally_jtmp_keep_map(&j->meta, &j->t, v->key, v->json);
	return TALLY_OK;
}

/* The counts jest declares, as the records count them. */
static void
declared(struct jest *j)
{
	if (j->num[P_TOTAL] >= 0)
		j->d.tests = (long)j->num[P_TOTAL];
	if (j->num[P_FAILED] >= 0)
		j->d.failed = (long)j->num[P_FAILED] +
		    (j->num[P_RUNTIME] > 0 ? (long)j->num[P_RUNTIME] : 0);
	if (j->num[P_PENDING] >= 0)
		j->d.skipped = (long)j->num[P_PENDING] +
		    (j->num[P_TODO] > 0 ? (long)j->num[P_TODO] : 0);
}

int
tally_read_jest(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct jest j;
	size_t i;
	int rc;

	memset(&j, 0, sizeof(j));
	j.sink = sink;
	j.source = src->name;
	j.src = src;
	tally_declared_init(&j.d);
	for (i = 0; i < sizeof(j.num) / sizeof(j.num[0]); i++)
		j.num[i] = -1;
	rc = tally_jscan_read(src, paths, on_value, &j, 1u,
	    "not a jest report: no testResults array",
	    &j.t, &j.meta, sink, err);
	declared(&j);
	if (rc == TALLY_OK)
		rc = tally_declared_check(&j.d, src, NULL, NULL, 0, sink, err);
	return rc;
}
