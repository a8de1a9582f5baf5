/*
 * tests/check_render_html.c: the HTML renderer.  Reports are built here
 * from stream fixtures (tests/data/html/) without the merge or the
 * report builder, so the renderer is tested on its own.  The pages are
 * also written to <runner dir>/html/ to look at by hand; the browser tests
 * (tests/cli/t_html.sh) open pages made by the programs themselves.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <tally/reader.h>
#include <tally/report.h>

#include "html_assets.h"
#include "internal.h"
#include "render.h"
#include "sha256.h"

/* A report made from the records of one stream file. */
struct fix {
	struct tally_sink sink;
	struct tally_record **recs;
	size_t	 n;
	struct tally_report rep;
	struct tally_gate gates[2];
};

static int
keep(struct tally_sink *s, const struct tally_record *r,
    struct tally_error *err)
{
	struct fix *f = (struct fix *)s;
	struct tally_record **p;

	(void)err;
	if ((p = realloc(f->recs, (f->n + 1) * sizeof(*p))) == NULL)
		return TALLY_ENOMEM;
	f->recs = p;
	return tally_record_dup(r, &f->recs[f->n++]);
}

static void
push(const struct tally_record ***v, size_t *n, const struct tally_record *r)
{
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	ck_assert_ptr_nonnull(*v);
	(*v)[(*n)++] = r;
}

/* What tally_report_build computes, the simple way. */
static void
fix_report(struct fix *f)
{
	struct tally_report *rep = &f->rep;
	struct tally_totals *t = &rep->totals;
	const struct tally_test *x;
	size_t i, j, ran;

	for (i = 0; i < f->n; i++) {
		const struct tally_record *r = f->recs[i];

		switch (r->type) {
		case TALLY_REC_TEST:
			push(&rep->tests, &rep->ntests, r);
			x = &r->u.test;
			t->tests++;
			t->status[x->status]++;
			t->flaky += x->flaky != 0;
			t->retried += x->retries > 0;
			if (x->duration > 0)
				t->duration += x->duration;
			break;
		case TALLY_REC_SUITE:
			push(&rep->suites, &rep->nsuites, r);
			break;
		case TALLY_REC_ERROR:
			push(&rep->errors, &rep->nerrors, r);
			t->errors++;
			break;
		case TALLY_REC_PERF:
			push(&rep->perf, &rep->nperf, r);
			break;
		case TALLY_REC_DIFF:
		case TALLY_REC_HISTORY:
		case TALLY_REC_RUN:
			break;
		case TALLY_REC_META:
			for (j = 0; j < r->u.meta.nitems; j++) {
				rep->meta = realloc(rep->meta, (rep->nmeta + 1) *
				    sizeof(*rep->meta));
				ck_assert_ptr_nonnull(rep->meta);
				rep->meta[rep->nmeta++] = r->u.meta.items[j];
			}
			break;
		}
	}
	ran = t->tests - t->status[TALLY_SKIPPED] - t->status[TALLY_PENDING];
	t->pass_rate = ran ? 100.0 * (double)t->status[TALLY_PASSED] /
	    (double)ran : 100.0;
	/* --fail-on failed --min-pass-rate 95 */
	f->gates[0].name = "failed";
	f->gates[0].failed = t->status[TALLY_FAILED] > 0;
	snprintf(f->gates[0].detail, sizeof(f->gates[0].detail),
	    "%zu tests failed", t->status[TALLY_FAILED]);
	f->gates[1].name = "min-pass-rate";
	f->gates[1].failed = t->pass_rate < 95;
	snprintf(f->gates[1].detail, sizeof(f->gates[1].detail),
	    "pass rate %.1f%%, needed 95%%", t->pass_rate);
	rep->gates = f->gates;
	rep->ngates = 2;
	rep->verdict_failed = f->gates[0].failed || f->gates[1].failed;
}

