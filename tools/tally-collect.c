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
#include <time.h>
#include <unistd.h>

#include <tally/category.h>
#include <tally/meta.h>
#include <tally/output.h>
#include <tally/reader.h>
#include <tally/rules.h>
#include <tally/stream.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tally-collect [-h] [--version] [-f format] [-j jobs]\n"
    "                     [-l key=value] [-o file] [--exclude glob]\n"
    "                     [--include glob] [--meta key=value] [--rules[=file]]\n"
    "                     [file | directory | -] ...\n";

static const char options_text[] =
    "  -f, --format=format       read inputs as format, not detected\n"
    "  -h, --help                print this help and exit\n"
    "  -j, --jobs=n              read n files at once (default: CPUs, at most 4;\n"
    "                            one fewer into a pipe)\n"
    "  -l, --label=key=value     label every test, e.g. shard=1\n"
    "  -o, --output=file         write the stream to file, atomically\n"
    "      --exclude=glob        skip files and directories that match\n"
    "      --include=glob        read only files that match\n"
    "      --meta=key=value      stamp the run with a metadata item\n"
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
	struct cli_progress	*progress;	/* counts what is written */
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

/*
 * Records go: reader, categories, labels, then next (the stream writer).
 * With -j, each thread has a chain of its own, rules included (a compiled
 * pattern is matched with data of its own).
 */
struct chain {
	struct tally_sink	 sink;		/* into head */
	struct tally_sink	*head, *stamp, *label, *classify, *writer;
	struct tally_rules	*rules;		/* a thread's own copy */
};

static int
chain_record(struct tally_sink *s, const struct tally_record *rec,
    struct tally_error *err)
{
	return tally_sink_record(((struct chain *)s)->head, rec, err);
}

static void
chain_free(struct tally_sink *s)
{
	struct chain *c = (struct chain *)s;

	tally_sink_free(c->stamp);
	tally_sink_free(c->classify);
	tally_sink_free(c->label);
	tally_sink_free(c->writer);
	tally_rules_free(c->rules);
	free(c);
}

static int
chain_build(struct chain *c, struct tally_sink *next,
    const struct tally_kv *labels, size_t nlabels,
    const struct tally_rules *rules, const struct tally_kv *items,
    size_t nitems)
{
	c->sink.record = chain_record;
	c->sink.free = chain_free;
	if (tally_label_sink_new(&c->label, next, labels, nlabels) !=
	    TALLY_OK || (rules != NULL && tally_category_sink_new(&c->classify,
	    c->label, rules) != TALLY_OK) || tally_meta_sink_new(&c->stamp,
	    c->classify != NULL ? c->classify : c->label, items, nitems) !=
	    TALLY_OK)
		return TALLY_ENOMEM;
	c->head = c->stamp;
	return TALLY_OK;
}

/* What -j's threads need to make their chains, and the output. */
struct lanes {
	struct guard		*guard;
	const struct tally_kv	*labels;
	size_t			 nlabels;
	int			 want_rules;
	const char		*rulespath;
	const struct tally_kv	*items;		/* run metadata */
	size_t			 nitems;
};

static int
lane_make(void *arg, unsigned i, FILE *fp, struct tally_sink **out)
{
	struct lanes *l = arg;
	struct chain *c;
	int rc;

	(void)i;
	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return TALLY_ENOMEM;
	if (l->want_rules && cli_load_rules(l->rulespath, &c->rules) != 0) {
		free(c);
		return TALLY_EINVAL;
	}
	if ((rc = tally_stream_writer_new(&c->writer, fp)) != TALLY_OK ||
	    (rc = chain_build(c, c->writer, l->labels, l->nlabels,
	    c->rules, l->items, l->nitems)) != TALLY_OK) {
		chain_free(&c->sink);
		return rc;
	}
	tally_meta_sink_stamped(c->stamp);	/* main wrote it */
	*out = &c->sink;
	return TALLY_OK;
}

