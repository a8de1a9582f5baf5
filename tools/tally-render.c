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
    "                    [--path-prefix prefix] [-T dir] [file | -] ...\n";

enum {
	OPT_ALLOW_ERR = 256, OPT_BASELINE, OPT_COLOR, OPT_FAIL_ON, OPT_GROUP_BY,
	OPT_HISTORY, OPT_JUNIT, OPT_JSTRICT, OPT_MAX, OPT_MAX_ANN, OPT_MAX_BYTES,
	OPT_MAX_REGR, OPT_META, OPT_MIN, OPT_MIN_PASS, OPT_PPREFIX, OPT_PSTRIP,
	OPT_SPLIT, OPT_TITLE, OPT_TOP, OPT_VERSION
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

static int
parse_pct(const char *s, double *out)
{
	char *end;
	double v;

	if ((s[0] < '0' || s[0] > '9') && s[0] != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
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

/* Read every input into a fresh merge table, then build the report. */
/*
 * A merged stream needs no merging again: the merge sees it come in
 * canonical order and keeps it as it is (see tally_merge_new).
 */
static int
load(int argc, char **argv, const struct tally_walk *walk,
    const struct tally_report_opts *ro, const char *tmpdir,
    struct tally_report **rep, int *bad)
{
	struct tally_merge *m = NULL;
	struct tally_sink *in = NULL;
	struct tally_error err;
	const char *runs;
	int i, rc = TALLY_OK;

	tally_error_init(&err, NULL);
	if (tally_merge_new(&m) != TALLY_OK ||
	    tally_merge_set_tmpdir(m, tmpdir) != TALLY_OK ||
	    tally_merge_input_new(&in, m) != TALLY_OK) {
		tally_merge_free(m);
		cli_warn("out of memory");
		return -1;
	}
	tally_merge_set_warn(m, merge_warning, NULL);
	/* For tests: a tiny run size makes many runs. */
	if ((runs = getenv("TALLY_MERGE_RUN_BYTES")) != NULL)
		tally_merge_set_run_bytes(m, strtoul(runs, NULL, 10));
	for (i = 0; i < (argc > 0 ? argc : 1); i++) {
		rc = tally_read_walk(argc > 0 ? argv[i] : "-", TALLY_FMT_STREAM,
		    walk, in, report, bad);
		if (rc == TALLY_ENOMEM || tally_merge_broken(m))
			break;
	}
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
		{ "split-assets",	optional_argument,	NULL, OPT_SPLIT },
		{ "temporary-directory", required_argument,	NULL, 'T' },
		{ "title",		required_argument,	NULL, OPT_TITLE },
		{ "top",		required_argument,	NULL, OPT_TOP },
		{ "version",		no_argument,		NULL, OPT_VERSION },
		{ NULL,			0,			NULL, 0 }
	};
	struct tally_report_opts ro = { 0, -1, NULL, 0, 1, 0, NULL, 0, NULL, 0 };
	struct tally_render_opts opts;
	struct tally_report *rep = NULL, *base = NULL;
	struct tally_marks *marks = NULL;
	struct tally_output *out = NULL;
	/* Static: usage errors return from anywhere, with nothing to free. */
	static struct tally_perf_gate pg[256];
	size_t npg = 0, nregr = 0;
	struct tally_error err;
	struct tally_walk walk;
	struct tally_file_id own[2];
	struct tally_kv *meta = NULL, kv;
	tally_render_fn render;
	const char *format = NULL, *color = "auto", *nc, *ga, *tmpdir = NULL;
	char *histpath = NULL;
	const char *baseline = NULL;
	char *assets = NULL, token[33];
	size_t nmeta = 0;
	char badgate[128];
	int ch, split = 0, bad = 0, status, to_stdout, allow_errors = 0;

	cli_init("tally-render");
	memset(&opts, 0, sizeof(opts));
	while ((ch = getopt_long(argc, argv, "f:ho:T:", longopts, NULL)) != -1)
		switch (ch) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return cli_close_stdout(EXIT_OK);
		case 'o':
			opts.output_path = optarg;
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
			    sizeof(badgate)) != 0)
				return usage_error("unknown gate '%s'",
				    badgate);
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
	if (format == NULL)
		return usage_error("no format given (-f)", NULL);
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
	if ((render = tally_renderer(format)) == NULL) {
		size_t i;

		fprintf(stderr, "%s: unknown format '%s'", cli_name(), format);
		for (i = 0; tally_renderer_name(i) != NULL; i++)
			fprintf(stderr, "%s%s", i ? ", " : "; formats: ",
			    tally_renderer_name(i));
		fputc('\n', stderr);
		return EXIT_TROUBLE;
	}
	if (split && opts.assets_dir == NULL) {
		if (opts.output_path == NULL ||
		    strcmp(opts.output_path, "-") == 0)
			return usage_error("--split-assets needs -o file or "
			    "a directory", NULL);
		if ((assets = strdup(opts.output_path)) == NULL) {
			cli_warn("out of memory");
			return EXIT_TROUBLE;
		}
		opts.assets_dir = dirname(assets);
	}
	nc = getenv("NO_COLOR");
	opts.color = strcmp(color, "always") == 0 || (strcmp(color, "auto") ==
	    0 && opts.output_path == NULL && isatty(STDOUT_FILENO) &&
	    (nc == NULL || nc[0] == '\0'));
	ro.meta = meta;
	ro.nmeta = nmeta;
	ro.stream_tests = tally_renderer_streams(format);

