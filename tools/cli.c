/* tools/cli.c: diagnostics and exit handling for the tally programs. */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char *progname = "tally";
static int stdout_reported;
static struct cli_progress *progress;	/* shown on stderr now, or NULL */

/* A diagnostic starts on a line of its own, not after the progress. */
static void
clear_progress(void)
{
	if (progress != NULL && progress->shown) {
		fputs("\r\033[K", stderr);
		progress->shown = 0;
	}
}

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
	clear_progress();
	fprintf(stderr, "%s: ", progname);
	put_safe(msg);
	fputc('\n', stderr);
}

static void
diagnostic(const struct tally_error *err, const char *kind)
{
	clear_progress();
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
cli_usual_option(int ch, const char *usage, const char *options)
{
	switch (ch) {
	case 'h':
		cli_help(usage, options);
		return cli_close_stdout(EXIT_OK);
	case 'V':
		printf("%s %s\n", progname, TALLY_VERSION);
		return cli_close_stdout(EXIT_OK);
	default:
		fputs(usage, stderr);
		return EXIT_TROUBLE;
	}
}

/* Edit distance counting a swap of neighbours as one edit (OSA). */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[33][33], c;

	if (la > 32 || lb > 32)
		return (size_t)-1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

/*
 * Near enough: one edit in a short word, two in a longer one, or the
 * start of exactly one name.  A tie between two names suggests neither.
 */
const char *
cli_nearest(const char *word, const char *(*name)(size_t))
{
	const char *best = NULL, *prefix = NULL, *s;
	size_t i, d, bestd = (size_t)-1, len = strlen(word), nprefix = 0;
	int tie = 0;

	if (len == 0)
		return NULL;
	for (i = 0; (s = name(i)) != NULL; i++) {
		if (strncmp(s, word, len) == 0) {
			prefix = s;
			nprefix++;
		}
		if ((d = distance(word, s)) < bestd) {
			bestd = d;
			best = s;
			tie = 0;
		} else if (d == bestd)
			tie = 1;
	}
	if (best != NULL && !tie && bestd > 0 &&
	    bestd <= (len <= 4 ? 1u : 2u))
		return best;
	return nprefix == 1 && len >= 2 ? prefix : NULL;
}

const char *
cli_did_you_mean(const char *word, const char *(*name)(size_t))
{
	static char buf[128];
	const char *s = cli_nearest(word, name);

	if (s == NULL)
		return "";
	snprintf(buf, sizeof(buf), " (did you mean '%s'?)", s);
	return buf;
}

void
cli_list(FILE *fp, const char *label, const char *(*name)(size_t))
{
	const char *s;
	size_t i;

	fprintf(fp, "%s:", label);
	for (i = 0; (s = name(i)) != NULL; i++)
		fprintf(fp, "%s %s", i ? "," : "", s);
	fputc('\n', fp);
}

void
cli_help(const char *usage, const char *options)
{
	fputs(usage, stdout);
	if (options != NULL && options[0] != '\0')
		printf("\noptions:\n%s", options);
}

/* The long options of the running getopt_long call, for name(). */
static const struct option *cur_longopts;

static const char *
long_name(size_t i)
{
	size_t j;

	for (j = 0; cur_longopts[j].name != NULL; j++)
		if (j == i)
			return cur_longopts[j].name;
	return NULL;
}

/* The long option arg ("--name" or "--name=value") names, or NULL. */
static const struct option *
long_match(const char *arg)
{
	size_t j, n = strcspn(arg + 2, "=");

	for (j = 0; cur_longopts[j].name != NULL; j++)
		if (strlen(cur_longopts[j].name) == n &&
		    strncmp(cur_longopts[j].name, arg + 2, n) == 0)
			return &cur_longopts[j];
	return NULL;
}

int
cli_getopt(int argc, char *const argv[], const char *optstring,
    const struct option *longopts)
{
	const struct option *o;
	const char *arg, *near;
	char spec[128], word[64];
	size_t j, n, nmatch;
	int ch, islong;

	opterr = 0;
	snprintf(spec, sizeof(spec), ":%s", optstring);
	ch = getopt_long(argc, argv, spec, longopts, NULL);
	if (ch != '?' && ch != ':')
		return ch;
	cur_longopts = longopts;
	arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	o = strncmp(arg, "--", 2) == 0 ? long_match(arg) : NULL;
	/* A short option's mistake may follow a long option in argv. */
	islong = strncmp(arg, "--", 2) == 0 && (optopt == 0 || optopt >= 256 ||
	    (o != NULL && o->val == optopt));
	n = islong ? strcspn(arg, "=") : 0;
	if (ch == ':' && islong)
		cli_warn("option '%.*s' needs an argument", (int)n, arg);
	else if (ch == ':')
		cli_warn("option '-%c' needs an argument", optopt);
	else if (islong && o != NULL)
		cli_warn("option '%.*s' takes no argument", (int)n, arg);
	else if (islong) {
		snprintf(word, sizeof(word), "%.*s", (int)(n - 2), arg + 2);
		for (j = 0, nmatch = 0; longopts[j].name != NULL; j++)
			if (strncmp(longopts[j].name, word, strlen(word)) == 0)
				nmatch++;
		if (nmatch > 1)
			cli_warn("option '--%s' is ambiguous", word);
		else if ((near = cli_nearest(word, long_name)) != NULL)
			cli_warn("unknown option '--%s' (did you mean '--%s'?)",
			    word, near);
		else
			cli_warn("unknown option '--%s'", word);
	} else
		cli_warn("unknown option '-%c'", optopt);
	return '?';
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The delay before progress shows; TALLY_PROGRESS_DELAY_MS for tests. */
static long long
progress_delay(void)
{
	const char *s = getenv("TALLY_PROGRESS_DELAY_MS");

	return s != NULL && s[0] != '\0' ? strtoll(s, NULL, 10) : 1000;
}

void
cli_progress_add(struct cli_progress *p, unsigned long long n)
{
	unsigned long long was = p->n;
	long long t, delay;

	p->n += n;
	/* The clock is asked every 256 records only: the 1st, 257th, ... */
	if (p->on && n > 0 && (was == 0 || (was - 1) >> 8 != (p->n - 1) >> 8)) {
		t = now_ms();
		delay = progress_delay();
		if (t - p->start >= delay && (!p->shown || t - p->last >=
		    (delay < 200 ? delay : 200))) {
			fprintf(stderr, "\r%s: read %llu record%s", progname,
			    p->n, p->n == 1 ? "" : "s");
			fflush(stderr);
			p->shown = 1;
			p->last = t;
			progress = p;
		}
	}
}

static int
progress_record(struct tally_sink *s, const struct tally_record *rec,
    struct tally_error *err)
{
	struct cli_progress *p = (struct cli_progress *)s;

	cli_progress_add(p, 1);
	return tally_sink_record(p->next, rec, err);
}

static int
progress_end(struct tally_sink *s, struct tally_error *err)
{
	return tally_sink_end(((struct cli_progress *)s)->next, err);
}

void
cli_progress_init(struct cli_progress *p, struct tally_sink *next)
{
	const char *term = getenv("TERM");

	memset(p, 0, sizeof(*p));
	p->sink.record = progress_record;
	p->sink.end = progress_end;
	p->next = next;
	p->on = isatty(STDERR_FILENO) && (term == NULL ||
	    strcmp(term, "dumb") != 0);
	p->start = p->on ? now_ms() : 0;
}

void
cli_progress_done(struct cli_progress *p)
{
	/* Back to the line start, and erase the line. */
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
	if (progress == p)
		progress = NULL;
}

int
cli_yaml_name(const char *s)
{
	size_t n = strlen(s);

	return (n > 4 && strcmp(s + n - 4, ".yml") == 0) ||
	    (n > 5 && strcmp(s + n - 5, ".yaml") == 0);
}

const char *
cli_find_rules(void)
{
	static char path[4096];
	struct stat st, here, top;
	size_t n = 0;

	if (stat("/", &top) == -1)
		memset(&top, 0, sizeof(top));
	while (n + 3 + sizeof(".tally.yml") < sizeof(path)) {
		strcpy(path + n, ".tally.yml");
		if (lstat(path, &st) == 0)
			return path;
		strcpy(path + n, ".");
		if (stat(path, &here) == -1 || (here.st_dev == top.st_dev &&
		    here.st_ino == top.st_ino))
			break;
		memcpy(path + n, "../", 3);
		n += 3;
	}
	return NULL;
}

int
cli_load_rules(const char *file, struct tally_rules **r)
{
	struct tally_error err;

	tally_error_init(&err, file);
	if (tally_rules_load(r, file, &err) != TALLY_OK) {
		cli_error(&err);
		return -1;
	}
	return 0;
}
