/*
 * tally-render: read record streams (merged or not), merge them, build
 * one report and write it in the format asked for; the gates decide the
 * exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tally/history.h>
#include <tally/merge.h>
#include <tally/output.h>
#include <tally/perf.h>
#include <tally/reader.h>
#include <tally/report.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tally-render [-h] [--version] -f format [-o file]\n"
    "                    [--allow-errors] [--fail-on gate] [--min-pass-rate pct]\n"
    "                    [--max [row:]figure=limit] [--min [row:]figure=limit]\n"
    "                    [--max-regression [row:]figure=pct]\n"
    "                    [--baseline file]\n"
    "                    [--meta key=value] [--color=when] [--title text]\n"
    "                    [--top n] [--group-by label] [--max-bytes n]\n"
    "                    [--max-annotations n] [--split-assets[=dir]]\n"
    "                    [--history dir] [--junit-layout flat | nested]\n"
    "                    [--junit-strict] [--path-strip prefix]\n"
    "                    [--path-prefix prefix] [--rules[=file]] [-T dir]\n"
    "                    [file | -] ...\n";

static const char options_text[] =
    "  -f, --format=format       a report format (see formats); may repeat\n"
    "  -h, --help                print this help and exit\n"
    "  -o, --output=file         write the -f before it to file, atomically\n"
    "  -T, --temporary-directory=dir  temporary files in dir, not $TMPDIR\n"
    "      --allow-errors        unreadable inputs fail no gate\n"
    "      --baseline=file       perf rows --max-regression compares with\n"
    "      --color=when          colour in text: auto, always or never\n"
    "      --fail-on=gate        exit 1 when gate fails (see gates below)\n"
    "      --group-by=label      break the totals down by this label\n"
    "      --history=dir         mark failures new, flaky or long failing\n"
    "      --junit-layout=layout junit: nested (default) or flat suites\n"
    "      --junit-strict        junit: only what Jenkins' junit-10.xsd declares\n"
    "      --max=[row:]fig=limit exit 1 when a perf figure is above limit\n"
    "      --max-annotations=n   at most n github workflow commands\n"
    "      --max-bytes=n         size budget of markdown in bytes\n"
    "      --max-regression=[row:]fig=pct  exit 1 when worse than the base by pct\n"
    "      --meta=key=value      add run metadata to the report\n"
    "      --min=[row:]fig=limit exit 1 when a perf figure is below limit\n"
    "      --min-pass-rate=pct   exit 1 below this pass rate, as 90 or 90%\n"
    "      --path-prefix=prefix  added in front of file paths\n"
    "      --path-strip=prefix   removed from the front of file paths\n"
    "      --rules[=file]        group failures by the rules' triage "
    "categories\n"
    "      --split-assets[=dir]  html: CSS, JS and table data as files in dir\n"
    "      --title=text          the report's title\n"
    "      --top=n               how many of the slowest tests to list\n"
    "      --version             print the version and exit\n";

/* The format names -f takes: the renderers', and md for markdown. */
static const char *
format_name(size_t i)
{
	const char *s = tally_renderer_name(i);

	return s != NULL ? s : i == 0 || tally_renderer_name(i - 1) != NULL ?
	    "md" : NULL;
}

enum {
	OPT_ALLOW_ERR = 256, OPT_BASELINE, OPT_COLOR, OPT_FAIL_ON, OPT_GROUP_BY,
	OPT_HISTORY, OPT_JUNIT, OPT_JSTRICT, OPT_MAX, OPT_MAX_ANN, OPT_MAX_BYTES,
	OPT_MAX_REGR, OPT_META, OPT_MIN, OPT_MIN_PASS, OPT_PPREFIX, OPT_PSTRIP,
	OPT_RULES, OPT_SPLIT, OPT_TITLE, OPT_TOP, OPT_VERSION
};

/* A test the merge saw pass in one input and fail in another. */
static void
merge_warning(void *arg, const struct tally_error *w)
{
	(void)arg;
	cli_warning(w);
}

