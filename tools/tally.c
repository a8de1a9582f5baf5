/*
 * tally: the suite's front door.  "tally collect ..." runs tally-collect
 * with the remaining arguments, git-style; its exit status is passed
 * through unchanged because exec replaces this process.  "tally help
 * collect" shows tally-collect's manual page.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef TALLY_MANDIR
#define TALLY_MANDIR "/usr/local/share/man"
#endif

static const struct {
	const char	*name;
	const char	*what;
} commands[] = {
	{ "collect",	"read result files of any format into one record stream" },
	{ "diff",	"what changed between two runs" },
	{ "help",	"show the manual page of tally or of a command" },
	{ "history",	"per-test history over many runs" },
	{ "merge",	"combine record streams so that each test is there once" },
	{ "organize",	"move test files into category directories by rules" },
	{ "render",	"write a report and apply the CI gates" },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const char usage_text[] =
    "usage: tally command [argument ...]\n"
    "       tally help [command]\n"
    "       tally --help | --version\n";

static const char *
command_name(size_t i)
{
	return i < NCOMMANDS ? commands[i].name : NULL;
}

static void
help(void)
{
	size_t i;

	fputs(usage_text, stdout);
	fputs("\ncommands:\n", stdout);
	for (i = 0; i < NCOMMANDS; i++)
		printf("  %-10s%s\n", commands[i].name, commands[i].what);
	fputs("\noptions:\n"
	    "  -h, --help                print this help and exit\n"
	    "      --version             print the version and exit\n",
	    stdout);
}

/* The directory this program was run from, or "" when not known. */
static const char *
self_dir(void)
{
	static char self[PATH_MAX];
	char *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return "";
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return "";
	*slash = '\0';
	return self;
}

/* Run tally-cmd with argv (argv[0] is replaced); returns only on failure. */
static int
run(const char *cmd, char *argv[])
{
	char path[PATH_MAX + 64];
	const char *dir = self_dir();

	/* Prefer the program installed beside this one, then $PATH. */
	if (dir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/tally-%s", dir, cmd);
		argv[0] = path;
		execv(path, argv);
	}
	snprintf(path, sizeof(path), "tally-%s", cmd);
	argv[0] = path;
	execvp(path, argv);
	cli_warn("cannot run '%s': %s", path, strerror(errno));
	return EXIT_TROUBLE;
}

/*
 * The manual page of cmd (NULL: tally's own) with man -l: the installed
 * page beside this program, the page in the source tree this program was
 * built in, or the page under the MANDIR it was built for.  Without man,
 * or without a page, the command's --help.
 */
static int
man_page(const char *cmd)
{
	char page[PATH_MAX + 64], help_opt[] = "--help", *argv[3];
	const char *dir = self_dir(), *name = cmd ? cmd : "";
	const char *const where[] = { "%s/../share/man/man1/tally%s%s.1",
	    "%s/../../man/tally%s%s.1" };
	struct stat st;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (i < 2)
			snprintf(page, sizeof(page), where[i], dir,
			    cmd ? "-" : "", name);
		else
			snprintf(page, sizeof(page), "%s/man1/tally%s%s.1",
			    TALLY_MANDIR, cmd ? "-" : "", name);
		if ((i < 2 && dir[0] == '\0') || stat(page, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		fflush(stdout);
		execlp("man", "man", "-l", page, (char *)NULL);
		break;
	}
	if (cmd == NULL) {
		help();
		return cli_close_stdout(EXIT_OK);
	}
	argv[1] = help_opt;
	argv[2] = NULL;
	return run(cmd, argv);
}

static size_t
lookup(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			break;
	if (i == NCOMMANDS) {
		cli_warn("'%s' is not a tally command%s", name,
		    cli_did_you_mean(name, command_name));
		fputs(usage_text, stderr);
	}
	return i;
}

int
main(int argc, char *argv[])
{
	size_t i;

	cli_init("tally");
	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help();
		return cli_close_stdout(EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("tally %s\n", TALLY_VERSION);
		return cli_close_stdout(EXIT_OK);
	}
	if (argv[1][0] == '-') {
		cli_warn("unknown option '%s'", argv[1]);
		fputs(usage_text, stderr);
		return EXIT_TROUBLE;
	}
	if ((i = lookup(argv[1])) == NCOMMANDS)
		return EXIT_TROUBLE;
	if (strcmp(argv[1], "help") != 0)
		return run(commands[i].name, argv + 1);
	if (argc > 3) {
		fputs(usage_text, stderr);
		return EXIT_TROUBLE;
	}
	if (argc == 2 || strcmp(argv[2], "help") == 0)
		return man_page(NULL);
	if ((i = lookup(argv[2])) == NCOMMANDS)
		return EXIT_TROUBLE;
	return man_page(commands[i].name);
}
