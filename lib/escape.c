/* lib/escape.c: escaping for every output target. */
#include <stdint.h>
#include <string.h>

#include "escape.h"

#define LEN(s, n) ((n) == TALLY_NTS ? strlen(s) : (n))

size_t
tally_utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2; min = 0x80; c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; min = 0x800; c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; min = 0x10000; c &= 0x07;
	} else
		goto bad;
	if (n < len)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = 0xFFFD;
	return 1;
}

static int
put_utf8(struct tally_buf *b, unsigned cp)
{
	char u[4];

	if (cp < 0x80)
		return tally_buf_addc(b, (char)cp);
	if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		return tally_buf_add(b, u, 2);
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		return tally_buf_add(b, u, 3);
	}
	u[0] = (char)(0xF0 | (cp >> 18));
	u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	u[3] = (char)(0x80 | (cp & 0x3F));
	return tally_buf_add(b, u, 4);
}

/* Bidirectional embeddings, overrides and isolates (Trojan Source). */
static int
is_bidi(unsigned cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Walk s as UTF-8; for each code point call emit(), which returns 1 when
 * it wrote something itself, 0 to have the (repaired) character copied.
 *
 * The fast path: a run of printable ASCII bytes (0x20 to 0x7E) that the
 * target's table does not mark is copied in one tally_buf_add.  emit()
 * returns 0 for each of them and copies the byte as it is, so the output
 * is the same; every other byte (controls, DEL, non-ASCII, marked
 * punctuation) takes the per-code-point path.  tests/check_escape.c
 * compares both paths on random input for every target.
 */
typedef int (*esc_fn)(struct tally_buf *b, unsigned cp, int *rc);

static int
walk_cp(struct tally_buf *b, const unsigned char *p, size_t n, esc_fn emit,
    const unsigned char *special)
{
	size_t i = 0, j, k;
	unsigned cp;
	int rc = TALLY_OK;

	if (tally_buf_reserve(b, n) != TALLY_OK)
		return TALLY_ENOMEM;
	while (i < n && rc == TALLY_OK) {
		if (special != NULL) {
			for (j = i; j < n && !special[p[j]]; j++)
				;
			if (j > i) {
				rc = tally_buf_add(b, p + i, j - i);
				i = j;
				continue;
			}
		}
		if (p[i] < 0x80) {
			cp = p[i];
			k = 1;
		} else
			k = tally_utf8_decode(p + i, n - i, &cp);
		if (!emit(b, cp, &rc)) {
			if (cp == 0xFFFD && k == 1)
				rc = put_utf8(b, cp);
			else
				rc = tally_buf_add(b, p + i, k);
		}
		i += k;
	}
	return rc;
}

static int
walk(struct tally_buf *b, const char *s, size_t n, esc_fn emit,
    const unsigned char *special)
{
	if (s == NULL)
		return TALLY_OK;
	return walk_cp(b, (const unsigned char *)s, LEN(s, n), emit, special);
}

/*
 * Printable ASCII each target escapes; controls, DEL and every byte of
 * a multibyte character always take the slow path (SLOW).  Each table
 * must list every byte its emit() handles.
 */
#define SLOW	[0 ... 0x1F] = 1, [0x7F ... 0xFF] = 1
static const unsigned char json_special[256] = { SLOW,
	['"'] = 1, ['\\'] = 1 };
static const unsigned char json_script_special[256] = { SLOW,
	['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1 };
static const unsigned char xml_special[256] = { SLOW,
	['<'] = 1, ['>'] = 1, ['&'] = 1, ['"'] = 1, ['\''] = 1 };
#define html_special xml_special
static const unsigned char html_line_special[256] = { SLOW,
	['<'] = 1, ['>'] = 1, ['&'] = 1, ['"'] = 1, ['\''] = 1,
	['['] = 1, [']'] = 1, ['('] = 1, [')'] = 1, ['*'] = 1, ['_'] = 1,
	['`'] = 1, ['~'] = 1, ['!'] = 1, ['|'] = 1, ['\\'] = 1, ['@'] = 1,
	['#'] = 1, [':'] = 1 };
static const unsigned char md_special[256] = { SLOW,
	['<'] = 1, ['>'] = 1, ['&'] = 1,
	['\\'] = 1, ['`'] = 1, ['*'] = 1, ['_'] = 1, ['{'] = 1, ['}'] = 1,
	['['] = 1, [']'] = 1, ['('] = 1, [')'] = 1, ['#'] = 1, ['+'] = 1,
	['-'] = 1, ['.'] = 1, ['!'] = 1, ['|'] = 1, ['~'] = 1, ['@'] = 1,
	[':'] = 1 };
static const unsigned char term_special[256] = { SLOW };
static const unsigned char gh_data_special[256] = { SLOW, ['%'] = 1 };
static const unsigned char gh_prop_special[256] = { SLOW,
	['%'] = 1, [':'] = 1, [','] = 1 };

static int
json_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	switch (cp) {
	case '"':  *rc = tally_buf_add(b, "\\\"", 2); return 1;
	case '\\': *rc = tally_buf_add(b, "\\\\", 2); return 1;
	case '\n': *rc = tally_buf_add(b, "\\n", 2); return 1;
	case '\r': *rc = tally_buf_add(b, "\\r", 2); return 1;
	case '\t': *rc = tally_buf_add(b, "\\t", 2); return 1;
	}
	if (cp < 0x20 || cp == 0x7F) {
		*rc = tally_buf_printf(b, "\\u%04x", cp);
		return 1;
	}
	return 0;
}

static int
json_script_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	if (cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 ||
	    cp == 0x2029) {
		*rc = tally_buf_printf(b, "\\u%04x", cp);
		return 1;
	}
	return json_emit(b, cp, rc);
}

static inline int json_plain8(const unsigned char *p);

/* The common run, printable ASCII with nothing to escape, in one piece. */
int
tally_esc_json(struct tally_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	if (s == NULL)
		return TALLY_OK;
	n = LEN(s, n);
	for (i = 0; i + 8 <= n && json_plain8(p + i); i += 8)
		;
	for (; i < n && !json_special[p[i]]; i++)
		;
	if (i > 0 && tally_buf_add(b, s, i) != TALLY_OK)
		return TALLY_ENOMEM;
	return i == n ? TALLY_OK : walk_cp(b, p + i, n - i, json_emit,
	    json_special);
}

int
tally_esc_json_script(struct tally_buf *b, const char *s, size_t n)
{
	return walk(b, s, n, json_script_emit, json_script_special);
}

/*
 * Whether none of the 8 bytes at p needs escaping in JSON (json_special):
 * each is 0x20 to 0x7E and neither '"' nor '\\'.  Word tricks from the
 * Bit Twiddling Hacks page (hasless, hasmore, haszero): each term sets a
 * byte's high bit only when some byte of the word is what it looks for.
 */
static inline int
json_plain8(const unsigned char *p)
{
	const uint64_t one = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t w, q, s;

	memcpy(&w, p, 8);
	q = w ^ (one * '"');
	s = w ^ (one * '\\');
	return ((((w - one * 0x20) & ~w) | ((w + one) | w) |
	    ((q - one) & ~q) | ((s - one) & ~s)) & high) == 0;
}

/*
 * The common string, printable ASCII with nothing to escape, is copied
 * with its quotes as it is checked, eight bytes a step; the rest of a
 * string that has more goes the way of tally_esc_json().
 */
int
tally_esc_json_str(struct tally_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n;
	char *d;
	int rc;

	if (s == NULL)
		return tally_buf_add(b, "null", 4);
	n = strlen(s);
	/* Room for the quotes and the NUL; the call only when there is not. */
	if (n + 2 >= b->cap - b->len && tally_buf_reserve(b, n + 2) !=
	    TALLY_OK)
		return TALLY_ENOMEM;
	d = b->data + b->len;
	*d++ = '"';
	for (i = 0; i + 8 <= n && json_plain8(p + i); i += 8)
		memcpy(d + i, p + i, 8);
	for (; i < n && !json_special[p[i]]; i++)
		d[i] = (char)p[i];
	if (i == n) {
		d[n] = '"';
		b->len += n + 2;
		b->data[b->len] = '\0';
		return TALLY_OK;
	}
	b->len += 1 + i;
	b->data[b->len] = '\0';
	rc = tally_esc_json(b, s + i, n - i);
	rc |= tally_buf_addc(b, '"');
	return rc ? TALLY_ENOMEM : TALLY_OK;
}

/* Characters XML 1.0 cannot carry at all are shown as U+2400 pictures. */
static int
xml_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	switch (cp) {
	case '<':  *rc = tally_buf_add(b, "&lt;", 4); return 1;
	case '>':  *rc = tally_buf_add(b, "&gt;", 4); return 1;
	case '&':  *rc = tally_buf_add(b, "&amp;", 5); return 1;
	case '"':  *rc = tally_buf_add(b, "&quot;", 6); return 1;
	case '\'': *rc = tally_buf_add(b, "&apos;", 6); return 1;
	case '\n': *rc = tally_buf_add(b, "&#10;", 5); return 1;
	case '\r': *rc = tally_buf_add(b, "&#13;", 5); return 1;
	case '\t': *rc = tally_buf_add(b, "&#9;", 4); return 1;
	}
	if (cp < 0x20) {
		*rc = put_utf8(b, 0x2400 + cp);
		return 1;
	}
	if (cp == 0x7F || cp == 0xFFFE || cp == 0xFFFF) {
		*rc = put_utf8(b, 0xFFFD);
		return 1;
	}
	return 0;
}

