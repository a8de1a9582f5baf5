/*
 * tally-diff: what changed between two runs: every test of NEW and the
 * tests BASE had that NEW lacks, each marked with its change, and a
 * summary.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <tally/diff.h>
#include <tally/merge.h>
#include <tally/output.h>
#include <tally/reader.h>
#include <tally/stream.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tally-diff [-h] [--version] [-o file] [-T dir]\n"
    "                  [--time-min ms] [--time-threshold pct] base new\n";

static const char options_text[] =
    "  -h, --help                print this help and exit\n"
    "  -o, --output=file         write the stream to file, atomically\n"
    "  -T, --temporary-directory=dir  temporary files in dir, not $TMPDIR\n"
    "      --time-min=ms         least change in ms that is slower or faster\n"
    "      --time-threshold=pct  least change in percent of base's duration\n"
    "      --version             print the version and exit\n";

enum { OPT_TIME_MIN = 256, OPT_TIME_THRESHOLD };

static void
report(void *arg, int status, const struct tally_error *err)
{
	(void)status;
	*(int *)arg = 1;
	cli_error(err);
}

/* A non-negative number, or usage. */
static double
number(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > 1e12) {
		cli_warn("%s: '%s' is not a number of at least 0", what, s);
		exit(EXIT_TROUBLE);
	}
	return v;
}

/* One run, merged into canonical order; 1 when an input had trouble. */
static int
load(const char *path, const char *tmpdir, struct tally_merge **out,
    struct tally_error *err)
{
	struct tally_sink *in = NULL;
	int bad = 0, rc;

	if ((rc = tally_merge_new(out)) != TALLY_OK ||
	    (rc = tally_merge_set_tmpdir(*out, tmpdir)) != TALLY_OK ||
	    (rc = tally_merge_input_new(&in, *out)) != TALLY_OK)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	rc = tally_stream_walk(path, NULL, in, report, &bad);
	tally_sink_free(in);
	if (rc == TALLY_ENOMEM)
		return tally_error_set(err, rc, 0, 0, "out of memory");
	tally_error_init(err, path);
	if ((rc = tally_merge_finish(*out, err)) != TALLY_OK)
		return rc;
	return bad;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help",	no_argument,		NULL, 'h' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "temporary-directory", required_argument, NULL, 'T' },
		{ "time-min",	required_argument,	NULL, OPT_TIME_MIN },
		{ "time-threshold", required_argument,	NULL,
		    OPT_TIME_THRESHOLD },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	struct tally_diff_opts o = { TALLY_DIFF_THRESHOLD, TALLY_DIFF_MIN_MS };
	struct tally_merge *base = NULL, *now = NULL;
	struct tally_sink *writer = NULL;
	struct tally_output *out = NULL;
	struct tally_error err;
	const char *outpath = NULL, *tmpdir = NULL;
	int ch, rc, status = EXIT_OK;

	cli_init("tally-diff");
	while ((ch = cli_getopt(argc, argv, "ho:T:", longopts)) != -1)
		switch (ch) {
		case 'o':
			outpath = optarg;
			break;
		case 'T':
			tmpdir = optarg;
			break;
		case OPT_TIME_MIN:
			o.min_ms = number(optarg, "--time-min");
			break;
		case OPT_TIME_THRESHOLD:
			o.threshold = number(optarg, "--time-threshold");
			break;
		default:	/* -h, --version, unknown */
			return cli_usual_option(ch, usage_text, options_text);
		}
	argc -= optind;
	argv += optind;
	if (argc != 2) {
		fputs(usage_text, stderr);
		return EXIT_TROUBLE;
	}

	/* Unreadable inputs leave an "error" record and exit 2 at the end. */
	tally_error_init(&err, argv[0]);
	if ((rc = load(argv[0], tmpdir, &base, &err)) < 0)
		goto fail;
	status = rc ? EXIT_TROUBLE : status;
	tally_error_init(&err, argv[1]);
	if ((rc = load(argv[1], tmpdir, &now, &err)) < 0)
		goto fail;
	status = rc ? EXIT_TROUBLE : status;

	tally_error_init(&err, outpath);
	if (tally_output_open(&out, outpath, &err) != TALLY_OK)
		goto fail;
	if (tally_stream_writer_new(&writer, tally_output_file(out)) !=
	    TALLY_OK) {
		tally_error_set(&err, TALLY_ENOMEM, 0, 0, "out of memory");
		goto fail;
	}
	tally_error_init(&err, outpath ? outpath : "");
	rc = tally_diff(base, now, &o, writer, &err);
	/* Commit even after a failed write: it finds the error again. */
	if (rc == TALLY_OK || rc == TALLY_EIO) {
		if ((ch = tally_output_commit(out, &err)) != TALLY_OK)
			rc = ch;
		out = NULL;
	}
	if (rc != TALLY_OK)
		goto fail;
	tally_sink_free(writer);
	tally_merge_free(base);
	tally_merge_free(now);
	return cli_close_stdout(status);
fail:
	/* The message is said once here, none for a closed pipe. */
	if (err.sys_errno != EPIPE)
		cli_error(&err);
	cli_stdout_reported();
	tally_output_abort(out);
	tally_sink_free(writer);
	tally_merge_free(base);
	tally_merge_free(now);
	return EXIT_TROUBLE;
}
