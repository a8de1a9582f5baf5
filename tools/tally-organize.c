/*
 * tally-organize: move test files into category directories by rules,
 * check that they stay there, and undo the last move.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tally/organize.h>
#include <tally/rules.h>

#include "cli.h"

static const char usage_text[] =
    "usage: tally-organize [-h] [--version] [--print-rules] [--root dir]\n"
    "                      [--rules file] [--index file]\n"
    "                      [--apply | --check | --undo]\n";

static const char options_text[] =
    "  -h, --help                print this help and exit\n"
    "      --apply               carry the plan out: make directories, move files,\n"
    "                            rewrite the references to moved files\n"
    "      --check               exit 1 when files are not where the rules say\n"
    "      --index=file          write (--apply) or check (--check) the index\n"
    "      --print-rules         print the built-in rules as YAML and exit\n"
    "      --root=dir            the project root (default: .)\n"
    "      --rules=file          read the rules from file\n"
    "      --undo                revert the last --apply from its journal\n"
    "      --version             print the version and exit\n";

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (*s < 0x80)
		return 1;
	n = *s >= 0xf0 && *s <= 0xf4 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc2 &&
	    *s < 0xe0 ? 2 : 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * A path as it is when it is plain, else in double quotes with C escapes
 * (the way git quotes paths), so names with newlines or control bytes
 * print on one line and cannot drive the terminal.
 */
static void
put_path(const char *path)
{
	const unsigned char *p;
	size_t n;
	int plain = 1;

	for (p = (const unsigned char *)path; *p != '\0' && plain; p += n)
		if ((n = utf8_len(p)) == 0 || *p < 0x20 || *p == 0x7f ||
		    *p == '"' || *p == '\\')
			plain = 0;
	if (plain) {
		fputs(path, stdout);
		return;
	}
	putchar('"');
	for (p = (const unsigned char *)path; *p != '\0'; p++)
		if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\%03o", *p);
		else
			putchar(*p);
	putchar('"');
}

static void
action(void *arg, const struct tally_organize_action *a)
{
	static int said;

	(void)arg;
	if (a->kind == TALLY_ORGANIZE_KEEP) {
		fputs("keep ", stdout);
		put_path(a->path);
		printf(" (%s): classified, not moved", a->category);
	} else if (a->kind == TALLY_ORGANIZE_INDEX) {
		fputs(a->dest ? "restore " : "remove ", stdout);
		put_path(a->path);
	} else if (a->kind == TALLY_ORGANIZE_REWRITE && a->from == NULL) {
		/* --apply and --undo: the file as a whole. */
		fputs(a->undo ? "restore " : "update ", stdout);
		put_path(a->path);
	} else if (a->kind == TALLY_ORGANIZE_REWRITE) {
		fputs("update ", stdout);
		put_path(a->path);
		printf(":%ld: ", a->line);
		put_path(a->from);
		fputs(" -> ", stdout);
		put_path(a->dest);
	} else if (a->kind == TALLY_ORGANIZE_MOVE) {
		fputs("move ", stdout);
		put_path(a->path);
		fputs(" -> ", stdout);
		put_path(a->dest);
	} else {
		fputs(a->kind == TALLY_ORGANIZE_MKDIR ? (a->undo ? "rmdir " :
		    "mkdir ") : a->undo ? "remove " : "create ", stdout);
		put_path(a->path);
	}
	putchar('\n');
	/* Say a write error once, with its own errno, and none for a closed
	 * pipe; the run goes on (cli_close_stdout decides the status). */
	if (fflush(stdout) != 0 && !said) {
		if (errno != EPIPE)
			cli_warn("error: write error: %s", strerror(errno));
		cli_stdout_reported();
		said = 1;
	}
}

static void
diag(void *arg, int status, const struct tally_error *err)
{
	(void)arg;
	if (status != TALLY_OK)
		cli_error(err);
	else
		cli_warning(err);
}

/* --rules FILE, else ROOT/.tally.yml when there, else the defaults. */
static int
load_rules(const char *root, const char *file, struct tally_rules **r)
{
	static char path[4096];
	struct tally_error err;
	struct stat st;

	if (file == NULL) {
		snprintf(path, sizeof(path), "%s/.tally.yml", root ? root : ".");
		if (lstat(path, &st) == 0)
			file = path;
	}
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
		{ "apply",	no_argument,		NULL, 'a' },
		{ "check",	no_argument,		NULL, 'c' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "index",	required_argument,	NULL, 'i' },
		{ "print-rules", no_argument,		NULL, 'p' },
		{ "root",	required_argument,	NULL, 'r' },
		{ "rules",	required_argument,	NULL, 'R' },
		{ "undo",	no_argument,		NULL, 'u' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	struct tally_organize_opts o = { .action = action, .diag = diag };
	enum tally_organize_mode mode = TALLY_ORGANIZE_PLAN;
	struct tally_rules *rules = NULL;
	struct tally_error err;
	const char *rulesfile = NULL;
	size_t n = 0, broken = 0;
	int ch, modes = 0, rc;

	cli_init("tally-organize");
	while ((ch = cli_getopt(argc, argv, "h", longopts)) != -1)
		switch (ch) {
		case 'a':
		case 'c':
		case 'u':
			mode = ch == 'a' ? TALLY_ORGANIZE_APPLY : ch == 'c' ?
			    TALLY_ORGANIZE_CHECK : TALLY_ORGANIZE_UNDO;
			modes++;
			break;
		case 'i':
			o.index = optarg;
			break;
		case 'p':
			fputs(tally_rules_default_text(), stdout);
			return cli_close_stdout(EXIT_OK);
		case 'r':
			o.root = optarg;
			break;
		case 'R':
			rulesfile = optarg;
			break;
		default:	/* -h, --version, unknown */
			return cli_usual_option(ch, usage_text, options_text);
		}
	if (optind < argc || modes > 1 ||
	    (o.index != NULL && mode != TALLY_ORGANIZE_APPLY &&
	    mode != TALLY_ORGANIZE_CHECK)) {
		cli_warn(optind < argc ? "unexpected argument '%s'" : modes > 1 ?
		    "--apply, --check and --undo exclude each other" :
		    "--index goes with --apply or --check", argv[optind]);
		fputs(usage_text, stderr);
		return EXIT_TROUBLE;
	}
	if (mode != TALLY_ORGANIZE_UNDO &&
	    load_rules(o.root, rulesfile, &rules) != 0)
		return EXIT_TROUBLE;
	o.rules = rules;
	o.broken = &broken;
	tally_error_init(&err, "");
	rc = tally_organize(&o, mode, &n, &err);
	tally_rules_free(rules);
	if (rc != TALLY_OK) {
		cli_error(&err);
		return cli_close_stdout(EXIT_TROUBLE);
	}
	if (mode == TALLY_ORGANIZE_UNDO && n == 0)
		puts("nothing to undo");
	return cli_close_stdout((mode == TALLY_ORGANIZE_CHECK && n > 0) ||
	    broken > 0 ? EXIT_NO : EXIT_OK);
}
