/*
 * tally-merge: combine record streams (shards, reruns, a matrix) into one
 * stream where each test appears once.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tally/merge.h>
#include <tally/meta.h>
#include <tally/output.h>
#include <tally/reader.h>
#include <tally/stream.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tally-merge [-h] [--version] [-o file] [-T dir]\n"
    "                   [--meta key=value] [file | directory | -] ...\n";

/* A test the merge saw pass in one input and fail in another. */
static void
merge_warning(void *arg, const struct tally_error *w)
{
	(void)arg;
	cli_warning(w);
}

static const char options_text[] =
    "  -h, --help                print this help and exit\n"
    "  -o, --output=file         write the stream to file, atomically\n"
    "  -T, --temporary-directory=dir  temporary files in dir, not $TMPDIR\n"
    "      --meta=key=value      stamp the run with a metadata item\n"
    "      --version             print the version and exit\n";

static void
report(void *arg, int status, const struct tally_error *err)
{
	(void)arg;
	if (status == TALLY_OK)
		cli_warning(err);
	else
		cli_error(err);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help",	no_argument,		NULL, 'h' },
		{ "meta",	required_argument,	NULL, 'M' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "temporary-directory", required_argument, NULL, 'T' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	struct tally_sink *writer = NULL, *merge = NULL, *stamp = NULL;
	struct tally_kv *meta = NULL, *items = NULL, kv;
	struct tally_output *out = NULL;
	struct tally_error err;
	struct tally_walk walk;
	struct tally_file_id own[2];
	struct cli_progress progress;
	const char *outpath = NULL, *tmpdir = NULL, *runs;
	size_t nmeta = 0, nitems = 0;
	int ch, i, rc, status = EXIT_OK;

	cli_init("tally-merge");
	while ((ch = cli_getopt(argc, argv, "ho:T:", longopts)) != -1)
		switch (ch) {
		case 'M':
			if (cli_parse_kv(optarg, &kv) != 0) {
				cli_warn("meta '%s' is not key=value", optarg);
				return cli_usual_option('?', usage_text, NULL);
			}
			cli_kv_push(&meta, &nmeta, kv.key, kv.value);
			break;
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
	if (cli_check_inputs(argc, argv, usage_text) != 0)
		return EXIT_TROUBLE;

	tally_error_init(&err, outpath);
	if (tally_output_open(&out, outpath, &err) != TALLY_OK)
		goto fail;
	if (tally_stream_writer_new(&writer, tally_output_file(out)) !=
	    TALLY_OK || tally_merge_sink_new(&merge, writer) != TALLY_OK ||
	    tally_merge_set_tmpdir(tally_merge_sink_table(merge), tmpdir) !=
	    TALLY_OK || tally_meta_ci(&items, &nitems, meta, nmeta,
	    time(NULL)) != TALLY_OK || tally_meta_sink_new(&stamp, merge,
	    items, nitems) != TALLY_OK) {
		tally_error_set(&err, TALLY_ENOMEM, 0, 0, "out of memory");
		goto fail;
	}
	tally_merge_set_warn(tally_merge_sink_table(merge), merge_warning,
	    NULL);
	/* For tests: a tiny run size makes many runs. */
	if ((runs = getenv("TALLY_MERGE_RUN_BYTES")) != NULL)
		tally_merge_set_run_bytes(tally_merge_sink_table(merge),
		    strtoul(runs, NULL, 10));
	/* Never read back what this run writes. */
	memset(&walk, 0, sizeof(walk));
	walk.own = own;
	walk.nown = cli_own_output(tally_output_file(out), outpath, own);
	/* Unreadable inputs leave an "error" record and exit 2 at the end. */
	cli_progress_init(&progress, stamp);
	for (i = 0; i < (argc > 0 ? argc : 1); i++) {
		rc = tally_stream_walk(argc > 0 ? argv[i] : "-", &walk,
		    &progress.sink, report, NULL);
		if (rc != TALLY_OK)
			status = EXIT_TROUBLE;
		if (rc == TALLY_ENOMEM) {
			tally_output_abort(out);
			out = NULL;
			break;
		}
		if (tally_merge_broken(tally_merge_sink_table(merge)))
			break;		/* said once; the end fails again */
	}
	cli_progress_done(&progress);
	tally_error_init(&err, outpath ? outpath : "");
	if (out != NULL) {
		/*
		 * Commit even after a failed write, as tally-collect does:
		 * committing finds the error again with its errno and
		 * removes the temporary file.
		 */
		rc = tally_sink_end(stamp, &err);
		if (rc == TALLY_OK || rc == TALLY_EIO) {
			if ((ch = tally_output_commit(out, &err)) != TALLY_OK)
				rc = ch;
			out = NULL;
		}
		if (rc != TALLY_OK)
			goto fail;
	}
	tally_sink_free(stamp);
	tally_sink_free(merge);
	tally_sink_free(writer);
	tally_meta_items_free(items, nitems);
	free(meta);
	return cli_close_stdout(status);
fail:
	/*
	 * The message is said once here.  A closed pipe is no trouble: every
	 * input was read before the first write, so the status stands.
	 */
	cli_stdout_reported();
	tally_output_abort(out);
	tally_sink_free(stamp);
	tally_sink_free(merge);
	tally_sink_free(writer);
	tally_meta_items_free(items, nitems);
	free(meta);
	if (err.sys_errno == EPIPE || (outpath == NULL && cli_pipe_closed(stdout)))
		return cli_close_stdout(status);
	cli_error(&err);
	return EXIT_TROUBLE;
}
