/*
 * lib/read/read_junit.c: JUnit XML in its many dialects (Ant, Maven Surefire,
 * Gradle, AntUnit, pytest xunit1/xunit2, jest-junit, mocha, go-junit-report,
 * gotestsum, ctest, rspec, cargo-nextest, Bazel, GoogleTest, Catch2,
 * PHPUnit, Playwright, Cypress, TestCafe, TAP::Formatter::JUnit, ...),
 * streamed through libxml2's SAX2 push parser (the other XML readers use
 * its xmlTextReader, through tally_xml_walk).  Each <testcase> becomes one
 * "test" record as soon as it closes, each <testsuite> one "suite" record
 * when it closes, the root <testsuites> (or <testrun>) one "meta" record.
 *
 * How a <testcase> maps to a status (first matching row wins):
 *
 *   testcase holds                      status   rawStatus
 *   ----------------------------------  -------  -----------------------
 *   <failure> (first of failure/error)  failed   "failure"
 *   <error>   (first of failure/error)  failed   "error"
 *   <rerunFailure>/<rerunError> only    failed   "rerunFailure"/"rerunError"
 *   <skipped>                           skipped  "skipped"
 *   <flakyFailure>/<flakyError> only    passed   (none); flaky, see below
 *   status= notrun|disabled|skipped|    skipped  the attribute's word
 *     ignored, or result= skipped|
 *     suppressed (GoogleTest, tst)
 *   status= failed|fail|failure|error|  failed   the attribute's word
 *     errored, no child saying more
 *   nothing of the above                passed   (none)
 *
 * - A failure or error always wins over <skipped> and over a status=
 *   attribute: a file that reports a failure is never shown as anything
 *   milder.
 * - message is the element's message= attribute, errorType its type=,
 *   trace its body text.  A <skipped> without message= uses its body as
 *   the message.
 * - Several <failure>/<error>/<skipped> in one testcase (soft assertions,
 *   hand-made files): one record; the first failure or error gives
 *   message, errorType and trace; every other one is appended to the
 *   trace as "\n\n[WORD] TYPE: MESSAGE\nBODY".  They are not attempts:
 *   nothing says the test ran more than once.
 * - Surefire reruns: every <flakyFailure>, <flakyError>, <rerunFailure>
 *   and <rerunError> becomes a retry attempt (status failed, rawStatus the
 *   element name, time=, message=, type=, <stackTrace> or body text,
 *   <system-out>, <system-err>), in document order; retries is their
 *   number.  Flaky ones only: the test finally passed, flaky is set.
 * - Times are seconds (time= or AntUnit's <time> child), "1,234.5" is
 *   accepted; a missing time is unknown (no duration), and so is a
 *   negative, junk or over TALLY_MAX_SECONDS one, with a warning and the
 *   property tally.badDuration holding it.
 * - name= missing gives an empty name; classname= falls back to class=;
 *   file= or filePath= give filePath, line= or lineno= give line; when
 *   the testcase has none, file=/line= of its <failure> (Catch2) do.
 * - Every attribute without a field of its own (timestamp=, id=,
 *   assertions=, status=, result=, ...) is kept as a property named
 *   "@ATTRIBUTE"; <properties> (value= or text form) keep their names.
 *   The same holds for testsuites; a suite's counts come from tests=,
 *   failures=, errors=, skipped= (or skips=) or AntUnit's child elements.
 * - <failure>/<error> directly inside a <testsuite> (a class that failed
 *   to load) becomes a test record named "(testsuite)" with the suite's
 *   name as classname, so the failure is never lost; one directly inside
 *   the root <testsuites> (or a group of suites) a record named
 *   "(testsuites)".
 * - A test's suite is the names of its enclosing <testsuite>s, outermost
 *   first (an unnamed one counts as ""); the root <testsuites> is not
 *   part of it, nor is a <testsuites> nested in it (read as a plain
 *   group).  Its attributes become the "meta" record's items under
 *   their own names, its <properties> as "property.NAME".
 * - <system-out>/<system-err> (also the <system.out> misspelling) of a
 *   testcase give stdout/stderr, of a testsuite the suite's; empty ones
 *   (<system-out/>, an empty CDATA) leave the field out.
 * - Text fields are capped at TALLY_MAX_FIELD bytes; the rest is dropped
 *   and "[truncated N bytes]" appended.  Long text is split before it
 *   reaches libxml2 (see xml_split), so libxml2's own 10 MB limit on a
 *   text node never ends the file.
 * - Control characters, ANSI escape sequences and invalid UTF-8 in text,
 *   CDATA and attribute values are repaired before libxml2 sees them
 *   (xml_fix) and the record holding them gets the property
 *   tally.recovered; other well-formedness faults stay errors
 *   (XML_PARSE_RECOVER does not get the reader past them).
 * - Refused: a DOCTYPE ("DOCTYPE not supported: DTDs are refused",
 *   wherever it is in the prolog), entity references,
 *   nesting deeper than TALLY_MAX_DEPTH, any root but <testsuites>,
 *   <testrun> or <testsuite> (elements go by local name: <ns:testsuites>
 *   is JUnit too).  On malformed XML the records already sent
 *   stay sent, every test that closed before the fault among them; text
 *   the fault cut off is left out.  An error at the very end of the input
 *   (a truncated file) is reported as "unexpected end of file" rather
 *   than libxml2's "extra content at the end of the document" and the
 *   like.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include "internal.h"
#include "jobs.h"

/* ---- hardened XML input, shared with lib/read/read_checkxml.c ---- */

struct tally_xml {
	xmlTextReaderPtr	 r;		/* or, the JUnit reader: */
	xmlParserCtxtPtr	 ctxt;		/* SAX2 push parser */
	int			 in_node;	/* in a SAX2 callback */
	int			 dtd;		/* a DOCTYPE reached libxml2 */
	struct tally_src	*src;
	int			 fatal;		/* structured error seen */
	long			 fline, fcol;
	char			 fmsg[TALLY_ERROR_MSG];
	int			 generic;	/* generic error seen */
	char			 gmsg[TALLY_ERROR_MSG];
	int			 ioerr;
	int			 code;		/* libxml2 code of that error */
	long			 last_line;	/* end of the input read so far */
	long			 last_col;
	int			 content;	/* a non-blank byte was read */
	/* The lexer that splits long text (see xml_split). */
	int			 lex;		/* an LX_* state */
	int			 in_ref;	/* inside &...; in text */
	int			 ends;		/* end-marker bytes matched */
	unsigned char		 prev;		/* the byte before */
	size_t			 run;		/* text bytes since a split */
	int			 off;		/* lexer off: not ASCII-based */
	long			 lt_line, lt_col; /* where the last '<' was */
	int			 doctype;	/* "<!DOCTYPE" seen: stop */
	/* The repairs (see xml_fix), on when the caller asks for them. */
	int			 recover;	/* repair at all */
	int			 utf8;		/* the input is UTF-8 */
	unsigned char		 ref[16];	/* a "&#..." held back */
	int			 nref;
	int			 ansi;		/* 1 after ESC, 2 in CSI */
	unsigned char		 u8[4];		/* a UTF-8 character so far */
	int			 nu8, u8need;
	unsigned char		 u8lo, u8hi;	/* range of its next byte */
	int			 pend_fix;	/* text repairs not marked yet */
	long			 pend_line;
	long			 stag;		/* start tags lexed */
	struct xml_fixq {
		long	stag, line;
		int	fix;
	}			*q;		/* repairs in attributes */
	size_t			 qhead, qlen, qcap;
	long			 elem;		/* element nodes read */
	int			 ctx_fix;	/* repairs in the open element */
	long			 ctx_line;
	int			 attr_fix;	/* repairs in this element's */
	long			 attr_line;	/* attributes */
	int			 oom;
	int			 tail;		/* the input is all read */
	/* Filtered bytes not yet handed to libxml2. */
	unsigned char		*ob;
	size_t			 on, opos, ocap;
};

/*
 * libxml2 refuses a text node over 10 000 000 bytes, and with it the rest
 * of the file; XML_PARSE_HUGE would lift every other limit too.  So the
 * input is split before libxml2 sees it: after SPLIT_SOFT bytes of one
 * text run (character data or a CDATA section) an empty comment goes in
 * before the next line break, after SPLIT_HARD bytes before the next
 * character.  libxml2 then sees several text nodes of at most SPLIT_HARD
 * bytes each, the readers join them into one field and cut that at
 * TALLY_MAX_FIELD with their "[truncated N bytes]" note, and the reader
 * frees each node once past it, so memory stays bounded.  The inserted
 * bytes shift columns on that one line only and never the line numbers.
 */
#define SPLIT_SOFT	(1u << 20)
#define SPLIT_HARD	8000000u
#define SPLIT_TEXT	"<!---->"
#define SPLIT_CDATA	"]]><!----><![CDATA["

enum {
	LX_TEXT, LX_LT, LX_TAG, LX_DQ, LX_SQ, LX_BANG, LX_BANG2, LX_COMMENT,
	LX_CDATA_OPEN, LX_CDATA, LX_PI, LX_DECL, LX_DOCTYPE_OPEN
};

static const char doctype_refused[] = "DOCTYPE not supported: DTDs are "
    "refused";

/*
 * Bytes read from the input and filtered at a time; bytes handed to
 * libxml2 at a time, and in the last XML_TAIL bytes of the input.  The
 * reader frees parsed input only while less than its 512-byte chunk is
 * left unparsed after a read: reads of 512 bytes and more made it keep
 * a whole 56 MB text in memory (110 MB peak against 40 MB).
 */
#define XML_PIECE 65536
#define XML_FEED 256
#define XML_TAIL 4096
#define XML_TAIL_PIECE 128

/* The processing instruction that marks repaired text for the reader. */
#define RECOVERED_PI	"tally-recovered"
/* The property on a record whose text was repaired. */
#define TALLY_RECOVERED	"tally.recovered"
#define TALLY_FIX_ANSI	1	/* ANSI escape sequences removed */
#define TALLY_FIX_CTRL	2	/* control characters replaced */
#define TALLY_FIX_UTF8	4	/* invalid UTF-8 replaced */

static __thread int xml_denied;	/* per thread: collect -j */

static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	xml_denied = 1;
	return NULL;
}

/*
 * libxml2's set-up, on the thread that starts collect -j's threads
 * before it does (libxml2 2.9 wants that); again per input is a no-op.
 */
void
tally_xml_init(void)
{
	xmlInitParser();
	if (xmlGetExternalEntityLoader() != deny_loader)
		xmlSetExternalEntityLoader(deny_loader);
}

/* Whether a split may go in before byte c of a text run. */
static int
split_here(struct tally_xml *x, unsigned char c)
{
	if (x->in_ref || x->run < SPLIT_SOFT)
		return 0;
	if (x->lex == LX_CDATA && x->ends > 0)
		return 0;
	if (c == '\r' || (c == '\n' && x->prev != '\r'))
		return 1;
	/* Any ASCII byte or UTF-8 lead byte, never inside a character. */
	return x->run >= SPLIT_HARD && (c < 0x80 || c >= 0xC0) &&
	    !(c == '\n' && x->prev == '\r');
}

/*
 * One more byte of the 9-byte keyword kw ("<![CDATA[", "<!DOCTYPE") the
 * lexer is matching: 1 when it is complete; on any other byte, the end
 * of a declaration it does not follow.
 */