int
tally_esc_xml(struct tally_buf *b, const char *s, size_t n)
{
	return walk(b, s, n, xml_emit, xml_special);
}

static int
xml_text_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	if (cp == '\n' || cp == '\t')
		return 0;
	return xml_emit(b, cp, rc);
}

int
tally_esc_xml_text(struct tally_buf *b, const char *s, size_t n)
{
	return walk(b, s, n, xml_text_emit, xml_special);
}

static int
html_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	switch (cp) {
	case '<':  *rc = tally_buf_add(b, "&lt;", 4); return 1;
	case '>':  *rc = tally_buf_add(b, "&gt;", 4); return 1;
	case '&':  *rc = tally_buf_add(b, "&amp;", 5); return 1;
	case '"':  *rc = tally_buf_add(b, "&quot;", 6); return 1;
	case '\'': *rc = tally_buf_add(b, "&#39;", 5); return 1;
	case '\n': case '\t': return 0;
	}
	if (cp < 0x20) {
		*rc = put_utf8(b, 0x2400 + cp);
		return 1;
	}
	if (cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
		*rc = put_utf8(b, 0xFFFD);
		return 1;
	}
	return 0;
}

int
tally_esc_html(struct tally_buf *b, const char *s, size_t n)
{
	return walk(b, s, n, html_emit, html_special);
}

