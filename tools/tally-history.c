/*
 * tally-history: per-test history over many runs: how often each test
 * passed, failed and flipped, since when it fails, how long it takes;
 * and one summary per run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/history.h>
#include <tally/output.h>
#include <tally/stream.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tally-history [-h] [--version] [-o file] [-T dir]\n"
    "                     run | directory ...\n";

static const char options_text[] =
    "  -h, --help                print this help and exit\n"
    "  -o, --output=file         write the stream to file, atomically\n"
    "  -T, --temporary-directory=dir  temporary files in dir, not $TMPDIR\n"
    "      --version             print the version and exit\n";

static void
report(void *arg, int status, const struct tally_error *err)
{
	(void)status;
	*(int *)arg = 1;
	cli_error(err);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help",	no_argument,		NULL, 'h' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "temporary-directory", required_argument, NULL, 'T' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	struct tally_history *h = NULL;
	struct tally_sink *writer = NULL;
	struct tally_output *out = NULL;
	struct tally_error err;
	const char *outpath = NULL, *tmpdir = NULL;
	int ch, rc, bad = 0;

	cli_init("tally-history");
	while ((ch = cli_getopt(argc, argv, "ho:T:", longopts)) != -1)
		switch (ch) {
		case 'o':
			outpath = optarg;
			break;
		case 'T':
			tmpdir = optarg;
			break;
		default:	/* -h, --version, unknown */
			return cli_usual_option(ch, usage_text, options_text);
		}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fputs(usage_text, stderr);
		return EXIT_TROUBLE;
	}
	tally_error_init(&err, NULL);
	if (tally_history_new(&h) != TALLY_OK)
		goto nomem;
	/* Unreadable runs are said and counted; exit 2 at the end. */
	rc = tally_history_read(h, argv, (size_t)argc, tmpdir, report, &bad,
	    &err);
	if (rc != TALLY_OK)
		goto fail;

	tally_error_init(&err, outpath);
	if (tally_output_open(&out, outpath, &err) != TALLY_OK)
		goto fail;
	if (tally_stream_writer_new(&writer, tally_output_file(out)) !=
	    TALLY_OK)
		goto nomem;
	tally_error_init(&err, outpath ? outpath : "");
	rc = tally_history_write(h, writer, &err);
	/* Commit even after a failed write: it finds the error again. */
	if (rc == TALLY_OK || rc == TALLY_EIO) {
		if ((ch = tally_output_commit(out, &err)) != TALLY_OK)
			rc = ch;
		out = NULL;
	}
	if (rc != TALLY_OK)
		goto fail;
	tally_sink_free(writer);
	tally_history_free(h);
	return cli_close_stdout(bad ? EXIT_TROUBLE : EXIT_OK);
nomem:
	tally_error_set(&err, TALLY_ENOMEM, 0, 0, "out of memory");
fail:
	/* The message is said once here, none for a closed pipe. */
	if (err.sys_errno != EPIPE)
		cli_error(&err);
	cli_stdout_reported();
	tally_output_abort(out);
	tally_sink_free(writer);
	tally_history_free(h);
	return EXIT_TROUBLE;
}
