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

#include <tally/merge.h>
#include <tally/output.h>
#include <tally/reader.h>
#include <tally/report.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tally-render [-h] [--version] -f format [-o file]\n"
    "                    [--allow-errors] [--fail-on gate] [--min-pass-rate pct]\n"
    "                    [--meta key=value] [--color=when] [--title text]\n"
    "                    [--top n] [--group-by label] [--max-bytes n]\n"
    "                    [--max-annotations n] [--split-assets[=dir]]\n"
    "                    [-T dir] [file | -] ...\n";

static const char options_text[] =
    "  -f, --format=format       the report format (see formats below)\n"
    "  -h, --help                print this help and exit\n"
    "  -o, --output=file         write the report to file, atomically\n"
    "  -T, --temporary-directory=dir  temporary files in dir, not $TMPDIR\n"
    "      --allow-errors        unreadable inputs fail no gate\n"
    "      --color=when          colour in text: auto, always or never\n"
    "      --fail-on=gate        exit 1 when gate fails (see gates below)\n"
    "      --group-by=label      break the totals down by this label\n"
    "      --max-annotations=n   at most n github workflow commands\n"
    "      --max-bytes=n         size budget of markdown in bytes\n"
    "      --meta=key=value      add run metadata to the report\n"
    "      --min-pass-rate=pct   exit 1 below this pass rate, as 90 or 90%\n"
    "      --split-assets[=dir]  html: CSS and JS as files in dir\n"
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
	OPT_ALLOW_ERR = 256, OPT_COLOR, OPT_FAIL_ON, OPT_GROUP_BY, OPT_MAX_ANN, OPT_MAX_BYTES,
	OPT_META, OPT_MIN_PASS, OPT_SPLIT, OPT_TITLE, OPT_TOP, OPT_VERSION
};

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

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "allow-errors",	no_argument,		NULL, OPT_ALLOW_ERR },
		{ "color",		required_argument,	NULL, OPT_COLOR },
		{ "fail-on",		required_argument,	NULL, OPT_FAIL_ON },
		{ "format",		required_argument,	NULL, 'f' },
		{ "group-by",		required_argument,	NULL, OPT_GROUP_BY },
		{ "help",		no_argument,		NULL, 'h' },
		{ "max-annotations",	required_argument,	NULL, OPT_MAX_ANN },
		{ "max-bytes",		required_argument,	NULL, OPT_MAX_BYTES },
		{ "meta",		required_argument,	NULL, OPT_META },
		{ "min-pass-rate",	required_argument,	NULL, OPT_MIN_PASS },
		{ "output",		required_argument,	NULL, 'o' },
		{ "split-assets",	optional_argument,	NULL, OPT_SPLIT },
		{ "temporary-directory", required_argument,	NULL, 'T' },
		{ "title",		required_argument,	NULL, OPT_TITLE },
		{ "top",		required_argument,	NULL, OPT_TOP },
		{ "version",		no_argument,		NULL, OPT_VERSION },
		{ NULL,			0,			NULL, 0 }
	};
	struct tally_report_opts ro = { 0, -1, NULL, 0, 1, 0 };
	struct tally_render_opts opts;
	struct tally_report *rep = NULL;
	struct tally_output *out = NULL;
	struct tally_error err;
	struct tally_walk walk;
	struct tally_file_id own[2];
	struct tally_kv *meta = NULL, kv;
	tally_render_fn render;
	const char *format = NULL, *color = "auto", *nc, *ga, *tmpdir = NULL;
	char *assets = NULL, token[33];
	size_t nmeta = 0;
	char badgate[128];
	int ch, split = 0, bad = 0, status, to_stdout, allow_errors = 0;

	cli_init("tally-render");
	memset(&opts, 0, sizeof(opts));
	while ((ch = cli_getopt(argc, argv, "f:ho:T:", longopts)) != -1)
		switch (ch) {
		case 'f':
			format = strcmp(optarg, "md") == 0 ? "markdown" : optarg;
			break;
		case 'h':
			cli_help(usage_text, options_text);
			cli_list(stdout, "formats", format_name);
			cli_list(stdout, "gates", tally_gate_name);
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
	if ((render = tally_renderer(format)) == NULL) {
		cli_warn("unknown format '%s'%s", format,
		    cli_did_you_mean(format, format_name));
		cli_list(stderr, "formats", format_name);
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
	if (load(argc, argv, &walk, &ro, tmpdir, &rep, &bad) != 0)
		return EXIT_TROUBLE;
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
	tally_report_free(rep);
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
	tally_report_free(rep);
	free(meta);
	free(assets);
	if (err.sys_errno == EPIPE || (to_stdout && cli_pipe_closed(stdout)))
		return cli_close_stdout(status);
	cli_error(&err);
	return EXIT_TROUBLE;
}