static int
lex_keyword(struct tally_xml *x, unsigned char c, const char *kw)
{
	if (c != (unsigned char)kw[x->ends]) {
		x->lex = c == '>' ? LX_TEXT : LX_DECL;
		return 0;
	}
	return ++x->ends == 9;
}

/*
 * Follow the markup just well enough to know where text runs are: text,
 * tags (with quoted values that may hold '>'), comments, processing
 * instructions, CDATA sections and other declarations.
 */
static void
lex_byte(struct tally_xml *x, unsigned char c)
{
	static const char cdata[] = "<![CDATA[", doctype[] = "<!DOCTYPE";

	switch (x->lex) {
	case LX_TEXT:
		if (c == '<') {
			x->lt_line = x->last_line;
			x->lt_col = x->last_col;
			x->lex = LX_LT;
			x->run = 0;
			x->in_ref = 0;
		} else {
			x->run++;
			if (c == '&')
				x->in_ref = 1;
			else if (c == ';')
				x->in_ref = 0;
		}
		break;
	case LX_LT:
		x->lex = c == '!' ? LX_BANG : c == '?' ? LX_PI : LX_TAG;
		x->ends = 0;
		break;
	case LX_TAG:
		if (c == '"')
			x->lex = LX_DQ;
		else if (c == '\'')
			x->lex = LX_SQ;
		else if (c == '>')
			x->lex = LX_TEXT;
		break;
	case LX_DQ:
	case LX_SQ:
		if (c == (x->lex == LX_DQ ? '"' : '\''))
			x->lex = LX_TAG;
		break;
	case LX_BANG:
		x->lex = c == '-' ? LX_BANG2 : c == '[' ? LX_CDATA_OPEN :
		    c == 'D' ? LX_DOCTYPE_OPEN : c == '>' ? LX_TEXT : LX_DECL;
		x->ends = 3;
		break;
	case LX_DOCTYPE_OPEN:
		if (lex_keyword(x, c, doctype))
			x->doctype = 1;
		break;
	case LX_BANG2:
		x->lex = c == '-' ? LX_COMMENT : c == '>' ? LX_TEXT : LX_DECL;
		x->ends = 0;
		break;
	case LX_CDATA_OPEN:
		if (lex_keyword(x, c, cdata)) {
			x->lex = LX_CDATA;
			x->ends = 0;
			x->run = 0;
		}
		break;
	case LX_COMMENT:
	case LX_CDATA:
		if (x->lex == LX_CDATA)
			x->run++;
		if (c == (x->lex == LX_COMMENT ? '-' : ']'))
			x->ends++;
		else if (c == '>' && x->ends >= 2) {
			x->lex = LX_TEXT;
			x->run = 0;
		} else
			x->ends = 0;
		break;
	case LX_PI:
		if (c == '>' && x->prev == '?')
			x->lex = LX_TEXT;
		break;
	default:	/* LX_DECL: a DOCTYPE is refused, so no subset */
		if (c == '>')
			x->lex = LX_TEXT;
		break;
	}
	x->prev = c;
}

/*
 * Make room for what one input byte can become: a held-back reference
 * let go, a split marker, a mark and the byte.
 */
#define OB_SLACK	128

static int
ob_room(struct tally_xml *x)
{
	unsigned char *p;
	size_t ncap;

	if (x->ocap - x->on >= OB_SLACK)
		return 0;
	ncap = x->ocap ? x->ocap * 2 : 4 * XML_PIECE;
	if ((p = realloc(x->ob, ncap)) == NULL) {
		x->oom = 1;
		return -1;
	}
	x->ob = p;
	x->ocap = ncap;
	return 0;
}

/* Append n bytes libxml2 parses but the lexer does not follow. */
static void
ob_raw(struct tally_xml *x, const char *s, size_t n)
{
	memcpy(x->ob + x->on, s, n);
	x->on += n;
	x->last_col += (long)n;
}

/* One byte on to libxml2: split long text, lex, count lines. */
static void
pass(struct tally_xml *x, unsigned char c)
{
	const char *mark;
	char pi[64];
	int k;

	if (!x->off && (x->lex == LX_TEXT || x->lex == LX_CDATA) &&
	    split_here(x, c)) {
		mark = x->lex == LX_TEXT ? SPLIT_TEXT : SPLIT_CDATA;
		ob_raw(x, mark, strlen(mark));
		x->run = 0;
	}
	/* Repaired text: a mark before the next tag (see tally_xml_next). */
	if (x->pend_fix && c == '<' && x->lex == LX_TEXT) {
		k = snprintf(pi, sizeof(pi), "<?" RECOVERED_PI " %ld %d?>",
		    x->pend_line, x->pend_fix);
		ob_raw(x, pi, (size_t)k);
		x->pend_fix = 0;
		x->pend_line = 0;
	}
	if (!x->off) {
		if (x->lex == LX_LT && c != '!' && c != '?' && c != '/')
			x->stag++;
		lex_byte(x, c);
	}
	if (x->doctype)
		return;
	x->ob[x->on++] = c;
	/* Where the input ends, in libxml2's terms. */
	if (c == '\n') {
		x->last_line++;
		x->last_col = 1;
	} else if ((c & 0xC0) != 0x80)
		x->last_col++;
}

static void
pass_str(struct tally_xml *x, const char *s)
{
	for (; *s != '\0'; s++)
		pass(x, (unsigned char)*s);
}

/* Note a repair: for the open element, or for the tag being read. */
static void
fixed(struct tally_xml *x, int fix)
{
	struct xml_fixq *q;

	if (x->lex == LX_DQ || x->lex == LX_SQ) {
		if (x->qlen > 0 && x->q[x->qlen - 1].stag == x->stag) {
			x->q[x->qlen - 1].fix |= fix;
			return;
		}
		if (x->qlen == x->qcap) {
			size_t ncap = x->qcap ? x->qcap * 2 : 16;

			if ((q = realloc(x->q, ncap * sizeof(*q))) == NULL) {
				x->oom = 1;
				return;
			}
			x->q = q;
			x->qcap = ncap;
		}
		q = &x->q[x->qlen++];
		q->stag = x->stag;
		q->line = x->last_line;
		q->fix = fix;
		return;
	}
	if (x->pend_fix == 0)
		x->pend_line = x->last_line;
	x->pend_fix |= fix;
}

/* U+FFFD in place of what could not be kept. */
static void
replacement(struct tally_xml *x, int fix)
{
	fixed(x, fix);
	if (x->utf8)
		pass_str(x, "\xEF\xBF\xBD");
	else if (x->lex != LX_CDATA)
		pass_str(x, "&#xFFFD;");
	else
		pass(x, '?');
}

static int
xml_char(unsigned long v)
{
	return v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 &&
	    v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) ||
	    (v >= 0x10000 && v <= 0x10FFFF);
}

/* A "&#...;" held back ends in c: keep it, or repair it. */
static void
end_ref(struct tally_xml *x, unsigned char c)
{
	int i, n = x->nref, hex = n > 2 && x->ref[2] == 'x';
	unsigned long v;

	x->nref = 0;
	if (c == ';' && n > 2 + hex) {
		x->ref[n] = '\0';
		v = strtoul((const char *)x->ref + 2 + hex, NULL, hex ? 16 : 10);
		if (!xml_char(v)) {
			if (v == 0x1B) {
				fixed(x, TALLY_FIX_ANSI);
				x->ansi = 1;
			} else
				replacement(x, TALLY_FIX_CTRL);
			return;
		}
	}
	for (i = 0; i < n; i++)
		pass(x, x->ref[i]);
	if (c != 0)
		pass(x, c);
}

/*
 * With recovery on, bytes of text, CDATA and attribute values that would
 * end the file in libxml2 are repaired on the way in: an ANSI escape
 * sequence (ESC raw or as &#27;, then CSI parameters and final byte) is
 * removed, any other control character (raw or as a character
 * reference) and, in a UTF-8 document, any byte that is not part of a
 * valid UTF-8 character becomes U+FFFD.  Each repair is noted for the
 * record that holds it (fixed()).
 */
static void
xml_fix(struct tally_xml *x, unsigned char c)
{
	int rep;

	rep = (x->lex == LX_TEXT && x->stag > 0) || x->lex == LX_CDATA ||
	    x->lex == LX_DQ || x->lex == LX_SQ;
	if (!x->recover || x->off || !rep) {
		pass(x, c);
		return;
	}
	if (x->nref > 0) {
		if (x->nref < 12 && (x->nref == 1 ? c == '#' :
		    (c >= '0' && c <= '9') || (c == 'x' && x->nref == 2) ||
		    (x->nref > 2 && x->ref[2] == 'x' && ((c >= 'a' &&
		    c <= 'f') || (c >= 'A' && c <= 'F'))))) {
			x->ref[x->nref++] = c;
			return;
		}
		end_ref(x, c == ';' ? c : 0);
		if (c == ';')
			return;
	}
	if (x->ansi == 1) {
		x->ansi = 0;
		if (c == '[') {
			x->ansi = 2;
			return;
		}
		if (c >= 0x40 && c <= 0x5F)
			return;
		replacement(x, TALLY_FIX_CTRL);	/* a lone ESC */
	} else if (x->ansi == 2) {
		if (c >= 0x20 && c <= 0x3F && c != '<' && c != '&' &&
		    c != '"' && c != '\'')
			return;
		x->ansi = 0;
		if (c >= 0x40 && c <= 0x7E)
			return;
	}
	if (x->u8need > 0) {
		if (c >= x->u8lo && c <= x->u8hi) {
			x->u8[x->nu8++] = c;
			x->u8lo = 0x80;
			x->u8hi = 0xBF;
			if (--x->u8need > 0)
				return;
			/* U+FFFE and U+FFFF are no XML characters. */
			if (x->nu8 == 3 && x->u8[0] == 0xEF &&
			    x->u8[1] == 0xBF && x->u8[2] >= 0xBE)
				replacement(x, TALLY_FIX_UTF8);
			else
				for (rep = 0; rep < x->nu8; rep++)
					pass(x, x->u8[rep]);
			x->nu8 = 0;
			return;
		}
		x->nu8 = x->u8need = 0;
		replacement(x, TALLY_FIX_UTF8);
	}
	if (c >= 0x80 && x->utf8) {
		x->u8lo = 0x80;
		x->u8hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			x->u8need = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			x->u8need = 2;
			if (c == 0xE0)
				x->u8lo = 0xA0;
			else if (c == 0xED)
				x->u8hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			x->u8need = 3;
			if (c == 0xF0)
				x->u8lo = 0x90;
			else if (c == 0xF4)
				x->u8hi = 0x8F;
		} else {
			replacement(x, TALLY_FIX_UTF8);
			return;
		}
		x->u8[0] = c;
		x->nu8 = 1;
		return;
	}
	if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
		if (c == 0x1B) {
			fixed(x, TALLY_FIX_ANSI);
			x->ansi = 1;
		} else
			replacement(x, TALLY_FIX_CTRL);
		return;
	}
	if (c == '&' && x->lex != LX_CDATA) {
		x->ref[0] = c;
		x->nref = 1;
		return;
	}
	pass(x, c);
}

/* End of input: what is held back goes on as it is, or repaired. */
static void
xml_fix_end(struct tally_xml *x)
{
	if (x->nref > 0)
		end_ref(x, 0);
	if (x->ansi == 1)
		replacement(x, TALLY_FIX_CTRL);
	x->ansi = 0;
	if (x->u8need > 0) {
		x->nu8 = x->u8need = 0;
		replacement(x, TALLY_FIX_UTF8);
	}
}