static int
html_line_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	if (cp == '\n' || cp == '\r' || cp == '\t') {
		*rc = tally_buf_addc(b, ' ');
		return 1;
	}
	if (cp < 0x80 && strchr("[]()*_`~!|\\@#:", (int)cp) != NULL) {
		*rc = tally_buf_printf(b, "&#%u;", cp);
		return 1;
	}
	if (is_bidi(cp)) {
		*rc = tally_buf_printf(b, "&lt;U+%04X&gt;", cp);
		return 1;
	}
	return html_emit(b, cp, rc);
}

int
tally_esc_html_line(struct tally_buf *b, const char *s, size_t n)
{
	return walk(b, s, n, html_line_emit, html_line_special);
}

static int
md_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	if (cp == '\n' || cp == '\r' || cp == '\t') {
		*rc = tally_buf_addc(b, ' ');
		return 1;
	}
	if (cp < 0x20 || cp == 0x7F) {
		*rc = put_utf8(b, 0x2400 + (cp == 0x7F ? 0x21 : cp));
		return 1;
	}
	if (is_bidi(cp)) {
		*rc = tally_buf_printf(b, "&lt;U+%04X&gt;", cp);
		return 1;
	}
	if (cp >= 0x80 && cp < 0xA0) {
		*rc = put_utf8(b, 0xFFFD);
		return 1;
	}
	if (cp == '<') {
		*rc = tally_buf_add(b, "&lt;", 4);
		return 1;
	}
	if (cp == '>') {
		*rc = tally_buf_add(b, "&gt;", 4);
		return 1;
	}
	if (cp == '&') {
		*rc = tally_buf_add(b, "&amp;", 5);
		return 1;
	}
	if (cp < 0x80 && strchr("\\`*_{}[]()#+-.!|~@:", (int)cp) != NULL) {
		char e[2] = { '\\', (char)cp };

		*rc = tally_buf_add(b, e, 2);
		return 1;
	}
	return 0;
}

int
tally_esc_md(struct tally_buf *b, const char *s, size_t n)
{
	return walk(b, s, n, md_emit, md_special);
}

/* Keep newlines and tabs; show every other control as a picture. */
static int
term_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	if (cp == '\n' || cp == '\t')
		return 0;
	if (cp < 0x20 || cp == 0x7F) {
		*rc = put_utf8(b, 0x2400 + (cp == 0x7F ? 0x21 : cp));
		return 1;
	}
	if ((cp >= 0x80 && cp < 0xA0) || is_bidi(cp)) {
		*rc = tally_buf_printf(b, "<U+%04X>", cp);
		return 1;
	}
	return 0;
}

int
tally_esc_term(struct tally_buf *b, const char *s, size_t n)
{
	return walk(b, s, n, term_emit, term_special);
}

