/*
 * lib/read_junit.c: JUnit XML in its many dialects (Ant, Maven Surefire,
 * Gradle, AntUnit, pytest xunit1/xunit2, jest-junit, mocha, go-junit-report,
 * gotestsum, ctest, rspec, cargo-nextest, Bazel, GoogleTest, Catch2,
 * PHPUnit, Playwright, Cypress, TestCafe, TAP::Formatter::JUnit, ...),
 * streamed through libxml2's xmlTextReader.  Each <testcase> becomes one
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
 *   name as classname, so the failure is never lost.
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
 * - Refused: a DOCTYPE ("DOCTYPE not supported: DTDs are refused",
 *   wherever it is in the prolog), entity references,
 *   nesting deeper than TALLY_MAX_DEPTH, any root but <testsuites>,
 *   <testrun> or <testsuite> (elements go by local name: <ns:testsuites>
 *   is JUnit too).  On malformed XML the records already sent
 *   stay sent; the reader drops what it parsed from the last 128-byte
 *   piece of input before the fault, so a test that closed within those
 *   bytes is not among them.  An error at the very end of the input
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

/* ---- hardened XML input, shared with lib/read_checkxml.c ---- */

struct tally_xml {
	xmlTextReaderPtr	 r;
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

/* Bytes handed to libxml2 per read. */
#define XML_PIECE 128

static int xml_denied;

static xmlParserInputPtr
deny_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	xml_denied = 1;
	return NULL;
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
		if (c != (unsigned char)doctype[x->ends])
			x->lex = c == '>' ? LX_TEXT : LX_DECL;
		else if (++x->ends == 9)
			x->doctype = 1;
		break;
	case LX_BANG2:
		x->lex = c == '-' ? LX_COMMENT : c == '>' ? LX_TEXT : LX_DECL;
		x->ends = 0;
		break;
	case LX_CDATA_OPEN:
		if (c != (unsigned char)cdata[x->ends])
			x->lex = c == '>' ? LX_TEXT : LX_DECL;
		else if (++x->ends == 9) {
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

/* Copy n bytes from in to out (room for n + the split markers). */
static size_t
xml_split(struct tally_xml *x, const unsigned char *in, size_t n, char *out,
    size_t room)
{
	size_t i, o = 0, k;
	const char *mark;

	for (i = 0; i < n; i++) {
		if (!x->off && (x->lex == LX_TEXT || x->lex == LX_CDATA) &&
		    split_here(x, in[i])) {
			mark = x->lex == LX_TEXT ? SPLIT_TEXT : SPLIT_CDATA;
			k = strlen(mark);
			if (room - o - (n - i) >= k) {
				memcpy(out + o, mark, k);
				o += k;
				x->last_col += (long)k;
				x->run = 0;
			}
		}
		if (!x->off)
			lex_byte(x, in[i]);
		if (x->doctype)
			return 0;
		out[o++] = (char)in[i];
		/* Where the input ends, in libxml2's terms. */
		if (in[i] == '\n') {
			x->last_line++;
			x->last_col = 1;
		} else if ((in[i] & 0xC0) != 0x80)
			x->last_col++;
	}
	return o;
}

static int
xml_read(void *ctx, char *buf, int len)
{
	struct tally_xml *x = ctx;
	unsigned char raw[XML_PIECE];
	size_t want;
	ssize_t n, i;

	if (len <= 0)
		return 0;
	/*
	 * The reader parses whatever one read returns and, on an error,
	 * drops the nodes it built from that piece; small pieces keep the
	 * tests just before a fault (at about 6% more CPU than 4 KiB ones).
	 * Room is left for a split marker.
	 */
	want = (size_t)len > XML_PIECE + sizeof(SPLIT_CDATA) ? XML_PIECE :
	    (size_t)len > sizeof(SPLIT_CDATA) ? (size_t)len -
	    sizeof(SPLIT_CDATA) : 1;
	n = tally_src_read(x->src, raw, want);
	if (n < 0) {
		x->ioerr = 1;
		return -1;
	}
	n = (ssize_t)xml_split(x, raw, (size_t)n, buf, (size_t)len);
	/* A DOCTYPE past the prolog check: libxml2 parses none of it. */
	if (x->doctype)
		return -1;
	for (i = 0; !x->content && i < n; i++)
		if (!strchr(" \t\r\n", buf[i]))
			x->content = 1;
	return (int)n;
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

int
tally_xml_open(struct tally_xml **out, struct tally_src *src,
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
	xmlInitParser();
	xmlSetExternalEntityLoader(deny_loader);
	xml_denied = 0;
	xmlSetGenericErrorFunc(x, on_generic);
	xmlSetStructuredErrorFunc(x, on_struct);
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
	if (x != NULL && x->r != NULL) {
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

int
tally_xml_next(struct tally_xml *x, struct tally_error *err)
{
	int rc, t;

	rc = xmlTextReaderRead(x->r);
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
	if (rc < 0 || (rc == 0 && x->fatal)) {
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
	if (rc == 0)
		return 0;
	t = xmlTextReaderNodeType(x->r);
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

void
tally_xml_close(struct tally_xml *x)
{
	if (x == NULL)
		return;
	if (x->r != NULL)
		xmlFreeTextReader(x->r);
	xmlSetGenericErrorFunc(NULL, NULL);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlResetLastError();
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

struct junit {
	struct tally_xml	*x;
	xmlTextReaderPtr	 r;
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
};

static int
oom(struct junit *j)
{
	return tally_error_set(j->err, TALLY_ENOMEM, 0, 0, "out of memory");
}

/* The line of the node (or attribute) the reader is on, 0 if unknown. */
static long
node_line(struct junit *j)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(j->r);
	long line = n != NULL ? xmlGetLineNo(n) : -1;

	return line > 0 ? line : xmlTextReaderGetParserLineNumber(j->r);
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

static int
name_is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
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

static const char *
attr_value(xmlTextReaderPtr r)
{
	const xmlChar *v = xmlTextReaderConstValue(r);

	return v ? (const char *)v : "";
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

/* ---- attributes of the elements we know ---- */

static int
suite_attrs(struct junit *j, struct suite *s)
{
	xmlTextReaderPtr r = j->r;
	const char *n, *v;
	int i, rc = TALLY_OK;

	while (rc == TALLY_OK && xmlTextReaderMoveToNextAttribute(r) == 1) {
		if (xmlTextReaderIsNamespaceDecl(r) == 1)
			continue;
		n = (const char *)xmlTextReaderConstName(r);
		v = attr_value(r);
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
	xmlTextReaderMoveToElement(r);
	return rc;
}

static int
case_attrs(struct junit *j)
{
	xmlTextReaderPtr r = j->r;
	struct tcase *tc = &j->tc;
	const char *n, *v;
	int rc = TALLY_OK;

	while (rc == TALLY_OK && xmlTextReaderMoveToNextAttribute(r) == 1) {
		if (xmlTextReaderIsNamespaceDecl(r) == 1)
			continue;
		n = (const char *)xmlTextReaderConstName(r);
		v = attr_value(r);
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
	xmlTextReaderMoveToElement(r);
	return rc;
}

static int
outcome_attrs(struct junit *j, struct outcome *o)
{
	xmlTextReaderPtr r = j->r;
	const char *n, *v;
	int rc = TALLY_OK;

	while (rc == TALLY_OK && xmlTextReaderMoveToNextAttribute(r) == 1) {
		n = (const char *)xmlTextReaderConstName(r);
		v = attr_value(r);
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
	xmlTextReaderMoveToElement(r);
	return rc;
}

/* Root <testsuites>: its attributes become "meta" items. */
static int
root_attrs(struct junit *j)
{
	xmlTextReaderPtr r = j->r;
	int rc = TALLY_OK;

	j->have_root = 1;
	while (rc == TALLY_OK && xmlTextReaderMoveToNextAttribute(r) == 1) {
		if (xmlTextReaderIsNamespaceDecl(r) == 1)
			continue;
		rc = kv_push(&j->root, (const char *)xmlTextReaderConstName(r),
		    attr_value(r));
	}
	xmlTextReaderMoveToElement(r);
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
 * suites included (lib/declared.c).  tests= and skipped= are not
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

/* <failure>/<error> straight inside a <testsuite>. */
static int
close_suite_outcome(struct junit *j)
{
	struct outcome *o = j->cur;
	struct tally_record rec;
	struct tally_test *t = &rec.u.test;

	tally_record_init(&rec, TALLY_REC_TEST);
	fill_path(j);
	t->suite = j->path;
	t->nsuite = (size_t)j->nsuites;
	t->name = "(testsuite)";
	t->classname = field_str(&j->suites[j->nsuites - 1].name);
	t->status = TALLY_FAILED;
	t->raw_status = o->word;
	t->message = field_str(&o->message);
	t->type = field_str(&o->type);
	t->trace = field_str(&o->body);
	return emit(j, &rec);
}

static int
close_root(struct junit *j)
{
	struct tally_record rec;

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
start_element(struct junit *j, struct frame *f, const struct frame *up)
{
	const char *n = (const char *)xmlTextReaderConstLocalName(j->r);
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
	if (pk == K_ROOT && name_is(n, "properties")) {
		f->kind = K_PROPS;
		f->owner = 0;
		return TALLY_OK;
	}
	if (pk == K_PROPS && name_is(n, "property")) {
		xmlChar *v;

		f->kind = K_PROP;
		field_reset(&j->prop_name);
		field_reset(&j->prop_value);
		f->text = &j->prop_value;
		j->prop_has_value = 0;
		if ((v = xmlTextReaderGetAttribute(j->r,
		    BAD_CAST "name")) != NULL) {
			rc = field_set(&j->prop_name, (const char *)v);
			xmlFree(v);
		}
		if (rc == TALLY_OK && (v = xmlTextReaderGetAttribute(j->r,
		    BAD_CAST "value")) != NULL) {
			rc = field_set(&j->prop_value, (const char *)v);
			j->prop_has_value = 1;
			f->text = NULL;
			xmlFree(v);
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
		if (up != NULL && up->kind == K_SUITE) {
			rc = close_suite_outcome(j);
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

static int
text(struct junit *j, const struct frame *f)
{
	const xmlChar *v;

	if (f->text == NULL)
		return TALLY_OK;
	if ((v = xmlTextReaderConstValue(j->r)) == NULL)
		return TALLY_OK;
	return field_add(f->text, (const char *)v, strlen((const char *)v)) ==
	    TALLY_OK ? TALLY_OK : oom(j);
}

static int
walk(struct junit *j)
{
	struct frame *f, *up;
	int rc, t, empty;

	while ((rc = tally_xml_next(j->x, j->err)) == 1) {
		t = xmlTextReaderNodeType(j->r);
		switch (t) {
		case XML_READER_TYPE_ELEMENT:
			empty = xmlTextReaderIsEmptyElement(j->r) == 1;
			if (j->depth >= TALLY_MAX_DEPTH + 1)
				return tally_xml_fail(j->x, j->err,
				    TALLY_ELIMIT, "nesting deeper than %d "
				    "elements", TALLY_MAX_DEPTH);
			up = j->depth > 0 ? &j->stack[j->depth - 1] : NULL;
			f = &j->stack[j->depth++];
			if ((rc = start_element(j, f, up)) != TALLY_OK)
				return rc;
			if (empty) {
				j->depth--;
				if ((rc = end_element(j, f, up)) != TALLY_OK)
					return rc;
			}
			break;
		case XML_READER_TYPE_END_ELEMENT:
			if (j->depth == 0)
				break;
			f = &j->stack[--j->depth];
			up = j->depth > 0 ? &j->stack[j->depth - 1] : NULL;
			if ((rc = end_element(j, f, up)) != TALLY_OK)
				return rc;
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_WHITESPACE:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (j->depth > 0 &&
			    (rc = text(j, &j->stack[j->depth - 1])) != TALLY_OK)
				return rc;
			break;
		default:
			break;
		}
	}
	return rc;
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
	if ((rc = tally_xml_open(&j.x, src, err)) != TALLY_OK)
		return rc;
	j.r = tally_xml_reader(j.x);
	rc = walk(&j);
	/*
	 * A file cut off inside a <testcase> (the runner died while writing
	 * it) still reports that test: with the outcome read so far, or as
	 * "other"/"incomplete", and a property saying it was cut off.  The
	 * error record follows it.
	 */
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
	return rc;
}