static void
fix_load(struct fix *f, const char *path)
{
	struct tally_error err;
	int fd;

	memset(f, 0, sizeof(*f));
	f->sink.record = keep;
	tally_error_init(&err, path);
	ck_assert_int_ge(fd = open(path, O_RDONLY), 0);
	ck_assert_msg(tally_read_fd(fd, path, TALLY_FMT_STREAM, &f->sink,
	    &err) == TALLY_OK, "%s:%ld: %s", path, err.line, err.message);
	close(fd);
	fix_report(f);
}

static void
fix_free(struct fix *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		tally_record_free(f->recs[i]);
	free(f->recs);
	free(f->rep.tests);
	free(f->rep.suites);
	free(f->rep.errors);
	free(f->rep.perf);
	free(f->rep.meta);
}

/* Render into a string; the status goes to *rc. */
static char *
render(const struct tally_report *rep, const struct tally_render_opts *o,
    int *rc, size_t *len)
{
	struct tally_error err;
	char *s = NULL;
	size_t n = 0;
	FILE *fp;

	tally_error_init(&err, NULL);
	ck_assert_ptr_nonnull(fp = open_memstream(&s, &n));
	*rc = tally_render_html(rep, o, fp, &err);
	fclose(fp);
	if (len != NULL)
		*len = n;
	return s;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* Where the browser tests find the pages: beside the runner. */
static const char *
outdir(void)
{
	static char dir[1024];
	char exe[PATH_MAX];
	ssize_t n;

	if (dir[0] != '\0')
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	ck_assert_uint_lt(strlen(exe), sizeof(dir) - 8);
	snprintf(dir, sizeof(dir), "%s/html", dirname(exe));
	(void)mkdir(dir, 0777);
	return dir;
}

static void
save(const char *name, const char *s, size_t n)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", outdir(), name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(s, 1, n, fp), n);
	ck_assert_int_eq(fclose(fp), 0);
}

static void
b64(const unsigned char *d, size_t n, char *out)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*out++ = t[d[i] >> 2];
		*out++ = t[(d[i] & 3) << 4 | d[i + 1] >> 4];
		*out++ = t[(d[i + 1] & 15) << 2 | d[i + 2] >> 6];
		*out++ = t[d[i + 2] & 63];
	}
	if (n - i == 2) {
		*out++ = t[d[i] >> 2];
		*out++ = t[(d[i] & 3) << 4 | d[i + 1] >> 4];
		*out++ = t[(d[i + 1] & 15) << 2];
		*out++ = '=';
	} else if (n - i == 1) {
		*out++ = t[d[i] >> 2];
		*out++ = t[(d[i] & 3) << 4];
		*out++ = '=';
		*out++ = '=';
	}
	*out = '\0';
}

/* The CSP must carry the hash of exactly what sits between the tags. */
static void
expect_hash(const char *html, const char *open, const char *close,
    const char *kind)
{
	unsigned char d[TALLY_SHA256_LEN];
	char h[64], want[128];
	const char *a, *b;

	ck_assert_ptr_nonnull(a = strstr(html, open));
	a += strlen(open);
	ck_assert_ptr_nonnull(b = strstr(a, close));
	tally_sha256(a, (size_t)(b - a), d);
	b64(d, sizeof(d), h);
	snprintf(want, sizeof(want), "%s 'sha256-%s'", kind, h);
	ck_assert_msg(strstr(html, want) != NULL, "CSP lacks %s", want);
}