/* The guard's rule for bytes that come from -j's threads. */
static int
lane_write(void *arg, const void *p, size_t n)
{
	struct guard *g = ((struct lanes *)arg)->guard;
	const char *s = p, *end = s + n;
	unsigned long long lines = 0;

	/* A record is one line: count them here, in output order. */
	while (s < end && (s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		lines++;
		s++;
	}
	cli_progress_add(g->progress, lines);
	if (g->closed || fwrite(p, 1, n, g->fp) == n)
		return TALLY_OK;
	if (ferror(g->fp) && cli_pipe_closed(g->fp)) {
		g->closed = 1;
		return TALLY_OK;
	}
	return TALLY_EIO;
}

static void
lane_report(void *arg, int status, const struct tally_error *err)
{
	report(((struct lanes *)arg)->guard, status, err);
}

/* -j N: 1 to 64; by default the CPUs, at most 4. */
static int
parse_jobs(const char *s, unsigned *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || n < 1 || n > 64)
		return -1;
	*out = (unsigned)n;
	return 0;
}

/*
 * -j's default: the CPUs, at most 4; one fewer into a pipe, whose reader
 * (tally merge, in the usual pipeline) is busy all the while too: on
 * two CPUs, a second reading thread only takes the reader's CPU away
 * (1M tests through collect | merge | render: 1.9 s with -j 1, 2.3 s
 * with -j 2).
 */