static int
term_line_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	if (cp == '\n') {
		*rc = put_utf8(b, 0x2424);
		return 1;
	}
	if (cp == '\t') {
		*rc = tally_buf_addc(b, ' ');
		return 1;
	}
	return term_emit(b, cp, rc);
}

int
tally_esc_term_line(struct tally_buf *b, const char *s, size_t n)
{
	return walk(b, s, n, term_line_emit, term_special);
}

static int
gh_data_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	switch (cp) {
	case '%':  *rc = tally_buf_add(b, "%25", 3); return 1;
	case '\r': *rc = tally_buf_add(b, "%0D", 3); return 1;
	case '\n': *rc = tally_buf_add(b, "%0A", 3); return 1;
	}
	if (cp < 0x20 || cp == 0x7F) {
		*rc = put_utf8(b, 0x2400 + (cp == 0x7F ? 0x21 : cp));
		return 1;
	}
	if (cp >= 0x80 && cp < 0xA0) {
		*rc = put_utf8(b, 0xFFFD);
		return 1;
	}
	if (is_bidi(cp)) {
		*rc = tally_buf_printf(b, "<U+%04X>", cp);
		return 1;
	}
	return 0;
}

static int
gh_prop_emit(struct tally_buf *b, unsigned cp, int *rc)
{
	if (cp == ':') {
		*rc = tally_buf_add(b, "%3A", 3);
		return 1;
	}
	if (cp == ',') {
		*rc = tally_buf_add(b, "%2C", 3);
		return 1;
	}
	return gh_data_emit(b, cp, rc);
}

int
tally_esc_gh_data(struct tally_buf *b, const char *s, size_t n)
{
	return walk(b, s, n, gh_data_emit, gh_data_special);
}

int
tally_esc_gh_prop(struct tally_buf *b, const char *s, size_t n)
{
	return walk(b, s, n, gh_prop_emit, gh_prop_special);
}

/*
 * What a culture-aware string comparison in .NET (the Actions runner's
 * StartsWith("::") and IndexOf("##[")) skips: C0 and C1 controls other
 * than line ends, tabs and ESC, and the Unicode default ignorables.
 */
