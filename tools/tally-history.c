/*
 * tally-history: per-test history over many runs: how often each test
 * passed, failed and flipped, since when it fails, how long it takes;
 * and one summary per run.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tally/history.h>
#include <tally/merge.h>
#include <tally/output.h>
#include <tally/reader.h>
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

#define MEMORY	(64u << 20)	/* shared by the runs' merge tables */
#define RUN_MIN	(1u << 20)

static void
report(void *arg, int status, const struct tally_error *err)
{
	(void)status;
	*(int *)arg = 1;
	cli_error(err);
}

static char **paths;
static size_t npaths;

static void
push(const char *p)
{
	char **v = realloc(paths, (npaths + 1) * sizeof(*v));

	if (v == NULL || (v[npaths] = strdup(p)) == NULL) {
		cli_warn("out of memory");
		exit(EXIT_TROUBLE);
	}
	paths = v;
	npaths++;
}

static int
is_stream_name(const char *n)
{
	size_t l = strlen(n);
	const char *const ext[] = { ".jsonl", ".json", ".ndjson" };
	size_t i, e;

	if (n[0] == '.')
		return 0;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (l > (e = strlen(ext[i])) &&
		    strcasecmp(n + l - e, ext[i]) == 0)
			return 1;
	return 0;
}

/* A directory's streams are runs, in name order; 1 when unreadable. */
static int
expand(const char *arg)
{
	struct dirent **ents;
	struct stat st;
	char *p;
	int i, n;

	if (stat(arg, &st) != 0 || !S_ISDIR(st.st_mode)) {
		push(arg);
		return 0;
	}
	if ((n = scandir(arg, &ents, NULL, alphasort)) < 0) {
		cli_warn("%s: error: %s", arg, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (is_stream_name(ents[i]->d_name)) {
			if (asprintf(&p, "%s/%s", arg, ents[i]->d_name) < 0) {
				cli_warn("out of memory");
				exit(EXIT_TROUBLE);
			}
			push(p);
			free(p);
		}
		free(ents[i]);
	}
	free(ents);
	return 0;
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
	struct tally_merge *m;
	struct tally_sink *writer = NULL, *in;
	struct tally_output *out = NULL;
	struct tally_error err;
	const char *outpath = NULL, *tmpdir = NULL;
	size_t i, run;
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
	for (ch = 0; ch < argc; ch++)
		bad |= expand(argv[ch]);

	tally_error_init(&err, NULL);
	if (tally_history_new(&h) != TALLY_OK)
		goto nomem;
	run = npaths > 0 && MEMORY / npaths > RUN_MIN ? MEMORY / npaths :
	    RUN_MIN;
	/* Unreadable inputs leave an "error" record and exit 2 at the end. */
	for (i = 0; i < npaths; i++) {
		if (tally_merge_new(&m) != TALLY_OK)
			goto nomem;
		tally_merge_set_run_bytes(m, run);
		if (tally_merge_set_tmpdir(m, tmpdir) != TALLY_OK ||
		    tally_history_add(h, m, paths[i]) != TALLY_OK ||
		    tally_merge_input_new(&in, m) != TALLY_OK)
			goto nomem;
		rc = tally_read_path(paths[i], TALLY_FMT_STREAM, in, report,
		    &bad);
		tally_sink_free(in);
		if (rc == TALLY_ENOMEM)
			goto nomem;
		tally_error_init(&err, paths[i]);
		if (tally_merge_finish(m, &err) != TALLY_OK)
			goto fail;
	}

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
	for (i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
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
