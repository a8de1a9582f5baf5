/*
 * lib/read/read.c: picking a reader for an input, for the walk over the
 * paths a user names (walk.c).  Adding a format means one reader file and
 * one row below.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"
#include "jobs.h"
#include "jsonscan.h"
#include "walk.h"

#define DETECT_WINDOW 65536

struct format {
	const char	*name;
	tally_reader_fn	 read;
};

static const struct format formats[TALLY_FMT_COUNT] = {
	[TALLY_FMT_AUTO]	= { "auto", NULL },
	[TALLY_FMT_JUNIT]	= { "junit", tally_read_junit },
	[TALLY_FMT_CHECKXML]	= { "checkxml", tally_read_checkxml },
	[TALLY_FMT_GOTEST]	= { "gotest", tally_read_gotest },
	[TALLY_FMT_LOCUST]	= { "locust", tally_read_locust },
	[TALLY_FMT_STREAM]	= { "tally", tally_read_stream },
	[TALLY_FMT_CTRF]	= { "ctrf", tally_read_ctrf },
	[TALLY_FMT_PYTEST_JSON]	= { "pytest-json", tally_read_pytest_json },
	[TALLY_FMT_JEST]	= { "jest", tally_read_jest },
	[TALLY_FMT_MOCHA]	= { "mocha", tally_read_mocha },
	[TALLY_FMT_BENCHMARK]	= { "pytest-benchmark", tally_read_benchmark },
	[TALLY_FMT_K6]		= { "k6", tally_read_k6 },
	[TALLY_FMT_NUNIT]	= { "nunit", tally_read_nunit },
	[TALLY_FMT_XUNIT]	= { "xunit", tally_read_xunit },
	[TALLY_FMT_TAP]		= { "tap", tally_read_tap },
	[TALLY_FMT_RSPEC]	= { "rspec", tally_read_rspec },
	[TALLY_FMT_TRX]		= { "trx", tally_read_trx },
	[TALLY_FMT_PLAYWRIGHT]	= { "playwright", tally_read_playwright },
	[TALLY_FMT_CUCUMBER]	= { "cucumber", tally_read_cucumber },
	[TALLY_FMT_JMETER]	= { "jmeter", tally_read_jmeter },
};

const char *
tally_format_name(enum tally_format fmt)
{
	return (unsigned)fmt < TALLY_FMT_COUNT ? formats[fmt].name : NULL;
}

int
tally_format_parse(const char *name, enum tally_format *out)
{
	int i;

	for (i = 0; i < TALLY_FMT_COUNT; i++)
		if (formats[i].name != NULL && strcmp(name, formats[i].name) == 0 &&
		    (i == TALLY_FMT_AUTO || formats[i].read != NULL)) {
			*out = (enum tally_format)i;
			return TALLY_OK;
		}
	return TALLY_EINVAL;
}

static int
has(const char *h, size_t n, const char *needle)
{
	return memmem(h, n, needle, strlen(needle)) != NULL;
}

/*
 * The header row of a CSV file Locust writes: _stats.csv (and
 * _stats_history.csv) has Name and a request count, _failures.csv
 * Method,Name,Error,Occurrences, _exceptions.csv Count,Message,Traceback.
 * Column names may be quoted (Locust 0.x).
 */
