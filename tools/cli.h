/*
 * tools/cli.h: what every tally program shares and the library must not
 * do: the program name, diagnostics on stderr, exit statuses.
 */
#ifndef TALLY_CLI_H
#define TALLY_CLI_H

#include <stddef.h>

#include <tally/error.h>
#include <tally/record.h>

/* The suite's exit statuses. */
#define EXIT_OK		0	/* done, every gate or check passed */
#define EXIT_NO		1	/* a gate or check said no */
#define EXIT_TROUBLE	2	/* usage, input, I/O or memory trouble */

/* Set the name diagnostics start with, ignore SIGPIPE, set the locale. */
void	cli_init(const char *name);
const char *cli_name(void);

/* "prog: msg" on stderr. */
void	cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: file:line:col: error: msg" on stderr. */
void	cli_error(const struct tally_error *err);
/* "prog: file:line:col: warning: msg" on stderr. */
void	cli_warning(const struct tally_error *err);

/*
 * The options every tool handles alike, for getopt's default case: 'h'
 * prints usage to stdout, 'V' (--version) "prog version" to stdout, both
 * exit 0; anything else prints usage to stderr and exits 2.  Returns the
 * exit status.
 */
int	cli_usual_option(int ch, const char *usage);

/* Parse KEY=VALUE into kv (pointers into s, which is modified). */
int	cli_parse_kv(char *s, struct tally_kv *kv);

/* Append to a growing array of pairs; exits on out of memory. */
void	cli_kv_push(struct tally_kv **v, size_t *n, const char *key,
	    const char *value);

/*
 * Flush and close stdout.  Returns EXIT_TROUBLE after "write error" when
 * output was lost (EPIPE quietly), else status.
 */
int	cli_close_stdout(int status);

/* A write error on stdout was reported already: close it quietly. */
void	cli_stdout_reported(void);

#endif /* TALLY_CLI_H */
