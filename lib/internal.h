/*
 * lib/internal.h: libtally's private helpers.  Not installed; including it
 * from outside lib/ is an error.
 *
 * Ownership: a struct tally_buf owns its bytes (free with tally_buf_free);
 * a struct tally_src borrows its fd and owns its buffer.
 */
#ifndef TALLY_INTERNAL_H
#define TALLY_INTERNAL_H

#ifndef TALLY_BUILDING_LIB
#error "lib/internal.h is private to libtally"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <tally/error.h>
#include <tally/reader.h>
#include <tally/record.h>
#include <tally/sink.h>

/*
 * A hash of n bytes for the tables (merge's tests, the HTML report's
 * strings): eight bytes a step, a multiply and a shift mixing each word
 * in, the last shift bringing high bits down to the slot bits.
 */
static inline unsigned long long
tally_hash(const char *p, size_t n)
{
	unsigned long long h = 14695981039346656037ULL ^ n, w;
	size_t i;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 32;
	}
	for (w = 0, i = 0; i < n; i++)
		w |= (unsigned long long)(unsigned char)p[i] << (8 * i);
	h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 29);
}

/* Limits on hostile input. */
#define TALLY_MAX_FIELD	(16u << 20)	/* one string field: 16 MiB */
#define TALLY_MAX_LINE	(64u << 20)	/* one JSON Lines record: 64 MiB */
#define TALLY_MAX_DEPTH	64		/* XML and JSON nesting we accept */

/* What every JSON reader says about the two faults it shares. */
#define TALLY_STR_(x)	#x
#define TALLY_STR(x)	TALLY_STR_(x)
#define TALLY_JSON_DEEP	"nesting too deep: more than " \
	TALLY_STR(TALLY_MAX_DEPTH) " levels"
#define TALLY_JSON_NUL	"NUL character (\\u0000) in a string"