static int
is_locust_header(const char *h, size_t len)
{
	static const char *names[] = { "Name", "Request Count", "# requests",
	    "Total Request Count", "Method", "Error", "Occurrences", "Count",
	    "Message", "Traceback" };
	enum { NAME = 1, REQ = 2 | 4 | 8, METHOD = 16, ERROR = 32,
	    OCC = 64, COUNT = 128, MESSAGE = 256, TRACE = 512 };
	const char *nl = memchr(h, '\n', len), *f, *e;
	size_t end = nl ? (size_t)(nl - h) : len, i = 0, n, k;
	unsigned seen = 0;

	while (i <= end) {
		f = h + i;
		e = memchr(f, ',', end - i);
		n = e ? (size_t)(e - f) : end - i;
		i += n + 1;
		while (n > 0 && (f[n - 1] == '\r' || f[n - 1] == ' '))
			n--;
		if (n >= 2 && f[0] == '"' && f[n - 1] == '"') {
			f++;
			n -= 2;
		}
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strlen(names[k]) == n &&
			    strncasecmp(f, names[k], n) == 0)
				seen |= 1u << k;
	}
	return ((seen & NAME) && (seen & REQ)) ||
	    (seen & (NAME | METHOD | ERROR | OCC)) ==
	    (NAME | METHOD | ERROR | OCC) ||
	    (seen & (COUNT | MESSAGE | TRACE)) == (COUNT | MESSAGE | TRACE);
}

/*
 * The header row of a JMeter CSV result file: a "label" column and one
 * of the columns that only JMeter writes with it.
 */
static int
is_jmeter_header(const char *h, size_t len)
{
	const char *nl = memchr(h, '\n', len);
	size_t end = nl ? (size_t)(nl - h) : len;
	char line[1024];

	if (end >= sizeof(line) - 2)
		return 0;
	snprintf(line, sizeof(line), ",%.*s,", (int)end, h);
	if (end > 0 && line[end] == '\r') {
		line[end] = ',';
		line[end + 1] = '\0';
	}
	return strstr(line, ",label,") != NULL &&
	    (strstr(line, ",elapsed,") != NULL ||
	    strstr(line, ",timeStamp,") != NULL ||
	    strstr(line, ",SampleCount,") != NULL ||
	    (strstr(line, ",responseCode,") != NULL &&
	    strstr(line, ",success,") != NULL));
}

/* Check's XML log: the root <testsuites> carries Check's namespace. */
static int
check_root(const char *h, size_t len)
{
	const char *p = memmem(h, len, "<testsuites", 11), *gt;

	if (p == NULL)
		return 0;
	gt = memchr(p, '>', len - (size_t)(p - h));
	return gt != NULL && has(p, (size_t)(gt - p),
	    "\"http://check.sourceforge.net/ns\"");
}

/*
 * The root element of an XML document in the window: its start tag at
 * *tag (len *taglen) and its local name (without a prefix) at *local
 * (len *loclen).  Returns 1 when found, 0 when the window ends in the
 * prolog, -1 on a DOCTYPE or anything else that is not a prolog.
 */
static int
xml_root(const char *h, size_t len, const char **tag, size_t *taglen,
    const char **local, size_t *loclen)
{
	const char *p = h, *e = h + len, *q, *colon;

	for (;;) {
		while (p < e && isspace((unsigned char)*p))
			p++;
		*tag = p;
		if (p == e || (*p == '<' && e - p < 2))
			return 0;
		if (*p != '<')
			return -1;
		if (p[1] == '?' || (e - p >= 4 && memcmp(p, "<!--", 4) == 0)) {
			q = p[1] == '?' ? memmem(p, (size_t)(e - p), "?>", 2) :
			    memmem(p + 4, (size_t)(e - p - 4), "-->", 3);
			if (q == NULL)
				return 0;
			p = q + (p[1] == '?' ? 2 : 3);
			continue;
		}
		if (p[1] == '!')
			return -1;
		break;
	}
	p++;
	for (q = p, colon = NULL; q < e && !isspace((unsigned char)*q) &&
	    *q != '>' && *q != '/'; q++)
		if (*q == ':')
			colon = q;
	if (q == e)
		return 0;
	*local = colon != NULL ? colon + 1 : p;
	*loclen = (size_t)(q - *local);
	while (q < e && *q != '>')
		q++;
	*taglen = (size_t)(q - *tag);
	return 1;
}

