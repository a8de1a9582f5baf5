/* tests/check_stream.c: the record stream writer and reader. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include <tally/stream.h>

#include "internal.h"
#include "testutil.h"

START_TEST(roundtrip_is_identical)
{
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a \\\"q\\\" \\u0001\","
	    "\"status\":\"failed\",\"rawStatus\":\"error\",\"duration\":1.5,"
	    "\"suite\":[\"outer\",\"inner\"],\"classname\":\"pkg.C\","
	    "\"filePath\":\"t/a.py\",\"line\":12,\"message\":\"m\\nx\","
	    "\"errorType\":\"E\",\"trace\":\"tr\",\"stdout\":\"o\","
	    "\"stderr\":\"e\",\"retries\":1,\"flaky\":true,"
	    "\"retryAttempts\":[{\"status\":\"failed\",\"duration\":2,"
	    "\"message\":\"first\"}],\"properties\":[{\"name\":\"k\","
	    "\"value\":\"v\"},{\"name\":\"k\",\"value\":\"w\"}],"
	    "\"source\":\"r.xml\",\"labels\":{\"py\":\"3.11\"}}\n"
	    "{\"v\":1,\"type\":\"suite\",\"suite\":[\"s\"],\"hostname\":\"h\","
	    "\"tests\":3,\"failures\":0,\"source\":\"r.xml\"}\n"
	    "{\"v\":1,\"type\":\"meta\",\"meta\":{\"a\":\"b\"}}\n"
	    "{\"v\":1,\"type\":\"error\",\"line\":3,\"column\":4,"
	    "\"message\":\"bad\",\"source\":\"x.xml\"}\n"
	    "{\"v\":1,\"type\":\"perf\",\"name\":\"/api\",\"method\":\"GET\","
	    "\"requests\":10,\"failures\":1,\"mean\":2.5,\"p95\":7,"
	    "\"rps\":3.25}\n";
	struct capture c;
	struct tally_error err;
	char *out;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "in", TALLY_FMT_STREAM, &c, &err),
	    TALLY_OK);
	out = capture_join(&c);
	ck_assert_str_eq(out, in);
	ck_assert_uint_eq(c.ntests, 1);
	free(out);
	capture_fini(&c);
}
END_TEST

START_TEST(detects_stream)
{
	const char *in = "{\"v\":1,\"type\":\"meta\",\"meta\":{}}\n";
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "in", TALLY_FMT_AUTO, &c, &err),
	    TALLY_OK);
	ck_assert_uint_eq(c.n, 1);
	capture_fini(&c);
}
END_TEST

START_TEST(bad_line_keeps_earlier_records)
{
	const char *in =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":\"passed\"}\n"
	    "\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"b\",\"status\":\"passed\"\n";
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "in.jsonl", TALLY_FMT_AUTO, &c, &err),
	    TALLY_EPARSE);
	ck_assert_uint_eq(c.ntests, 1);
	ck_assert_uint_eq(c.nerrors, 1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_str_eq(err.file, "in.jsonl");
	ck_assert_str_eq(err.message, "unexpected end of JSON");
	capture_fini(&c);
}
END_TEST

START_TEST(rejects_hostile_json)
{
	static const char *bad[] = {
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"name\":\"b\","
	    "\"status\":\"passed\"}\n",
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":\"bogus\"}\n",
	    "{\"v\":2,\"type\":\"test\",\"name\":\"a\",\"status\":\"passed\"}\n",
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":\"passed\","
	    "\"duration\":1e999}\n",
	    "{\"v\":1,\"type\":\"nope\"}\n",
	};
	static const char *why[] = {
	    "duplicate key", "not a tally record",
	    "record version is newer than this tally reads",
	    "number out of range", "not a tally record",
	};
	struct capture c;
	struct tally_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		capture_init(&c);
		ck_assert_int_eq(read_string(bad[i], "x", TALLY_FMT_STREAM, &c,
		    &err), TALLY_EPARSE);
		ck_assert_uint_eq(c.ntests, 0);
		ck_assert_uint_eq(c.nerrors, 1);
		ck_assert_msg(strstr(err.message, why[i]) != NULL,
		    "case %zu: '%s'", i, err.message);
		capture_fini(&c);
	}
}
END_TEST

/*
 * Line numbers and counts too large for a long are left out, not cast
 * (a cast of 1e300 to long is undefined: make asan stops on it).
 */
