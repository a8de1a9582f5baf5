/*
 * tools/cli.h: what every tally program shares and the library must not
 * do: the program name, diagnostics on stderr, exit statuses.
 */
#ifndef TALLY_CLI_H
#define TALLY_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <tally/error.h>
#include <tally/reader.h>
#include <tally/record.h>
#include <tally/rules.h>
#include <tally/sink.h>

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
 * prints the help (cli_help) to stdout, 'V' (--version) "prog version" to
 * stdout, both exit 0; anything else prints usage to stderr and exits 2.
 * Returns the exit status.
 */
int	cli_usual_option(int ch, const char *usage, const char *options);

/*
 * getopt_long with the suite's own diagnostics ("prog: unknown option
 * '--fromat'; did you mean '--format'?", "prog: option '-o' needs an
 * argument") instead of getopt's, which name the full argv[0].  Returns
 * what getopt_long does, '?' for every mistake (already said).
 */
struct option;
int	cli_getopt(int argc, char *const argv[], const char *optstring,
	    const struct option *longopts);

/*
 * The name among name(0), name(1), ... (NULL ends them) nearest to word,
 * when one is near enough to be what was meant; else NULL.
 */
const char *cli_nearest(const char *word, const char *(*name)(size_t));

/* " (did you mean 'x'?)" when cli_nearest finds x, else "". */
const char *cli_did_you_mean(const char *word,
	    const char *(*name)(size_t));

/* "label: a, b, c" and a newline on fp, from name(0), name(1), ... */
void	cli_list(FILE *fp, const char *label, const char *(*name)(size_t));

/*
 * --help: the usage (the man page SYNOPSIS), a blank line, then
 * "options:" and one line per option, on standard output.
 */
void	cli_help(const char *usage, const char *options);

/* Parse KEY=VALUE into kv (pointers into s, which is modified). */
int	cli_parse_kv(char *s, struct tally_kv *kv);

/* Append to a growing array of pairs; exits on out of memory. */
void	cli_kv_push(struct tally_kv **v, size_t *n, const char *key,
	    const char *value);

/*
 * Flush and close stdout.  Returns EXIT_TROUBLE after "write error" when
 * output was lost, else status; a closed pipe leaves status as it is.
 */
int	cli_close_stdout(int status);

/* A write error on stdout was reported already: close it quietly. */
void	cli_stdout_reported(void);

/*
 * Nonzero when fp is a pipe or socket whose reading end is closed (the
 * reader stopped, as head(1) does).  Such a closed pipe is no trouble:
 * tools stop writing quietly and keep the exit status they would have.
 */
int	cli_pipe_closed(FILE *fp);

/*
 * The input operands: standard input ("-") may be named once.  Returns 0,
 * or says so, prints usage to stderr and returns -1.
 */
int	cli_check_inputs(int argc, char *const argv[], const char *usage);

/*
 * Fill buf (size > 1) with an unguessable token of letters and digits
 * from getrandom(2).  Returns 0, or -1 when no randomness was to be had.
 */
int	cli_random_token(char *buf, size_t size);

/*
 * The tool's own output, which a walk must not read back: fp (standard
 * output or -o's temporary file; may be NULL) when it is a regular file,
 * and the -o target outpath as it is now (replaced only at the end, so an
 * operand may name it).  ids has room for 2; returns how many are filled.
 */
size_t	cli_own_output(FILE *fp, const char *outpath,
	    struct tally_file_id *ids);

/*
 * Progress for long runs: a sink in front of next that counts the records
 * going through and, when standard error is a terminal and the run has
 * taken a second, shows "prog: read N records" there, rewritten in place a
 * few times a second.  cli_progress_done() clears the line.  Nothing is
 * allocated; p is the caller's.
 */
struct cli_progress {
	struct tally_sink	 sink;
	struct tally_sink	*next;
	unsigned long long	 n;
	long long		 start, last;	/* ms, monotonic */
	int			 on, shown;
};
void	cli_progress_init(struct cli_progress *p, struct tally_sink *next);
void	cli_progress_done(struct cli_progress *p);
/* n more records that went out some other way (tally-collect -j's bytes). */
void	cli_progress_add(struct cli_progress *p, unsigned long long n);

/*
 * --rules[=file] (tally-rules(5)): whether s names a YAML file (.yml,
 * .yaml), which --rules takes as its file when it follows it; the file
 * to use without one, .tally.yml in the current directory or the
 * nearest one above it, or NULL for the built-in rules; and loading
 * them, 0 or -1 after saying why (file:line:col).
 */
int	cli_yaml_name(const char *s);
const char *cli_find_rules(void);
int	cli_load_rules(const char *file, struct tally_rules **r);

/* Append a pattern to a growing array; exits on out of memory. */
void	cli_push(const char ***v, size_t *n, const char *s);

#endif /* TALLY_CLI_H */