static int
is_word(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* XML formats tally does not read, by root element, for the message. */
#define XML_READ \
	"tally reads JUnit, Check, NUnit, xUnit.net, TRX and JMeter XML"

static const char *
unsupported_xml(const char *local, size_t n)
{
	static const char *const roots[][2] = {
		{ "testng-results", "TestNG XML" },
		{ "TestRun", "CppUnit XML" },
		{ "robot", "Robot Framework output.xml" },
		{ "TestLog", "Boost.Test XML" },
		{ "TestResult", "Boost.Test XML" },
		{ "TestCase", "QtTest XML" },
	};
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (is_word(local, n, roots[i][0]))
			return roots[i][1];
	return NULL;
}

/* "name" as a JSON member name: quoted and followed by a colon. */
static int
has_key(const char *h, size_t n, const char *name)
{
	size_t k = strlen(name);
	const char *p = h, *e = h + n;

	while ((p = memmem(p, (size_t)(e - p), name, k)) != NULL) {
		const char *q = p + k;

		if (p > h && p[-1] == '"' && q < e && *q == '"') {
			for (q++; q < e && isspace((unsigned char)*q); q++)
				;
			if (q < e && *q == ':')
				return 1;
		}
		p += k;
	}
	return 0;
}

/*
 * TAP: the first line that is not a comment is "TAP version N", a plan
 * or a test point.
 */
static int
is_tap(const char *h, size_t len)
{
	const char *e;
	size_t n;

	while (len > 0 && h[0] == '#') {
		if ((e = memchr(h, '\n', len)) == NULL)
			return 0;
		len -= (size_t)(e + 1 - h);
		h = e + 1;
	}
	e = memchr(h, '\n', len);
	n = e != NULL ? (size_t)(e - h) : len;
	if (n > 0 && h[n - 1] == '\r')
		n--;
	if (n >= 12 && memcmp(h, "TAP version ", 12) == 0)
		return 1;
	if (n >= 4 && memcmp(h, "1..", 3) == 0 && isdigit((unsigned char)h[3]))
		return 1;
	if (n >= 6 && memcmp(h, "not ok", 6) == 0 && (n == 6 || h[6] == ' '))
		return 1;
	return n >= 2 && memcmp(h, "ok", 2) == 0 && (n == 2 || h[2] == ' ');
}

enum tally_format
tally_format_detect(const unsigned char *head, size_t len)
{
	const char *h = (const char *)head;
	size_t i = 0, full = len;

	/* UTF-16 with a byte order mark: detect on its narrowed ASCII. */
	if (len >= 4 && (memcmp(h, "\xFF\xFE", 2) == 0 ||
	    memcmp(h, "\xFE\xFF", 2) == 0)) {
		unsigned char narrow[4096];
		enum tally_format f;
		size_t k = 0;

		for (i = h[0] == '\xFF' ? 2 : 3; i < len && k < sizeof(narrow);
		    i += 2)
			narrow[k++] = head[i];
		f = tally_format_detect(narrow, k);
		return f == TALLY_FMT_JUNIT || f == TALLY_FMT_CHECKXML ? f :
		    TALLY_FMT_AUTO;
	}
	if (len >= 3 && memcmp(h, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)h[i]))
		i++;
	h += i;
	len -= i;
	if (len == 0)
		return TALLY_FMT_AUTO;
	if (h[0] == '<') {
		const char *tag, *local;
		size_t taglen, loclen;
		int root;

		if (check_root(h, len))
			return TALLY_FMT_CHECKXML;
		/* By the root first: their text may quote JUnit's names. */
		root = xml_root(h, len, &tag, &taglen, &local, &loclen);
		if (root == 1 && (is_word(local, loclen, "test-run") ||
		    is_word(local, loclen, "test-results")))
			return TALLY_FMT_NUNIT;
		if (root == 1 && (is_word(local, loclen, "assemblies") ||
		    is_word(local, loclen, "assembly")))
			return TALLY_FMT_XUNIT;
		/* TRX by its namespace or its elements; else CppUnit's. */
		if (root == 1 && is_word(local, loclen, "TestRun") &&
		    (has(tag, taglen, "/VisualStudio/TeamTest/") ||
		    has(h, len, "<ResultSummary") ||
		    has(h, len, "<UnitTestResult") ||
		    has(h, len, "<TestDefinitions")))
			return TALLY_FMT_TRX;
		if (root == 1 && is_word(local, loclen, "testResults"))
			return TALLY_FMT_JMETER;
		if (has(h, len, "<testsuite") || has(h, len, "<testcase"))
			return TALLY_FMT_JUNIT;
		/*
		 * A root with a namespace prefix (<ns:testsuites>) is JUnit
		 * by its local name, as the reader matches elements.  A
		 * DOCTYPE, or a prolog longer than the window, goes to the
		 * JUnit reader too, which says what is wrong with it.
		 */
		root = xml_root(h, len, &tag, &taglen, &local, &loclen);
		if (root == 1 && is_word(local, loclen, "testsuites") &&
		    has(tag, taglen, "\"http://check.sourceforge.net/ns\""))
			return TALLY_FMT_CHECKXML;
		if (root == 1 && (is_word(local, loclen, "testsuites") ||
		    is_word(local, loclen, "testsuite") ||
		    is_word(local, loclen, "testrun")))
			return TALLY_FMT_JUNIT;
		if (root == 0 && full >= DETECT_WINDOW)
			return TALLY_FMT_JUNIT;
		if (root == -1 && len - (size_t)(tag - h) >= 9 &&
		    memcmp(tag, "<!DOCTYPE", 9) == 0)
			return TALLY_FMT_JUNIT;
		return TALLY_FMT_AUTO;
	}
	if (h[0] == '{' || h[0] == '[') {
		const char *nl = memchr(h, '\n', len);
		size_t first = nl ? (size_t)(nl - h) : len;

		if (has(h, first, "\"v\":") && has(h, first, "\"type\":"))
			return TALLY_FMT_STREAM;
		if (has(h, first, "\"Action\""))
			return TALLY_FMT_GOTEST;
		if (has_key(h, len, "reportFormat") ||
		    (has_key(h, len, "results") && (has_key(h, len, "tool") ||
		    has_key(h, len, "summary"))))
			return TALLY_FMT_CTRF;
		if (has_key(h, len, "numTotalTests") ||
		    has_key(h, len, "testResults"))
			return TALLY_FMT_JEST;
		if (has_key(h, len, "machine_info") &&
		    has_key(h, len, "benchmarks"))
			return TALLY_FMT_BENCHMARK;
		if (has_key(h, len, "root_group") ||
		    (has_key(h, len, "metrics") && has(h, len, "\"http_req")))
			return TALLY_FMT_K6;
		if (has_key(h, len, "exitcode") && has_key(h, len, "created"))
			return TALLY_FMT_PYTEST_JSON;
		if (has_key(h, len, "examples") &&
		    (has_key(h, len, "full_description") ||
		    has_key(h, len, "summary_line")))
			return TALLY_FMT_RSPEC;
		/* Playwright's config holds rootDir; its suites have specs. */
		if (has_key(h, len, "config") && has_key(h, len, "suites") &&
		    (has_key(h, len, "rootDir") || has_key(h, len, "specs")))
			return TALLY_FMT_PLAYWRIGHT;
		/* Cucumber: an array of features with elements and steps. */
		if (h[0] == '[' && has_key(h, len, "elements") &&
		    has_key(h, len, "keyword"))
			return TALLY_FMT_CUCUMBER;
		if (has_key(h, len, "stats") && (has_key(h, len, "passes") ||
		    has_key(h, len, "suites")))
			return TALLY_FMT_MOCHA;
		return TALLY_FMT_AUTO;
	}
	if (is_locust_header(h, len))
		return TALLY_FMT_LOCUST;
	if (is_jmeter_header(h, len))
		return TALLY_FMT_JMETER;
	/* go test -json 2>&1: the go command's own lines come first. */
	if (has(h, len, "\n{\"") && has(h, len, "\"Action\":\"") &&
	    has(h, len, "\"Package\":\""))
		return TALLY_FMT_GOTEST;
	if (is_tap(h, len))
		return TALLY_FMT_TAP;
	return TALLY_FMT_AUTO;
}


