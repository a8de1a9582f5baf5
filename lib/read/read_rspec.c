/*
 * lib/read/read_rspec.c: `rspec --format json`.
 *
 * One example of examples[] is held at a time.  Its name is description,
 * its suite full_description without the description; file_path and
 * line_number give its place, exception its class, message and
 * backtrace.  Statuses: passed, failed, and pending, which RSpec gives to
 * `pending` examples and to skipped ones (skip, xit) alike, with
 * pending_message as the message.
 *
 * Errors outside examples (a spec file that does not load, a failing
 * before(:suite) hook) are never lost: each messages[] entry that says
 * "An error occurred ..." becomes a failed test "(outside examples)
 * FILE" (or the hook's words) with rawStatus "error outside examples"
 * and the text as message; if summary's errors_outside_of_examples_count
 * counts more than those, one more failed "(outside examples)" record
 * says how many.  summary and summary_line go into the meta record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

static const char *const paths[] = {
	"messages[*]", "examples[*]", "summary", "summary_line", NULL
};

#define RS_OUTSIDE	"(outside examples)"
#define RS_RAW		"error outside examples"

struct rspec {
	struct tally_sink	*sink;
	const char		*source;
	struct tally_src	*src;
	long			 line;
	struct tally_jtmp	 t;
	struct tally_jtmp	 meta;
	long			 outside;	/* records sent for messages */
	long			 declared;	/* summary's count, -1 if none */
};

static int
example(struct rspec *r, const cJSON *j, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *x = &rec.u.test;
	const cJSON *e = tally_json_get(j, "exception");
	const char *full, *status;
	size_t n, k;
	double v;

	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = r->source;
	x->name = tally_json_nstr(j, "description");
	full = tally_json_nstr(j, "full_description");
	if (full != NULL && x->name != NULL &&
	    (n = strlen(full)) > (k = strlen(x->name)) + 1 &&
	    strcmp(full + n - k, x->name) == 0 && full[n - k - 1] == ' ')
		tally_jtmp_suite(&r->t, tally_jtmp_own(&r->t,
		    strndup(full, n - k - 1)));
	if (x->name == NULL)
		x->name = full != NULL ? full : tally_json_nstr(j, "id");
	x->file_path = tally_json_nstr(j, "file_path");
	if (tally_json_num(j, "line_number", &v) == 0 && v > 0 && v < 1e8)
		x->line = (long)v;
	if (tally_json_num(j, "run_time", &v) == 0)
		x->duration = tally_jduration(r->src, r->line, &r->t, v, 1000);
	status = tally_json_nstr(j, "status");
	x->status = status != NULL ? tally_status_from_word(status) :
	    TALLY_OTHER;
	if (status != NULL && strcmp(status, tally_status_name(x->status)))
		x->raw_status = status;
	x->message = tally_json_nstr(e, "message");
	x->type = tally_json_nstr(e, "class");
	x->trace = tally_jtmp_join(&r->t, tally_json_get(e, "backtrace"),
	    "\n");
	if (x->message == NULL)
		x->message = tally_json_nstr(j, "pending_message");
	x->suite = r->t.suite;
	x->nsuite = r->t.nsuite;
	x->properties = r->t.kv;
	x->nproperties = r->t.nkv;
	return tally_jtmp_send(&r->t, r->sink, &rec, err);
}

/* A failed "(outside examples) what" record. */
static int
outside(struct rspec *r, const char *what, size_t wlen, const char *file,
    const char *msg, struct tally_error *err)
{
	struct tally_record rec;
	struct tally_test *x = &rec.u.test;
	char *name;

	if (asprintf(&name, "%s%s%.*s", RS_OUTSIDE, wlen ? " " : "",
	    (int)wlen, what) < 0)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	tally_record_init(&rec, TALLY_REC_TEST);
	rec.source = r->source;
	x->name = tally_jtmp_own(&r->t, name);
	x->status = TALLY_FAILED;
	x->raw_status = RS_RAW;
	x->file_path = file;
	x->message = msg;
	return tally_jtmp_send(&r->t, r->sink, &rec, err);
}

/* "\nAn error occurred while loading ./spec/x_spec.rb.\n...". */
static int
message(struct rspec *r, const char *s, struct tally_error *err)
{
	static const char lead[] = "An error occurred ";
	static const char load[] = "while loading ";
	const char *p = s, *e, *file = NULL;
	size_t n;
	int rc;

	while (*p == '\n' || *p == ' ')
		p++;
	if (strncmp(p, lead, sizeof(lead) - 1) != 0)
		return TALLY_OK;	/* "No examples found." and the like */
	p += sizeof(lead) - 1;
	e = strchr(p, '\n');
	n = e != NULL ? (size_t)(e - p) : strlen(p);
	if (n > 0 && p[n - 1] == '.')
		n--;
	if (strncmp(p, load, sizeof(load) - 1) == 0) {
		p += sizeof(load) - 1;
		n -= sizeof(load) - 1;
		file = tally_jtmp_own(&r->t, strndup(p, n));
	}
	rc = outside(r, p, n, file, s + strspn(s, "\n "), err);
	r->outside++;
	return rc;
}

static int
on_value(void *arg, const struct tally_jvalue *v, struct tally_error *err)
{
	struct rspec *r = arg;
	double d;

	r->line = v->line;
	switch (v->which) {
	case 0:
		return cJSON_IsString(v->json) ?
		    message(r, v->json->valuestring, err) : TALLY_OK;
	case 1:
		return cJSON_IsObject(v->json) ? example(r, v->json, err) :
		    TALLY_OK;
	case 2:
		if (tally_json_num(v->json, "errors_outside_of_examples_count",
		    &d) == 0 && d >= 0 && d < 1e9)
			r->declared = (long)d;
		tally_jtmp_keep_map(&r->meta, &r->t, "summary", v->json);
		return TALLY_OK;
	default:
		tally_jtmp_keep_map(&r->meta, &r->t, "summary_line", v->json);
		return TALLY_OK;
	}
}

int
tally_read_rspec(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct rspec r;
	char msg[96];
	int rc;

	memset(&r, 0, sizeof(r));
	r.sink = sink;
	r.source = src->name;
	r.src = src;
	r.declared = -1;
	rc = tally_jscan_read(src, paths, on_value, &r, 2u,
	    "not an rspec report: no examples array", &r.t, &r.meta, sink,
	    err);
	if (rc == TALLY_OK && r.declared > r.outside) {
		/* Counted, but with no message that says which. */
		snprintf(msg, sizeof(msg), "%ld error(s) occurred outside of "
		    "examples", r.declared - r.outside);
		rc = outside(&r, "", 0, NULL, msg, err);
		tally_jtmp_free(&r.t);
	}
	return rc;
}