START_TEST(huge_numbers_are_absent)
{
	static const char in[] =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":"
	    "\"failed\",\"line\":1e300,\"retries\":5e18}\n"
	    "{\"v\":1,\"type\":\"suite\",\"suite\":[\"s\"],\"tests\":1e300,"
	    "\"failures\":9e18,\"errors\":2,\"skipped\":1e15}\n"
	    "{\"v\":1,\"type\":\"error\",\"line\":1e300,\"column\":-1e300,"
	    "\"message\":\"m\"}\n"
	    "{\"v\":1,\"type\":\"perf\",\"name\":\"p\",\"requests\":1e300,"
	    "\"failures\":999999999999999}\n";
	struct capture c;
	struct tally_error err;
	char *out;

	capture_init(&c);
	ck_assert_int_eq(read_string(in, "in", TALLY_FMT_STREAM, &c, &err),
	    TALLY_OK);
	out = capture_join(&c);
	ck_assert_str_eq(out,
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":"
	    "\"failed\"}\n"
	    "{\"v\":1,\"type\":\"suite\",\"suite\":[\"s\"],\"errors\":2}\n"
	    "{\"v\":1,\"type\":\"error\",\"message\":\"m\"}\n"
	    "{\"v\":1,\"type\":\"perf\",\"name\":\"p\",\"failures\":"
	    "999999999999999}\n");
	free(out);
	capture_fini(&c);
}
END_TEST

START_TEST(writer_repairs_utf8_and_controls)
{
	struct tally_record r;
	struct tally_buf b;

	tally_record_init(&r, TALLY_REC_TEST);
	r.u.test.name = "bad \xff byte \x1b[31mred\x7f";
	r.u.test.status = TALLY_PASSED;
	tally_buf_init(&b);
	ck_assert_int_eq(tally_stream_format(&b, &r), TALLY_OK);
	ck_assert_str_eq(b.data, "{\"v\":1,\"type\":\"test\",\"name\":"
	    "\"bad \xef\xbf\xbd byte \\u001b[31mred\\u007f\","
	    "\"status\":\"passed\"}\n");
	tally_buf_free(&b);
}
END_TEST

/*
 * An empty member name given twice is named as '' in the message and
 * the error record; it once showed bytes from past the end of a buffer
 * (issue 15).
 */
START_TEST(duplicate_empty_key)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("{\"v\":1,\"type\":\"test\",\"name\":\"a\","
	    "\"\":1,\"\":2}\n", "k", TALLY_FMT_STREAM, &c, &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "duplicate key ''");
	ck_assert_int_eq(err.line, 1);
	ck_assert_uint_eq(c.ntests, 0);
	ck_assert_uint_eq(capture_count(&c,
	    "\"message\":\"duplicate key ''\""), 1);
	capture_fini(&c);
}
END_TEST

/*
 * \u0000 is refused at its backslash: cJSON would cut "ab\u0000cd" to
 * "ab", and two tests would have one identity (issue 15).  An escaped
 * backslash before "u0000" is text.
 */
START_TEST(nul_escape_is_refused)
{
	static const struct {
		const char	*in;
		long		 col;
	} bad[] = {
		{ "{\"v\":1,\"type\":\"test\",\"name\":\"ab\\u0000cd\","
		  "\"status\":\"passed\"}", 32 },
		{ "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":"
		  "\"passed\",\"labels\":{\"k\\u0000\":\"v\"}}", 63 },
		{ "{\"v\":1,\"type\":\"test\",\"name\":\"\\\\\\u0000\","
		  "\"status\":\"passed\"}", 32 },
	};
	struct capture c;
	struct tally_error err;
	struct tally_buf in;
	size_t i;

	tally_buf_init(&in);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tally_buf_reset(&in);
		tally_buf_printf(&in, "{\"v\":1,\"type\":\"test\",\"name\":"
		    "\"ab\",\"status\":\"passed\"}\n%s\n", bad[i].in);
		capture_init(&c);
		ck_assert_int_eq(read_string(in.data, "n", TALLY_FMT_AUTO, &c,
		    &err), TALLY_EPARSE);
		ck_assert_str_eq(err.message,
		    "NUL character (\\u0000) in a string");
		ck_assert_msg(err.line == 2 && err.column == bad[i].col,
		    "case %zu: at %ld:%ld", i, err.line, err.column);
		ck_assert_uint_eq(c.ntests, 1);
		ck_assert_uint_eq(c.nerrors, 1);
		capture_fini(&c);
	}
	tally_buf_free(&in);
	capture_init(&c);
	ck_assert_int_eq(read_string("{\"v\":1,\"type\":\"test\",\"name\":"
	    "\"ab\\\\u0000cd\",\"status\":\"passed\"}\n", "n", TALLY_FMT_AUTO,
	    &c, &err), TALLY_OK);
	ck_assert_uint_eq(capture_count(&c, "\"name\":\"ab\\\\u0000cd\""), 1);
	capture_fini(&c);
}
END_TEST

