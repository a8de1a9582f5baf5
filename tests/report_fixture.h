/*
 * tests/render_fixture.h: build a struct tally_report by hand for the
 * renderer suites, with totals computed the way report.h defines them,
 * and render it into a string.  Header-only (static inline) so each
 * check_render_*.c can use it without a Makefile change.
 */
#ifndef REPORT_FIXTURE_H
#define REPORT_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <tally/report.h>

#include "escape.h"
#include "internal.h"
#include "render.h"
#include "testutil.h"

struct fx_rec {
	struct tally_record rec;
	const char	*suite[2];
	struct tally_kv	 labels[2];
	struct tally_attempt attempt;
	char		*owned;		/* a name made by fx_testf */
};

struct fx {
	struct fx_rec	*v;
	size_t		 n, cap;
	const struct tally_record **tests, **errors;
	struct tally_gate gates[4];
	struct tally_kv	 meta[4];
	struct tally_report rep;
};

static inline void
fx_init(struct fx *f, size_t cap)
{
	memset(f, 0, sizeof(*f));
	f->cap = cap;
	f->v = calloc(cap, sizeof(*f->v));
	f->tests = calloc(cap, sizeof(*f->tests));
	f->errors = calloc(cap, sizeof(*f->errors));
	ck_assert(f->v != NULL && f->tests != NULL && f->errors != NULL);
	f->rep.tests = f->tests;
	f->rep.errors = f->errors;
	f->rep.gates = f->gates;
	f->rep.meta = f->meta;
}

static inline void
fx_free(struct fx *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->v[i].owned);
	free(f->v);
	free(f->tests);
	free(f->errors);
}

/* A test in suite (may be NULL), with a duration in ms (-1 unknown). */
static inline struct tally_test *
fx_test(struct fx *f, const char *suite, const char *name,
    enum tally_status st, double ms)
{
	struct fx_rec *r;

	ck_assert_uint_lt(f->n, f->cap);
	r = &f->v[f->n++];
	tally_record_init(&r->rec, TALLY_REC_TEST);
	if (suite != NULL) {
		r->suite[0] = suite;
		r->rec.u.test.suite = r->suite;
		r->rec.u.test.nsuite = 1;
	}
	r->rec.u.test.name = name;
	r->rec.u.test.status = st;
	r->rec.u.test.duration = ms;
	f->tests[f->rep.ntests++] = &r->rec;
	return &r->rec.u.test;
}

/* The record of the last test added, to set labels. */
static inline void
fx_label(struct fx *f, const char *key, const char *value)
{
	struct fx_rec *r = &f->v[f->n - 1];

	ck_assert_uint_lt(r->rec.nlabels, 2);
	r->labels[r->rec.nlabels].key = key;
	r->labels[r->rec.nlabels].value = value;
	r->rec.labels = r->labels;
	r->rec.nlabels++;
}

/* Mark the last test flaky: failed once with msg, then passed. */
static inline void
fx_flaky(struct fx *f, const char *msg)
{
	struct fx_rec *r = &f->v[f->n - 1];

	r->rec.u.test.flaky = 1;
	r->rec.u.test.retries = 1;
	r->attempt.status = TALLY_FAILED;
	r->attempt.duration = -1;
	r->attempt.message = msg;
	r->rec.u.test.attempts = &r->attempt;
	r->rec.u.test.nattempts = 1;
}

static inline void
fx_error(struct fx *f, const char *source, long line, long col,
    const char *msg)
{
	struct fx_rec *r;

	ck_assert_uint_lt(f->n, f->cap);
	r = &f->v[f->n++];
	tally_record_init(&r->rec, TALLY_REC_ERROR);
	r->rec.source = source;
	r->rec.u.error.line = line;
	r->rec.u.error.column = col;
	r->rec.u.error.message = msg;
	f->errors[f->rep.nerrors++] = &r->rec;
}

static inline void
fx_gate(struct fx *f, const char *name, int failed, const char *detail)
{
	struct tally_gate *g = &f->gates[f->rep.ngates++];

	g->name = name;
	g->failed = failed;
	snprintf(g->detail, sizeof(g->detail), "%s", detail);
	if (failed)
		f->rep.verdict_failed = 1;
}

