/*
 * tally-collect: read result files of any common format and write one
 * normalized record stream.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/output.h>
#include <tally/reader.h>
#include <tally/stream.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tally-collect [-h] [--version] [-f format] [-l key=value]\n"
    "                     [-o file] [file | directory | -] ...\n";

static void
report(void *arg, int status, const struct tally_error *err)
{
	(void)arg;
	(void)status;
	cli_error(err);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "format",	required_argument,	NULL, 'f' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "label",	required_argument,	NULL, 'l' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	enum tally_format fmt = TALLY_FMT_AUTO;
	struct tally_sink *writer = NULL, *sink = NULL;
	struct tally_output *out = NULL;
	struct tally_error err;
	struct tally_kv *labels = NULL, kv;
	const char *outpath = NULL;
	size_t nlabels = 0;
	int ch, i, rc, status = EXIT_OK;

	cli_init("tally-collect");
	while ((ch = getopt_long(argc, argv, "f:hl:o:", longopts, NULL)) != -1)
		switch (ch) {
		case 'f':
			if (tally_format_parse(optarg, &fmt) != TALLY_OK) {
				cli_warn("unknown format '%s'", optarg);
				return EXIT_TROUBLE;
			}
			break;
		case 'h':
			fputs(usage_text, stdout);
			return cli_close_stdout(EXIT_OK);
		case 'l':
			if (cli_parse_kv(optarg, &kv) != 0) {
				cli_warn("label '%s' is not key=value", optarg);
				return EXIT_TROUBLE;
			}
			cli_kv_push(&labels, &nlabels, kv.key, kv.value);
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'V':
			printf("tally-collect %s\n", TALLY_VERSION);
			return cli_close_stdout(EXIT_OK);
		default:
			fputs(usage_text, stderr);
			return EXIT_TROUBLE;
		}
	argc -= optind;
	argv += optind;

	tally_error_init(&err, outpath);
	if (tally_output_open(&out, outpath, &err) != TALLY_OK ||
	    tally_stream_writer_new(&writer, tally_output_file(out)) != TALLY_OK ||
	    tally_label_sink_new(&sink, writer, labels, nlabels) != TALLY_OK) {
		cli_error(&err);
		return EXIT_TROUBLE;
	}
	for (i = 0; i < (argc > 0 ? argc : 1); i++) {
		rc = tally_read_path(argc > 0 ? argv[i] : "-", fmt, sink,
		    report, NULL);
		if (rc != TALLY_OK)
			status = EXIT_TROUBLE;
		if (rc == TALLY_ENOMEM || (rc == TALLY_EIO &&
		    ferror(tally_output_file(out))))
			break;
	}
	tally_error_init(&err, outpath ? outpath : "");
	if (tally_sink_end(sink, &err) != TALLY_OK ||
	    tally_output_commit(out, &err) != TALLY_OK) {
		cli_error(&err);
		status = EXIT_TROUBLE;
	}
	tally_sink_free(sink);
	tally_sink_free(writer);
	free(labels);
	return cli_close_stdout(status);
}