static void
report(void *arg, int status, const struct tally_error *err)
{
	if (status == TALLY_OK) {
		cli_warning(err);
		return;
	}
	*(int *)arg = 1;
	cli_error(err);
}

static int
usage_error(const char *fmt, const char *arg)
{
	if (fmt != NULL) {
		fprintf(stderr, "%s: ", cli_name());
		fprintf(stderr, fmt, arg);
		fputc('\n', stderr);
	}
	fputs(usage_text, stderr);
	return EXIT_TROUBLE;
}

/* A count: decimal digits only. */
static int
parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > (size_t)-1)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* A percentage, "90" or "90%". */
static int
parse_pct(const char *s, double *out)
{
	char *end;
	double v;

	if ((s[0] < '0' || s[0] > '9') && s[0] != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end == '%')
		end++;
	if (*end != '\0' || errno != 0 || !(v >= 0 && v <= 100))
		return -1;
	*out = v;
	return 0;
}

/* "failed", or a comma-separated list "failed,flaky". */
static int
parse_gates(const char *s, unsigned *bits, char *bad, size_t badlen)
{
	char word[64];
	unsigned bit;
	size_t n;

	for (;;) {
		n = strcspn(s, ",");
		snprintf(word, sizeof(word), "%.*s", (int)n, s);
		if (n >= sizeof(word) || tally_gate_parse(word, &bit) != TALLY_OK) {
			snprintf(bad, badlen, "%.*s", (int)n, s);
			return -1;
		}
		*bits |= bit;
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
}

/*
 * One report to write: a -f and the -o that follows it (NULL or "-" is
 * standard output), with its own render options.
 */
struct target {
	const char		*format;
	tally_render_fn		 render;
	const char		*path;
	struct tally_render_opts opts;
	struct tally_output	*out;
	char			*assets;	/* --split-assets' default */
	struct tally_junit_pass	*pass;		/* junit: its first pass */
};

/*
 * What is counted of the tests as the merge takes them in: the report's
 * totals, and the first pass of the junit targets.
 */
struct watch {
	struct target	*v;
	size_t		 n;
	struct tally_test_counts counts;
};

static void
watch_test(void *arg, const struct tally_record *test)
{
	struct watch *w = arg;
	size_t i;

	tally_test_counts_add(&w->counts, test);
	for (i = 0; i < w->n; i++)
		if (w->v[i].pass != NULL)
			tally_junit_pass_test(w->v[i].pass, test);
}

static int
is_stdout(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0;
}

/*
 * The targets, at file scope: a usage error returns from the option loop
 * without freeing them, and they stay reachable until exit.
 */
static struct target *tg;
static size_t ntg;

static struct target *
push_target(struct target **v, size_t *n)
{
	struct target *p = realloc(*v, (*n + 1) * sizeof(*p));

	if (p == NULL) {
		cli_warn("out of memory");
		exit(EXIT_TROUBLE);
	}
	*v = p;
	memset(&p[*n], 0, sizeof(p[*n]));
	return &p[(*n)++];
}

/*
 * Colour for text on standard output with --color=auto: never with
 * NO_COLOR; forced by FORCE_COLOR (but 0 or false) or CLICOLOR_FORCE (but
 * 0), and in a GitHub Actions log, whose viewer shows it; else on a
 * terminal.
 */
static int
auto_color(void)
{
	const char *nc = getenv("NO_COLOR"), *fc = getenv("FORCE_COLOR");
	const char *cf = getenv("CLICOLOR_FORCE"), *ga = getenv("GITHUB_ACTIONS");

	if (nc != NULL && nc[0] != '\0')
		return 0;
	if (fc != NULL && fc[0] != '\0')
		return strcmp(fc, "0") != 0 && strcmp(fc, "false") != 0;
	if (cf != NULL && cf[0] != '\0' && strcmp(cf, "0") != 0)
		return 1;
	if (ga != NULL && strcmp(ga, "true") == 0)
		return 1;
	return isatty(STDOUT_FILENO);
}

/*
 * The targets' per-report options: which file, colour, the GitHub
 * Actions guard for text, the assets directory.  0, or -1 after saying
 * why.
 */
static int
prepare(struct target *v, size_t n, const struct tally_render_opts *base,
    const char *color, int split, char *token, size_t tokenlen)
{
	const char *ga = getenv("GITHUB_ACTIONS");
	struct target *t;
	size_t i, j, nstdout = 0;

	for (i = 0; i < n; i++) {
		t = &v[i];
		if ((t->render = tally_renderer(t->format)) == NULL) {
			cli_warn("unknown format '%s'%s", t->format,
			    cli_did_you_mean(t->format, format_name));
			cli_list(stderr, "formats", format_name);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (!is_stdout(t->path) && !is_stdout(v[j].path) &&
			    strcmp(t->path, v[j].path) == 0)
				return usage_error("'%s' is named by -o twice",
				    t->path), -1;
		if (is_stdout(t->path) && ++nstdout > 1)
			return usage_error("more than one format to standard "
			    "output; give each -o file", NULL), -1;
		t->opts = *base;
		t->opts.output_path = t->path;
		if (split && base->assets_dir == NULL && (n == 1 ||
		    strcmp(t->format, "html") == 0)) {
			if (is_stdout(t->path))
				return usage_error("--split-assets needs -o "
				    "file or a directory", NULL), -1;
			if ((t->assets = strdup(t->path)) == NULL) {
				cli_warn("out of memory");
				return -1;
			}
			t->opts.assets_dir = dirname(t->assets);
		}
		t->opts.color = strcmp(color, "always") == 0 ||
		    (strcmp(color, "auto") == 0 && is_stdout(t->path) &&
		    auto_color());
		/* Text in a GitHub Actions log: the runner's own guard against
		 * workflow commands in it, with a token no input can know. */
		if (t->render == tally_renderer("text") && is_stdout(t->path) &&
		    ga != NULL && strcmp(ga, "true") == 0) {
			if (cli_random_token(token, tokenlen) != 0) {
				cli_warn("error: no random token for "
				    "::stop-commands::");
				return -1;
			}
			t->opts.stop_token = token;
		}
	}
	return 0;
}

/*
 * Write every report from the one report built: the files first, each to
 * its temporary file, standard output last, and only then are the files
 * committed, so that when one fails none is written.  Standard output
 * closed by its reader (head(1)) is no failure.  0, or -1 with err filled.
 */
static int
write_all(const struct tally_report *rep, struct target *v, size_t n,
    struct tally_error *err)
{
	struct target *t;
	size_t i, pass;
	int rc = 0;

	for (pass = 0; pass < 2 && rc == 0; pass++)
		for (i = 0; i < n && rc == 0; i++) {
			t = &v[i];
			if (is_stdout(t->path) != (int)pass)
				continue;
			tally_error_init(err, t->path);
			if (tally_output_open(&t->out, t->path, err) != TALLY_OK)
				rc = -1;
			if (rc == 0) {
				tally_error_init(err, t->path ? t->path : "");
				if (t->render(rep, &t->opts,
				    tally_output_file(t->out), err) != TALLY_OK)
					rc = -1;
			}
			if (rc != 0 && pass == 1 && (err->sys_errno == EPIPE ||
			    cli_pipe_closed(stdout))) {
				cli_stdout_reported();
				tally_output_abort(t->out);
				t->out = NULL;
				rc = 0;
			}
		}
	/* Standard output first: it cannot be taken back, the files can. */
	for (pass = 0; pass < 2 && rc == 0; pass++)
		for (i = 0; i < n && rc == 0; i++) {
			t = &v[i];
			if (is_stdout(t->path) == (int)pass || t->out == NULL)
				continue;
			tally_error_init(err, t->path ? t->path : "");
			if (tally_output_commit(t->out, err) != TALLY_OK &&
			    !(pass == 0 && (err->sys_errno == EPIPE ||
			    cli_pipe_closed(stdout))))
				rc = -1;
			t->out = NULL;
		}
	for (i = 0; i < n; i++) {
		tally_output_abort(v[i].out);
		v[i].out = NULL;
	}
	return rc;
}

/* Read every input into a fresh merge table, then build the report. */
/*
 * A merged stream needs no merging again: the merge sees it come in
 * canonical order and keeps it as it is (see tally_merge_new).
 */
static int
load(int argc, char **argv, const struct tally_walk *walk,
    const struct tally_report_opts *ro0, const char *tmpdir,
    struct target *tv, size_t ntv, struct tally_report **rep, int *bad)
{
	struct tally_report_opts rocopy, *ro = NULL;
	struct tally_merge *m = NULL;
	struct tally_sink *in = NULL;
	struct tally_error err;
	struct cli_progress progress;
	struct watch watch;
	const char *runs;
	size_t k;
	int i, watched, rc = TALLY_OK;

	tally_error_init(&err, NULL);
	if (tally_merge_new(&m) != TALLY_OK ||
	    tally_merge_set_tmpdir(m, tmpdir) != TALLY_OK ||
	    tally_merge_input_new(&in, m) != TALLY_OK) {
		tally_merge_free(m);
		cli_warn("out of memory");
		return -1;
	}
	tally_merge_set_warn(m, merge_warning, NULL);
	memset(&watch, 0, sizeof(watch));
	watch.v = tv;
	watch.n = ntv;
	/* A merged stream: its tests are counted as they come. */
	for (k = 0; k < ntv; k++)
		if (tv[k].render == tally_renderer("junit") &&
		    tally_junit_pass_new(&tv[k].pass, tv[k].opts.junit_flat) !=
		    TALLY_OK) {
			tally_sink_free(in);
			tally_merge_free(m);
			cli_warn("out of memory");
			return -1;
		}
	tally_merge_set_watch(m, watch_test, &watch);
	/* For tests: a tiny run size makes many runs. */
	if ((runs = getenv("TALLY_MERGE_RUN_BYTES")) != NULL)
		tally_merge_set_run_bytes(m, strtoul(runs, NULL, 10));
	cli_progress_init(&progress, in);
	for (i = 0; i < (argc > 0 ? argc : 1); i++) {
		rc = tally_stream_walk(argc > 0 ? argv[i] : "-", walk,
		    &progress.sink, report, bad);
		if (rc == TALLY_ENOMEM || tally_merge_broken(m))
			break;
	}
	cli_progress_done(&progress);
	tally_sink_free(in);
	if (rc == TALLY_ENOMEM) {
		tally_merge_free(m);
		return -1;
	}
	/* A spill file that could not be written fails here again. */
	if (tally_merge_finish(m, &err) != TALLY_OK) {
		cli_error(&err);
		tally_merge_free(m);
		return -1;
	}
	watched = tally_merge_watched(m);
	tally_merge_set_watch(m, NULL, NULL);
	for (k = 0; k < ntv; k++) {
		if (!watched) {
			tally_junit_pass_free(tv[k].pass);
			tv[k].pass = NULL;
		}
		tv[k].opts.junit_pass = tv[k].pass;
	}
	if (ro0 != NULL) {
		rocopy = *ro0;
		ro = &rocopy;
		if (watched)
			rocopy.counted = &watch.counts;
	}
	/* The report owns m from here on, also when building fails. */
	if (tally_report_build(rep, m, ro, &err) != TALLY_OK) {
		cli_error(&err);
		return -1;
	}
	return 0;
}

/*
 * --history: the earlier runs at path (a stream or a directory of them)
 * mark the report's failures; the run itself, by its run id, is left
 * out of them.  Unreadable runs are said and set *bad.
 */
static int
history_marks(char *path, const struct tally_report *rep, const char *tmpdir,
    struct tally_marks **out, int *bad)
{
	struct tally_history *h = NULL;
	struct tally_error err;
	int rc;

	tally_error_init(&err, path);
	if ((rc = tally_history_new(&h)) == TALLY_OK)
		rc = tally_history_skip(h, tally_kv_get(rep->meta, rep->nmeta,
		    "run_id"));
	if (rc == TALLY_OK)
		rc = tally_history_read(h, &path, 1, tmpdir, report, bad,
		    &err);
	if (rc == TALLY_OK)
		rc = tally_marks_build(out, h, rep, &err);
	tally_history_free(h);
	if (rc == TALLY_ENOMEM)
		tally_error_set(&err, rc, 0, 0, "out of memory");
	if (rc != TALLY_OK)
		cli_error(&err);
	return rc == TALLY_OK ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "allow-errors",	no_argument,		NULL, OPT_ALLOW_ERR },
		{ "baseline",		required_argument,	NULL, OPT_BASELINE },
		{ "color",		required_argument,	NULL, OPT_COLOR },
		{ "fail-on",		required_argument,	NULL, OPT_FAIL_ON },
		{ "format",		required_argument,	NULL, 'f' },
		{ "group-by",		required_argument,	NULL, OPT_GROUP_BY },
		{ "help",		no_argument,		NULL, 'h' },
		{ "history",		required_argument,	NULL, OPT_HISTORY },
		{ "junit-layout",	required_argument,	NULL, OPT_JUNIT },
		{ "junit-strict",	no_argument,		NULL, OPT_JSTRICT },
		{ "max",		required_argument,	NULL, OPT_MAX },
		{ "max-annotations",	required_argument,	NULL, OPT_MAX_ANN },
		{ "max-bytes",		required_argument,	NULL, OPT_MAX_BYTES },
		{ "max-regression",	required_argument,	NULL, OPT_MAX_REGR },
		{ "meta",		required_argument,	NULL, OPT_META },
		{ "min",		required_argument,	NULL, OPT_MIN },
		{ "min-pass-rate",	required_argument,	NULL, OPT_MIN_PASS },
		{ "output",		required_argument,	NULL, 'o' },
		{ "path-prefix",	required_argument,	NULL, OPT_PPREFIX },
		{ "path-strip",		required_argument,	NULL, OPT_PSTRIP },
		{ "rules",		optional_argument,	NULL, OPT_RULES },
		{ "split-assets",	optional_argument,	NULL, OPT_SPLIT },
		{ "temporary-directory", required_argument,	NULL, 'T' },
		{ "title",		required_argument,	NULL, OPT_TITLE },
		{ "top",		required_argument,	NULL, OPT_TOP },
		{ "version",		no_argument,		NULL, OPT_VERSION },
		{ NULL,			0,			NULL, 0 }
	};
	struct tally_report_opts ro = { 0, -1, NULL, 0, 1, 0, NULL, 0, NULL, 0,
	    NULL };
	struct tally_render_opts opts;
	struct tally_report *rep = NULL, *base = NULL;
	struct tally_marks *marks = NULL;
	struct tally_rules *rules = NULL;
	/* Static: usage errors return from anywhere, with nothing to free. */
	static struct tally_perf_gate pg[256];
	size_t npg = 0, nregr = 0;
	struct tally_error err;
	struct tally_walk walk;
	struct tally_file_id *own = NULL;
	struct tally_kv *meta = NULL, kv;
	const char *color = "auto", *tmpdir = NULL, *pending = NULL;
	const char *baseline = NULL, *rulespath = NULL;
	char *histpath = NULL;
	char token[33];
	size_t nmeta = 0, i;
	char badgate[128];
	int ch, split = 0, bad = 0, status, tostdout = 0, allow_errors = 0;
	int want_rules = 0;

	cli_init("tally-render");
	memset(&opts, 0, sizeof(opts));
	while ((ch = cli_getopt(argc, argv, "f:ho:T:", longopts)) != -1)
		switch (ch) {
		case 'f':
			push_target(&tg, &ntg)->format = strcmp(optarg, "md") ==
			    0 ? "markdown" : optarg;
			tg[ntg - 1].path = pending;
			pending = NULL;
			break;
		case 'h':
			cli_help(usage_text, options_text);
			cli_list(stdout, "formats", format_name);
			cli_list(stdout, "gates", tally_gate_name);
			return cli_close_stdout(EXIT_OK);
		case 'o':
			/* The -f before it; before any, the first -f. */
			if (ntg > 0 && tg[ntg - 1].path == NULL)
				tg[ntg - 1].path = optarg;
			else if (ntg == 0 && pending == NULL)
				pending = optarg;
			else
				return usage_error("-o '%s' has no -f of its "
				    "own", optarg);
			break;
		case 'T':
			tmpdir = opts.tmpdir = optarg;
			break;
		case OPT_ALLOW_ERR:
			allow_errors = 1;
			break;
		case OPT_BASELINE:
			baseline = optarg;
			break;
		case OPT_MAX:
		case OPT_MIN:
		case OPT_MAX_REGR:
			if (npg == sizeof(pg) / sizeof(pg[0]))
				return usage_error("more than %s gates on load "
				    "figures", "256");
			tally_error_init(&err, NULL);
			if (tally_perf_gate_parse(&pg[npg], ch == OPT_MAX ?
			    TALLY_PG_MAX : ch == OPT_MIN ? TALLY_PG_MIN :
			    TALLY_PG_REGRESSION, optarg, &err) != TALLY_OK)
				return usage_error("%s", err.message);
			nregr += ch == OPT_MAX_REGR;
			npg++;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") != 0 &&
			    strcmp(optarg, "always") != 0 &&
			    strcmp(optarg, "never") != 0)
				return usage_error("bad --color '%s'", optarg);
			color = optarg;
			break;
		case OPT_FAIL_ON:
			if (parse_gates(optarg, &ro.fail_on, badgate,
			    sizeof(badgate)) != 0) {
				cli_warn("unknown gate '%s'%s", badgate,
				    cli_did_you_mean(badgate, tally_gate_name));
				cli_list(stderr, "gates", tally_gate_name);
				return usage_error(NULL, NULL);
			}
			break;
		case OPT_GROUP_BY:
			opts.group_by = optarg;
			break;
		case OPT_HISTORY:
			histpath = optarg;
			break;
		case OPT_JUNIT:
			if (strcmp(optarg, "flat") != 0 &&
			    strcmp(optarg, "nested") != 0)
				return usage_error("bad --junit-layout '%s'",
				    optarg);
			opts.junit_flat = strcmp(optarg, "flat") == 0;
			break;
		case OPT_JSTRICT:
			opts.junit_strict = 1;
			break;
		case OPT_MAX_ANN:
			if (parse_size(optarg, &opts.max_annotations) != 0)
				return usage_error("bad count '%s'", optarg);
			break;
		case OPT_MAX_BYTES:
			if (parse_size(optarg, &opts.max_bytes) != 0)
				return usage_error("bad count '%s'", optarg);
			break;
		case OPT_META:
			if (cli_parse_kv(optarg, &kv) != 0)
				return usage_error("meta '%s' is not "
				    "key=value", optarg);
			cli_kv_push(&meta, &nmeta, kv.key, kv.value);
			break;
		case OPT_MIN_PASS:
			if (parse_pct(optarg, &ro.min_pass_rate) != 0)
				return usage_error("bad percentage '%s'",
				    optarg);
			break;
		case OPT_PPREFIX:
			opts.path_prefix = optarg;
			break;
		case OPT_PSTRIP:
			opts.path_strip = optarg;
			break;
		case OPT_RULES:
			if (optarg != NULL && optarg[0] == '\0')
				return usage_error("--rules= needs a file name",
				    NULL);
			want_rules = 1;
			rulespath = optarg;
			/* --rules FILE: streams are never YAML. */
			if (optarg == NULL && optind < argc &&
			    cli_yaml_name(argv[optind]))
				rulespath = argv[optind++];
			break;
		case OPT_SPLIT:
			split = 1;
			opts.assets_dir = optarg;
			break;
		case OPT_TITLE:
			opts.title = optarg;
			break;
		case OPT_TOP:
			if (parse_size(optarg, &opts.top) != 0)
				return usage_error("bad count '%s'", optarg);
			break;
		case OPT_VERSION:
			printf("tally-render %s\n", TALLY_VERSION);
			return cli_close_stdout(EXIT_OK);
		default:
			return usage_error(NULL, NULL);
		}
	argc -= optind;
	argv += optind;
	if (cli_check_inputs(argc, argv, usage_text) != 0)
		return EXIT_TROUBLE;
	if (ntg == 0)
		return usage_error("no format given (-f)", NULL);
	if (pending != NULL)
		return usage_error("-o '%s' has no -f of its own", pending);
	/* Lost inputs fail the run unless the user says they may. */
	if (allow_errors && (ro.fail_on & TALLY_GATE_ERROR))
		return usage_error("--allow-errors contradicts --fail-on error",
		    NULL);
	if (!allow_errors)
		ro.fail_on |= TALLY_GATE_LOST;
	if (baseline != NULL && nregr == 0)
		return usage_error("--baseline needs --max-regression", NULL);
	ro.perf_gates = pg;
	ro.nperf_gates = npg;
	if (want_rules && rulespath == NULL)
		rulespath = cli_find_rules();
	if (want_rules && cli_load_rules(rulespath, &rules) != 0)
		return EXIT_TROUBLE;
	opts.rules = rules;
	if (prepare(tg, ntg, &opts, color, split, token, sizeof(token)) != 0) {
		status = EXIT_TROUBLE;
		goto done;
	}
	ro.meta = meta;
	ro.nmeta = nmeta;
	/* Tests stay out of memory when every renderer streams them. */
	ro.stream_tests = 1;
	for (i = 0; i < ntg; i++) {
		ro.stream_tests &= tally_renderer_streams(tg[i].format);
		tostdout |= is_stdout(tg[i].path);
	}

	/* A report redirected into a directory it reads is not read. */
	if ((own = calloc(ntg + 1, sizeof(*own))) == NULL) {
		cli_warn("out of memory");
		status = EXIT_TROUBLE;
		goto done;
	}
	memset(&walk, 0, sizeof(walk));
	walk.own = own;
	walk.nown = cli_own_output(tostdout ? stdout : NULL, NULL, own);
	for (i = 0; i < ntg; i++)
		if (!is_stdout(tg[i].path))
			walk.nown += cli_own_output(NULL, tg[i].path,
			    own + walk.nown);
	if (baseline != NULL) {
		if (load(1, (char **)&baseline, &walk, NULL, tmpdir, NULL, 0,
		    &base, &bad) != 0 || bad) {
			status = EXIT_TROUBLE;
			goto done;
		}
		ro.baseline = base->perf;
		ro.nbaseline = base->nperf;
	}
	/* One read, one merge, one report and its gates for every format. */
	if (load(argc, argv, &walk, &ro, tmpdir, tg, ntg, &rep, &bad) != 0 ||
	    (histpath != NULL && history_marks(histpath, rep, tmpdir, &marks,
	    &bad) != 0)) {
		status = EXIT_TROUBLE;
		goto done;
	}
	for (i = 0; i < ntg; i++)
		tg[i].opts.marks = marks;
	status = bad ? EXIT_TROUBLE : rep->verdict_failed ? EXIT_NO : EXIT_OK;
	if (write_all(rep, tg, ntg, &err) != 0) {
		/* No partial report: each -o keeps its previous file. */
		cli_stdout_reported();
		if (!(err.sys_errno == EPIPE || (tostdout &&
		    cli_pipe_closed(stdout)))) {
			cli_error(&err);
			status = EXIT_TROUBLE;
		}
	}
done:
	tally_rules_free(rules);
	tally_marks_free(marks);
	tally_report_free(rep);
	tally_report_free(base);
	for (i = 0; i < ntg; i++) {
		free(tg[i].assets);
		tally_junit_pass_free(tg[i].pass);
	}
	free(tg);
	free(own);
	free(meta);
	return cli_close_stdout(status);
}