/*
 * Why a walked file of no known format is not a test result, or NULL when
 * it may be one that is cut short or broken (and so is an error): an empty
 * file, or XML that ends before its root element's name does.
 */
static const char *
not_results(const unsigned char *head, size_t len, char *buf, size_t size)
{
	const char *h = (const char *)head, *e = h + len, *p, *q, *r, *why;
	size_t i = 0;

	if (len >= 3 && memcmp(h, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)h[i]))
		i++;
	if (i == len)
		return NULL;
	if (h[i] != '<')
		return "not a test result file (no known format), skipped";
	/* Past the XML declaration, comments, processing instructions and
	 * the document type (with its internal subset) to the root. */
	for (p = h + i; p < e; ) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p != '<' || e - p < 2)
			return NULL;
		if (p[1] == '?')
			q = memmem(p, (size_t)(e - p), "?>", 2);
		else if (e - p >= 4 && memcmp(p, "<!--", 4) == 0)
			q = memmem(p, (size_t)(e - p), "-->", 3);
		else if (p[1] == '!') {
			const char *gt = memchr(p, '>', (size_t)(e - p));
			const char *br = memchr(p, '[', (size_t)(e - p));

			if (br != NULL && (gt == NULL || br < gt))
				q = memmem(br, (size_t)(e - br), "]", 1);
			else
				q = gt;
			if (q != NULL && *q == ']')
				q = memchr(q, '>', (size_t)(e - q));
		} else
			break;
		if (q == NULL)
			return NULL;
		p = (const char *)memchr(q, '>', (size_t)(e - q)) + 1;
	}
	if (p >= e || !(isalpha((unsigned char)p[1]) || p[1] == '_'))
		return NULL;
	for (q = p + 1; q < e && !isspace((unsigned char)*q) && *q != '>' &&
	    *q != '/'; q++)
		;
	if (q == e)
		return NULL;	/* the name may go on */
	for (r = q; r > p + 1 && r[-1] != ':'; r--)
		;
	if (is_word(r, (size_t)(q - r), "testsuites") ||
	    is_word(r, (size_t)(q - r), "testsuite") ||
	    is_word(r, (size_t)(q - r), "testrun"))
		return NULL;
	if ((why = unsupported_xml(r, (size_t)(q - r))) != NULL) {
		snprintf(buf, size, "%s is not supported (" XML_READ
		    "), skipped", why);
		return buf;
	}
	snprintf(buf, size, "not a test result file (XML root element "
	    "'%.*s'), skipped", (int)(q - p - 1 < 64 ? q - p - 1 : 64), p + 1);
	return buf;
}