START_TEST(example_page)
{
	struct tally_render_opts o = { .title = "acme-http CI #4812",
	    .group_by = "python" };
	struct fix f;
	char *s;
	size_t n;
	int rc;

	fix_load(&f, "tests/data/html/example.jsonl");
	s = render(&f.rep, &o, &rc, &n);
	ck_assert_int_eq(rc, TALLY_OK);
	save("example.html", s, n);
	/* Verdict, gates, totals, metadata. */
	ck_assert_ptr_nonnull(strstr(s, "<title>\xe2\x9c\x97 Failed \xc2\xb7 "
	    "acme-http CI #4812</title>"));
	ck_assert_ptr_nonnull(strstr(s, "<strong>4 of 90 tests failed</strong>"));
	ck_assert_ptr_nonnull(strstr(s, "<span class=\"gname\">failed</span>: "
	    "4 tests failed"));
	ck_assert_ptr_nonnull(strstr(s, "<a rel=\"noopener noreferrer nofollow\" "
	    "href=\"https://ci.example.org/acme-http/runs/4812\">"));
	ck_assert_ptr_nonnull(strstr(s, "<code title=\"9f2c1e4b7a0d3c5e8f1a2b3c4"
	    "d5e6f708192a3b4\">9f2c1e4b7a0d</code>"));
	ck_assert_ptr_nonnull(strstr(s, "<span class=\"num\">82</span> "
	    "<span class=\"lbl\">passed</span>"));
	ck_assert_ptr_nonnull(strstr(s, "<span class=\"num\">3</span> "
	    "<span class=\"lbl\">flaky</span>"));
	/* Failures written out, with the ANSI colours as classes. */
	ck_assert_uint_eq(count(s, "<article class=\"test\""), 4);
	ck_assert_ptr_nonnull(strstr(s, "<span class=\"etype\">httpx.ReadTimeout"
	    "</span>: ReadTimeout: timed out after 30.0 s"));
	ck_assert_ptr_nonnull(strstr(s, "<span class=\"a-f1 a-b \">&gt;       "
	    "assert h[&#39;x-name&#39;] == &#39;caf\xc3\xa9&#39;</span>"));
	ck_assert_ptr_null(memchr(s, '\x1b', n));
	/* The matrix: python values side by side, in natural order. */
	ck_assert_ptr_nonnull(strstr(s, "data-v=\"0\">3.9</button></th><th "
	    "scope=\"col\"><button type=\"button\" class=\"flt\" disabled "
	    "data-f=\"label\" data-v=\"1\">3.10</button></th>"));
	/* Skipped with the reason, the input error, the data block. */
	ck_assert_ptr_nonnull(strstr(s, "<span class=\"reason\">needs "
	    "ACME_E2E_BUCKET</span>"));
	ck_assert_ptr_nonnull(strstr(s, "<code>results/junit-py3.11-shard2.xml:"
	    "1843:17</code> unexpected end of file"));
	ck_assert_uint_eq(count(s, "\n[\"test_"), 90);
	/* CSP hashes match the inline script and style. */
	expect_hash(s, "<style>", "</style>", "style-src");
	expect_hash(s, "</script>\n<script>", "</script>", "script-src");
	ck_assert_ptr_null(strstr(s, "unsafe-inline"));
	free(s);
	fix_free(&f);
}
END_TEST