/* Nesting past the limit says so, where it happens, however deep. */
START_TEST(deep_nesting_is_named)
{
	static const int depth[] = { 64, 65, 999, 1000, 1001, 5000 };
	struct capture c;
	struct tally_error err;
	struct tally_buf in;
	size_t i;
	int k;

	tally_buf_init(&in);
	for (i = 0; i < sizeof(depth) / sizeof(depth[0]); i++) {
		/* The record is one level; "x" holds the rest. */
		tally_buf_reset(&in);
		tally_buf_adds(&in, "{\"v\":1,\"type\":\"test\",\"name\":\"a\","
		    "\"status\":\"passed\",\"x\":");
		for (k = 1; k < depth[i]; k++)
			tally_buf_addc(&in, '[');
		for (k = 1; k < depth[i]; k++)
			tally_buf_addc(&in, ']');
		tally_buf_adds(&in, "}\n");
		capture_init(&c);
		if (depth[i] <= TALLY_MAX_DEPTH) {
			ck_assert_int_eq(read_string(in.data, "d",
			    TALLY_FMT_STREAM, &c, &err), TALLY_OK);
			ck_assert_uint_eq(c.ntests, 1);
		} else {
			ck_assert_int_eq(read_string(in.data, "d",
			    TALLY_FMT_STREAM, &c, &err), TALLY_EPARSE);
			ck_assert_str_eq(err.message,
			    "nesting too deep: more than 64 levels");
			ck_assert_int_eq(err.line, 1);
			/* The bracket that opens level 65. */
			ck_assert_int_eq(err.column, 54 + TALLY_MAX_DEPTH);
			ck_assert_uint_eq(c.ntests, 0);
			ck_assert_uint_eq(c.nerrors, 1);
		}
		capture_fini(&c);
	}
	tally_buf_free(&in);
}
END_TEST

START_TEST(empty_and_unknown_inputs)
{
	struct capture c;
	struct tally_error err;

	capture_init(&c);
	ck_assert_int_eq(read_string("  \n\t", "e", TALLY_FMT_AUTO, &c, &err),
	    TALLY_EPARSE);
	ck_assert_str_eq(err.message, "empty input");
	ck_assert_uint_eq(c.nerrors, 1);
	capture_fini(&c);
	capture_init(&c);
	ck_assert_int_eq(read_string("\x89PNG\r\n", "p", TALLY_FMT_AUTO, &c,
	    &err), TALLY_EPARSE);
	ck_assert_str_eq(err.message, "unrecognized format");
	capture_fini(&c);
}
END_TEST

/* The records of s read in stream mode fast, with status and fault. */
static char *
read_mode(const char *s, int fast, int *st, struct tally_error *err)
{
	struct capture c;
	int old = tally_stream_fast;
	char *out;

	tally_stream_fast = fast;
	capture_init(&c);
	*st = read_string(s, "x", TALLY_FMT_STREAM, &c, err);
	tally_stream_fast = old;
	out = capture_join(&c);
	capture_fini(&c);
	return out;
}