static unsigned
default_jobs(FILE *out)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	struct stat st;

	if (n > 4)
		n = 4;
	if (fstat(fileno(out), &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode)))
		n--;
	return n < 1 ? 1 : (unsigned)n;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "exclude",	required_argument,	NULL, 'X' },
		{ "format",	required_argument,	NULL, 'f' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "include",	required_argument,	NULL, 'I' },
		{ "jobs",	required_argument,	NULL, 'j' },
		{ "label",	required_argument,	NULL, 'l' },
		{ "meta",	required_argument,	NULL, 'M' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "rules",	optional_argument,	NULL, 'R' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	enum tally_format fmt = TALLY_FMT_AUTO;
	struct tally_sink *writer = NULL;
	struct cli_progress progress;
	struct chain chain;
	struct tally_rules *rules = NULL;
	struct tally_jobs *jobs = NULL;
	struct lanes lanes;
	struct tally_jobs_io io = { lane_make, lane_write, lane_report,
	    &lanes };
	unsigned njobs = 0;	/* default_jobs() */
	struct tally_output *out = NULL;
	struct guard guard = { { guard_record, guard_end, NULL }, NULL, NULL,
	    0, &progress };
	struct tally_error err;
	struct tally_walk walk;
	struct tally_file_id own[2];
	struct tally_kv *labels = NULL, *meta = NULL, *items = NULL, kv;
	const char **include = NULL, **exclude = NULL;
	const char *outpath = NULL, *rulespath = NULL;
	size_t nlabels = 0, nmeta = 0, nitems = 0;
	int ch, i, rc = TALLY_OK, status = EXIT_OK, want_rules = 0;

	cli_init("tally-collect");
	memset(&walk, 0, sizeof(walk));
	memset(&chain, 0, sizeof(chain));
	while ((ch = cli_getopt(argc, argv, "f:hj:l:o:", longopts)) != -1)
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
		case 'j':
			if (parse_jobs(optarg, &njobs) != 0) {
				cli_warn("jobs '%s' is not a number from 1 "
				    "to 64", optarg);
				return cli_usual_option('?', usage_text, NULL);
			}
			break;
		case 'l':
			if (cli_parse_kv(optarg, &kv) != 0) {
				cli_warn("label '%s' is not key=value", optarg);
				return cli_usual_option('?', usage_text, NULL);
			}
			cli_kv_push(&labels, &nlabels, kv.key, kv.value);
			break;
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
		case 'R':
			if (optarg != NULL && optarg[0] == '\0') {
				cli_warn("--rules= needs a file name");
				return cli_usual_option('?', usage_text, NULL);
			}
			want_rules = 1;
			rulespath = optarg;
			/* --rules FILE: results are never YAML. */
			if (optarg == NULL && optind < argc &&
			    yaml_name(argv[optind]))
				rulespath = argv[optind++];
			break;
		default:	/* --version, unknown */
			return cli_usual_option(ch, usage_text, options_text);
		}
	argc -= optind;
	argv += optind;
	if (cli_check_inputs(argc, argv, usage_text) != 0)
		return EXIT_TROUBLE;

	/* A YAML file elsewhere among the inputs: say what was meant. */
	for (i = 0; want_rules && rulespath == NULL && i < argc; i++)
		if (yaml_name(argv[i])) {
			cli_warn("'%s' is not a result file; a rules file is "
			    "given as --rules %s", argv[i], argv[i]);
			return EXIT_TROUBLE;
		}
	if (want_rules && rulespath == NULL)
		rulespath = cli_find_rules();
	if (want_rules && cli_load_rules(rulespath, &rules) != 0)
		return EXIT_TROUBLE;
	tally_error_init(&err, outpath);
	if (tally_output_open(&out, outpath, &err) != TALLY_OK) {
		cli_error(&err);
		tally_rules_free(rules);
		return EXIT_TROUBLE;
	}
	/* Records go: reader, run metadata, categories, labels, writer. */
	guard.fp = tally_output_file(out);
	if (njobs == 0)
		njobs = default_jobs(guard.fp);
	lanes.guard = &guard;
	lanes.labels = labels;
	lanes.nlabels = nlabels;
	lanes.want_rules = want_rules;
	lanes.rulespath = rulespath;
	if (tally_meta_ci(&items, &nitems, meta, nmeta, time(NULL)) !=
	    TALLY_OK || tally_stream_writer_new(&writer, guard.fp) != TALLY_OK ||
	    (cli_progress_init(&progress, writer), guard.next = &progress.sink,
	    lanes.items = items, lanes.nitems = nitems,
	    chain_build(&chain, &guard.sink, labels, nlabels, rules, items,
	    nitems)) != TALLY_OK ||
	    (njobs > 1 && (rc = tally_jobs_new(&jobs, njobs, &io)) !=
	    TALLY_OK)) {
		if (njobs <= 1 || rc == TALLY_ENOMEM)
			cli_warn("out of memory");
		tally_output_abort(out);	/* no temporary file left */
		return EXIT_TROUBLE;
	}
	walk.jobs = jobs;
	/* The stamp first, whichever thread reads the first file. */
	tally_error_init(&err, outpath ? outpath : "");
	if (tally_meta_sink_stamp(chain.stamp, &err) != TALLY_OK)
		status = EXIT_TROUBLE;
	/* Never read back what this run writes. */
	walk.include = include;
	walk.exclude = exclude;
	walk.own = own;
	walk.nown = cli_own_output(guard.fp, outpath, own);
	for (i = 0; i < (argc > 0 ? argc : 1); i++) {
		rc = tally_read_walk(argc > 0 ? argv[i] : "-", fmt, &walk,
		    chain.head, report, &guard);
		if (rc != TALLY_OK)
			status = EXIT_TROUBLE;
		if (rc == TALLY_ENOMEM || (rc == TALLY_EIO &&
		    ferror(tally_output_file(out))))
			break;
	}
	/* With -j: the files still being read, in order. */
	if (jobs != NULL && tally_jobs_finish(jobs) != TALLY_OK)
		status = EXIT_TROUBLE;
	tally_jobs_free(jobs);
	/*
	 * Commit even after a failed write: committing finds the error again
	 * with its errno and removes the temporary file.  One message; a
	 * closed pipe is no trouble and leaves the status as it is.
	 */
	cli_progress_done(&progress);
	tally_error_init(&err, outpath ? outpath : "");
	rc = tally_sink_end(chain.head, &err);
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
	tally_sink_free(chain.stamp);
	tally_sink_free(chain.classify);
	tally_sink_free(chain.label);
	tally_sink_free(writer);
	tally_rules_free(rules);
	tally_meta_items_free(items, nitems);
	free(labels);
	free(meta);
	free(include);
	free(exclude);
	return cli_close_stdout(status);
}