START_TEST(hostile_strings_stay_text)
{
	struct tally_render_opts o = { 0 };
	struct fix f;
	const char *data, *end;
	char *s;
	size_t n;
	int rc;

	fix_load(&f, "tests/data/html/hostile.jsonl");
	s = render(&f.rep, &o, &rc, &n);
	ck_assert_int_eq(rc, TALLY_OK);
	save("hostile.html", s, n);
	/* Exactly our two script elements and one style element. */
	ck_assert_uint_eq(count(s, "<script"), 2);
	ck_assert_uint_eq(count(s, "</script>"), 2);
	ck_assert_uint_eq(count(s, "<style"), 1);
	ck_assert_uint_eq(count(s, "<!--"), 0);
	ck_assert_ptr_null(strstr(s, "<img"));
	ck_assert_ptr_null(strstr(s, "<svg onload"));
	ck_assert_ptr_null(strstr(s, "<svg/onload"));
	ck_assert_ptr_null(strstr(s, "<textarea"));
	ck_assert_ptr_null(strstr(s, "<b>"));
	ck_assert_ptr_null(strstr(s, "javascript:alert(1)\""));
	ck_assert_ptr_null(strstr(s, "href=\"javascript"));
	ck_assert_ptr_nonnull(strstr(s, "&lt;img src=x onerror=alert(1)&gt;"));
	/* Only the http(s) meta values are links, and quotes stay inside. */
	ck_assert_uint_eq(count(s, "<a rel="), 2);
	ck_assert_ptr_nonnull(strstr(s, "href=\"https://ci.example.org/run/1?a=1&amp;"
	    "b=&lt;2&gt;\""));
	ck_assert_ptr_nonnull(strstr(s, "href=\"https://example.org/a&quot;"
	    "onmouseover=&quot;alert(1)\">"));
	ck_assert_ptr_null(strstr(s, "onmouseover=\""));
	/* The data block cannot end early: no '<' inside it at all. */
	ck_assert_ptr_nonnull(data = strstr(s, "id=\"tally-data\">"));
	data += strlen("id=\"tally-data\">");
	ck_assert_ptr_nonnull(end = strstr(data, "</script>"));
	ck_assert_ptr_null(memchr(data, '<', (size_t)(end - data)));
	ck_assert_ptr_nonnull(strstr(data, "\\u003c/script\\u003e"));
	ck_assert_ptr_nonnull(strstr(data, "\\u2028"));
	/* Controls, escapes and bidi shown, never raw. */
	ck_assert_ptr_null(memchr(s, '\x1b', n));
	ck_assert_ptr_null(memchr(s, '\a', n));
	ck_assert_ptr_null(memmem(s, (size_t)(data - s), "\xe2\x80\xae", 3));
	ck_assert_ptr_nonnull(strstr(s, "<span class=\"ctl\">&lt;U+202E&gt;"
	    "</span>gnp.exe"));
	ck_assert_ptr_nonnull(strstr(s, "click <span class=\"a-f1 \">red</span>"
	    " true  done"));
	ck_assert_ptr_nonnull(strstr(s, "&amp;lt;already escaped&amp;gt; &amp; "
	    "&quot;quotes&quot; &#39;single&#39;"));
	free(s);
	fix_free(&f);
}
END_TEST

START_TEST(same_input_same_bytes)
{
	struct tally_render_opts o = { .title = "t" };
	struct fix f;
	char *a, *b;
	size_t na, nb;
	int rc;

	fix_load(&f, "tests/data/html/example.jsonl");
	a = render(&f.rep, &o, &rc, &na);
	ck_assert_int_eq(rc, TALLY_OK);
	b = render(&f.rep, &o, &rc, &nb);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_uint_eq(na, nb);
	ck_assert_int_eq(memcmp(a, b, na), 0);
	free(a);
	free(b);
	fix_free(&f);
}
END_TEST

START_TEST(empty_report)
{
	struct tally_report rep;
	struct tally_render_opts o = { 0 };
	char *s;
	int rc;

	memset(&rep, 0, sizeof(rep));
	rep.totals.pass_rate = 100;
	s = render(&rep, &o, &rc, NULL);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_ptr_nonnull(strstr(s, "<title>\xe2\x9c\x93 Passed \xc2\xb7 "
	    "Test report</title>"));
	ck_assert_ptr_nonnull(strstr(s, "<strong>0 tests, none failed</strong>"));
	ck_assert_ptr_nonnull(strstr(s, "No test failed."));
	ck_assert_ptr_nonnull(strstr(s, "\"tests\":[\n\n]}"));
	free(s);
}
END_TEST

/* Without gates, failed tests still make the verdict "failed". */
START_TEST(no_gates_failures_fail)
{
	struct tally_render_opts o = { 0 };
	struct fix f;
	char *s;
	int rc;

	fix_load(&f, "tests/data/html/example.jsonl");
	f.rep.ngates = 0;
	f.rep.verdict_failed = 0;
	s = render(&f.rep, &o, &rc, NULL);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_ptr_nonnull(strstr(s, "<header class=\"top failed\">"));
	ck_assert_ptr_null(strstr(s, "class=\"gates\""));
	free(s);
	fix_free(&f);
}
END_TEST

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *s;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, fp), (size_t)n);
	s[n] = '\0';
	fclose(fp);
	return s;
}