/*
 * Bytes that change nothing in the states fast_run() takes: printable
 * ASCII but markup, references and quotes, and tab and line breaks.
 */
static const unsigned char plain[256] = {
	['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
	[' '] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['('] = 1,
	[')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1, ['.'] = 1,
	['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, [':'] = 1,
	['='] = 1, ['?'] = 1, ['@'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1,
	['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,
	['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1,
	['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
	['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['['] = 1,
	['\\'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['a'] = 1, ['b'] = 1,
	['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
	['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
	['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
	['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
	['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1,
};

/*
 * The same as xml_fix() byte by byte, for plain bytes in text, tags,
 * attribute values and CDATA and the quotes and tag starts and ends
 * between them: one copy, lines counted with memchr.  Returns the bytes
 * taken, 0 when the slow path must go on.
 */
static size_t
fast_run(struct tally_xml *x, const unsigned char *in, size_t n)
{
	const unsigned char *nl, *p, *end;
	size_t j, k = 0, cap;
	unsigned char c;
	int text;

	if (x->off || x->nref || x->ansi || x->u8need)
		return 0;
	for (;;) {
		text = x->lex == LX_TEXT || x->lex == LX_CDATA;
		if (!text && x->lex != LX_TAG && x->lex != LX_DQ &&
		    x->lex != LX_SQ)
			break;
		cap = n;
		/* Long text goes byte by byte, where it may be split. */
		if (text) {
			if (x->run >= SPLIT_SOFT)
				break;
			if (cap - k > SPLIT_SOFT - x->run)
				cap = k + (SPLIT_SOFT - x->run);
		}
		/* Four bytes a bound check (callgrind: 6 -> 4 a byte). */
		for (j = k; j + 4 <= cap && plain[in[j]]; j += 4)
			if (!plain[in[j + 1]] || !plain[in[j + 2]] ||
			    !plain[in[j + 3]]) {
				j += !plain[in[j + 1]] ? 1 :
				    !plain[in[j + 2]] ? 2 : 3;
				break;
			}
		if (j + 4 > cap)
			for (; j < cap && plain[in[j]]; j++)
				continue;
		if (text && j > k) {
			x->run += j - k;
			if (x->lex == LX_CDATA)
				x->ends = 0;
		}
		k = j;
		if (k >= n)
			break;
		c = in[k];
		if (x->lex == LX_TAG && (c == '"' || c == '\'' || c == '>'))
			x->lex = c == '"' ? LX_DQ : c == '\'' ? LX_SQ : LX_TEXT;
		else if ((x->lex == LX_DQ && c == '"') ||
		    (x->lex == LX_SQ && c == '\''))
			x->lex = LX_TAG;
		else if (x->lex == LX_TEXT && c == '<' && !x->pend_fix &&
		    k + 1 < n && plain[in[k + 1]] && in[k + 1] != '!' &&
		    in[k + 1] != '?') {
			/* A start or end tag: no DOCTYPE, no mark to put. */
			if (in[k + 1] != '/')
				x->stag++;
			x->lex = LX_TAG;
			x->run = 0;
			x->in_ref = 0;
			k++;
		} else
			break;
		k++;
	}
	if (k == 0)
		return 0;
	if (x->ocap - x->on < k + OB_SLACK) {
		size_t ncap = x->ocap * 2 + k + OB_SLACK;
		unsigned char *q = realloc(x->ob, ncap);

		if (q == NULL) {
			x->oom = 1;
			return 0;
		}
		x->ob = q;
		x->ocap = ncap;
	}
	memcpy(x->ob + x->on, in, k);
	x->on += k;
	x->prev = in[k - 1];
	for (p = in, end = in + k, nl = NULL;
	    (p = memchr(p, '\n', (size_t)(end - p))) != NULL; nl = p++)
		x->last_line++;
	if (nl != NULL)
		x->last_col = 1 + (long)(end - nl - 1);
	else
		x->last_col += (long)k;
	return k;
}

/*
 * Read one piece of the input and filter it (xml_fix) onto the end of
 * x->ob; at the end of the input, let go what is held back and set
 * x->tail.  Returns -1 on a read error, a DOCTYPE or no memory.
 */
static int
xml_fill(struct tally_xml *x)
{
	unsigned char raw[XML_PIECE];
	size_t i, k, from;
	ssize_t n;

	if (x->opos > 0) {
		memmove(x->ob, x->ob + x->opos, x->on - x->opos);
		x->on -= x->opos;
		x->opos = 0;
	}
	from = x->on;
	n = tally_src_read(x->src, raw, sizeof(raw));
	if (n < 0) {
		x->ioerr = 1;
		return -1;
	}
	for (i = 0; i < (size_t)n && !x->doctype; i++) {
		if ((k = fast_run(x, raw + i, (size_t)n - i)) > 0) {
			i += k - 1;
			continue;
		}
		if (ob_room(x) < 0)
			return -1;
		xml_fix(x, raw[i]);
	}
	if (n == 0) {
		if (ob_room(x) < 0)
			return -1;
		xml_fix_end(x);
		x->tail = 1;
	}
	/* A DOCTYPE past the prolog check: libxml2 parses none of it. */
	if (x->doctype || x->oom)
		return -1;
	for (i = from; !x->content && i < x->on; i++)
		if (!strchr(" \t\r\n", x->ob[i]))
			x->content = 1;
	return 0;
}

static int
xml_read(void *ctx, char *buf, int len)
{
	struct tally_xml *x = ctx;
	size_t k;

	if (len <= 0)
		return 0;
	/* Keep a piece ahead, so the end of the input is known in time. */
	while (x->on - x->opos < XML_PIECE && !x->tail)
		if (xml_fill(x) < 0)
			return -1;
	/*
	 * On a fault the reader drops the nodes it built from the bytes of
	 * that read; most faults are a file cut off, so the last bytes go in
	 * small reads and the tests just before the cut are kept.
	 */
	k = x->on - x->opos < (size_t)len ? x->on - x->opos : (size_t)len;
	if (k > XML_FEED)
		k = XML_FEED;
	if (x->tail && x->on - x->opos <= XML_TAIL && k > XML_TAIL_PIECE)
		k = XML_TAIL_PIECE;
	memcpy(buf, x->ob + x->opos, k);
	x->opos += k;
	return (int)k;
}

static int
xml_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* libxml2 messages start uppercase and end in a newline; ours do not. */
static void
tidy_message(char *m)
{
	size_t n = strlen(m);

	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' ' ||
	    m[n - 1] == '\r'))
		m[--n] = '\0';
	if (m[0] >= 'A' && m[0] <= 'Z' && !(m[1] >= 'A' && m[1] <= 'Z'))
		m[0] = (char)(m[0] - 'A' + 'a');
	for (; *m != '\0'; m++)
		if (*m == '\n' || *m == '\t')
			*m = ' ';
}

static void
on_struct(void *ctx, xmlErrorPtr e)
{
	struct tally_xml *x = ctx;

	if (e == NULL || e->level < XML_ERR_FATAL || x->fatal)
		return;
	x->fatal = 1;
	x->fline = e->line;
	x->fcol = e->int2;
	x->code = e->code;
	snprintf(x->fmsg, sizeof(x->fmsg), "%s",
	    e->message ? e->message : "malformed XML");
	tidy_message(x->fmsg);
}

static void
on_generic(void *ctx, const char *fmt, ...)
{
	struct tally_xml *x = ctx;
	size_t n = strlen(x->gmsg);
	va_list ap;

	x->generic = 1;
	if (n + 1 >= sizeof(x->gmsg))
		return;
	va_start(ap, fmt);
	vsnprintf(x->gmsg + n, sizeof(x->gmsg) - n, fmt, ap);
	va_end(ap);
}

/*
 * A DOCTYPE must come before the root element.  Look for one in the
 * prolog the detector already buffered, so it is refused before libxml2
 * parses a byte: an entity used in the same 512-byte chunk would
 * otherwise fail with a less clear message first.
 */
static int
prolog_doctype(struct tally_src *src, struct tally_error *err)
{
	const unsigned char *p, *end, *q;
	long line = 1, col = 1;
	size_t n;

	if (tally_src_peek(src, 65536, &p, &n) != TALLY_OK)
		return TALLY_OK;	/* the parser will see the error */
	end = p + n;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end) {
		if (*p == '\n') {
			line++;
			col = 1;
			p++;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			col++;
			p++;
			continue;
		}
		if (*p != '<' || p + 1 >= end)
			return TALLY_OK;
		if (p[1] == '?')
			q = memmem(p, (size_t)(end - p), "?>", 2);
		else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
			q = memmem(p, (size_t)(end - p), "-->", 3);
		else if (end - p >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0)
			return tally_error_set(err, TALLY_EPARSE, line, col,
			    "%s", doctype_refused);
		else
			return TALLY_OK;
		if (q == NULL)
			return TALLY_OK;
		q += p[1] == '?' ? 2 : 3;
		for (; p < q; p++, col++)
			if (*p == '\n') {
				line++;
				col = 0;
			}
	}
	return TALLY_OK;
}

/*
 * Turn recovery on (see xml_fix) for an input in UTF-8 or, with control
 * characters only, another ASCII-based 8-bit encoding; before the first
 * tally_xml_next.
 */
static void
xml_recover(struct tally_xml *x)
{
	static const char *const ascii[] = { "us-ascii", "ascii",
	    "iso-8859-", "latin1", "windows-125", "cp125", NULL };
	const unsigned char *p, *e, *v;
	char enc[32];
	size_t n, k;
	int i;

	if (x->off || tally_src_peek(x->src, 1024, &p, &n) != TALLY_OK)
		return;
	x->recover = 1;
	x->utf8 = 1;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		return;
	if (n < 5 || memcmp(p, "<?xml", 5) != 0 ||
	    (e = memmem(p, n, "?>", 2)) == NULL ||
	    (v = memmem(p, (size_t)(e - p), "encoding", 8)) == NULL)
		return;
	for (v += 8; v < e && strchr(" \t\r\n=", *v) != NULL; v++)
		continue;
	if (v == e || (*v != '"' && *v != '\''))
		return;
	for (k = 0, v++; v < e && *v != '"' && *v != '\'' &&
	    k + 1 < sizeof(enc); v++)
		enc[k++] = (char)*v;
	enc[k] = '\0';
	if (strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0)
		return;
	x->utf8 = 0;
	for (i = 0; ascii[i] != NULL; i++)
		if (strncasecmp(enc, ascii[i], strlen(ascii[i])) == 0)
			return;
	x->recover = 0;
}

/* The filter and error state of tally_xml_open, without a parser. */
static int
xml_new(struct tally_xml **out, struct tally_src *src, int recover,
    struct tally_error *err)
{
	struct tally_xml *x;
	int rc;

	*out = NULL;
	if ((rc = prolog_doctype(src, err)) != TALLY_OK)
		return rc;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	x->src = src;
	x->last_line = x->last_col = 1;
	/* Splitting text needs ASCII-based bytes: not UTF-16 or UTF-32. */
	{
		const unsigned char *h;
		size_t n;

		if (tally_src_peek(src, 4, &h, &n) == TALLY_OK && n >= 2 &&
		    (h[0] == 0 || h[1] == 0 || (h[0] == 0xFF && h[1] == 0xFE) ||
		    (h[0] == 0xFE && h[1] == 0xFF)))
			x->off = 1;
	}
	if (recover)
		xml_recover(x);
	tally_xml_init();
	xml_denied = 0;
	xmlSetGenericErrorFunc(x, on_generic);
	xmlSetStructuredErrorFunc(x, on_struct);
	*out = x;
	return TALLY_OK;
}

int
tally_xml_open(struct tally_xml **out, struct tally_src *src, int recover,
    struct tally_error *err)
{
	struct tally_xml *x;
	int rc;

	if ((rc = xml_new(&x, src, recover, err)) != TALLY_OK)
		return rc;
	x->r = xmlReaderForIO(xml_read, xml_close, x, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (x->r == NULL) {
		tally_xml_close(x);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	}
	xmlTextReaderSetStructuredErrorHandler(x->r, on_struct, x);
	*out = x;
	return TALLY_OK;
}

struct _xmlTextReader *
tally_xml_reader(struct tally_xml *x)
{
	return x->r;
}

int
tally_xml_fail(struct tally_xml *x, struct tally_error *err, int status,
    const char *fmt, ...)
{
	va_list ap;
	long line = 0, col = 0;

	/*
	 * The parser runs ahead of the node the reader is on: name the
	 * node's line when there is one (libxml2 keeps no node column).
	 */
	if (x != NULL && x->ctxt != NULL && x->ctxt->input != NULL) {
		/* In a callback the parser has just read the node. */
		line = x->ctxt->input->line;
		col = x->in_node ? 0 : x->ctxt->input->col;
	} else if (x != NULL && x->r != NULL) {
		xmlNodePtr node = xmlTextReaderCurrentNode(x->r);

		if (node != NULL && xmlGetLineNo(node) > 0)
			line = xmlGetLineNo(node);
		else {
			line = xmlTextReaderGetParserLineNumber(x->r);
			col = xmlTextReaderGetParserColumnNumber(x->r);
		}
	}
	tally_error_set(err, status, line, col, "%s", "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return status;
}

/*
 * Repairs since the last call: those in the element just opened (attr)
 * or in the text of the open one.  Returns the TALLY_FIX_* bits, the
 * line of the first repair in *line.
 */
static int
xml_fixes(struct tally_xml *x, int attr, long *line)
{
	int fix;

	if (attr) {
		fix = x->attr_fix;
		*line = x->attr_line;
		x->attr_fix = 0;
	} else {
		fix = x->ctx_fix;
		*line = x->ctx_line;
		x->ctx_fix = 0;
	}
	return fix;
}

/* Our own mark, or an element whose attributes were repaired. */
static int
xml_fix_node(struct tally_xml *x, int t)
{
	const char *n, *v;
	long line;
	int fix;

	if (t == XML_READER_TYPE_ELEMENT) {
		x->elem++;
		while (x->qhead < x->qlen && x->q[x->qhead].stag < x->elem)
			x->qhead++;
		if (x->qhead < x->qlen && x->q[x->qhead].stag == x->elem) {
			x->attr_fix = x->q[x->qhead].fix;
			x->attr_line = x->q[x->qhead].line;
			x->qhead++;
		}
		if (x->qhead == x->qlen)
			x->qhead = x->qlen = 0;
		return 0;
	}
	if (t != XML_READER_TYPE_PROCESSING_INSTRUCTION ||
	    (n = (const char *)xmlTextReaderConstName(x->r)) == NULL ||
	    strcmp(n, RECOVERED_PI) != 0)
		return 0;
	v = (const char *)xmlTextReaderConstValue(x->r);
	if (v != NULL && sscanf(v, "%ld %d", &line, &fix) == 2) {
		if (x->ctx_fix == 0)
			x->ctx_line = line;
		x->ctx_fix |= fix;
	}
	return 1;
}

/*
 * What went wrong in the parse so far, as a status with err filled;
 * bad: the parser failed.  TALLY_OK when nothing did.
 */
static int
xml_status(struct tally_xml *x, int bad, struct tally_error *err)
{
	if (x->oom)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	if (x->doctype)
		return tally_error_set(err, TALLY_EPARSE, x->lt_line,
		    x->lt_col, "%s", doctype_refused);
	if (x->ioerr)
		return tally_xml_fail(x, err, TALLY_EIO, "read error");
	if (xml_denied)
		return tally_xml_fail(x, err, TALLY_EPARSE,
		    "external entities not supported");
	if (x->generic) {
		tidy_message(x->gmsg);
		return tally_xml_fail(x, err, TALLY_EPARSE, "%s",
		    x->gmsg[0] ? x->gmsg : "malformed XML");
	}
	if (x->dtd)
		return tally_xml_fail(x, err, TALLY_EPARSE, "%s",
		    doctype_refused);
	if (bad) {
		/*
		 * A truncated file fails where the input ends, with messages
		 * like "extra content at the end of the document" or
		 * "attValue: ' expected"; say what happened instead.
		 */
		if (x->fatal && x->content && x->src->eof &&
		    x->fline == x->last_line && x->fcol == x->last_col)
			return tally_error_set(err, TALLY_EPARSE, x->fline,
			    x->fcol, "unexpected end of file");
		if (x->fatal && x->code == XML_ERR_DOCUMENT_END &&
		    !x->content)
			return tally_error_set(err, TALLY_EPARSE, x->fline,
			    x->fcol, "document is empty");
		if (x->fatal)
			return tally_error_set(err, TALLY_EPARSE, x->fline,
			    x->fcol, "%s", x->fmsg);
		/* libxml2 stops silently on a text node over 10 MB. */
		return tally_xml_fail(x, err, TALLY_EPARSE, "XML parser gave "
		    "up without a message (a text node over 10 MB?)");
	}
	return TALLY_OK;
}

int
tally_xml_next(struct tally_xml *x, struct tally_error *err)
{
	int rc, t;

again:
	rc = xmlTextReaderRead(x->r);
	if ((t = xml_status(x, rc < 0 || (rc == 0 && x->fatal), err)) !=
	    TALLY_OK)
		return t;
	if (rc == 0)
		return 0;
	t = xmlTextReaderNodeType(x->r);
	if (x->recover && xml_fix_node(x, t))
		goto again;
	if (t == XML_READER_TYPE_DOCUMENT_TYPE)
		return tally_xml_fail(x, err, TALLY_EPARSE,
		    "%s", doctype_refused);
	if (t == XML_READER_TYPE_ENTITY_REFERENCE ||
	    t == XML_READER_TYPE_ENTITY)
		return tally_xml_fail(x, err, TALLY_EPARSE,
		    "entity references not supported");
	if (xmlTextReaderDepth(x->r) > TALLY_MAX_DEPTH)
		return tally_xml_fail(x, err, TALLY_ELIMIT,
		    "nesting deeper than %d elements", TALLY_MAX_DEPTH);
	return 1;
}

int
tally_xml_walk(struct tally_xml *x, const struct tally_xml_events *ev,
    void *arg, int *depth, struct tally_error *err)
{
	const xmlChar *v;
	int rc, empty;

	while ((rc = tally_xml_next(x, err)) == 1) {
		switch (xmlTextReaderNodeType(x->r)) {
		case XML_READER_TYPE_ELEMENT:
			empty = xmlTextReaderIsEmptyElement(x->r) == 1;
			if ((rc = ev->start(arg, (const char *)
			    xmlTextReaderConstLocalName(x->r))) != TALLY_OK)
				return rc;
			if (empty) {
				if ((rc = ev->end(arg)) != TALLY_OK)
					return rc;
			} else
				(*depth)++;
			break;
		case XML_READER_TYPE_END_ELEMENT:
			if (*depth > 0)
				(*depth)--;
			if ((rc = ev->end(arg)) != TALLY_OK)
				return rc;
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
			/* A reader that wants no text gives no callback. */
			v = ev->text != NULL ? xmlTextReaderConstValue(x->r) :
			    NULL;
			if (v != NULL && (rc = ev->text(arg, (const char *)v)) !=
			    TALLY_OK)
				return rc;
			break;
		default:
			break;
		}
	}
	return rc;
}

/*
 * The JUnit reader's parse: libxml2's SAX2 push parser over the same
 * filtered input, calling the handlers in *sax with arg, no tree and no
 * reader nodes in between.  A handler that fails sets *cb_rc (and err)
 * and stops the parser; that status is returned, else xml_status's.
 * As xml_read does, the parser stays a piece behind the filter, so a
 * DOCTYPE or read error found there stops it before it reads further.
 */
static int
xml_sax(struct tally_xml *x, xmlSAXHandler *sax, void *arg,
    const int *cb_rc, struct tally_error *err)
{
	xmlParserCtxtPtr c;
	size_t k;

	/* The first 4 bytes tell libxml2 the encoding, as in the reader. */
	while (x->on < 4 && !x->tail)
		if (xml_fill(x) < 0)
			return xml_status(x, 0, err);
	k = x->on < 4 ? x->on : 4;
	c = xmlCreatePushParserCtxt(sax, arg, k > 0 ? (const char *)x->ob :
	    NULL, (int)k, NULL);
	if (c == NULL)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	x->ctxt = c;
	xmlCtxtUseOptions(c, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	x->opos = k;
	for (;;) {
		if (*cb_rc != TALLY_OK)
			return *cb_rc;
		if (!c->wellFormed || c->disableSAX ||
		    c->instate == XML_PARSER_EOF)
			return xml_status(x, 1, err);
		if (x->tail)
			break;
		if (xml_fill(x) < 0)
			return xml_status(x, 0, err);
		if (!x->tail && x->on - x->opos > XML_PIECE) {
			k = x->on - x->opos - XML_PIECE;
			xmlParseChunk(c, (const char *)x->ob + x->opos, (int)k,
			    0);
			x->opos += k;
		}
	}
	xmlParseChunk(c, (const char *)x->ob + x->opos,
	    (int)(x->on - x->opos), 1);
	x->opos = x->on;
	if (*cb_rc != TALLY_OK)
		return *cb_rc;
	return xml_status(x, !c->wellFormed || x->fatal, err);
}

void
tally_xml_close(struct tally_xml *x)
{
	if (x == NULL)
		return;
	if (x->r != NULL)
		xmlFreeTextReader(x->r);
	if (x->ctxt != NULL)
		xmlFreeParserCtxt(x->ctxt);
	xmlSetGenericErrorFunc(NULL, NULL);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlResetLastError();
	free(x->ob);
	free(x->q);
	free(x);
}

/* ---- the JUnit reader ---- */

/* A text field with the TALLY_MAX_FIELD cap. */
struct field {
	struct tally_buf	 b;
	size_t			 dropped;
	int			 set;		/* element or attribute seen */
	long			 line;		/* where a time was given */
};

static int
field_add(struct field *f, const char *s, size_t n)
{
	size_t room;

	/* Empty text (<system-out/>, an empty CDATA) says nothing. */
	if (n > 0)
		f->set = 1;
	room = f->b.len < TALLY_MAX_FIELD ? TALLY_MAX_FIELD - f->b.len : 0;
	if (n > room) {
		size_t keep = room;

		/* Cut on a UTF-8 character boundary. */
		while (keep > 0 && keep < n &&
		    ((unsigned char)s[keep] & 0xC0) == 0x80)
			keep--;
		f->dropped += n - keep;
		n = keep;
	}
	if (n == 0 && f->b.data != NULL)
		return TALLY_OK;
	return tally_buf_add(&f->b, s, n);
}

static int
field_set(struct field *f, const char *s)
{
	tally_buf_reset(&f->b);
	f->dropped = 0;
	f->set = 1;
	return field_add(f, s, strlen(s));
}

static void
field_reset(struct field *f)
{
	tally_buf_reset(&f->b);
	f->dropped = 0;
	f->set = 0;
}

/* The field's text, with the truncation marker; NULL when never set. */
static const char *
field_str(struct field *f)
{
	if (!f->set)
		return NULL;
	if (f->dropped > 0) {
		tally_buf_printf(&f->b, "\n[truncated %zu bytes]", f->dropped);
		f->dropped = 0;
	}
	if (f->b.data == NULL && tally_buf_add(&f->b, "", 0) != TALLY_OK)
		return NULL;
	return f->b.data;
}

/* Owned key/value pairs. */
struct kvlist {
	struct tally_kv	*v;
	size_t		 n, cap;
};

static int
kv_push(struct kvlist *l, const char *k, const char *v)
{
	char *kk, *vv;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;
		struct tally_kv *p = realloc(l->v, ncap * sizeof(*p));

		if (p == NULL)
			return TALLY_ENOMEM;
		l->v = p;
		l->cap = ncap;
	}
	kk = strdup(k);
	vv = strdup(v);
	if (kk == NULL || vv == NULL) {
		free(kk);
		free(vv);
		return TALLY_ENOMEM;
	}
	l->v[l->n].key = kk;
	l->v[l->n].value = vv;
	l->n++;
	return TALLY_OK;
}

static int
kv_push_attr(struct kvlist *l, const char *name, const char *v)
{
	char key[256];

	snprintf(key, sizeof(key), "@%s", name);
	return kv_push(l, key, v);
}

static void
kv_clear(struct kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free((char *)l->v[i].key);
		free((char *)l->v[i].value);
	}
	l->n = 0;
}

static void
kv_free(struct kvlist *l)
{
	kv_clear(l);
	free(l->v);
	l->v = NULL;
	l->cap = 0;
}

/* One <failure>, <error>, <skipped> or rerun/flaky element. */
struct outcome {
	char		 word[16];	/* element name */
	struct field	 message, type, body, out, err, time;
	struct field	 loose;		/* an attempt's own text */
};

static void
outcome_reset(struct outcome *o)
{
	o->word[0] = '\0';
	field_reset(&o->message);
	field_reset(&o->type);
	field_reset(&o->body);
	field_reset(&o->out);
	field_reset(&o->err);
	field_reset(&o->time);
	field_reset(&o->loose);
}

static void
outcome_free(struct outcome *o)
{
	tally_buf_free(&o->message.b);
	tally_buf_free(&o->type.b);
	tally_buf_free(&o->body.b);
	tally_buf_free(&o->out.b);
	tally_buf_free(&o->err.b);
	tally_buf_free(&o->time.b);
	tally_buf_free(&o->loose.b);
}

/* A list of outcomes whose storage is reused from test to test. */
struct olist {
	struct outcome	*v;
	size_t		 n, cap;
};

static struct outcome *
olist_add(struct olist *l, const char *word)
{
	struct outcome *o;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		struct outcome *p = realloc(l->v, ncap * sizeof(*p));

		if (p == NULL)
			return NULL;
		memset(p + l->cap, 0, (ncap - l->cap) * sizeof(*p));
		l->v = p;
		l->cap = ncap;
	}
	o = &l->v[l->n++];
	outcome_reset(o);
	snprintf(o->word, sizeof(o->word), "%s", word);
	return o;
}

static void
olist_free(struct olist *l)
{
	size_t i;

	for (i = 0; i < l->cap; i++)
		outcome_free(&l->v[i]);
	free(l->v);
}

struct suite {
	struct field	 name, timestamp, hostname, time;
	struct field	 out, err;
	struct field	 count[4];	/* tests, failures, errors, skipped */
	struct kvlist	 props;
	int		 fix;		/* TALLY_FIX_* repairs in it */
	long		 fix_line;
};

static const char *count_names[4] = { "tests", "failures", "errors",
    "skipped" };

struct tcase {
	struct field	 name, classname, file, line, time;
	struct field	 out, err;
	struct field	 status_attr, result_attr;
	struct kvlist	 props;
	struct olist	 outcomes;	/* failure, error, skipped */
	struct olist	 attempts;	/* flaky*, rerun* */
	int		 fix;		/* TALLY_FIX_* repairs in it */
	long		 fix_line;
};

/* What an open element is, and where its text goes. */
enum kind {
	K_OTHER, K_ROOT, K_GROUP, K_SUITE, K_CASE, K_OUTCOME, K_ATTEMPT, K_PROPS,
	K_PROP, K_TEXT
};

struct frame {
	enum kind	 kind;
	struct field	*text;		/* where character data goes */
	int		 owner;		/* K_PROP(S): 0 root, 1 suite, 2 case */
};

/* An attribute of the element being opened, as the reader gave it. */
struct xattr {
	const char	*name;		/* qualified: "prefix:local" */
	const char	*value;
};

struct junit {
	struct tally_xml	*x;
	int			 rc;		/* a handler's failure */
	struct xattr		*xa;		/* the open element's */
	size_t			 nxa, capxa;
	char			*xab;		/* their text */
	size_t			 capxab;
	struct field		*run;		/* text since the last node */
	struct field		 run_from;	/* its state before */
	struct tally_src	*src;
	struct tally_sink	*sink;
	struct tally_error	*err;
	struct frame		 stack[TALLY_MAX_DEPTH + 2];
	int			 depth;
	struct suite		*suites;	/* open testsuites */
	int			 nsuites, capsuites;
	struct tally_declared	 decl;	/* of the outermost <testsuite> */
	int			 in_case;
	int			 truncated;	/* input ended inside a case */
	int			 bad_alloc;	/* a property could not be kept */
	struct tcase		 tc;
	struct outcome		*cur;		/* open outcome or attempt */
	struct kvlist		 root;		/* testsuites facts */
	int			 have_root;
	struct field		 prop_name, prop_value;
	int			 prop_has_value;
	const char		**path;		/* scratch for records */
	struct tally_attempt	*att;
	size_t			 natt;
	struct tally_buf	 trace;
	int			 cur_fix;	/* in a suite's <failure> */
	long			 cur_fix_line;
	int			 root_fix;	/* in the root's own text */
	long			 root_fix_line;
};

static int
oom(struct junit *j)
{
	return tally_error_set(j->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

/*
 * The line of the element being opened: where its start tag ends, as
 * libxml2 numbers nodes (without their 65535 cap).
 */
static long
node_line(struct junit *j)
{
	return j->x->ctxt->input->line;
}

/* A time attribute: its text and its line, for a warning. */
static int
field_set_at(struct junit *j, struct field *f, const char *s)
{
	f->line = node_line(j);
	return field_set(f, s);
}

/*
 * A time field's duration.  One that is there but not a duration up to
 * TALLY_MAX_SECONDS is unknown, warned about and kept in props.
 */
static double
duration(struct junit *j, struct field *f, struct kvlist *props)
{
	const char *s = field_str(f);
	double v;
	int bad = 0;

	v = tally_parse_seconds(j->src, f->line, s, &bad);
	if (bad && kv_push(props, TALLY_BAD_DURATION, s) != TALLY_OK)
		j->bad_alloc = 1;
	return v;
}

/* The first byte tells most names apart without a call (callgrind). */
static inline int
name_is(const char *a, const char *b)
{
	return a[0] == b[0] && strcmp(a, b) == 0;
}

static long
parse_count(const char *s)
{
	char *end;
	long v;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (*end != '\0' || errno != 0)
		return -1;
	return v;
}

/*
 * Copy the attributes SAX2 gives (localname, prefix, URI, value, end;
 * the values not NUL-terminated) into j->xa.  Without entity
 * substitution libxml2 hands a '&' on as "&#38;", for the tree builder
 * to decode: decode it here the same way.
 */
static int
take_attrs(struct junit *j, int n, const xmlChar **a)
{
	size_t need = 0, len, i, k, off;
	const char *v, *e;
	char *p;
	int m;

	j->nxa = 0;
	if (n <= 0)
		return TALLY_OK;
	for (m = 0; m < n; m++)
		need += strlen((const char *)a[5 * m]) + 3 +
		    (a[5 * m + 1] ? strlen((const char *)a[5 * m + 1]) : 0) +
		    (size_t)(a[5 * m + 4] - a[5 * m + 3]);
	if (need > j->capxab) {
		if ((p = realloc(j->xab, need)) == NULL)
			return TALLY_ENOMEM;
		j->xab = p;
		j->capxab = need;
	}
	if ((size_t)n > j->capxa) {
		struct xattr *q = realloc(j->xa, (size_t)n * sizeof(*q));

		if (q == NULL)
			return TALLY_ENOMEM;
		j->xa = q;
		j->capxa = (size_t)n;
	}
	for (m = 0, off = 0; m < n; m++) {
		p = j->xab + off;
		if (a[5 * m + 1] != NULL) {
			len = strlen((const char *)a[5 * m + 1]);
			memcpy(p, a[5 * m + 1], len);
			p[len++] = ':';
		} else
			len = 0;
		k = strlen((const char *)a[5 * m]);
		memcpy(p + len, a[5 * m], k + 1);
		j->xa[m].name = p;
		p += len + k + 1;
		j->xa[m].value = p;
		v = (const char *)a[5 * m + 3];
		e = (const char *)a[5 * m + 4];
		for (i = 0; v < e; ) {
			const char *amp = memchr(v, '&', (size_t)(e - v));

			k = (size_t)((amp != NULL ? amp : e) - v);
			memcpy(p + i, v, k);
			i += k;
			v += k;
			if (amp == NULL)
				break;
			p[i++] = '&';
			v += e - v >= 5 && memcmp(v, "&#38;", 5) == 0 ? 5 : 1;
		}
		p[i++] = '\0';
		off = (size_t)(p + i - j->xab);
	}
	j->nxa = (size_t)n;
	return TALLY_OK;
}

/* The attribute without a prefix named name, NULL when there is none. */
static const char *
get_attr(const struct junit *j, const char *name)
{
	size_t i;

	for (i = 0; i < j->nxa; i++)
		if (strcmp(j->xa[i].name, name) == 0)
			return j->xa[i].value;
	return NULL;
}

/* Suite path of the open testsuites, outermost first, into j->path. */
static int
fill_path(struct junit *j)
{
	int i;

	if (j->nsuites == 0)
		return TALLY_OK;
	for (i = 0; i < j->nsuites; i++) {
		j->path[i] = field_str(&j->suites[i].name);
		if (j->path[i] == NULL)
			j->path[i] = "";
	}
	return TALLY_OK;
}

/*
 * Playwright's reporter runs every spec once per project (chromium,
 * firefox, ...) and names the project only in the suite's hostname; its
 * root <testsuites> always has an id attribute.  Those runs are cells of
 * a matrix, not reruns, so they get the label project=NAME.
 */
static const char *
playwright_project(const struct junit *j)
{
	const struct field *h;
	size_t i;

	if (j->nsuites == 0)
		return NULL;
	for (i = 0; i < j->root.n; i++)
		if (strcmp(j->root.v[i].key, "id") == 0)
			break;
	if (i == j->root.n)
		return NULL;
	h = &j->suites[j->nsuites - 1].hostname;
	return h->set && h->b.len > 0 ? h->b.data : NULL;
}

/*
 * A test for the declared counts: reruns may count as runs (Surefire
 * counts each), and several <failure>/<error> in it as failures.
 */
static void
declared_count(struct junit *j, const struct tally_test *t)
{
	size_t i, n = 0;
	int suite = strcmp(t->name, "(testsuite)") == 0;

	tally_declared_saw(&j->decl, t->status, !suite);
	if (suite)
		return;
	j->decl.xtests += (long)t->nattempts;
	j->decl.xfailed += (long)t->nattempts;
	for (i = 0; i < j->tc.outcomes.n; i++)
		n += strcmp(j->tc.outcomes.v[i].word, "skipped") != 0;
	if (n > 1)
		j->decl.xfailed += (long)n - 1;
}

static int
emit(struct junit *j, struct tally_record *rec)
{
	struct tally_kv project = { "project", NULL };

	rec->source = j->src->name;
	if ((project.value = playwright_project(j)) != NULL) {
		rec->labels = &project;
		rec->nlabels = 1;
	}
	if (rec->type == TALLY_REC_TEST)
		declared_count(j, &rec->u.test);
	return tally_sink_record(j->sink, rec, j->err);
}

/* Repairs of the input (see xml_fix) go to the innermost record. */
static void
add_fix(int *fix, long *line, int f, long at)
{
	if (*fix == 0)
		*line = at;
	*fix |= f;
}

static void
note_fix(struct junit *j, int f, long line)
{
	if (f == 0)
		return;
	if (j->in_case) {
		add_fix(&j->tc.fix, &j->tc.fix_line, f, line);
		return;
	}
	if (j->cur != NULL)
		add_fix(&j->cur_fix, &j->cur_fix_line, f, line);
	if (j->nsuites > 0)
		add_fix(&j->suites[j->nsuites - 1].fix,
		    &j->suites[j->nsuites - 1].fix_line, f, line);
	else if (j->depth > 0 && j->cur == NULL)
		add_fix(&j->root_fix, &j->root_fix_line, f, line);
}

/*
 * The property TALLY_RECOVERED naming the repairs, and a warning at the
 * line of the first one.
 */
static int
fix_prop(struct junit *j, struct kvlist *props, int fix, long line,
    const char *what, const char *name)
{
	char v[32], msg[160];

	snprintf(v, sizeof(v), "%s%s%s", fix & TALLY_FIX_ANSI ? ",ansi" : "",
	    fix & TALLY_FIX_CTRL ? ",control" : "",
	    fix & TALLY_FIX_UTF8 ? ",utf8" : "");
	snprintf(msg, sizeof(msg), "%s%s%s",
	    fix & TALLY_FIX_ANSI ? "; ANSI escape sequences removed" : "",
	    fix & TALLY_FIX_CTRL ? "; control characters replaced by "
	    "U+FFFD" : "",
	    fix & TALLY_FIX_UTF8 ? "; invalid UTF-8 replaced by U+FFFD" : "");
	tally_src_warn(j->src, line, "%s '%.100s' recovered%s", what, name,
	    msg);
	return kv_push(props, TALLY_RECOVERED, v + 1);
}

/* ---- attributes of the elements we know ---- */

static int
suite_attrs(struct junit *j, struct suite *s)
{
	const char *n, *v;
	size_t k;
	int i, rc = TALLY_OK;

	for (k = 0; rc == TALLY_OK && k < j->nxa; k++) {
		n = j->xa[k].name;
		v = j->xa[k].value;
		if (name_is(n, "name"))
			rc = field_set(&s->name, v);
		else if (name_is(n, "timestamp"))
			rc = field_set(&s->timestamp, v);
		else if (name_is(n, "hostname"))
			rc = field_set(&s->hostname, v);
		else if (name_is(n, "time"))
			rc = field_set_at(j, &s->time, v);
		else {
			for (i = 0; i < 4; i++)
				if (name_is(n, count_names[i]) ||
				    (i == 3 && name_is(n, "skips") &&
				    !s->count[3].set))
					break;
			if (i < 4 && parse_count(v) >= 0)
				rc = field_set(&s->count[i], v);
			else
				rc = kv_push_attr(&s->props, n, v);
		}
	}
	return rc;
}

static int
case_attrs(struct junit *j)
{
	struct tcase *tc = &j->tc;
	const char *n, *v;
	size_t k;
	int rc = TALLY_OK;

	for (k = 0; rc == TALLY_OK && k < j->nxa; k++) {
		n = j->xa[k].name;
		v = j->xa[k].value;
		if (name_is(n, "name"))
			rc = field_set(&tc->name, v);
		else if (name_is(n, "classname") ||
		    (name_is(n, "class") && !tc->classname.set))
			rc = field_set(&tc->classname, v);
		else if ((name_is(n, "file") || name_is(n, "filePath")) &&
		    !tc->file.set)
			rc = field_set(&tc->file, v);
		else if ((name_is(n, "line") || name_is(n, "lineno")) &&
		    !tc->line.set && parse_count(v) > 0)
			rc = field_set(&tc->line, v);
		else if (name_is(n, "time"))
			rc = field_set_at(j, &tc->time, v);
		else {
			if (name_is(n, "status"))
				rc = field_set(&tc->status_attr, v);
			else if (name_is(n, "result"))
				rc = field_set(&tc->result_attr, v);
			if (rc == TALLY_OK)
				rc = kv_push_attr(&tc->props, n, v);
		}
	}
	return rc;
}

static int
outcome_attrs(struct junit *j, struct outcome *o)
{
	const char *n, *v;
	size_t k;
	int rc = TALLY_OK;

	for (k = 0; rc == TALLY_OK && k < j->nxa; k++) {
		n = j->xa[k].name;
		v = j->xa[k].value;
		if (name_is(n, "message"))
			rc = field_set(&o->message, v);
		else if (name_is(n, "type"))
			rc = field_set(&o->type, v);
		else if (name_is(n, "time"))
			rc = field_set_at(j, &o->time, v);
		else if (j->in_case && name_is(n, "file") && !j->tc.file.set)
			rc = field_set(&j->tc.file, v);
		else if (j->in_case && name_is(n, "line") && !j->tc.line.set &&
		    parse_count(v) > 0)
			rc = field_set(&j->tc.line, v);
	}
	return rc;
}

/* Root <testsuites>: its attributes become "meta" items. */
static int
root_attrs(struct junit *j)
{
	size_t k;
	int rc = TALLY_OK;

	j->have_root = 1;
	for (k = 0; rc == TALLY_OK && k < j->nxa; k++)
		rc = kv_push(&j->root, j->xa[k].name, j->xa[k].value);
	return rc;
}

/* ---- closing elements: records ---- */

static int
trace_append(struct tally_buf *b, const struct outcome *o)
{
	if (b->len > 0)
		tally_buf_adds(b, "\n\n");
	tally_buf_printf(b, "[%s]", o->word);
	if (o->type.set && o->type.b.len > 0)
		tally_buf_printf(b, " %s:", o->type.b.data);
	if (o->message.set && o->message.b.len > 0)
		tally_buf_printf(b, " %s", o->message.b.data);
	if (o->body.b.len > 0) {
		tally_buf_addc(b, '\n');
		tally_buf_add(b, o->body.b.data, o->body.b.len);
	}
	return b->data != NULL ? TALLY_OK : TALLY_ENOMEM;
}

static int
is_word(const char *w, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcasecmp(w, *list) == 0)
			return 1;
	return 0;
}

static int
close_case(struct junit *j)
{
	static const char *const skip_status[] = { "notrun", "disabled",
	    "skipped", "ignored", NULL };
	static const char *const skip_result[] = { "skipped", "suppressed",
	    NULL };
	static const char *const fail_status[] = { "failed", "fail",
	    "failure", "error", "errored", NULL };
	struct tcase *tc = &j->tc;
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	struct outcome *prim = NULL, *o;
	size_t i, nflaky = 0;
	int rc;

	j->in_case = 0;
	tally_record_init(&rec, TALLY_REC_TEST);
	fill_path(j);
	t->suite = j->path;
	t->nsuite = (size_t)j->nsuites;
	t->name = field_str(&tc->name);
	if (t->name == NULL)
		t->name = "";
	t->classname = field_str(&tc->classname);
	t->file_path = field_str(&tc->file);
	t->line = tc->line.set ? parse_count(tc->line.b.data) : 0;
	/*
	 * pytest's xunit1 family writes the 0-based line of the test's def
	 * (its item.location); its suite is named "pytest".
	 */
	if (tc->line.set && t->file_path != NULL && j->nsuites > 0 &&
	    j->path[j->nsuites - 1] != NULL &&
	    strcmp(j->path[j->nsuites - 1], "pytest") == 0 &&
	    strlen(t->file_path) > 3 && strcmp(t->file_path +
	    strlen(t->file_path) - 3, ".py") == 0 && t->line >= 0)
		t->line++;
	t->duration = duration(j, &tc->time, &tc->props);

	for (i = 0; i < tc->outcomes.n && prim == NULL; i++)
		if (!name_is(tc->outcomes.v[i].word, "skipped"))
			prim = &tc->outcomes.v[i];
	if (prim == NULL && tc->outcomes.n > 0)
		prim = &tc->outcomes.v[0];
	for (i = 0; i < tc->attempts.n; i++)
		if (strncmp(tc->attempts.v[i].word, "flaky", 5) == 0)
			nflaky++;

	if (prim != NULL) {
		t->status = name_is(prim->word, "skipped") ? TALLY_SKIPPED :
		    TALLY_FAILED;
		t->raw_status = prim->word;
		t->message = field_str(&prim->message);
		t->type = field_str(&prim->type);
		t->trace = field_str(&prim->body);
		if (t->status == TALLY_SKIPPED && t->message == NULL) {
			t->message = t->trace;
			t->trace = NULL;
		}
	} else if (tc->attempts.n > nflaky) {
		t->status = TALLY_FAILED;
		for (i = 0; i < tc->attempts.n; i++)
			if (strncmp(tc->attempts.v[i].word, "rerun", 5) == 0)
				break;
		t->raw_status = tc->attempts.v[i].word;
	} else if (nflaky > 0) {
		t->status = TALLY_PASSED;
		t->flaky = 1;
	} else if (tc->status_attr.set &&
	    is_word(tc->status_attr.b.data, skip_status)) {
		t->status = TALLY_SKIPPED;
		t->raw_status = tc->status_attr.b.data;
	} else if (tc->result_attr.set &&
	    is_word(tc->result_attr.b.data, skip_result)) {
		t->status = TALLY_SKIPPED;
		t->raw_status = tc->result_attr.b.data;
	} else if (tc->status_attr.set &&
	    is_word(tc->status_attr.b.data, fail_status)) {
		t->status = TALLY_FAILED;
		t->raw_status = tc->status_attr.b.data;
	} else if (j->truncated) {
		/* Cut off before its end: nothing says how it went. */
		t->status = TALLY_OTHER;
		t->raw_status = "incomplete";
	} else
		t->status = TALLY_PASSED;

	/* Outcomes beyond the primary one go after its trace. */
	if (tc->outcomes.n > 1) {
		tally_buf_reset(&j->trace);
		if (t->trace != NULL)
			tally_buf_adds(&j->trace, t->trace);
		for (i = 0; i < tc->outcomes.n; i++) {
			o = &tc->outcomes.v[i];
			if (o != prim && trace_append(&j->trace, o) != TALLY_OK)
				return oom(j);
		}
		t->trace = j->trace.data;
	}

	if (tc->attempts.n > j->natt) {
		struct tally_attempt *p = realloc(j->att,
		    tc->attempts.n * sizeof(*p));

		if (p == NULL)
			return oom(j);
		j->att = p;
		j->natt = tc->attempts.n;
	}
	for (i = 0; i < tc->attempts.n; i++) {
		struct tally_attempt *a = &j->att[i];

		o = &tc->attempts.v[i];
		memset(a, 0, sizeof(*a));
		a->status = TALLY_FAILED;
		a->raw_status = o->word;
		a->duration = duration(j, &o->time, &tc->props);
		a->message = field_str(&o->message);
		a->type = field_str(&o->type);
		a->trace = field_str(&o->body);
		a->stdout_text = field_str(&o->out);
		a->stderr_text = field_str(&o->err);
	}
	t->attempts = tc->attempts.n > 0 ? j->att : NULL;
	t->nattempts = tc->attempts.n;
	t->retries = (long)tc->attempts.n;
	t->stdout_text = field_str(&tc->out);
	t->stderr_text = field_str(&tc->err);
	if (tc->fix && fix_prop(j, &tc->props, tc->fix, tc->fix_line, "test",
	    t->name) != TALLY_OK)
		return oom(j);
	if (j->bad_alloc)
		return oom(j);
	t->properties = tc->props.v;
	t->nproperties = tc->props.n;
	rc = emit(j, &rec);
	return rc;
}

static void
case_reset(struct tcase *tc)
{
	size_t i;

	field_reset(&tc->name);
	field_reset(&tc->classname);
	field_reset(&tc->file);
	field_reset(&tc->line);
	field_reset(&tc->time);
	field_reset(&tc->out);
	field_reset(&tc->err);
	field_reset(&tc->status_attr);
	field_reset(&tc->result_attr);
	kv_clear(&tc->props);
	tc->fix = 0;
	for (i = 0; i < tc->outcomes.n; i++)
		outcome_reset(&tc->outcomes.v[i]);
	for (i = 0; i < tc->attempts.n; i++)
		outcome_reset(&tc->attempts.v[i]);
	tc->outcomes.n = tc->attempts.n = 0;
}

static void
suite_free(struct suite *s)
{
	int i;

	tally_buf_free(&s->name.b);
	tally_buf_free(&s->timestamp.b);
	tally_buf_free(&s->hostname.b);
	tally_buf_free(&s->time.b);
	tally_buf_free(&s->out.b);
	tally_buf_free(&s->err.b);
	for (i = 0; i < 4; i++)
		tally_buf_free(&s->count[i].b);
	kv_free(&s->props);
}

/*
 * An outermost <testsuite>'s failures against the tests in it, nested
 * suites included (lib/read/declared.c).  tests= and skipped= are not
 * compared: pytest-subtests counts subtests that have no testcase,
 * GoogleTest counts disabled tests apart, others count them in.  Finding
 * more than
 * declared agrees: producers add tests they do not count (gotestsum's
 * TestMain, jest-junit's suite that failed to run).  Dialects that
 * count an error among failures too (failures=2 errors=2 for two tests)
 * prove only the larger of the two, so that is what must be found.
 */
static int
declared(struct junit *j, struct suite *s, const struct tally_suite *u)
{
	const char *name = field_str(&s->name);

	if (u->failures >= 0 || u->errors >= 0) {
		j->decl.failed = (u->failures > 0 ? u->failures : 0) +
		    (u->errors > 0 ? u->errors : 0);
		j->decl.must_fail = u->failures > u->errors ? u->failures :
		    u->errors;
	}
	return tally_declared_check(&j->decl, j->src, name != NULL &&
	    *name != '\0' ? name : NULL, j->path, 1, j->sink, j->err);
}

static int
close_suite(struct junit *j)
{
	struct suite *s = &j->suites[j->nsuites - 1];
	struct tally_record rec;
	struct tally_suite *u = &rec.u.suite;
	int rc;

	tally_record_init(&rec, TALLY_REC_SUITE);
	fill_path(j);
	u->path = j->path;
	u->npath = (size_t)j->nsuites;
	u->timestamp = field_str(&s->timestamp);
	u->hostname = field_str(&s->hostname);
	u->duration = duration(j, &s->time, &s->props);
	if (s->fix && fix_prop(j, &s->props, s->fix, s->fix_line, "suite",
	    j->path[j->nsuites - 1]) != TALLY_OK)
		return oom(j);
	if (j->bad_alloc)
		return oom(j);
	u->tests = parse_count(field_str(&s->count[0]));
	u->failures = parse_count(field_str(&s->count[1]));
	u->errors = parse_count(field_str(&s->count[2]));
	u->skipped = parse_count(field_str(&s->count[3]));
	u->stdout_text = field_str(&s->out);
	u->stderr_text = field_str(&s->err);
	u->properties = s->props.v;
	u->nproperties = s->props.n;
	rc = emit(j, &rec);
	if (rc == TALLY_OK && j->nsuites == 1)
		rc = declared(j, s, u);
	suite_free(s);
	j->nsuites--;
	return rc;
}

/*
 * <failure>/<error> straight inside a <testsuite> (name "(testsuite)"),
 * or inside the root <testsuites> or a group of suites ("(testsuites)").
 */
static int
close_suite_outcome(struct junit *j, const char *name)
{
	struct outcome *o = j->cur;
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;
	struct kvlist props = { NULL, 0, 0 };
	int rc;

	tally_record_init(&rec, TALLY_REC_TEST);
	fill_path(j);
	t->suite = j->path;
	t->nsuite = (size_t)j->nsuites;
	t->name = name;
	t->classname = j->nsuites > 0 ?
	    field_str(&j->suites[j->nsuites - 1].name) : NULL;
	t->status = TALLY_FAILED;
	t->raw_status = o->word;
	t->message = field_str(&o->message);
	t->type = field_str(&o->type);
	t->trace = field_str(&o->body);
	if (j->cur_fix && fix_prop(j, &props, j->cur_fix, j->cur_fix_line,
	    "suite failure of", t->classname ? t->classname : "") != TALLY_OK) {
		kv_free(&props);
		return oom(j);
	}
	j->cur_fix = 0;
	t->properties = props.v;
	t->nproperties = props.n;
	rc = emit(j, &rec);
	kv_free(&props);
	return rc;
}

static int
close_root(struct junit *j)
{
	struct tally_record rec;

	if (j->root_fix && fix_prop(j, &j->root, j->root_fix,
	    j->root_fix_line, "root element", "testsuites") != TALLY_OK)
		return oom(j);
	if (j->root.n == 0)
		return TALLY_OK;
	tally_record_init(&rec, TALLY_REC_META);
	rec.u.meta.items = j->root.v;
	rec.u.meta.nitems = j->root.n;
	return emit(j, &rec);
}

/* A <property> closed: value= wins, else its text. */
static int
close_prop(struct junit *j, int owner)
{
	struct kvlist *l;
	const char *name = field_str(&j->prop_name);
	const char *value = field_str(&j->prop_value);
	char key[512];

	if (name == NULL)
		name = "";
	if (value == NULL)
		value = "";
	if (owner == 2)
		l = &j->tc.props;
	else if (owner == 1)
		l = &j->suites[j->nsuites - 1].props;
	else {
		snprintf(key, sizeof(key), "property.%s", name);
		name = key;
		l = &j->root;
	}
	return kv_push(l, name, value) == TALLY_OK ? TALLY_OK : oom(j);
}

/* ---- the walk ---- */

static int
push_suite(struct junit *j)
{
	if (j->nsuites == j->capsuites) {
		int ncap = j->capsuites ? j->capsuites * 2 : 8;
		struct suite *p = realloc(j->suites, (size_t)ncap * sizeof(*p));
		const char **q;

		if (p == NULL)
			return oom(j);
		j->suites = p;
		if ((q = realloc(j->path, (size_t)ncap * sizeof(*q))) == NULL)
			return oom(j);
		j->path = q;
		j->capsuites = ncap;
	}
	memset(&j->suites[j->nsuites], 0, sizeof(j->suites[0]));
	if (j->nsuites == 0) {
		tally_declared_init(&j->decl);
		j->decl.line = node_line(j);
		j->decl.more_ok = 1;
	}
	j->nsuites++;
	if (suite_attrs(j, &j->suites[j->nsuites - 1]) != TALLY_OK)
		return oom(j);
	return TALLY_OK;
}

/* Open an outcome (<failure>, ...) or a rerun attempt element named n. */
static int
open_outcome(struct junit *j, struct frame *f, struct olist *l,
    const char *n, enum kind kind)
{
	if ((j->cur = olist_add(l, n)) == NULL)
		return oom(j);
	f->kind = kind;
	f->text = kind == K_ATTEMPT ? &j->cur->loose : &j->cur->body;
	return outcome_attrs(j, j->cur) == TALLY_OK ? TALLY_OK : oom(j);
}

/*
 * The text children a case and a suite share: <system-out> (or
 * <system.out>) into out, <system-err> (or <system.err>) into err and
 * <time> (AntUnit) into time.  Returns 0 when n is none of them.
 */
static int
open_output(struct junit *j, struct frame *f, const char *n,
    struct field *out, struct field *err, struct field *time)
{
	if (name_is(n, "system-out") || name_is(n, "system.out"))
		f->text = out;
	else if (name_is(n, "system-err") || name_is(n, "system.err"))
		f->text = err;
	else if (name_is(n, "time")) {
		field_reset(time);
		time->line = node_line(j);
		f->text = time;
	} else
		return 0;
	f->kind = K_TEXT;
	return 1;
}

static int
start_element(struct junit *j, struct frame *f, const struct frame *up,
    const char *n)
{
	struct suite *s = j->nsuites ? &j->suites[j->nsuites - 1] : NULL;
	enum kind pk = up ? up->kind : K_OTHER;
	int i, rc = TALLY_OK;

	f->kind = K_OTHER;
	f->text = up ? up->text : NULL;
	f->owner = up ? up->owner : 0;
	if (n == NULL)
		return TALLY_OK;
	if (up == NULL) {
		if (name_is(n, "testsuites") || name_is(n, "testrun")) {
			f->kind = K_ROOT;
			return root_attrs(j) == TALLY_OK ? TALLY_OK : oom(j);
		}
		if (!name_is(n, "testsuite"))
			return tally_xml_fail(j->x, j->err, TALLY_EPARSE,
			    "root element '%s' is not JUnit XML", n);
	}
	/* A <testsuites> inside the root only groups what it holds. */
	if (name_is(n, "testsuites") && (pk == K_ROOT || pk == K_GROUP ||
	    pk == K_SUITE)) {
		f->kind = K_GROUP;
		f->text = NULL;
		return TALLY_OK;
	}
	if (name_is(n, "testsuite") && !j->in_case && (pk == K_ROOT ||
	    pk == K_GROUP || pk == K_SUITE || up == NULL)) {
		f->kind = K_SUITE;
		f->text = NULL;
		return push_suite(j);
	}
	if (name_is(n, "testcase") && !j->in_case && (pk == K_ROOT ||
	    pk == K_GROUP || pk == K_SUITE)) {
		f->kind = K_CASE;
		f->text = NULL;
		j->in_case = 1;
		case_reset(&j->tc);
		return case_attrs(j) == TALLY_OK ? TALLY_OK : oom(j);
	}
	if (pk == K_CASE) {
		if (name_is(n, "failure") || name_is(n, "error") ||
		    name_is(n, "skipped"))
			return open_outcome(j, f, &j->tc.outcomes, n,
			    K_OUTCOME);
		if (name_is(n, "flakyFailure") || name_is(n, "flakyError") ||
		    name_is(n, "rerunFailure") || name_is(n, "rerunError"))
			return open_outcome(j, f, &j->tc.attempts, n,
			    K_ATTEMPT);
		if (open_output(j, f, n, &j->tc.out, &j->tc.err, &j->tc.time))
			return TALLY_OK;
		if (name_is(n, "properties")) {
			f->kind = K_PROPS;
			f->owner = 2;
		}
		return TALLY_OK;
	}
	if (pk == K_ATTEMPT) {
		if (name_is(n, "stackTrace")) {
			f->kind = K_TEXT;
			f->text = &j->cur->body;
		} else if (name_is(n, "system-out")) {
			f->kind = K_TEXT;
			f->text = &j->cur->out;
		} else if (name_is(n, "system-err")) {
			f->kind = K_TEXT;
			f->text = &j->cur->err;
		}
		return TALLY_OK;
	}
	if (pk == K_SUITE) {
		if (name_is(n, "failure") || name_is(n, "error"))
			return open_outcome(j, f, &j->tc.outcomes, n,
			    K_OUTCOME);
		if (open_output(j, f, n, &s->out, &s->err, &s->time))
			return TALLY_OK;
		if (name_is(n, "properties")) {
			f->kind = K_PROPS;
			f->owner = 1;
		} else
			for (i = 0; i < 4; i++)
				if (name_is(n, count_names[i])) {
					f->kind = K_TEXT;
					field_reset(&s->count[i]);
					f->text = &s->count[i];
				}
		return TALLY_OK;
	}
	if ((pk == K_ROOT || pk == K_GROUP) && (name_is(n, "failure") ||
	    name_is(n, "error")))
		return open_outcome(j, f, &j->tc.outcomes, n, K_OUTCOME);
	if (pk == K_ROOT && name_is(n, "properties")) {
		f->kind = K_PROPS;
		f->owner = 0;
		return TALLY_OK;
	}
	if (pk == K_PROPS && name_is(n, "property")) {
		const char *v;

		f->kind = K_PROP;
		field_reset(&j->prop_name);
		field_reset(&j->prop_value);
		f->text = &j->prop_value;
		j->prop_has_value = 0;
		if ((v = get_attr(j, "name")) != NULL)
			rc = field_set(&j->prop_name, v);
		if (rc == TALLY_OK && (v = get_attr(j, "value")) != NULL) {
			rc = field_set(&j->prop_value, v);
			j->prop_has_value = 1;
			f->text = NULL;
		}
		return rc == TALLY_OK ? TALLY_OK : oom(j);
	}
	return TALLY_OK;
}

static int
end_element(struct junit *j, struct frame *f, const struct frame *up)
{
	int rc = TALLY_OK;

	switch (f->kind) {
	case K_ROOT:
		rc = close_root(j);
		break;
	case K_SUITE:
		rc = close_suite(j);
		break;
	case K_CASE:
		rc = close_case(j);
		break;
	case K_OUTCOME:
		if (up != NULL && up->kind != K_CASE) {
			rc = close_suite_outcome(j, up->kind == K_SUITE ?
			    "(testsuite)" : "(testsuites)");
			j->tc.outcomes.n = 0;
		}
		j->cur = NULL;
		break;
	case K_ATTEMPT:
		/* Surefire 2 puts the trace in the body, 3 in <stackTrace>. */
		if (!j->cur->body.set && j->cur->loose.set &&
		    j->cur->loose.b.len > strspn(j->cur->loose.b.data,
		    " \t\r\n"))
			rc = field_set(&j->cur->body, j->cur->loose.b.data);
		j->cur = NULL;
		break;
	case K_PROP:
		rc = close_prop(j, f->owner);
		break;
	default:
		break;
	}
	return rc;
}

/* ---- libxml2's SAX2 callbacks ---- */

/*
 * Each handler first stops at an error libxml2 only reported to the
 * generic handler or the entity loader (as tally_xml_next does), and
 * notes the repairs marked since the last node.  A handler that fails
 * keeps its status in j->rc and stops the parser.
 */
static int
sax_enter(struct junit *j)
{
	struct tally_xml *x = j->x;
	long line;
	int fix;

	if (j->rc != TALLY_OK)
		return 0;
	x->in_node = 1;
	if (x->oom || x->generic || xml_denied) {
		j->rc = xml_status(x, 0, j->err);
		xmlStopParser(x->ctxt);
		return 0;
	}
	fix = xml_fixes(x, 0, &line);
	note_fix(j, fix, line);
	j->run = NULL;
	return 1;
}

static void
sax_leave(struct junit *j, int rc)
{
	j->x->in_node = 0;
	if (rc != TALLY_OK && j->rc == TALLY_OK) {
		j->rc = rc;
		xmlStopParser(j->x->ctxt);
	}
}

/* A node at libxml2's depth d (the root's is 0) deeper than we take. */
static int
too_deep(struct junit *j, int d)
{
	if (d <= TALLY_MAX_DEPTH)
		return TALLY_OK;
	return tally_xml_fail(j->x, j->err, TALLY_ELIMIT,
	    "nesting deeper than %d elements", TALLY_MAX_DEPTH);
}

static void
sax_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattr,
    int ndefaulted, const xmlChar **attrs)
{
	struct junit *j = ctx;
	struct frame *f, *up;
	long line;
	int rc, fix;

	(void)prefix;
	(void)uri;
	(void)nns;
	(void)ns;
	(void)ndefaulted;
	if (!sax_enter(j))
		return;
	if (j->x->recover)
		xml_fix_node(j->x, XML_READER_TYPE_ELEMENT);
	if ((rc = too_deep(j, j->depth)) != TALLY_OK) {
		sax_leave(j, rc);
		return;
	}
	if (take_attrs(j, nattr, attrs) != TALLY_OK) {
		sax_leave(j, oom(j));
		return;
	}
	up = j->depth > 0 ? &j->stack[j->depth - 1] : NULL;
	f = &j->stack[j->depth++];
	rc = start_element(j, f, up, (const char *)local);
	if (rc == TALLY_OK) {
		fix = xml_fixes(j->x, 1, &line);
		note_fix(j, fix, line);
	}
	sax_leave(j, rc);
}

static void
sax_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct junit *j = ctx;
	struct frame *f, *up;

	(void)local;
	(void)prefix;
	(void)uri;
	if (!sax_enter(j))
		return;
	if (j->depth == 0) {
		sax_leave(j, TALLY_OK);
		return;
	}
	f = &j->stack[--j->depth];
	up = j->depth > 0 ? &j->stack[j->depth - 1] : NULL;
	sax_leave(j, end_element(j, f, up));
}

/* Character data and CDATA, in pieces: the fields join them. */
static void
sax_text(void *ctx, const xmlChar *s, int len)
{
	struct junit *j = ctx;
	struct frame *f;
	int rc;

	struct field *run = j->run;

	if (!sax_enter(j))
		return;
	if ((rc = too_deep(j, j->depth)) == TALLY_OK && j->depth > 0 &&
	    (f = &j->stack[j->depth - 1])->text != NULL) {
		if (run != f->text) {
			run = f->text;
			j->run_from = *run;
		}
		if (field_add(f->text, (const char *)s, (size_t)len) !=
		    TALLY_OK)
			rc = oom(j);
	}
	j->run = run;
	sax_leave(j, rc);
}

/*
 * After a parse error: text that no node followed is taken back, as the
 * reader gave a text node only once past it.
 */
static void
drop_run(struct junit *j)
{
	if (j->run == NULL)
		return;
	j->run->b.len = j->run_from.b.len;
	if (j->run->b.data != NULL)
		j->run->b.data[j->run->b.len] = '\0';
	j->run->dropped = j->run_from.dropped;
	j->run->set = j->run_from.set;
	j->run = NULL;
}

static void
sax_comment(void *ctx, const xmlChar *s)
{
	struct junit *j = ctx;

	(void)s;
	if (sax_enter(j))
		sax_leave(j, too_deep(j, j->depth));
}

/* Our mark of repaired text (see pass), or another one: a node. */
static void
sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	struct junit *j = ctx;
	struct tally_xml *x = j->x;
	long line;
	int fix;

	if (x->recover && j->rc == TALLY_OK &&
	    strcmp((const char *)target, RECOVERED_PI) == 0) {
		if (data != NULL && sscanf((const char *)data, "%ld %d",
		    &line, &fix) == 2) {
			if (x->ctx_fix == 0)
				x->ctx_line = line;
			x->ctx_fix |= fix;
		}
		return;
	}
	if (sax_enter(j))
		sax_leave(j, too_deep(j, j->depth));
}

/*
 * A DOCTYPE that reached libxml2 (not ASCII-based input, which the
 * filter cannot follow): refused before its internal subset is read.
 * No entity declaration, external subset or entity reference handler
 * is set, so no entity of a document is ever declared or expanded.
 */
static void
sax_doctype(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	struct junit *j = ctx;

	(void)name;
	(void)eid;
	(void)sid;
	if (j->rc != TALLY_OK)
		return;
	j->x->dtd = 1;
	xmlStopParser(j->x->ctxt);
}

static int
walk(struct junit *j)
{
	xmlSAXHandler sax;

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start;
	sax.endElementNs = sax_end;
	sax.characters = sax_text;
	sax.ignorableWhitespace = sax_text;
	sax.cdataBlock = sax_text;
	sax.comment = sax_comment;
	sax.processingInstruction = sax_pi;
	sax.internalSubset = sax_doctype;
	return xml_sax(j->x, &sax, j, &j->rc, j->err);
}

int
tally_read_junit(struct tally_src *src, struct tally_sink *sink,
    struct tally_error *err)
{
	struct junit j;
	int rc, i;

	memset(&j, 0, sizeof(j));
	j.src = src;
	j.sink = sink;
	j.err = err;
	if ((rc = xml_new(&j.x, src, 1, err)) != TALLY_OK)
		return rc;
	rc = walk(&j);
	/*
	 * A file cut off inside a <testcase> (the runner died while writing
	 * it) still reports that test: with the outcome read so far, or as
	 * "other"/"incomplete", and a property saying it was cut off.  The
	 * error record follows it.
	 */
	if (rc == TALLY_EPARSE)
		drop_run(&j);
	if (rc == TALLY_EPARSE && j.in_case) {
		struct tally_error keep = *err;

		j.truncated = 1;
		if (kv_push(&j.tc.props, "tally.incomplete", "true") ==
		    TALLY_OK && close_case(&j) == TALLY_OK)
			*err = keep;
		else
			rc = TALLY_ENOMEM;
	}
	tally_xml_close(j.x);
	for (i = 0; i < j.nsuites; i++)
		suite_free(&j.suites[i]);
	free(j.suites);
	free(j.path);
	case_reset(&j.tc);
	tally_buf_free(&j.tc.name.b);
	tally_buf_free(&j.tc.classname.b);
	tally_buf_free(&j.tc.file.b);
	tally_buf_free(&j.tc.line.b);
	tally_buf_free(&j.tc.time.b);
	tally_buf_free(&j.tc.out.b);
	tally_buf_free(&j.tc.err.b);
	tally_buf_free(&j.tc.status_attr.b);
	tally_buf_free(&j.tc.result_attr.b);
	kv_free(&j.tc.props);
	olist_free(&j.tc.outcomes);
	olist_free(&j.tc.attempts);
	kv_free(&j.root);
	tally_buf_free(&j.prop_name.b);
	tally_buf_free(&j.prop_value.b);
	tally_buf_free(&j.trace);
	free(j.att);
	free(j.xa);
	free(j.xab);
	return rc;
}