	to_stdout = opts.output_path == NULL ||
	    strcmp(opts.output_path, "-") == 0;
	/* Text in a GitHub Actions log: the runner's own guard against
	 * workflow commands in it, with a token no input can know. */
	ga = getenv("GITHUB_ACTIONS");
	if (render == tally_renderer("text") && to_stdout && ga != NULL &&
	    strcmp(ga, "true") == 0) {
		if (cli_random_token(token, sizeof(token)) != 0) {
			cli_warn("error: no random token for ::stop-commands::");
			free(meta);
			free(assets);
			return EXIT_TROUBLE;
		}
		opts.stop_token = token;
	}

	/* A report redirected into a directory it reads is not read. */
	memset(&walk, 0, sizeof(walk));
	walk.own = own;
	walk.nown = cli_own_output(to_stdout ? stdout : NULL,
	    opts.output_path, own);
	if (baseline != NULL) {
		if (load(1, (char **)&baseline, &walk, NULL, tmpdir, &base,
		    &bad) != 0 || bad) {
			tally_report_free(base);
			free(meta);
			free(assets);
			return EXIT_TROUBLE;
		}
		ro.baseline = base->perf;
		ro.nbaseline = base->nperf;
	}
	if (load(argc, argv, &walk, &ro, tmpdir, &rep, &bad) != 0) {
		tally_report_free(base);
		return EXIT_TROUBLE;
	}
	if (histpath != NULL && history_marks(histpath, rep, tmpdir, &marks,
	    &bad) != 0) {
		tally_report_free(rep);
		tally_report_free(base);
		free(meta);
		free(assets);
		return EXIT_TROUBLE;
	}
	opts.marks = marks;
	tally_error_init(&err, opts.output_path);
	if (tally_output_open(&out, opts.output_path, &err) != TALLY_OK)
		goto fail;
	tally_error_init(&err, opts.output_path ? opts.output_path : "");
	if (render(rep, &opts, tally_output_file(out), &err) != TALLY_OK)
		goto fail;
	status = tally_output_commit(out, &err);
	out = NULL;
	if (status != TALLY_OK)
		goto fail;
	status = bad ? EXIT_TROUBLE : rep->verdict_failed ? EXIT_NO : EXIT_OK;
	tally_marks_free(marks);
	tally_report_free(rep);
	tally_report_free(base);
	free(meta);
	free(assets);
	return cli_close_stdout(status);
fail:
	/*
	 * No partial report: -o keeps the previous file.  A closed pipe is
	 * no trouble: the report was built, so the gates decide as usual.
	 */
	cli_stdout_reported();
	tally_output_abort(out);
	status = bad ? EXIT_TROUBLE : rep != NULL && rep->verdict_failed ?
	    EXIT_NO : EXIT_OK;
	tally_marks_free(marks);
	tally_report_free(rep);
	tally_report_free(base);
	free(meta);
	free(assets);
	if (err.sys_errno == EPIPE || (to_stdout && cli_pipe_closed(stdout)))
		return cli_close_stdout(status);
	cli_error(&err);
	return EXIT_TROUBLE;
}