/* The unsupported XML format whose root the input has, else NULL. */
static const char *
foreign(const unsigned char *head, size_t len)
{
	const char *h = (const char *)head, *tag, *local;
	size_t taglen, loclen, i = 0;

	if (len >= 3 && memcmp(h, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)h[i]))
		i++;
	if (xml_root(h + i, len - i, &tag, &taglen, &local, &loclen) != 1)
		return NULL;
	return unsupported_xml(local, loclen);
}

/*
 * Read one input; reader warnings go to report.  In a walk (skip not NULL), a file of no known format
 * that is plainly something else is no error: *skip is set, err says why
 * and nothing goes into the sink.
 */
static int
read_fd(int fd, const char *name, enum tally_format fmt,
    struct tally_sink *sink, struct tally_error *err, report_fn report,
    void *arg, int *skip)
{
	struct tally_src src;
	const unsigned char *head;
	const char *why;
	char whybuf[160];
	size_t avail;
	int rc;

	if ((rc = tally_src_open(&src, fd, name, sink, err, report, arg)) !=
	    TALLY_OK)
		return rc;
	if (fmt == TALLY_FMT_AUTO) {
		if ((rc = tally_src_peek(&src, DETECT_WINDOW, &head,
		    &avail)) != TALLY_OK) {
			err->sys_errno = src.err;
			tally_error_set(err, TALLY_EIO, 0, 0, "%s",
			    strerror(src.err));
			goto fail;
		}
		fmt = tally_format_detect(head, avail);
		/* XML with a document type goes to the JUnit reader, which
		 * refuses it; in a walk its root decides (JaCoCo's report). */
		if (skip != NULL && (fmt == TALLY_FMT_AUTO ||
		    (fmt == TALLY_FMT_JUNIT &&
		    !has((const char *)head, avail, "<testsuite") &&
		    !has((const char *)head, avail, "<testcase"))) && (why =
		    not_results(head, avail, whybuf, sizeof(whybuf))) != NULL) {
			*skip = 1;
			rc = tally_error_set(err, TALLY_OK, 0, 0, "%s", why);
			goto out;
		}
		if (fmt == TALLY_FMT_AUTO) {
			size_t i = 0;

			while (i < avail && isspace(head[i]))
				i++;
			rc = tally_error_set(err, TALLY_EPARSE, 1, 0, i == avail ?
			    "empty input" : "unrecognized format");
			if (i < avail && (why = foreign(head, avail)) != NULL)
				rc = tally_error_set(err, TALLY_EPARSE, 1, 0,
				    "unrecognized format: %s is not supported "
				    "(" XML_READ ")", why);
			goto fail;
		}
	}
	if (formats[fmt].read == NULL) {
		rc = tally_error_set(err, TALLY_EPARSE, 0, 0,
		    "no reader for format '%s'", tally_format_name(fmt));
		goto fail;
	}
	rc = tally_src_run(&src, formats[fmt].read, sink, err);
	goto out;
fail:
	rc = tally_read_failed(sink, name, err, rc);
out:
	tally_src_fini(&src);
	return rc;
}

