/*
 * tally: the suite's front door.  "tally collect ..." runs tally-collect
 * with the remaining arguments, git-style; its exit status is passed
 * through unchanged because exec replaces this process.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *const commands[] = {
	"collect", "diff", "history", "merge", "organize", "render",
};

static void
usage(FILE *fp)
{
	fputs("usage: tally command [argument ...]\n"
	    "       tally --help | --version\n"
	    "commands: collect, diff, history, merge, organize, render\n", fp);
}

int
main(int argc, char *argv[])
{
	char path[PATH_MAX + 64], self[PATH_MAX], *slash;
	size_t i;
	ssize_t n;

	cli_init("tally");
	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return cli_close_stdout(EXIT_OK);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("tally %s\n", TALLY_VERSION);
		return cli_close_stdout(EXIT_OK);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i]) == 0)
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		cli_warn("'%s' is not a tally command", argv[1]);
		usage(stderr);
		return EXIT_TROUBLE;
	}
	/* Prefer the program installed beside this one, then $PATH. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/tally-%s", self,
			    commands[i]);
			argv[1] = path;
			execv(path, argv + 1);
		}
	}
	snprintf(path, sizeof(path), "tally-%s", commands[i]);
	argv[1] = path;
	execvp(path, argv + 1);
	cli_warn("cannot run '%s': %s", path, strerror(errno));
	return EXIT_TROUBLE;
}