/* --top: how many of the slowest tests; more than there are is fine. */
START_TEST(slowest_top)
{
	struct tally_render_opts o = { .top = 3 };
	struct fix f;
	const char *t;
	char *s;
	int rc;

	fix_load(&f, "tests/data/html/example.jsonl");
	s = render(&f.rep, &o, &rc, NULL);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_ptr_nonnull(t = strstr(s, "<table class=\"slow\">"));
	ck_assert_ptr_nonnull(strstr(t, "<tr><td class=\"n\">30.01 s</td>"
	    "<td class=\"name\">test_timeout_read</td>"));
	ck_assert_uint_eq(count(t, "<tr><td class=\"n\">"), 3);
	free(s);
	o.top = (size_t)-1;
	s = render(&f.rep, &o, &rc, NULL);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_ptr_nonnull(t = strstr(s, "<table class=\"slow\">"));
	ck_assert_uint_eq(count(t, "<tr><td class=\"n\">"), 90);
	free(s);
	fix_free(&f);
}
END_TEST

START_TEST(split_assets)
{
	char dir[1100], out[PATH_MAX], css[PATH_MAX], js[PATH_MAX];
	struct tally_render_opts o = { .title = "acme-http CI #4812" };
	struct fix f;
	char *s, *c;
	size_t n;
	int rc;

	snprintf(dir, sizeof(dir), "%s/split", outdir());
	(void)mkdir(dir, 0777);
	snprintf(out, sizeof(out), "%s/report.html", dir);
	snprintf(css, sizeof(css), "%s/report.css", dir);
	snprintf(js, sizeof(js), "%s/report.js", dir);
	unlink(css);
	unlink(js);
	o.assets_dir = dir;
	o.output_path = out;
	fix_load(&f, "tests/data/html/example.jsonl");
	s = render(&f.rep, &o, &rc, &n);
	ck_assert_int_eq(rc, TALLY_OK);
	save("split/report.html", s, n);
	ck_assert_ptr_nonnull(strstr(s, "content=\"default-src 'none'; "
	    "script-src 'self'; style-src 'self'; img-src 'self' data:; "
	    "base-uri 'none'; form-action 'none'\""));
	ck_assert_ptr_nonnull(strstr(s, "<link rel=\"stylesheet\" "
	    "href=\"report.css\">"));
	ck_assert_ptr_nonnull(strstr(s, "<script defer src=\"report.js\">"
	    "</script>"));
	ck_assert_ptr_null(strstr(s, "<style"));
	ck_assert_uint_eq(count(s, "<script"), 2);
	ck_assert_ptr_nonnull(c = slurp(css));
	ck_assert_str_eq(c, tally_html_css);
	free(c);
	ck_assert_ptr_nonnull(c = slurp(js));
	ck_assert_str_eq(c, tally_html_js);
	free(c);
	free(s);

	/* Assets in a subdirectory: linked with the encoded path. */
	snprintf(dir, sizeof(dir), "%s/split/my assets", outdir());
	(void)mkdir(dir, 0777);
	o.assets_dir = dir;
	s = render(&f.rep, &o, &rc, &n);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_ptr_nonnull(strstr(s, "href=\"my%20assets/report.css\""));
	free(s);
	fix_free(&f);
}
END_TEST