int
tally_read_input(int fd, const char *name, enum tally_format fmt,
    struct tally_sink *sink, struct tally_error *err,
    void (*report)(void *, int, const struct tally_error *), void *arg,
    int *skip)
{
	return read_fd(fd, name, fmt, sink, err, report, arg, skip);
}

int
tally_read_fd(int fd, const char *name, enum tally_format fmt,
    struct tally_sink *sink, struct tally_error *err)
{
	return read_fd(fd, name, fmt, sink, err, NULL, NULL, NULL);
}

int
tally_read_walk(const char *path, enum tally_format fmt,
    const struct tally_walk *opts, struct tally_sink *sink, report_fn report,
    void *arg)
{
	static const struct walk_ops ops = { read_fd, tally_jobs_file,
	    tally_jobs_dir_begin, tally_jobs_dir_end };
	struct walk w = { &ops, fmt, opts, NULL, sink, report, arg, path, 0 };

	if (opts != NULL && opts->jobs != NULL) {
		w.jobs = opts->jobs;
		w.sink = tally_jobs_walk_sink(w.jobs);
		w.report = tally_jobs_walk_report;
		w.arg = w.jobs;
	}
	return tally_walk_run(&w, path);
}

int
tally_read_path(const char *path, enum tally_format fmt,
    struct tally_sink *sink, report_fn report, void *arg)
{
	return tally_read_walk(path, fmt, NULL, sink, report, arg);
}

/* ---- label sink ---- */

struct label_sink {
	struct tally_sink	 sink;
	struct tally_sink	*next;
	struct tally_kv		*labels;	/* copy of the added labels */
	size_t			 nlabels;
	struct tally_kv		*scratch;	/* record's labels + added */
	size_t			 nscratch;
};

static int
label_record(struct tally_sink *s, const struct tally_record *rec,
    struct tally_error *err)
{
	struct label_sink *ls = (struct label_sink *)s;
	struct tally_record r = *rec;
	size_t i, n = 0, want = rec->nlabels + ls->nlabels;

