/*
 * tally-collect: read result files of any common format and write one
 * normalized record stream.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/category.h>
#include <tally/output.h>
#include <tally/reader.h>
#include <tally/rules.h>
#include <tally/stream.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tally-collect [-h] [--version] [-f format] [-l key=value]\n"
    "                     [-o file] [--exclude glob] [--include glob]\n"
    "                     [--rules[=file]] [file | directory | -] ...\n";

static const char options_text[] =
    "  -f, --format=format       read inputs as format, not detected\n"
    "  -h, --help                print this help and exit\n"
    "  -l, --label=key=value     label every test, e.g. shard=1\n"
    "  -o, --output=file         write the stream to file, atomically\n"
    "      --exclude=glob        skip files and directories that match\n"
    "      --include=glob        read only files that match\n"
    "      --rules[=file]        categorize tests by rules (tally-rules(5))\n"
    "      --version             print the version and exit\n";

/* The format names -f takes. */
static const char *
format_name(size_t i)
{
	enum tally_format f;
	size_t j, n = 0;

	for (j = 0; j < TALLY_FMT_COUNT; j++)
		if (tally_format_name(j) != NULL &&
		    tally_format_parse(tally_format_name(j), &f) == TALLY_OK &&
		    n++ == i)
			return tally_format_name(j);
	return NULL;
}

/*
 * In front of the stream writer: once the output is a closed pipe (the
 * reader stopped, as head(1) does), records are dropped and the inputs
 * still read, so the exit status does not depend on where the reader
 * stopped.
 */
struct guard {
	struct tally_sink	 sink;
	struct tally_sink	*next;
	FILE			*fp;
	int			 closed;
};

static int
guard_record(struct tally_sink *s, const struct tally_record *rec,
    struct tally_error *err)
{
	struct guard *g = (struct guard *)s;
	int rc;

	if (g->closed)
		return TALLY_OK;
	rc = tally_sink_record(g->next, rec, err);
	if (rc == TALLY_EIO && ferror(g->fp) && cli_pipe_closed(g->fp)) {
		g->closed = 1;
		return TALLY_OK;
	}
	return rc;
}

static int
guard_end(struct tally_sink *s, struct tally_error *err)
{
	struct guard *g = (struct guard *)s;

	return g->closed ? TALLY_OK : tally_sink_end(g->next, err);
}

/* An input's trouble or a warning; a failed write is reported once, at
 * the end. */
static void
report(void *arg, int status, const struct tally_error *err)
{
	struct guard *g = arg;

	if (status == TALLY_OK) {
		cli_warning(err);
		return;
	}
	if (status == TALLY_EIO && !g->closed && ferror(g->fp))
		return;
	cli_error(err);
}

static int
yaml_name(const char *s)
{
	size_t n = strlen(s);

	return (n > 4 && strcmp(s + n - 4, ".yml") == 0) ||
	    (n > 5 && strcmp(s + n - 5, ".yaml") == 0);
}