static inline void
fx_meta(struct fx *f, const char *key, const char *value)
{
	f->meta[f->rep.nmeta].key = key;
	f->meta[f->rep.nmeta].value = value;
	f->rep.nmeta++;
}

/* Totals as report.h defines them. */
static inline void
fx_finish(struct fx *f)
{
	report_totals(&f->rep);
}

/* Render with fn into a new string; *len gets its length. */
static inline char *
fx_render(struct fx *f, tally_render_fn fn,
    const struct tally_render_opts *opts, size_t *len)
{
	struct tally_error err;
	struct { char *buf; size_t n; } *ms;
	char *out;
	FILE *fp;

	/* On the heap: GCC 12 takes &local given to open_memstream for a
	 * dangling pointer once the function is inlined. */
	ms = calloc(1, sizeof(*ms));
	ck_assert_ptr_nonnull(ms);
	fp = open_memstream(&ms->buf, &ms->n);
	ck_assert_ptr_nonnull(fp);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(fn(&f->rep, opts, fp, &err), TALLY_OK);
	ck_assert_int_eq(fclose(fp), 0);
	if (len != NULL)
		*len = ms->n;
	out = ms->buf;
	free(ms);
	return out;
}

/* Occurrences of needle in hay. */
static inline size_t
fx_count(const char *hay, const char *needle)
{
	size_t n = 0, k = strlen(needle);

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += k;
	}
	return n;
}

/* Position of needle in s, failing the test when absent. */
static inline size_t
at(const char *s, const char *needle)
{
	const char *p = strstr(s, needle);

	if (p == NULL)
		ck_abort_msg("'%s' not in output:\n%.3000s", needle, s);
	return (size_t)(p - s);
}

static inline void
absent(const char *s, const char *needle)
{
	if (strstr(s, needle) != NULL)
		ck_abort_msg("'%s' in output:\n%.3000s", needle, s);
}

/* A small report with every part: 2 suites, failures, flaky, skipped,
 * labels, an input error, a failed gate and metadata. */
static inline void
fx_sample(struct fx *f)
{
	struct tally_test *t;

	fx_init(f, 32);
	t = fx_test(f, "tests/test_math.py", "test_add", TALLY_PASSED, 12);
	fx_label(f, "python", "3.10");
	t = fx_test(f, "tests/test_math.py", "test_div", TALLY_FAILED, 1500);
	fx_label(f, "python", "3.10");
	t->message = "ZeroDivisionError: division by zero";
	t->type = "ZeroDivisionError";
	t->trace = "Traceback (most recent call last):\n"
	    "  File \"tests/test_math.py\", line 9, in test_div\n"
	    "    1 / 0\nZeroDivisionError: division by zero\n";
	t->file_path = "tests/test_math.py";
	t->line = 9;
	t = fx_test(f, "tests/test_math.py", "test_mul", TALLY_PASSED, 65000);
	fx_label(f, "python", "3.11");
	t = fx_test(f, "tests/test_io.py", "test_read", TALLY_FAILED, 250);
	fx_label(f, "python", "3.11");
	t->message = "AssertionError: assert b'' == b'x'";
	t = fx_test(f, "tests/test_io.py", "test_net", TALLY_PASSED, 3000);
	fx_label(f, "python", "3.11");
	fx_flaky(f, "ConnectionResetError: peer reset");
	t = fx_test(f, "tests/test_io.py", "test_win", TALLY_SKIPPED, 0);
	fx_label(f, "python", "3.11");
	fx_error(f, "results/broken.xml", 12, 3, "unexpected end of file");
	fx_gate(f, "failed", 1, "2 tests failed");
	fx_gate(f, "min-pass-rate", 0, "pass rate 60.0% >= 50%");
	fx_meta(f, "commit", "0123abcd");
	fx_meta(f, "branch", "main");
	fx_meta(f, "run_url", "https://github.com/o/r/actions/runs/1");
	fx_finish(f);
}