/* s read with and without the fast path: the same in every way. */
static int
same_both_ways(const char *s)
{
	struct tally_error ea, eb;
	char *x, *y;
	int a, b;

	x = read_mode(s, 1, &a, &ea);
	y = read_mode(s, 0, &b, &eb);
	ck_assert_msg(a == b, "status %d, %d for: %s", a, b, s);
	ck_assert_msg(strcmp(ea.message, eb.message) == 0, "'%s', '%s' for: "
	    "%s", ea.message, eb.message, s);
	ck_assert_int_eq(ea.line, eb.line);
	ck_assert_int_eq(ea.column, eb.column);
	ck_assert_msg(strcmp(x, y) == 0, "records differ for: %s", s);
	free(x);
	free(y);
	return a == TALLY_OK;
}

/* Lines as tally writes them: no escape, every member one it knows. */
static const char *const common[] = {
    "{\"v\":1,\"type\":\"test\",\"name\":\"t\",\"status\":\"failed\","
    "\"rawStatus\":\"error\",\"duration\":1.5,\"suite\":[\"outer\","
    "\"inner\"],\"classname\":\"pkg.C\",\"filePath\":\"t/a.py\","
    "\"line\":12,\"message\":\"m\",\"errorType\":\"E\",\"trace\":\"tr\","
    "\"stdout\":\"o\",\"stderr\":\"\",\"retries\":1,\"flaky\":true,"
    "\"retryAttempts\":[{\"status\":\"failed\",\"duration\":2.25e-3,"
    "\"message\":\"first\"},{\"status\":\"passed\",\"duration\":-0}],"
    "\"properties\":[{\"name\":\"k\",\"value\":\"v\"},{\"name\":\"k\","
    "\"value\":\"w\"}],\"category\":\"unit\",\"source\":\"r.xml\","
    "\"labels\":{\"py\":\"3.11\",\"os\":\"linux\"}}",
    "{\"v\":1,\"type\":\"suite\",\"suite\":[\"s\"],\"hostname\":\"h\","
    "\"timestamp\":\"2024-01-01T00:00:00\",\"duration\":3000,\"tests\":3,"
    "\"failures\":0,\"errors\":null,\"properties\":{\"a\":\"b\"},"
    "\"source\":\"r.xml\"}",
    "{\"v\":1,\"type\":\"meta\",\"meta\":{\"a\":\"b\",\"c\":\"\"},"
    "\"labels\":{}}",
    "{\"v\":1,\"type\":\"error\",\"line\":3,\"column\":4,"
    "\"message\":\"bad\",\"source\":\"x.xml\"}",
    "{\"v\":1,\"type\":\"perf\",\"name\":\"/api\",\"method\":\"GET\","
    "\"requests\":10,\"failures\":1,\"mean\":2.5,\"p95\":7,\"p99\":1E2,"
    "\"rps\":3.25,\"min\":0,\"max\":123456789012345678}",
    "{\"v\":1,\"type\":\"test\",\"name\":\"x\",\"status\":\"passed\","
    "\"change\":\"fixed\",\"durationChange\":\"+5%\",\"baseDuration\":7,"
    "\"suite\":[]}",
    "{\"v\":1,\"type\":\"history\",\"name\":\"h\",\"runs\":[\"a\",\"b\"],"
    "\"rate\":0.5,\"ok\":false,\"none\":null,\"sub\":{\"k\":[1,2]}}",
};

/*
 * The fast path of the reader (the line as tally writes it) reads what
 * the full parser reads, and declines everything else to it: the same
 * records, status, message and position, for tally's own lines, real
 * streams, and many small edits of them (a fixed seed).
 */
