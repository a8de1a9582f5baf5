/* tools/cli.c: diagnostics and exit handling for the tally programs. */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * Names and messages come from the inputs, and stderr is often a CI log:
 * control characters are written as \n, \r, \t or \ooo, so a diagnostic
 * stays one line and cannot start a GitHub workflow command ("::cmd::"
 * at a line start), and the '[' of "##[" (the runner's older command
 * form, found anywhere in a line) as \133.
 */
static void
put_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] == '\n')
			fputs("\\n", stderr);
		else if (p[i] == '\r')
			fputs("\\r", stderr);
		else if (p[i] == '\t')
			fputs("\\t", stderr);
		else if (p[i] < 0x20 || p[i] == 0x7F ||
		    (p[i] == '[' && i >= 2 && p[i - 1] == '#' && p[i - 2] == '#'))
			fprintf(stderr, "\\%03o", p[i]);
		else
			fputc(p[i], stderr);
	}
}

void
cli_warn(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: ", progname);
	put_safe(msg);
	fputc('\n', stderr);
}

static void
diagnostic(const struct tally_error *err, const char *kind)
{
	fprintf(stderr, "%s: ", progname);
	if (err->file[0] != '\0') {
		put_safe(err->file);
		if (err->line > 0)
			fprintf(stderr, ":%ld", err->line);
		if (err->line > 0 && err->column > 0)
			fprintf(stderr, ":%ld", err->column);
		fputs(": ", stderr);
	}
	fprintf(stderr, "%s: ", kind);
	put_safe(err->message[0] ? err->message : "unknown error");
	fputc('\n', stderr);
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

void
cli_push(const char ***v, size_t *n, const char *s)
{
	const char **p = realloc(*v, (*n + 1) * sizeof(*p));

	if (p == NULL) {
		cli_warn("out of memory");
		exit(EXIT_TROUBLE);
	}
	p[(*n)++] = s;
	*v = p;
}

size_t
cli_own_output(FILE *fp, const char *outpath, struct tally_file_id *ids)
{
	struct stat st;
	size_t n = 0;

	if (fp != NULL && fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode)) {
		ids[n].dev = st.st_dev;
		ids[n].ino = st.st_ino;
		ids[n++].named_ok = 0;
	}
	if (outpath != NULL && strcmp(outpath, "-") != 0 &&
	    stat(outpath, &st) == 0 && S_ISREG(st.st_mode) &&
	    !(n > 0 && ids[0].dev == st.st_dev && ids[0].ino == st.st_ino)) {
		ids[n].dev = st.st_dev;
		ids[n].ino = st.st_ino;
		ids[n++].named_ok = 1;
	}
	return n;
}

int
cli_pipe_closed(FILE *fp)
{
	struct pollfd pfd;
	struct stat st;

	if (fp == NULL || fstat(fileno(fp), &st) != 0 ||
	    (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)))
		return 0;
	/* A pipe without readers polls as POLLERR, a socket as POLLHUP. */
	pfd.fd = fileno(fp);
	pfd.events = POLLOUT;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) == 1 &&
	    (pfd.revents & (POLLERR | POLLHUP)) != 0;
}

int
cli_close_stdout(int status)
{
	int bad, e, closed;

	errno = 0;
	bad = fflush(stdout) != 0 || ferror(stdout);
	e = errno;
	/* Ask before fclose: afterwards the descriptor is gone. */
	closed = bad && (e == EPIPE || cli_pipe_closed(stdout));
	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		e = errno;
		closed = e == EPIPE;
	}
	if (!bad || closed)
		return status;
	if (!stdout_reported)
		cli_warn("error: write error: %s", e != 0 ? strerror(e) :
		    "output stream failed");
	return EXIT_TROUBLE;
}

int
cli_check_inputs(int argc, char *const argv[], const char *usage)
{
	int i, n = 0;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			n++;
	if (n <= 1)
		return 0;
	cli_warn("standard input '-' is named more than once");
	fputs(usage, stderr);
	return -1;
}

int
cli_random_token(char *buf, size_t size)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char r[64];
	size_t i, n = size - 1 < sizeof(r) ? size - 1 : sizeof(r);
	ssize_t got;
	int fd;

	if ((got = getrandom(r, n, 0)) != (ssize_t)n) {
		if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) < 0)
			return -1;
		got = read(fd, r, n);
		close(fd);
		if (got != (ssize_t)n)
			return -1;
	}
	for (i = 0; i < n; i++)
		buf[i] = abc[r[i] % 32];
	buf[n] = '\0';
	return 0;
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