/* A growable byte buffer, always NUL-terminated when data != NULL. */
struct tally_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	 tally_buf_init(struct tally_buf *b);
void	 tally_buf_free(struct tally_buf *b);
void	 tally_buf_reset(struct tally_buf *b);
/* Room for extra more bytes and a NUL; data stays NUL-terminated. */
int	 tally_buf_reserve(struct tally_buf *b, size_t extra);
int	 tally_buf_add(struct tally_buf *b, const void *p, size_t n);
int	 tally_buf_adds(struct tally_buf *b, const char *s);
int	 tally_buf_addc(struct tally_buf *b, char c);
/* v in decimal, as printf's %lld writes it, without printf's cost. */
int	 tally_buf_addll(struct tally_buf *b, long long v);
int	 tally_buf_printf(struct tally_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Give up ownership of the bytes ("" when empty); the buffer is reset. */
char	*tally_buf_detach(struct tally_buf *b);
/* The text, or NULL when the buffer is empty: an empty field is absent. */
const char *tally_buf_str(const struct tally_buf *b);
/* Replace the contents with s. */
int	 tally_buf_set(struct tally_buf *b, const char *s);
/*
 * A reader's text field, capped at TALLY_MAX_FIELD: add what of s fits,
 * cut on a UTF-8 character boundary, and count the bytes left out in
 * *dropped; when the field is complete, tally_buf_add_dropped() notes
 * them as "\n[truncated N bytes]" (nothing when dropped is 0).  Both
 * return TALLY_OK or TALLY_ENOMEM.
 */
int	 tally_buf_add_capped(struct tally_buf *b, const char *s,
	    size_t *dropped);
int	 tally_buf_add_dropped(struct tally_buf *b, size_t dropped);
/*
 * Key/value pairs kept as "key\0value\0..." in a buffer, as a reader
 * gathers properties: tally_pairs_add() appends one and counts it in *n;
 * tally_pairs_kv() points the n items of *kv into b, growing *kv (of *cap
 * items) to room for n + extra.  TALLY_OK or TALLY_ENOMEM.
 */
int	 tally_pairs_add(struct tally_buf *b, size_t *n, const char *k,
	    const char *v);
int	 tally_pairs_kv(const struct tally_buf *b, size_t n, size_t extra,
	    struct tally_kv **kv, size_t *cap);

/* strdup that returns NULL for NULL. */
char	*tally_strdup(const char *s);

/*
 * A buffered input over a borrowed file descriptor, with a look-ahead for
 * format detection.  Every reader gets its bytes through one of these.
 */
struct tally_src {
	int		 fd;
	const char	*name;
	unsigned char	*buf;
	size_t		 cap;
	size_t		 pos;		/* next unread byte in buf */
	size_t		 len;		/* bytes valid in buf */
	int		 eof;
	int		 err;		/* errno of a failed read, else 0 */
	long		 line;		/* lines returned by tally_src_getline */
	/* Where warnings go: warn(warn_arg, TALLY_OK, err); may be NULL. */
	void		(*warn)(void *, int, const struct tally_error *);
	void		*warn_arg;
};

/* A warning about src at line (0: none); the input is still read. */
void	 tally_src_warn(struct tally_src *s, long line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

int	 tally_src_init(struct tally_src *s, int fd, const char *name);
void	 tally_src_fini(struct tally_src *s);
/* Make at least n bytes (fewer at end of input) visible at *p. */
int	 tally_src_peek(struct tally_src *s, size_t n, const unsigned char **p,
	    size_t *avail);
/* Like read(2): bytes copied, 0 at end of input, -1 on error (s->err). */
ssize_t	 tally_src_read(struct tally_src *s, void *dst, size_t n);
/*
 * Next line without its newline into b (NUL-terminated).  Returns 1 for a
 * line, 0 at end of input, TALLY_EIO or TALLY_ELIMIT (line over max).
 */
int	 tally_src_getline(struct tally_src *s, struct tally_buf *b, size_t max);

/* A reader: streams src into sink, fills err on failure. */
typedef int (*tally_reader_fn)(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err);

int	 tally_read_junit(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_checkxml(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_ctrf(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_pytest_json(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_jest(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_mocha(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_gotest(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
/*
 * How the stream reader parses a line: 1 (the default) the common line
 * by its fast path and the rest in full, 0 everything in full, -1 the
 * fast path only, a line it declines an error (for tests).
 */
extern int tally_stream_fast;
/*
 * The stream reader's index of the record member named key and its name
 * (*name), else -1: for tests of its lookup (lib/stream.c).
 */
int	 tally_stream_field(const char *key, const char **name);
/*
 * How many levels merge's quicksort of a run's keys goes before it gives
 * a group to qsort() (lib/merge.c); tests set 0 to check that way.
 */
extern unsigned tally_merge_sort_depth;
int	 tally_read_stream(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_locust(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_benchmark(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_k6(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_nunit(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_xunit(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_tap(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_rspec(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_trx(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_playwright(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_cucumber(struct tally_src *, struct tally_sink *,
	    struct tally_error *);
int	 tally_read_jmeter(struct tally_src *, struct tally_sink *,
	    struct tally_error *);

/*
 * lib/output.c: tally_output_open() always through a named temporary
 * file, as where O_TMPFILE is not to be had (for tests of that path).
 */
struct tally_output;
int	 tally_output_open_named(struct tally_output **out, const char *path,
	    struct tally_error *err);

/*
 * Hardened streaming XML over a tally_src, shared by the XML readers
 * (lib/read/read_junit.c): libxml2's xmlTextReader with no network, no DTD, no
 * external entities and its own error handlers.  A DOCTYPE, entity
 * reference nodes and nesting deeper than TALLY_MAX_DEPTH are refused.
 */
struct tally_xml;
struct _xmlTextReader;
/*
 * recover: repair control characters, ANSI escape sequences and invalid
 * UTF-8 in text and attribute values (see lib/read/read_junit.c, xml_fix).
 */
int	 tally_xml_open(struct tally_xml **out, struct tally_src *src,
	    int recover, struct tally_error *err);
/* Next node: 1 when one is ready, 0 at the end, else a status (err set). */
int	 tally_xml_next(struct tally_xml *x, struct tally_error *err);
struct _xmlTextReader *tally_xml_reader(struct tally_xml *x);
/* Fill err at the current node's line (else the parser's position). */
int	 tally_xml_fail(struct tally_xml *x, struct tally_error *err,
	    int status, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
void	 tally_xml_close(struct tally_xml *x);
/*
 * Walk the elements of x: start(arg, local name) at each element, end(arg)
 * at its end (empty elements too), text(arg, value) at each text and
 * CDATA node; *depth counts the open elements.  Returns like
 * tally_xml_next() at the end, or the first callback status not TALLY_OK.
 */
struct tally_xml_events {
	int	(*start)(void *arg, const char *name);
	int	(*end)(void *arg);
	int	(*text)(void *arg, const char *value);	/* or NULL */
};
int	 tally_xml_walk(struct tally_xml *x, const struct tally_xml_events *ev,
	    void *arg, int *depth, struct tally_error *err);
/*
 * lib/read/xmlattr.c: the next attribute of r's current element, its
 * local name in *k and value in *v (borrowed from r): 1, or 0 when there
 * is none left.  The caller moves r back with xmlTextReaderMoveToElement.
 */
int	 tally_xml_next_attr(struct _xmlTextReader *r, const char **k,
	    const char **v);

/*
 * Durations: the longest one taken is TALLY_MAX_SECONDS (30 days); a
 * longer, negative, non-finite or unparsable one is unknown (-1), with a
 * warning and the property TALLY_BAD_DURATION holding what was given.
 */
#define TALLY_MAX_SECONDS	2592000.0
#define TALLY_BAD_DURATION	"tally.badDuration"

/*
 * Parse a JUnit-style duration in seconds ("1.5", "1,234.5", " 2 ") into
 * milliseconds; -1 when s is NULL or blank.  A value that is there but
 * not a duration up to TALLY_MAX_SECONDS gives -1 too, with a warning
 * about src at line; then *bad is set when bad is not NULL.
 */
double	 tally_parse_seconds(struct tally_src *src, long line, const char *s,
	    int *bad);
/* A count such as tests="12": a whole number >= 0, else -1. */
long	 tally_parse_count(const char *s);
/*
 * A duration in milliseconds as a JSON input gave it: ms, or -1 with a
 * warning about src at line when it is negative, not finite or over
 * TALLY_MAX_SECONDS.  -1 stays -1 (unknown) without a warning.
 */
double	 tally_bound_ms(struct tally_src *src, long line, double ms);
/*
 * A JSON reader's duration: given times scale is milliseconds, bounded
 * as by tally_bound_ms(); one left out is kept as given in t's
 * properties (lib/jsonscan.h).  given -1 is unknown.
 */
struct tally_jtmp;
double	 tally_jduration(struct tally_src *src, long line,
	    struct tally_jtmp *t, double given, double scale);

/*
 * lib/read/declared.c: counts a file declares (a summary, tests=/failures=)
 * against the records a reader sent.  A count of -1 is not declared.
 */
struct tally_declared {
	long	 tests, failed, skipped;	/* declared */
	long	 ntests, nfailed, nskipped;	/* found */
	long	 line;				/* where declared, 0: unknown */
	long	 must_fail;	/* failures it proves, when not all of failed */
	long	 xtests, xfailed;	/* runs that may count too (reruns) */
	int	 more_ok;	/* finding more than declared agrees */
};

void	 tally_declared_init(struct tally_declared *d);
/* One record sent: a test (test != 0) or another record that fails. */
void	 tally_declared_saw(struct tally_declared *d, enum tally_status st,
	    int test);
/*
 * Counts found may be up to xtests and xfailed higher (reruns, several
 * <failure> in one test): a declaration between the two agrees.
 * When declared and found counts differ: a "meta" record with the item
 * "tally.declared" saying how, and when fewer failures were found than
 * declared (than must_fail, when that is not -1), a failed test
 * "(declared) WHERE" (rawStatus "declared") in suite.  where NULL names
 * src.
 */
int	 tally_declared_check(const struct tally_declared *d,
	    struct tally_src *src, const char *where,
	    const char *const *suite, size_t nsuite, struct tally_sink *sink,
	    struct tally_error *err);

/* Append rec as one stream line (with its newline) to b. */
int	 tally_stream_format(struct tally_buf *b, const struct tally_record *rec);

/* Turn a status word (any dialect) into CTRF's vocabulary. */
enum tally_status tally_status_from_word(const char *word);

/*
 * JSON through cJSON with hostile-input checks: NUL bytes, \u0000
 * escapes, duplicate keys, non-finite numbers and nesting deeper than
 * TALLY_MAX_DEPTH are refused.  buf must have a NUL at buf[len].  On failure err gets the
 * line and column (line counted from first_line) and TALLY_EPARSE is
 * returned.  Free *out with cJSON_Delete().
 */
struct cJSON;
int	 tally_json_parse(const char *buf, size_t len, long first_line,
	    struct cJSON **out, struct tally_error *err);
/* Borrowed string of a member, NULL unless it is a JSON string. */
const char *tally_json_str(const struct cJSON *obj, const char *key);
/* Number of a member into *out; 0 when it is a finite number. */
int	 tally_json_num(const struct cJSON *obj, const char *key, double *out);

#endif /* TALLY_INTERNAL_H */