/* fn on fx_sample() into /dev/full: TALLY_EIO with errno and message. */
static inline void
fx_write_error(tally_render_fn fn)
{
	struct fx f;
	struct tally_error err;
	FILE *fp;

	fx_sample(&f);
	fp = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(fp);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(fn(&f.rep, NULL, fp, &err), TALLY_EIO);
	ck_assert_str_eq(err.message, "write error: No space left on device");
	ck_assert_int_eq(err.sys_errno, ENOSPC);
	fclose(fp);
	fx_free(&f);
}

/* Hostile bytes: Markdown and HTML syntax, controls, broken UTF-8. */
static inline char *
fx_noise(unsigned *seed, size_t max)
{
	static const char *const bits[] = { "`", "```", "~~~", "|", "<", ">",
	    "&", "\n", "\n\n", "\r", "\033[31m", "\033]0;x\a", "\xff",
	    "\xc3", "\xe2\x80\xae", "[", "](", "javascript:", "<details>",
	    "</details>", "<summary>", "#", "*", "_", "\\", "-", " ", "a",
	    "\xc3\xa9", "\t", "@", ":", "!", "\xc2\x9b", "\x01", "\x7f",
	    "::error::x", "%0A", ",", "\xe2\x81\xa6" };
	struct tally_buf b;
	size_t n, i;

	tally_buf_init(&b);
	*seed = *seed * 1103515245 + 12345;
	n = (*seed >> 8) % max;
	for (i = 0; i < n; i++) {
		*seed = *seed * 1103515245 + 12345;
		ck_assert_int_eq(tally_buf_adds(&b, bits[(*seed >> 8) %
		    (sizeof(bits) / sizeof(bits[0]))]), TALLY_OK);
	}
	return tally_buf_detach(&b);
}

/* 80 tests (and an input error) made of noise; strs (400 slots) keeps
 * the strings for fx_hostile_free(). */
static inline void
fx_hostile(struct fx *f, char **strs, size_t *k, unsigned seed)
{
	struct tally_test *t;
	size_t i;

	*k = 0;
	fx_init(f, 100);
	for (i = 0; i < 80; i++) {
		strs[*k] = fx_noise(&seed, 8);
		strs[*k + 1] = fx_noise(&seed, 8);
		t = fx_test(f, strs[*k], strs[*k + 1], i % 3 ? TALLY_FAILED :
		    TALLY_PASSED, (double)i);
		t->message = strs[*k + 2] = fx_noise(&seed, 30);
		t->trace = strs[*k + 3] = fx_noise(&seed, 200);
		t->file_path = strs[*k + 4] = fx_noise(&seed, 5);
		t->type = i % 5 ? NULL : strs[*k + 4];
		t->line = (long)i;
		*k += 5;
		if (i % 7 == 0)
			fx_flaky(f, t->message);
		fx_label(f, "k", i % 2 ? "a|b" : "<c>");
	}
	fx_error(f, strs[0], 1, 1, strs[2]);
	fx_gate(f, strs[1], 1, strs[3]);
	fx_finish(f);
}

static inline void
fx_hostile_free(struct fx *f, char **strs, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		free(strs[i]);
	fx_free(f);
}

/* s is valid UTF-8 with no control characters but newlines (and tabs
 * when tabs is set), no C1 controls and no bidi controls. */
static inline void
fx_clean_chars(const char *s, size_t len, int tabs)
{
	size_t i, k;
	unsigned cp;

	for (i = 0; i < len; i += k) {
		k = tally_utf8_decode((const unsigned char *)s + i, len - i, &cp);
		ck_assert_msg(!(cp == 0xFFFD && k == 1), "invalid UTF-8 at %zu",
		    i);
		ck_assert_msg((cp >= 0x20 || cp == '\n' || (tabs && cp == '\t'))
		    && !(cp >= 0x7F && cp < 0xA0) &&
		    !(cp >= 0x202A && cp <= 0x202E) &&
		    !(cp >= 0x2066 && cp <= 0x2069),
		    "character %#x at %zu", cp, i);
	}
}

#endif /* REPORT_FIXTURE_H */