START_TEST(fast_path_agrees)
{
	static const char *const tok[] = {
	    " ", "\t", "\r", "\\n", "\\u0041", "\\u0000", "\"", "\\", "{", "}",
	    "[", "]", ",", ":", "\x01", "\xff", "\xEF\xBB\xBF", "1e999", "01",
	    "1.", "-", "0.5", "-0", "1e5", "null", "tru", "fals", "\"v\":1,",
	    "\"name\":\"n\",", "\"zz\":1,", "\"\":1,", "\"a\":1,\"a\":2",
	    "{\"x\":{\"y\":{\"z\":[1]}}}", "[[[[", "]]]]", "0x10", "1e",
	    "12345678901234567890",
	};
	static const char *const files[] = {
	    "tests/data/merge/pytest-rerun.jsonl",
	    "tests/data/merge/surefire-flaky.jsonl",
	    "tests/data/merge/ctrf-retries.jsonl",
	    "tests/data/merge/meta.jsonl",
	    "tests/data/html/example.jsonl",
	    "tests/data/qa/huge-numbers.jsonl",
	    "tests/data/hostile/stream-duplicate-empty-key.jsonl",
	};
	struct tally_buf b, seed;
	unsigned long r = 4242;
	size_t i, k, nseed = 0;
	int ok = 0, st;
	char **seeds = NULL, *line, *save, *text, *out;
	struct tally_error err;
	FILE *fp;
	long len;

	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		ck_assert_ptr_nonnull(seeds = realloc(seeds, (nseed + 1) *
		    sizeof(*seeds)));
		seeds[nseed++] = strdup(common[i]);
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ck_assert_ptr_nonnull(fp = fopen(files[i], "rb"));
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		rewind(fp);
		ck_assert_ptr_nonnull(text = calloc(1, (size_t)len + 1));
		ck_assert_uint_eq(fread(text, 1, (size_t)len, fp), (size_t)len);
		fclose(fp);
		/* The whole file, then each line on its own. */
		same_both_ways(text);
		for (line = strtok_r(text, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			ck_assert_ptr_nonnull(seeds = realloc(seeds, (nseed +
			    1) * sizeof(*seeds)));
			seeds[nseed++] = strdup(line);
		}
		free(text);
	}
	/* tally's own lines without escapes are all taken by the fast path. */
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		out = read_mode(common[i], -1, &st, &err);
		ck_assert_msg(st == TALLY_OK, "declined: %s", common[i]);
		free(out);
	}
	for (i = 0; i < nseed; i++)
		same_both_ways(seeds[i]);
	tally_buf_init(&b);
	tally_buf_init(&seed);
	for (i = 0; i < 20000; i++) {
		tally_buf_reset(&b);
		tally_buf_adds(&b, seeds[i % nseed]);
		mutate(&b, &r, tok, sizeof(tok) / sizeof(tok[0]),
		    1 + (int)(i % 3));
		/* A line break would make two lines: one line each. */
		for (k = 0; k < b.len; k++)
			if (b.data[k] == '\n')
				b.data[k] = ' ';
		ok += same_both_ways(b.data);
	}
	/* The edits leave some lines good and break most. */
	ck_assert_int_gt(ok, 1000);
	ck_assert_int_lt(ok, 19000);
	for (i = 0; i < nseed; i++)
		free(seeds[i]);
	free(seeds);
	tally_buf_free(&b);
	tally_buf_free(&seed);
}
END_TEST

/*
 * The reader finds every member it knows by name and no other: each of
 * the names below, once, in order; nothing for near misses, for every
 * one- and two-character key but "v", nor for longer names.
 */
START_TEST(field_names_hash)
{
	static const char *const names[] = { "baseDuration", "category",
	    "change", "classname", "column", "duration", "durationChange",
	    "errorType", "errors", "failures", "filePath", "flaky",
	    "hostname", "labels", "line", "max", "mean", "median",
	    "message", "meta", "method", "min", "name", "p90", "p95", "p99",
	    "properties", "rawStatus", "requests", "retries",
	    "retryAttempts", "rps", "skipped", "source", "status", "stderr",
	    "stdout", "suite", "tests", "timestamp", "trace", "type", "v" };
	static const char *const misses[] = { "", "Name", "nam", "names",
	    "p91", "p9", "stdoutx", "durationchange", "retryAttempt",
	    "baseDurations", "typ", "tracE", "vv", "retryAttemptsX",
	    "labelz", "zz" };
	const char *nm;
	char key[3];
	size_t i;
	int a, b;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_int_eq(tally_stream_field(names[i], &nm), (int)i);
		ck_assert_str_eq(nm, names[i]);
	}
	for (i = 0; i < sizeof(misses) / sizeof(misses[0]); i++)
		ck_assert_msg(tally_stream_field(misses[i], &nm) < 0,
		    "'%s' taken for '%s'", misses[i], nm);
	for (a = 1; a < 256; a++)
		for (b = 0; b < 256; b++) {
			key[0] = (char)a;
			key[1] = (char)b;
			key[2] = '\0';
			ck_assert_int_eq(tally_stream_field(key, &nm) >= 0,
			    a == 'v' && b == 0);
		}
}
END_TEST