/* --rules=FILE, else ./.tally.yml when there, else the built-in rules. */
static int
load_rules(const char *file, struct tally_rules **r)
{
	struct tally_error err;
	struct stat st;

	if (file == NULL && lstat(".tally.yml", &st) == 0)
		file = ".tally.yml";
	tally_error_init(&err, file);
	if (tally_rules_load(r, file, &err) != TALLY_OK) {
		cli_error(&err);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "exclude",	required_argument,	NULL, 'X' },
		{ "format",	required_argument,	NULL, 'f' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "include",	required_argument,	NULL, 'I' },
		{ "label",	required_argument,	NULL, 'l' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "rules",	optional_argument,	NULL, 'R' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	enum tally_format fmt = TALLY_FMT_AUTO;
	struct tally_sink *writer = NULL, *sink = NULL, *classify = NULL,
	    *head;
	struct tally_rules *rules = NULL;
	struct tally_output *out = NULL;
	struct guard guard = { { guard_record, guard_end, NULL }, NULL, NULL,
	    0 };
	struct tally_error err;
	struct tally_walk walk;
	struct tally_file_id own[2];
	struct tally_kv *labels = NULL, kv;
	const char **include = NULL, **exclude = NULL;
	const char *outpath = NULL, *rulespath = NULL;
	size_t nlabels = 0;
	int ch, i, rc, status = EXIT_OK, want_rules = 0;

	cli_init("tally-collect");
	memset(&walk, 0, sizeof(walk));
	while ((ch = cli_getopt(argc, argv, "f:hl:o:", longopts)) != -1)
		switch (ch) {
		case 'f':
			if (tally_format_parse(optarg, &fmt) != TALLY_OK) {
				cli_warn("unknown format '%s'%s", optarg,
				    cli_did_you_mean(optarg, format_name));
				cli_list(stderr, "formats", format_name);
				return cli_usual_option('?', usage_text, NULL);
			}
			break;
		case 'h':
			cli_help(usage_text, options_text);
			cli_list(stdout, "formats", format_name);
			return cli_close_stdout(EXIT_OK);
		case 'I':
			cli_push(&include, &walk.ninclude, optarg);
			break;
		case 'X':
			cli_push(&exclude, &walk.nexclude, optarg);
			break;
		case 'l':
			if (cli_parse_kv(optarg, &kv) != 0) {
				cli_warn("label '%s' is not key=value", optarg);
				return cli_usual_option('?', usage_text, NULL);
			}
			cli_kv_push(&labels, &nlabels, kv.key, kv.value);
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'R':
			if (optarg != NULL && optarg[0] == '\0') {
				cli_warn("--rules= needs a file name");
				return cli_usual_option('?', usage_text, NULL);
			}
			want_rules = 1;
			rulespath = optarg;
			break;
		default:	/* --version, unknown */
			return cli_usual_option(ch, usage_text, options_text);
		}
	argc -= optind;
	argv += optind;
	if (cli_check_inputs(argc, argv, usage_text) != 0)
		return EXIT_TROUBLE;

	/* "--rules r.yml" reads r.yml as an input: say what was meant. */
	for (i = 0; want_rules && rulespath == NULL && i < argc; i++)
		if (yaml_name(argv[i])) {
			cli_warn("'%s' is not a result file; a rules file is "
			    "given as --rules=%s", argv[i], argv[i]);
			return EXIT_TROUBLE;
		}
	if (want_rules && load_rules(rulespath, &rules) != 0)
		return EXIT_TROUBLE;
	tally_error_init(&err, outpath);
	if (tally_output_open(&out, outpath, &err) != TALLY_OK) {
		cli_error(&err);
		tally_rules_free(rules);
		return EXIT_TROUBLE;
	}
	/* Records go: reader, categories, labels, stream writer. */
	guard.fp = tally_output_file(out);
	if (tally_stream_writer_new(&writer, guard.fp) != TALLY_OK ||
	    (guard.next = writer, tally_label_sink_new(&sink, &guard.sink,
	    labels, nlabels)) != TALLY_OK ||
	    (rules != NULL && tally_category_sink_new(&classify, sink,
	    rules) != TALLY_OK)) {
		cli_warn("out of memory");
		tally_output_abort(out);	/* no temporary file left */
		return EXIT_TROUBLE;
	}
	head = classify != NULL ? classify : sink;
	/* Never read back what this run writes. */
	walk.include = include;
	walk.exclude = exclude;
	walk.own = own;
	walk.nown = cli_own_output(guard.fp, outpath, own);
	for (i = 0; i < (argc > 0 ? argc : 1); i++) {
		rc = tally_read_walk(argc > 0 ? argv[i] : "-", fmt, &walk,
		    head, report, &guard);
		if (rc != TALLY_OK)
			status = EXIT_TROUBLE;
		if (rc == TALLY_ENOMEM || (rc == TALLY_EIO &&
		    ferror(tally_output_file(out))))
			break;
	}
	/*
	 * Commit even after a failed write: committing finds the error again
	 * with its errno and removes the temporary file.  One message; a
	 * closed pipe is no trouble and leaves the status as it is.
	 */
	tally_error_init(&err, outpath ? outpath : "");
	rc = tally_sink_end(head, &err);
	if (rc == TALLY_OK || rc == TALLY_EIO) {
		if ((ch = tally_output_commit(out, &err)) != TALLY_OK)
			rc = ch;
	} else
		tally_output_abort(out);
	if (rc != TALLY_OK && !guard.closed && err.sys_errno != EPIPE) {
		status = EXIT_TROUBLE;
		cli_error(&err);
	}
	if (rc != TALLY_OK)
		cli_stdout_reported();
	tally_sink_free(classify);
	tally_sink_free(sink);
	tally_sink_free(writer);
	tally_rules_free(rules);
	free(labels);
	free(include);
	free(exclude);
	return cli_close_stdout(status);
}
