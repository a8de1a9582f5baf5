/*
 * lib/escape.h: every escaping rule for every output target, in one
 * place.  Writers never escape by hand.
 *
 * Each function appends the escaped form of s (n bytes, or up to the NUL
 * when n is (size_t)-1) to b and returns TALLY_OK or TALLY_ENOMEM.
 * Invalid UTF-8 becomes U+FFFD in every target.
 */
#ifndef TALLY_ESCAPE_H
#define TALLY_ESCAPE_H

#ifndef TALLY_BUILDING_LIB
#error "lib/escape.h is private to libtally"
#endif

#include "internal.h"

#define TALLY_NTS ((size_t)-1)

/* Inside a JSON string, without the quotes. */
int	tally_esc_json(struct tally_buf *b, const char *s, size_t n);
/* The same, and safe inside an HTML <script>: '<', '>', '&', U+2028 and
 * U+2029 become \uXXXX escapes. */
int	tally_esc_json_script(struct tally_buf *b, const char *s, size_t n);
/* A quoted JSON string, or null for NULL. */
int	tally_esc_json_str(struct tally_buf *b, const char *s);
/* XML text and attribute values; characters XML 1.0 forbids (controls,
 * ANSI escapes) are written as visible U+FFFD-free placeholders. */
int	tally_esc_xml(struct tally_buf *b, const char *s, size_t n);
/* The same for element content only: newlines and tabs stay literal, so
 * stack traces keep their lines. */
int	tally_esc_xml_text(struct tally_buf *b, const char *s, size_t n);
/* HTML text or quoted attribute. */
int	tally_esc_html(struct tally_buf *b, const char *s, size_t n);
/* The same for an HTML element inside Markdown: on one line (newlines,
 * CR and tabs become spaces, since a blank line would end the HTML
 * block), Markdown punctuation ([ ] ( ) * _ ` ~ ! | \ @ # :) as
 * numeric references, so no Markdown reader finds links or mentions, and
 * bidi controls shown as <U+202E>. */
int	tally_esc_html_line(struct tally_buf *b, const char *s, size_t n);
/* Markdown inline text: metacharacters backslashed, newlines as spaces,
 * bidi controls shown as <U+202E>, C1 controls as U+FFFD. */
int	tally_esc_md(struct tally_buf *b, const char *s, size_t n);
/* Terminal: control characters and escape sequences shown visibly. */
int	tally_esc_term(struct tally_buf *b, const char *s, size_t n);
/* The same on one line: a newline shows as U+2424, a tab as a space. */
int	tally_esc_term_line(struct tally_buf *b, const char *s, size_t n);
/* GitHub workflow command message (%, CR, LF); other controls shown as
 * pictures, C1 controls as U+FFFD, bidi controls as <U+202E>. */
int	tally_esc_gh_data(struct tally_buf *b, const char *s, size_t n);
/* GitHub workflow command property (also : and ,). */
int	tally_esc_gh_prop(struct tally_buf *b, const char *s, size_t n);

/*
 * Output that may reach a CI log, already escaped for its target: no line
 * may issue a GitHub Actions workflow command.  A line whose first visible
 * characters are "::" (the runner trims leading white space) gets its
 * second colon as U+FF1A, and "##[" anywhere (the runner's older form)
 * its bracket as U+FF3B; characters the runner's culture-aware comparison
 * skips (ignorables, controls) do not hide either.  Bytes are copied
 * otherwise unchanged.  *state carries the line so far across calls; 0
 * at the start of output.
 */
int	tally_esc_wfc_guard(struct tally_buf *b, const char *s, size_t n,
	    unsigned *state);

/*
 * A URL for a Markdown link destination or an HTML attribute: bytes
 * outside printable ASCII and ( ) < > [ ] { } " ' ` \\ | ^ and space are
 * percent-encoded; existing %XX escapes are kept.  It does not check the
 * scheme: callers allow only http and https.
 */
int	tally_esc_url(struct tally_buf *b, const char *s, size_t n);

/* Remove ANSI escape sequences (CSI, OSC) from s into b, keeping text. */
int	tally_strip_ansi(struct tally_buf *b, const char *s, size_t n);

/*
 * Decode one UTF-8 sequence at s (n bytes available).  Returns its length
 * and sets *cp; an invalid sequence returns 1 with *cp = 0xFFFD.
 */
size_t	tally_utf8_decode(const unsigned char *s, size_t n, unsigned *cp);

/*
 * For tests: escape s with f (one of the escapers above) by the slow
 * per-code-point path only, without the fast path that copies runs of
 * plain ASCII.  Both must give the same bytes.  TALLY_EINVAL for an f
 * that is not an escaper.
 */
typedef int (*tally_esc_fn)(struct tally_buf *b, const char *s, size_t n);
int	tally_esc_slow(tally_esc_fn f, struct tally_buf *b, const char *s,
	    size_t n);

#endif /* TALLY_ESCAPE_H */