START_TEST(split_assets_errors)
{
	char dir[1100], out[PATH_MAX];
	struct tally_render_opts o = { 0 };
	struct tally_report rep;
	struct tally_error err;
	FILE *fp;
	int rc;

	memset(&rep, 0, sizeof(rep));
	ck_assert_ptr_nonnull(fp = fopen("/dev/null", "w"));
	/* Assets outside the report's directory cannot be linked. */
	snprintf(dir, sizeof(dir), "%s/split", outdir());
	(void)mkdir(dir, 0777);
	snprintf(out, sizeof(out), "%s/sub/report.html", dir);
	snprintf(dir, sizeof(dir), "%s/split/sub", outdir());
	(void)mkdir(dir, 0777);
	o.output_path = out;
	o.assets_dir = outdir();
	tally_error_init(&err, NULL);
	rc = tally_render_html(&rep, &o, fp, &err);
	ck_assert_int_eq(rc, TALLY_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "is not the report's "
	    "directory or below it"));
	/* A missing directory. */
	o.assets_dir = "/nonexistent/tally";
	tally_error_init(&err, NULL);
	rc = tally_render_html(&rep, &o, fp, &err);
	ck_assert_int_eq(rc, TALLY_EIO);
	ck_assert_str_eq(err.message, "cannot use '/nonexistent/tally': "
	    "No such file or directory");
	/* A directory we cannot write into. */
	if (geteuid() != 0) {
		o.output_path = "/report.html";
		o.assets_dir = "/";
		tally_error_init(&err, NULL);
		rc = tally_render_html(&rep, &o, fp, &err);
		ck_assert_int_eq(rc, TALLY_EIO);
	}
	fclose(fp);
}
END_TEST

START_TEST(write_error)
{
	struct tally_render_opts o = { 0 };
	struct tally_error err;
	struct fix f;
	FILE *fp;

	fp = fopen("/dev/full", "w");
	if (fp == NULL)
		return;
	fix_load(&f, "tests/data/html/example.jsonl");
	tally_error_init(&err, NULL);
	ck_assert_int_eq(tally_render_html(&f.rep, &o, fp, &err), TALLY_EIO);
	ck_assert_str_eq(err.message, "write error: No space left on device");
	fclose(fp);
	fix_free(&f);
}
END_TEST

/*
 * 100,000 tests: the file stays small and renders fast.  The page is kept
 * for the browser test, and the figures for the record.
 */
/*
 * The data block's rows: class names through the string table, the rarer
 * fields left out at their defaults, and a long output of a passing test
 * cut (at a character boundary) while a failure's stays whole.
 */
START_TEST(compact_rows)
{
	struct tally_record recs[3];
	const struct tally_record *tp[3];
	struct tally_render_opts o = { .title = "rows" };
	struct tally_report rep;
	char *big, *s, *d;
	size_t i;
	int rc;

	ck_assert_ptr_nonnull(big = malloc(10001));
	memset(big, 'x', 10000);
	memcpy(big + 4095, "\xc3\xa9", 2);	/* across byte 4096 */
	big[10000] = '\0';
	memset(&rep, 0, sizeof(rep));
	for (i = 0; i < 3; i++) {
		tally_record_init(&recs[i], TALLY_REC_TEST);
		recs[i].u.test.classname = "pkg.TestThing";
		recs[i].u.test.duration = 5;
		recs[i].u.test.stdout_text = big;
		tp[i] = &recs[i];
	}
	recs[0].u.test.name = "test_passes";
	recs[1].u.test.name = "test_fails";
	recs[1].u.test.status = TALLY_FAILED;
	recs[2].u.test.name = "test_flaky";
	recs[2].u.test.flaky = 1;
	recs[2].u.test.stdout_text = NULL;
	recs[2].u.test.classname = NULL;
	rep.tests = tp;
	rep.ntests = rep.totals.tests = 3;
	rep.totals.status[TALLY_PASSED] = 2;
	rep.totals.status[TALLY_FAILED] = 1;
	s = render(&rep, &o, &rc, NULL);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_ptr_nonnull(d = strstr(s, "id=\"tally-data\">"));
	ck_assert_ptr_nonnull(strstr(d, "\"strs\":[\"pkg.TestThing\"]"));
	ck_assert_uint_eq(count(d, "pkg.TestThing"), 1);
	/* name, class, suite, status, duration, category, source. */
	ck_assert_ptr_nonnull(strstr(d, "[\"test_passes\",0,0,0,5,0,-1,"
	    "-1,-1,0,0,0,{\"o\":\"xxxx"));
	ck_assert_ptr_nonnull(strstr(d, "xxx\\n\\u2026 5905 bytes "
	    "more, left out of the page\"}]"));
	ck_assert_ptr_nonnull(strstr(d, "[\"test_fails\",0,0,1,5,0,-1,"
	    "-1,-1,0,0,0,{\"o\":\"xxxx"));
	ck_assert_ptr_nonnull(strstr(d, "xxxx\"}]"));
	ck_assert_ptr_nonnull(strstr(d, "\n[\"test_flaky\",-1,0,0,5,0,-1,"
	    "-1,-1,0,0,1]"));
	ck_assert_uint_eq(count(d, "bytes more"), 1);
	free(s);
	free(big);
}
END_TEST

