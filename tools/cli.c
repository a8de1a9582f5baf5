/* tools/cli.c: diagnostics and exit handling for the tally programs. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *progname = "tally";
static int stdout_reported;

void
cli_init(const char *name)
{
	progname = name;
	setlocale(LC_CTYPE, "");
	/* Report EPIPE through write errors and exit quietly. */
	signal(SIGPIPE, SIG_IGN);
}

const char *
cli_name(void)
{
	return progname;
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
diagnostic(const struct tally_error *err, const char *level)
{
	fprintf(stderr, "%s: ", progname);
	if (err->file[0] != '\0') {
		fputs(err->file, stderr);
		if (err->line > 0)
			fprintf(stderr, ":%ld", err->line);
		if (err->line > 0 && err->column > 0)
			fprintf(stderr, ":%ld", err->column);
		fputs(": ", stderr);
	}
	fprintf(stderr, "%s: %s\n", level, err->message[0] ? err->message :
	    "unknown error");
}

void
cli_error(const struct tally_error *err)
{
	diagnostic(err, "error");
}

void
cli_warning(const struct tally_error *err)
{
	diagnostic(err, "warning");
}

int
cli_parse_kv(char *s, struct tally_kv *kv)
{
	char *eq = strchr(s, '=');

	if (eq == NULL || eq == s)
		return -1;
	*eq = '\0';
	kv->key = s;
	kv->value = eq + 1;
	return 0;
}

void
cli_kv_push(struct tally_kv **v, size_t *n, const char *key,
    const char *value)
{
	struct tally_kv *p = realloc(*v, (*n + 1) * sizeof(*p));

	if (p == NULL) {
		cli_warn("out of memory");
		exit(EXIT_TROUBLE);
	}
	p[*n].key = key;
	p[*n].value = value;
	*v = p;
	(*n)++;
}

int
cli_close_stdout(int status)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);
	int e = errno;

	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (!bad)
		return status;
	if (e != EPIPE && !stdout_reported)
		cli_warn("error: write error: %s", strerror(e));
	return EXIT_TROUBLE;
}

void
cli_stdout_reported(void)
{
	stdout_reported = 1;
}

int
cli_usual_option(int ch, const char *usage)
{
	switch (ch) {
	case 'h':
		fputs(usage, stdout);
		return cli_close_stdout(EXIT_OK);
	case 'V':
		printf("%s %s\n", progname, TALLY_VERSION);
		return cli_close_stdout(EXIT_OK);
	default:
		fputs(usage, stderr);
		return EXIT_TROUBLE;
	}
}