static int
wfc_ignorable(unsigned cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\v' &&
	    cp != '\f' && cp != '\r' && cp != 0x1B) ||
	    (cp >= 0x7F && cp <= 0x9F && cp != 0x85) || cp == 0xAD ||
	    cp == 0x34F || cp == 0x61C || cp == 0x115F || cp == 0x1160 ||
	    cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) ||
	    (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 ||
	    (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 ||
	    (cp >= 0xFFF0 && cp <= 0xFFF8) ||
	    (cp >= 0x1BCA0 && cp <= 0x1BCA3) ||
	    (cp >= 0x1D173 && cp <= 0x1D17A) ||
	    (cp >= 0xE0000 && cp <= 0xE0FFF);
}

/* What the runner's TrimStart() removes before looking for "::". */
static int
wfc_space(unsigned cp)
{
	return cp == ' ' || cp == '\t' || cp == '\v' || cp == '\f' ||
	    cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

#define WFC_MIDLINE	1u	/* something visible on this line already */
#define WFC_COLON	2u	/* the line's first visible character was ':' */
#define WFC_HASH1	4u	/* after '#' */
#define WFC_HASH2	8u	/* after "##" */

int
tally_esc_wfc_guard(struct tally_buf *b, const char *s, size_t n,
    unsigned *state)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned st = *state, cp;
	size_t i = 0, k, run = 0;
	int rc = TALLY_OK;

	n = LEN(s, n);
	while (i < n && rc == TALLY_OK) {
		/* Most bytes: visible ASCII that starts nothing. */
		if (p[i] > 0x20 && p[i] < 0x7F && p[i] != ':' && p[i] != '#' &&
		    p[i] != '[') {
			st = WFC_MIDLINE;
			i++;
			continue;
		}
		if (p[i] < 0x80) {
			cp = p[i];
			k = 1;
		} else
			k = tally_utf8_decode(p + i, n - i, &cp);
		if (cp == '\n' || cp == '\r')
			st = 0;
		else if (wfc_ignorable(cp))
			;
		else if (wfc_space(cp))
			st &= ~(WFC_COLON | WFC_HASH1 | WFC_HASH2);
		else if (cp == ':' && (st & WFC_COLON)) {
			/* "::" starting a line: the second colon as U+FF1A. */
			rc = tally_buf_add(b, s + run, i - run);
			if (rc == TALLY_OK)
				rc = tally_buf_add(b, "\xef\xbc\x9a", 3);
			run = i + k;
			st = WFC_MIDLINE;
		} else if (cp == '[' && (st & WFC_HASH2)) {
			/* "##[" anywhere: the bracket as U+FF3B. */
			rc = tally_buf_add(b, s + run, i - run);
			if (rc == TALLY_OK)
				rc = tally_buf_add(b, "\xef\xbc\xbb", 3);
			run = i + k;
			st = WFC_MIDLINE;
		} else if (cp == '#')
			st = WFC_MIDLINE | (st & (WFC_HASH1 | WFC_HASH2) ?
			    WFC_HASH2 : WFC_HASH1);
		else if (cp == ':' && !(st & WFC_MIDLINE))
			st = WFC_MIDLINE | WFC_COLON;
		else
			st = WFC_MIDLINE;
		i += k;
	}
	if (rc == TALLY_OK)
		rc = tally_buf_add(b, s + run, n - run);
	*state = st;
	return rc;
}

/* Bytes tally_esc_url percent-encodes, besides those <= 0x20 or >= 0x7F. */
static const unsigned char url_special[128] = {
	['('] = 1, [')'] = 1, ['<'] = 1, ['>'] = 1, ['['] = 1, [']'] = 1,
	['{'] = 1, ['}'] = 1, ['"'] = 1, ['\''] = 1, ['`'] = 1, ['\\'] = 1,
	['|'] = 1, ['^'] = 1 };

static int
url_bytes(struct tally_buf *b, const unsigned char *p, size_t n, int fast)
{
	size_t i = 0, j;
	int rc = TALLY_OK;

	while (i < n && rc == TALLY_OK) {
		if (fast) {
			for (j = i; j < n && p[j] > 0x20 && p[j] < 0x7F &&
			    !url_special[p[j]]; j++)
				;
			if (j > i) {
				rc = tally_buf_add(b, p + i, j - i);
				i = j;
				continue;
			}
		}
		if (p[i] <= 0x20 || p[i] >= 0x7F ||
		    strchr("()<>[]{}\"'`\\|^", p[i]) != NULL)
			rc = tally_buf_printf(b, "%%%02X", p[i]);
		else
			rc = tally_buf_addc(b, (char)p[i]);
		i++;
	}
	return rc;
}

int
tally_esc_url(struct tally_buf *b, const char *s, size_t n)
{
	if (s == NULL)
		return TALLY_OK;
	return url_bytes(b, (const unsigned char *)s, LEN(s, n), 1);
}

int
tally_strip_ansi(struct tally_buf *b, const char *s, size_t n)
{
	size_t i = 0, j;

	if (s == NULL)
		return TALLY_OK;
	n = LEN(s, n);
	while (i < n) {
		if (s[i] != '\x1b') {
			j = i;
			while (j < n && s[j] != '\x1b')
				j++;
			if (tally_buf_add(b, s + i, j - i) != TALLY_OK)
				return TALLY_ENOMEM;
			i = j;
			continue;
		}
		i++;
		if (i < n && s[i] == '[') {		/* CSI ... final byte */
			i++;
			while (i < n && !((unsigned char)s[i] >= 0x40 &&
			    (unsigned char)s[i] <= 0x7E))
				i++;
			if (i < n)
				i++;
		} else if (i < n && s[i] == ']') {	/* OSC ... BEL or ST */
			i++;
			while (i < n && s[i] != '\a' &&
			    !(s[i] == '\x1b' && i + 1 < n && s[i + 1] == '\\'))
				i++;
			if (i < n)
				i += s[i] == '\a' ? 1 : 2;
		} else if (i < n)
			i++;
	}
	return TALLY_OK;
}

/* The per-code-point path alone, for tests/check_escape.c. */
int
tally_esc_slow(tally_esc_fn f, struct tally_buf *b, const char *s, size_t n)
{
	static const struct {
		tally_esc_fn	f;
		esc_fn		emit;
	} t[] = {
		{ tally_esc_json, json_emit },
		{ tally_esc_json_script, json_script_emit },
		{ tally_esc_xml, xml_emit },
		{ tally_esc_xml_text, xml_text_emit },
		{ tally_esc_html, html_emit },
		{ tally_esc_html_line, html_line_emit },
		{ tally_esc_md, md_emit },
		{ tally_esc_term, term_emit },
		{ tally_esc_term_line, term_line_emit },
		{ tally_esc_gh_data, gh_data_emit },
		{ tally_esc_gh_prop, gh_prop_emit },
	};
	size_t i;

	if (s == NULL)
		return TALLY_OK;
	n = LEN(s, n);
	if (f == tally_esc_url)
		return url_bytes(b, (const unsigned char *)s, n, 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].f == f)
			return walk_cp(b, (const unsigned char *)s, n,
			    t[i].emit, NULL);
	return TALLY_EINVAL;
}