/* A row's duration is %.10g's text, whole milliseconds or not. */
START_TEST(row_durations)
{
	static const double ms[] = { 0, 7, 12.5, 9999999999.0, 12345678901.0,
	    -0.0, 1e-7, -1 };
	static const char *const want[] = { ",0,0,-1]", ",7,0,-1]",
	    ",12.5,0,-1]", ",9999999999,0,-1]", ",1.23456789e+10,0,-1]",
	    ",-0,0,-1]", ",1e-07,0,-1]", ",-1,0,-1]" };
	enum { N = sizeof(ms) / sizeof(ms[0]) };
	struct tally_record recs[N];
	const struct tally_record *tp[N];
	struct tally_render_opts o = { .title = "durations" };
	struct tally_report rep;
	char names[N][8], row[64], *s, *d;
	size_t i;
	int rc;

	memset(&rep, 0, sizeof(rep));
	for (i = 0; i < N; i++) {
		tally_record_init(&recs[i], TALLY_REC_TEST);
		snprintf(names[i], sizeof(names[i]), "t%zu", i);
		recs[i].u.test.name = names[i];
		recs[i].u.test.duration = ms[i];
		tp[i] = &recs[i];
	}
	rep.tests = tp;
	rep.ntests = rep.totals.tests = N;
	rep.totals.status[TALLY_PASSED] = N;
	s = render(&rep, &o, &rc, NULL);
	ck_assert_int_eq(rc, TALLY_OK);
	ck_assert_ptr_nonnull(d = strstr(s, "id=\"tally-data\">"));
	for (i = 0; i < N; i++) {
		snprintf(row, sizeof(row), "[\"t%zu\",-1,0,0%s", i, want[i]);
		ck_assert_msg(strstr(d, row) != NULL, "no row %s", row);
	}
	free(s);
}
END_TEST