	if (want > ls->nscratch) {
		struct tally_kv *p = realloc(ls->scratch, want * sizeof(*p));

		if (p == NULL)
			return tally_error_set(err, TALLY_ENOMEM, 0, 0,
			    "out of memory");
		ls->scratch = p;
		ls->nscratch = want;
	}
	/* A --label replaces a label of the same key from the input. */
	for (i = 0; i < rec->nlabels; i++)
		if (tally_kv_get(ls->labels, ls->nlabels,
		    rec->labels[i].key) == NULL)
			ls->scratch[n++] = rec->labels[i];
	for (i = 0; i < ls->nlabels; i++)
		ls->scratch[n++] = ls->labels[i];
	r.labels = ls->scratch;
	r.nlabels = n;
	return tally_sink_record(ls->next, &r, err);
}

static int
label_end(struct tally_sink *s, struct tally_error *err)
{
	return tally_sink_end(((struct label_sink *)s)->next, err);
}

static void
label_free(struct tally_sink *s)
{
	struct label_sink *ls = (struct label_sink *)s;
	size_t i;

	for (i = 0; i < ls->nlabels; i++) {
		free((char *)ls->labels[i].key);
		free((char *)ls->labels[i].value);
	}
	free(ls->labels);
	free(ls->scratch);
	free(ls);
}

int
tally_label_sink_new(struct tally_sink **out, struct tally_sink *next,
    const struct tally_kv *labels, size_t nlabels)
{
	struct label_sink *ls;
	size_t i;

	*out = NULL;
	if ((ls = calloc(1, sizeof(*ls))) == NULL)
		return TALLY_ENOMEM;
	ls->sink.record = label_record;
	ls->sink.end = label_end;
	ls->sink.free = label_free;
	ls->next = next;
	if (nlabels > 0 && (ls->labels = calloc(nlabels,
	    sizeof(*ls->labels))) == NULL) {
		free(ls);
		return TALLY_ENOMEM;
	}
	for (i = 0; i < nlabels; i++) {
		ls->labels[i].key = strdup(labels[i].key);
		ls->labels[i].value = strdup(labels[i].value);
		ls->nlabels++;
		if (!ls->labels[i].key || !ls->labels[i].value) {
			label_free(&ls->sink);
			return TALLY_ENOMEM;
		}
	}
	*out = &ls->sink;
	return TALLY_OK;
}

/* ---- helpers shared by readers ---- */

void
tally_src_warn(struct tally_src *s, long line, const char *fmt, ...)
{
	struct tally_error e;
	va_list ap;

	if (s->warn == NULL)
		return;
	tally_error_init(&e, s->name);
	e.line = line > 0 ? line : 0;
	va_start(ap, fmt);
	vsnprintf(e.message, sizeof(e.message), fmt, ap);
	va_end(ap);
	s->warn(s->warn_arg, TALLY_OK, &e);
}

/* The warning for a duration left out, quoting at most 40 bytes of it. */
static void
warn_duration(struct tally_src *src, long line, const char *s)
{
	size_t n = strlen(s), k = n > 40 ? 40 : n;

	while (k > 0 && k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	tally_src_warn(src, line, "time '%.*s%s' is not a duration of 0 to "
	    "%.0f seconds (30 days); duration left unknown", (int)k, s,
	    k < n ? "..." : "", TALLY_MAX_SECONDS);
}

/*
 * The common "123.456": up to 9 digits, a point and up to 6 digits make
 * an integer below 2^53 over an exact power of ten, and one IEEE
 * division rounds that just as strtod() does.  -1 for anything else.
 */
static double
plain_seconds(const char *s)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
	unsigned long long m = 0;
	int i = 0, k = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++)
		m = m * 10 + (unsigned)(s[i] - '0');
	if (i == 0 || i > 9)
		return -1;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9' && k < 7; i++, k++)
			m = m * 10 + (unsigned)(s[i] - '0');
	if (s[i] != '\0' || k > 6 || (s[i - 1] == '.' && k == 0))
		return -1;
	return (double)m / p10[k];
}