/* What a walk reports: each call as "status file:line: message". */
static void
walk_log(void *arg, int status, const struct tally_error *err)
{
	struct tally_buf *b = arg;

	ck_assert_int_eq(tally_buf_printf(b, "%d %s:%ld: %s\n", status,
	    err->file, err->line, err->message), TALLY_OK);
}

/*
 * tally_stream_walk() is tally_read_walk() forced to streams: the same
 * records, warnings, errors and status over a directory of streams, a
 * file that is no stream, hidden and unwanted entries, and an own
 * output file.
 */
START_TEST(stream_walk_is_read_walk)
{
	static const char good[] =
	    "{\"v\":1,\"type\":\"test\",\"name\":\"a\",\"status\":\"passed\"}\n"
	    "{\"v\":1,\"type\":\"test\",\"name\":\"b\",\"status\":\"failed\","
	    "\"message\":\"x\\ny\"}\n";
	char dir[] = "/tmp/tally-walk.XXXXXX", path[512], *x, *y;
	struct tally_file_id own;
	struct tally_walk opts;
	struct tally_buf la, lb;
	struct capture a, b;
	struct stat st;
	int ra, rb;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "a.jsonl", good);
	write_file(dir, "b.xml", "<testsuite><testcase name=\"t\"/></testsuite>\n");
	write_file(dir, "c.jsonl", "{\"v\":1,\"type\":\"test\",\"name\":\"c\","
	    "\"status\":\"passed\"}\n{\"v\":1,\"type\":\"bogus\"}\n");
	write_file(dir, ".hidden.jsonl", good);
	write_file(dir, "notes.txt", "not read\n");
	write_file(dir, "out.jsonl", good);
	snprintf(path, sizeof(path), "%s/out.jsonl", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	memset(&own, 0, sizeof(own));
	own.dev = st.st_dev;
	own.ino = st.st_ino;
	memset(&opts, 0, sizeof(opts));
	opts.own = &own;
	opts.nown = 1;
	tally_buf_init(&la);
	tally_buf_init(&lb);
	capture_init(&a);
	capture_init(&b);
	ra = tally_read_walk(dir, TALLY_FMT_STREAM, &opts, &a.sink, walk_log,
	    &la);
	rb = tally_stream_walk(dir, &opts, &b.sink, walk_log, &lb);
	ck_assert_int_eq(ra, TALLY_EPARSE);
	ck_assert_int_eq(rb, ra);
	x = capture_join(&a);
	y = capture_join(&b);
	ck_assert_str_eq(y, x);
	/* Three tests, an error record for b.xml and one for c.jsonl. */
	ck_assert_uint_eq(b.ntests, 3);
	ck_assert_uint_eq(b.nerrors, 2);
	ck_assert_str_eq(lb.data, la.data);
	HAS(lb.data, "b.xml:1: invalid JSON");
	HAS(lb.data, "c.jsonl:2: not a tally record");
	HAS(lb.data, "out.jsonl:0: the output file, not read as input");
	HASNT(lb.data, "hidden");
	free(x);
	free(y);
	capture_fini(&a);
	capture_fini(&b);
	tally_buf_free(&la);
	tally_buf_free(&lb);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

Suite *suite_stream(void);

Suite *
suite_stream(void)
{
	Suite *s = suite_create("stream");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, roundtrip_is_identical);
	tcase_add_test(tc, fast_path_agrees);
	tcase_add_test(tc, detects_stream);
	tcase_add_test(tc, bad_line_keeps_earlier_records);
	tcase_add_test(tc, rejects_hostile_json);
	tcase_add_test(tc, huge_numbers_are_absent);
	tcase_add_test(tc, writer_repairs_utf8_and_controls);
	tcase_add_test(tc, empty_and_unknown_inputs);
	tcase_add_test(tc, duplicate_empty_key);
	tcase_add_test(tc, nul_escape_is_refused);
	tcase_add_test(tc, deep_nesting_is_named);
	tcase_add_test(tc, stream_walk_is_read_walk);
	tcase_add_test(tc, field_names_hash);
	suite_add_tcase(s, tc);
	return s;
}