START_TEST(large_run)
{
	enum { N = 100000 };
	static const char *const cats[] = { "unit", "integration", "e2e" };
	static const char *const py[] = { "3.9", "3.10", "3.11" };
	struct tally_record *recs;
	const struct tally_record **tp;
	struct tally_kv *labels;
	struct tally_render_opts o = { .title = "100,000 tests" };
	struct tally_report rep;
	struct timeval t0, t1;
	char (*names)[48], (*suites)[32], (*files)[48], shards[20][48], *s;
	char fig[256];
	const char **suitev;
	double secs;
	size_t i, n;
	int rc;

	recs = calloc(N, sizeof(*recs));
	tp = calloc(N, sizeof(*tp));
	names = calloc(N, sizeof(*names));
	suites = calloc(500, sizeof(*suites));
	suitev = calloc(500, sizeof(*suitev));
	files = calloc(500, sizeof(*files));
	labels = calloc(3, sizeof(*labels));
	ck_assert(recs && tp && names && suites && suitev && labels && files);
	for (i = 0; i < 20; i++)
		snprintf(shards[i], sizeof(shards[i]),
		    "results/shard-%02zu/junit.xml", i);
	for (i = 0; i < 500; i++) {
		snprintf(files[i], sizeof(files[i]), "tests/pkg%zu/test_module_"
		    "%zu.py", i / 50, i);
		snprintf(suites[i], sizeof(suites[i]), "pkg%zu.module_%zu",
		    i / 50, i);
		suitev[i] = suites[i];
	}
	for (i = 0; i < 3; i++) {
		labels[i].key = "python";
		labels[i].value = py[i];
	}
	memset(&rep, 0, sizeof(rep));
	for (i = 0; i < N; i++) {
		struct tally_test *t = &recs[i].u.test;

		tally_record_init(&recs[i], TALLY_REC_TEST);
		snprintf(names[i], sizeof(names[i]), "test_case_%06zu", i);
		t->name = names[i];
		t->classname = "tests.generated.TestLarge";
		t->suite = &suitev[i % 500];
		t->nsuite = 1;
		t->category = cats[i % 3];
		t->duration = (double)(i * 7919 % 100000) / 10.0;
		recs[i].source = shards[i % 20];
		t->file_path = files[i % 500];
		t->line = (long)(i % 300) + 1;
		recs[i].labels = &labels[i % 3];
		recs[i].nlabels = 1;
		if (i % 1000 == 7) {
			t->status = TALLY_FAILED;
			t->message = "assert response.status == 200";
			t->trace = "Traceback (most recent call last):\n"
			    "  File \"t.py\", line 3, in test\n"
			    "AssertionError: assert 503 == 200";
		} else if (i % 97 == 3) {
			t->status = TALLY_SKIPPED;
			t->message = "not on this platform";
		}
		rep.totals.status[t->status]++;
		rep.totals.duration += t->duration;
		tp[i] = &recs[i];
	}
	rep.tests = tp;
	rep.ntests = rep.totals.tests = N;
	rep.totals.pass_rate = 100.0 * (double)rep.totals.status[TALLY_PASSED] /
	    (double)(N - rep.totals.status[TALLY_SKIPPED]);
	rep.verdict_failed = 1;

	gettimeofday(&t0, NULL);
	s = render(&rep, &o, &rc, &n);
	gettimeofday(&t1, NULL);
	ck_assert_int_eq(rc, TALLY_OK);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_usec - t0.tv_usec) / 1e6;
	ck_assert_uint_lt(n, 30u << 20);
	ck_assert_uint_eq(count(s, "<article class=\"test\""), 100);
	ck_assert_ptr_nonnull(strstr(s, "<strong>100 of 100,000 tests failed"));
	/* The suite with failures first, then 24 more of the 500. */
	ck_assert_ptr_nonnull(strstr(s, "data-f=\"suite\" data-v=\"7\">"
	    "pkg0.module_7</button></th><td class=\"n\">200</td>"));
	ck_assert_ptr_nonnull(strstr(s, "<p class=\"more\">475 more suites"));
	ck_assert_ptr_nonnull(strstr(s, "<span class=\"num\">100,000</span>"));
	save("large.html", s, n);
	snprintf(fig, sizeof(fig), "100000 tests: %zu bytes, rendered in "
	    "%.3f s\n", n, secs);
	save("large-figures.txt", fig, strlen(fig));
	free(s);
	free(recs);
	free(tp);
	free(names);
	free(suites);
	free(suitev);
	free(files);
	free(labels);
}
END_TEST

Suite *suite_render_html(void);

Suite *
suite_render_html(void)
{
	Suite *s = suite_create("render_html");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, example_page);
	tcase_add_test(tc, hostile_strings_stay_text);
	tcase_add_test(tc, same_input_same_bytes);
	tcase_add_test(tc, empty_report);
	tcase_add_test(tc, no_gates_failures_fail);
	tcase_add_test(tc, slowest_top);
	tcase_add_test(tc, split_assets);
	tcase_add_test(tc, split_assets_errors);
	tcase_add_test(tc, write_error);
	tcase_add_test(tc, compact_rows);
	tcase_add_test(tc, row_durations);
	tcase_add_test(tc, large_run);
	suite_add_tcase(s, tc);
	return s;
}