static double
seconds(const char *s)
{
	char buf[64], *end;
	size_t i, n = 0;
	double v;

	if ((v = plain_seconds(s)) >= 0)
		return v <= TALLY_MAX_SECONDS ? v * 1000.0 : -1;
	/* Drop thousands separators ("1,234.5") and surrounding blanks. */
	for (i = 0; s[i] != '\0' && n < sizeof(buf) - 1; i++)
		if (s[i] != ',' && !isspace((unsigned char)s[i]))
			buf[n++] = s[i];
	if (s[i] != '\0' || n == 0)
		return -1;
	buf[n] = '\0';
	if (strspn(buf, "0123456789.eE+-") != n)	/* no hex, inf, nan */
		return -1;
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) || v < 0 ||
	    v > TALLY_MAX_SECONDS)
		return -1;
	if (!isdigit((unsigned char)buf[0]) && buf[0] != '.' && buf[0] != '+')
		return -1;
	return v * 1000.0;
}

double
tally_parse_seconds(struct tally_src *src, long line, const char *s,
    int *bad)
{
	double v;

	if (s == NULL || s[strspn(s, " \t\r\n")] == '\0')
		return -1;
	if ((v = seconds(s)) < 0) {
		warn_duration(src, line, s);
		if (bad != NULL)
			*bad = 1;
	}
	return v;
}

long
tally_parse_count(const char *s)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= 0 ? v : -1;
}

double
tally_jduration(struct tally_src *src, long line, struct tally_jtmp *t,
    double given, double scale)
{
	char num[32];
	double ms = given == -1 ? -1 : given * scale;

	if (tally_bound_ms(src, line, ms) == ms)
		return ms;
	snprintf(num, sizeof(num), "%.15g", given);
	tally_jtmp_kv(t, TALLY_BAD_DURATION, tally_jtmp_own(t, strdup(num)));
	return -1;
}

double
tally_bound_ms(struct tally_src *src, long line, double ms)
{
	if (ms == -1 || (ms >= 0 && ms <= TALLY_MAX_SECONDS * 1000.0))
		return ms;
	tally_src_warn(src, line, "duration %.15g ms is not a duration of 0 to "
	    "%.0f seconds (30 days); duration left unknown", ms,
	    TALLY_MAX_SECONDS);
	return -1;
}

enum tally_status
tally_status_from_word(const char *w)
{
	static const struct {
		const char *word;
		enum tally_status st;
	} map[] = {
		{ "passed", TALLY_PASSED }, { "pass", TALLY_PASSED },
		{ "success", TALLY_PASSED }, { "ok", TALLY_PASSED },
		{ "xpass", TALLY_PASSED }, { "run", TALLY_PASSED },
		{ "completed", TALLY_PASSED },
		{ "failed", TALLY_FAILED }, { "fail", TALLY_FAILED },
		{ "failure", TALLY_FAILED }, { "error", TALLY_FAILED },
		{ "errored", TALLY_FAILED }, { "broken", TALLY_FAILED },
		{ "timedout", TALLY_FAILED }, { "timedOut", TALLY_FAILED },
		{ "interrupted", TALLY_FAILED }, { "crashed", TALLY_FAILED },
		{ "skipped", TALLY_SKIPPED }, { "skip", TALLY_SKIPPED },
		{ "disabled", TALLY_SKIPPED }, { "notrun", TALLY_SKIPPED },
		{ "ignored", TALLY_SKIPPED }, { "xfail", TALLY_SKIPPED },
		{ "xfailed", TALLY_SKIPPED }, { "excluded", TALLY_SKIPPED },
		{ "pending", TALLY_PENDING }, { "todo", TALLY_PENDING },
		{ "undefined", TALLY_PENDING },
	};
	size_t i;

	if (w == NULL)
		return TALLY_OTHER;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(w, map[i].word) == 0)
			return map[i].st;
	return TALLY_OTHER;
}
