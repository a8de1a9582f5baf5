/*
 * lib/jsonscan.c: a streaming JSON scanner that validates a whole
 * document and captures only the values a reader asks for.  See
 * jsonscan.h for the path syntax and the memory bound.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonscan.h"

#define CHUNK	65536

enum { SEG_KEY, SEG_ANYKEY, SEG_ANYINDEX };

struct seg {
	int		 kind;
	const char	*name;		/* SEG_KEY: not NUL-terminated */
	size_t		 len;
};

struct pattern {
	struct seg	 seg[TALLY_MAX_DEPTH];
	int		 n;
};

/* An open object or array on the way down to the current value. */
struct frame {
	long		 index;		/* next element index of an array */
	struct tally_buf seen;		/* matched member names, NUL-separated */
};

struct js {
	struct tally_src	*src;
	struct tally_error	*err;
	int			 rc;	/* first failure, sticky */
	unsigned char		*buf;
	size_t			 pos, len;
	int			 eof;
	long			 line, col;	/* of buf[pos] */
	/* The value being captured. */
	int			 cap_on;
	size_t			 cap_from;
	struct tally_buf	 cap;
	int			 cap_fix;	/* saw a lone surrogate */
	struct tally_buf	 key;
	struct pattern		 pat[TALLY_JSCAN_MAXPATHS];
	int			 npat;
	struct frame		 fr[TALLY_MAX_DEPTH + 1];
	int			 depth;
	tally_jscan_fn		 fn;
	void			*arg;
	unsigned		 reached;	/* see tally_jscan() */
};

static int value(struct js *js, uint32_t alive);

/* Record the first failure; later ones are consequences of it. */
static int
fail_at(struct js *js, long line, long col, int rc, const char *fmt,
    const char *arg)
{
	if (js->rc == 0) {
		js->rc = rc;
		tally_error_set(js->err, rc, line, col, fmt, arg);
	}
	return js->rc;
}

static int
fail(struct js *js, int rc, const char *fmt, const char *arg)
{
	return fail_at(js, js->line, js->col, rc, fmt, arg);
}

static int
cap_flush(struct js *js, size_t end)
{
	size_t n = end - js->cap_from;

	if (js->cap.len + n > TALLY_JSCAN_MAX)
		return fail(js, TALLY_ELIMIT, "%s",
		    "value larger than the 64 MiB limit");
	if (tally_buf_add(&js->cap, js->buf + js->cap_from, n) != TALLY_OK)
		return fail(js, TALLY_ENOMEM, "%s", "out of memory");
	js->cap_from = end;
	return TALLY_OK;
}

static int
fill(struct js *js)
{
	ssize_t n;

	if (js->rc != 0 || js->eof)
		return -1;
	if (js->cap_on && cap_flush(js, js->len) != TALLY_OK)
		return -1;
	js->cap_from = 0;
	js->pos = js->len = 0;
	n = tally_src_read(js->src, js->buf, CHUNK);
	if (n < 0) {
		js->err->sys_errno = js->src->err;
		fail(js, TALLY_EIO, "%s", "read error");
		return -1;
	}
	if (n == 0) {
		js->eof = 1;
		return -1;
	}
	js->len = (size_t)n;
	return 0;
}

/* Next byte without consuming it; -1 at end of input or on failure. */
static inline int
peek(struct js *js)
{
	if (js->pos == js->len && fill(js) != 0)
		return -1;
	return js->buf[js->pos];
}

static inline void
advance(struct js *js)
{
	if (js->buf[js->pos++] == '\n') {
		js->line++;
		js->col = 1;
	} else
		js->col++;
}

static int
skip_ws(struct js *js)
{
	int c;

	while ((c = peek(js)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		advance(js);
	return c;
}

/* Complain about byte c (or the end of input) where a token should be. */
static int
unexpected(struct js *js, int c, const char *what)
{
	char desc[64];

	if (c < 0)
		return fail(js, TALLY_EPARSE, "%s", "unexpected end of JSON");
	if (c > 0x20 && c < 0x7f)
		snprintf(desc, sizeof(desc), "'%c'", c);
	else
		snprintf(desc, sizeof(desc), "byte 0x%02x", (unsigned)c);
	if (js->rc == 0) {
		js->rc = TALLY_EPARSE;
		tally_error_set(js->err, TALLY_EPARSE, js->line, js->col,
		    "%s, found %s", what, desc);
	}
	return js->rc;
}

static int
expect(struct js *js, int want, const char *what)
{
	int c = peek(js);

	if (c != want)
		return unexpected(js, c, what);
	advance(js);
	return TALLY_OK;
}

static void
put_utf8(struct tally_buf *b, unsigned cp)
{
	char u[4];

	if (cp < 0x80)
		u[0] = (char)cp, tally_buf_add(b, u, 1);
	else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		tally_buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		tally_buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		tally_buf_add(b, u, 4);
	}
}

static int
hex4(struct js *js, unsigned *out)
{
	int i, c;

	*out = 0;
	for (i = 0; i < 4; i++) {
		c = peek(js);
		if (c >= '0' && c <= '9')
			*out = *out << 4 | (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*out = *out << 4 | (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*out = *out << 4 | (unsigned)(c - 'A' + 10);
		else
			return unexpected(js, c, "expected a hex digit");
		advance(js);
	}
	return TALLY_OK;
}

/*
 * A string, opening quote next.  With out, its decoded text is kept
 * there (for member names).  \u0000 is refused: C strings would end
 * there, and "a\u0000b" and "a" would be one name.
 */
static int
string(struct js *js, struct tally_buf *out)
{
	unsigned cp, lo;
	int c;

	advance(js);
	for (;;) {
		const unsigned char *p, *e;

		if (js->pos == js->len && fill(js) != 0)
			return unexpected(js, -1, "");
		/* Plain bytes in bulk: no newline can be among them. */
		p = js->buf + js->pos;
		e = js->buf + js->len;
		while (p < e && *p != '"' && *p != '\\' && *p >= 0x20)
			p++;
		if (out != NULL) {
			if (out->len + (size_t)(p - (js->buf + js->pos)) >
			    TALLY_MAX_FIELD)
				return fail(js, TALLY_ELIMIT, "%s",
				    "member name too long");
			tally_buf_add(out, js->buf + js->pos,
			    (size_t)(p - (js->buf + js->pos)));
		}
		js->col += p - (js->buf + js->pos);
		js->pos = (size_t)(p - js->buf);
		if (p == e)
			continue;
		c = *p;
		if (c == '"') {
			advance(js);
			return TALLY_OK;
		}
		if (c < 0x20)
			return unexpected(js, c,
			    "control character in string");
		advance(js);		/* the backslash */
escape:
		c = peek(js);
		switch (c) {
		case '"': case '\\': case '/':
			break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			advance(js);
			if (hex4(js, &cp) != TALLY_OK)
				return js->rc;
			if (cp == 0)	/* at the backslash, 6 bytes back */
				return fail_at(js, js->line, js->col - 6,
				    TALLY_EPARSE, "%s", TALLY_JSON_NUL);
			if (cp >= 0xD800 && cp < 0xDC00 && peek(js) == '\\') {
				advance(js);
				if (peek(js) != 'u') {
					/* A lone high surrogate. */
					js->cap_fix = 1;
					if (out != NULL)
						put_utf8(out, 0xFFFD);
					goto escape;
				}
				advance(js);
				if (hex4(js, &lo) != TALLY_OK)
					return js->rc;
				if (lo == 0)
					return fail_at(js, js->line,
					    js->col - 6, TALLY_EPARSE, "%s",
					    TALLY_JSON_NUL);
				if (lo >= 0xDC00 && lo < 0xE000)
					cp = 0x10000 + ((cp - 0xD800) << 10) +
					    (lo - 0xDC00);
				else
					cp = 0xFFFD;
			} else if (cp >= 0xD800 && cp < 0xE000)
				cp = 0xFFFD;
			if (cp == 0xFFFD)
				js->cap_fix = 1;
			if (out != NULL)
				put_utf8(out, cp);
			continue;
		default:
			return unexpected(js, c, "invalid escape in string");
		}
		if (out != NULL)
			tally_buf_addc(out, (char)c);
		advance(js);
	}
}

static int
digits(struct js *js)
{
	int c, n = 0;

	while ((c = peek(js)) >= '0' && c <= '9') {
		advance(js);
		n++;
	}
	return n > 0 ? TALLY_OK : unexpected(js, c, "expected a digit");
}

static int
number(struct js *js)
{
	int c;

	if (peek(js) == '-')
		advance(js);
	c = peek(js);
	if (c == '0')
		advance(js);
	else if (digits(js) != TALLY_OK)
		return js->rc;
	if (peek(js) == '.') {
		advance(js);
		if (digits(js) != TALLY_OK)
			return js->rc;
	}
	c = peek(js);
	if (c == 'e' || c == 'E') {
		advance(js);
		c = peek(js);
		if (c == '+' || c == '-')
			advance(js);
		if (digits(js) != TALLY_OK)
			return js->rc;
	}
	return TALLY_OK;
}

static int
literal(struct js *js, const char *word)
{
	for (; *word != '\0'; word++)
		if (expect(js, *word, "invalid literal") != TALLY_OK)
			return js->rc;
	return TALLY_OK;
}

/* The patterns in alive that, one level down at key (or an element), match. */
static uint32_t
descend(struct js *js, uint32_t alive, const char *key, size_t klen,
    uint32_t *full)
{
	uint32_t next = 0;
	int i, d = js->depth - 1;

	*full = 0;
	for (i = 0; alive != 0 && i < js->npat; i++) {
		const struct seg *s;

		if (!(alive & (1u << i)) || js->pat[i].n <= d)
			continue;
		s = &js->pat[i].seg[d];
		if (key == NULL ? s->kind != SEG_ANYINDEX :
		    s->kind == SEG_ANYINDEX || (s->kind == SEG_KEY &&
		    (s->len != klen || memcmp(s->name, key, klen) != 0)))
			continue;
		if (js->pat[i].n == d + 1)
			*full |= 1u << i;
		else
			next |= 1u << i;
	}
	return next;
}

static unsigned
hexval(const char *p)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 4 | (unsigned)(p[i] <= '9' ? p[i] - '0' :
		    (p[i] | 0x20) - 'a' + 10);
	return v;
}

/*
 * Make a captured value safe for cJSON, which refuses lone surrogates:
 * they become \ufffd, the same length.  The value is valid JSON without
 * \u0000 (string() refused it), so every \u has four hex digits.
 */
static void
repair(char *p, size_t len)
{
	char *e = p + len;
	unsigned cp;

	for (; p < e && (p = memchr(p, '\\', (size_t)(e - p))); p += 2) {
		if (p[1] != 'u')
			continue;
		cp = hexval(p + 2);
		if (cp >= 0xD800 && cp < 0xDC00 && e - p >= 12 &&
		    p[6] == '\\' && p[7] == 'u' && hexval(p + 8) >= 0xDC00 &&
		    hexval(p + 8) < 0xE000) {
			p += 10;	/* a pair: keep both */
			continue;
		}
		if (cp >= 0xD800 && cp < 0xE000)
			memcpy(p + 2, "fffd", 4);
		p += 4;
	}
}

/* Capture the value that comes next and hand it to the callback. */
static int
capture(struct js *js, int which, const char *key, long index)
{
	struct tally_jvalue v;
	cJSON *j = NULL;
	int rc;

	v.which = which;
	v.index = index;
	v.line = js->line;
	v.column = js->col;
	tally_buf_reset(&js->cap);
	js->cap_on = 1;
	js->cap_fix = 0;
	js->cap_from = js->pos;
	rc = value(js, 0);
	if (rc == TALLY_OK)
		rc = cap_flush(js, js->pos);
	js->cap_on = 0;
	if (rc != TALLY_OK)
		return rc;
	if (js->cap_fix)
		repair(js->cap.data, js->cap.len);
	rc = tally_json_parse(js->cap.data ? js->cap.data : "", js->cap.len,
	    v.line, &j, js->err);
	if (rc != TALLY_OK) {
		if (js->err->line == v.line && js->err->column > 0)
			js->err->column += v.column - 1;
		return js->rc = rc;
	}
	v.key = key;
	v.json = j;
	rc = js->fn(js->arg, &v, js->err);
	cJSON_Delete(j);
	if (js->cap.cap > 2 * CHUNK) {
		/* Give back what one large value needed. */
		tally_buf_free(&js->cap);
	}
	if (rc != TALLY_OK && js->rc == 0)
		js->rc = rc;
	return rc;
}

/*
 * Whether one of the patterns in m names the member just read.  Only such
 * members are checked for repeats: a path names a handful of them, while
 * a "*" step may match any number.
 */
static int
named(const struct js *js, uint32_t m)
{
	int i;

	for (i = 0; m != 0 && i < js->npat; i++)
		if ((m & (1u << i)) &&
		    js->pat[i].seg[js->depth - 1].kind == SEG_KEY)
			return 1;
	return 0;
}

static int
seen_before(struct frame *f, const char *key, size_t klen)
{
	const char *p = f->seen.data, *e = p ? p + f->seen.len : NULL;

	for (; p != NULL && p < e; p += strlen(p) + 1)
		if (strlen(p) == klen && memcmp(p, key, klen) == 0)
			return 1;
	tally_buf_add(&f->seen, key, klen);
	tally_buf_addc(&f->seen, '\0');
	return 0;
}

/* A member's or element's value: capture it, follow it, or skip it. */
static int
child(struct js *js, uint32_t alive, const char *key, size_t klen,
    long index)
{
	uint32_t full, next;
	int i;

	if (alive == 0)
		return value(js, 0);
	next = descend(js, alive, key, klen, &full);
	if (full != 0) {
		char *k = NULL;
		int rc;

		for (i = 0; !(full & (1u << i)); i++)
			;
		if (key != NULL && (k = strdup(key)) == NULL)
			return fail(js, TALLY_ENOMEM, "%s", "out of memory");
		rc = capture(js, i, k, index);
		free(k);
		return rc;
	}
	return value(js, next);
}

/* Note the patterns whose last step starts in this container. */
static int
open_frame(struct js *js, uint32_t alive, int is_array)
{
	int i, d = js->depth;

	for (i = 0; alive != 0 && i < js->npat; i++)
		if ((alive & (1u << i)) && js->pat[i].n == d + 1 &&
		    (js->pat[i].seg[d].kind == SEG_ANYINDEX) == is_array)
			js->reached |= 1u << i;
	if (js->depth >= TALLY_MAX_DEPTH)
		return fail(js, TALLY_EPARSE, "%s", TALLY_JSON_DEEP);
	advance(js);
	js->depth++;
	js->fr[js->depth].index = 0;
	tally_buf_reset(&js->fr[js->depth].seen);
	return TALLY_OK;
}

static int
object(struct js *js, uint32_t alive)
{
	struct frame *f;
	long kline, kcol;
	int c;

	if (open_frame(js, alive, 0) != TALLY_OK)
		return js->rc;
	f = &js->fr[js->depth];
	if (skip_ws(js) == '}') {
		advance(js);
		js->depth--;
		return TALLY_OK;
	}
	for (;;) {
		if ((c = skip_ws(js)) != '"')
			return unexpected(js, c, "expected a member name");
		kline = js->line;
		kcol = js->col;
		tally_buf_reset(&js->key);
		if (string(js, alive ? &js->key : NULL) != TALLY_OK)
			return js->rc;
		if (alive && js->key.data == NULL)
			tally_buf_add(&js->key, "", 0);
		if (skip_ws(js) != ':')
			return unexpected(js, peek(js), "expected ':'");
		advance(js);
		skip_ws(js);
		if (alive) {
			uint32_t full, next;

			next = descend(js, alive, js->key.data, js->key.len,
			    &full);
			if (named(js, next | full) &&
			    seen_before(f, js->key.data, js->key.len)) {
				if (js->rc == 0) {
					js->rc = TALLY_EPARSE;
					tally_error_set(js->err, TALLY_EPARSE,
					    kline, kcol, "duplicate key '%s'",
					    js->key.data);
				}
				return js->rc;
			}
		}
		if (child(js, alive, alive ? js->key.data : NULL,
		    js->key.len, -1) != TALLY_OK)
			return js->rc;
		c = skip_ws(js);
		if (c == ',') {
			advance(js);
			continue;
		}
		if (c == '}') {
			advance(js);
			js->depth--;
			return TALLY_OK;
		}
		return unexpected(js, c, "expected ',' or '}'");
	}
}

static int
array(struct js *js, uint32_t alive)
{
	struct frame *f;
	int c;

	if (open_frame(js, alive, 1) != TALLY_OK)
		return js->rc;
	f = &js->fr[js->depth];
	if (skip_ws(js) == ']') {
		advance(js);
		js->depth--;
		return TALLY_OK;
	}
	for (;;) {
		skip_ws(js);
		if (child(js, alive, NULL, 0, f->index++) != TALLY_OK)
			return js->rc;
		c = skip_ws(js);
		if (c == ',') {
			advance(js);
			continue;
		}
		if (c == ']') {
			advance(js);
			js->depth--;
			return TALLY_OK;
		}
		return unexpected(js, c, "expected ',' or ']'");
	}
}

static int
value(struct js *js, uint32_t alive)
{
	int c = peek(js);

	switch (c) {
	case '{':
		return object(js, alive);
	case '[':
		return array(js, alive);
	case '"':
		return string(js, NULL);
	case 't':
		return literal(js, "true");
	case 'f':
		return literal(js, "false");
	case 'n':
		return literal(js, "null");
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return number(js);
		return unexpected(js, c, "expected a JSON value");
	}
}

static int
compile(struct pattern *p, const char *s)
{
	const char *e;

	p->n = 0;
	while (*s != '\0') {
		if (p->n == TALLY_MAX_DEPTH)
			return -1;
		if (strncmp(s, "[*]", 3) == 0) {
			p->seg[p->n++].kind = SEG_ANYINDEX;
			s += 3;
		} else {
			e = s + strcspn(s, ".[");
			p->seg[p->n].kind = e - s == 1 && *s == '*' ?
			    SEG_ANYKEY : SEG_KEY;
			p->seg[p->n].name = s;
			p->seg[p->n++].len = (size_t)(e - s);
			s = e;
		}
		if (*s == '.')
			s++;
	}
	return p->n > 0 ? 0 : -1;
}

int
tally_jscan(struct tally_src *src, const char *const *paths,
    tally_jscan_fn fn, void *arg, unsigned *reached, struct tally_error *err)
{
	struct js *js;
	uint32_t all = 0;
	int c, i, rc;

	if ((js = calloc(1, sizeof(*js))) == NULL ||
	    (js->buf = malloc(CHUNK)) == NULL) {
		free(js);
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	}
	js->src = src;
	js->err = err;
	js->fn = fn;
	js->arg = arg;
	js->line = js->col = 1;
	for (i = 0; paths[i] != NULL; i++) {
		if (i == TALLY_JSCAN_MAXPATHS ||
		    compile(&js->pat[i], paths[i]) != 0) {
			rc = tally_error_set(err, TALLY_EINVAL, 0, 0,
			    "bad scan path '%s'", paths[i]);
			goto out;
		}
		all |= 1u << i;
	}
	js->npat = i;
	/* A UTF-8 byte order mark is not part of the document. */
	if (peek(js) == 0xEF) {
		const char bom[] = "\xEF\xBB\xBF";

		for (i = 0; i < 3; i++)
			if (expect(js, (unsigned char)bom[i],
			    "expected a JSON value") != TALLY_OK)
				break;
		js->col = 1;
	}
	if (js->rc == 0) {
		skip_ws(js);
		if (value(js, all) == TALLY_OK && (c = skip_ws(js)) >= 0)
			unexpected(js, c, "trailing data after the document");
	}
	rc = js->rc;
	if (reached != NULL)
		*reached = js->reached;
out:
	tally_buf_free(&js->cap);
	tally_buf_free(&js->key);
	for (i = 0; i <= TALLY_MAX_DEPTH; i++)
		tally_buf_free(&js->fr[i].seen);
	free(js->buf);
	free(js);
	return rc;
}

/* ---- building records ---- */

static int
grow(void **p, size_t *cap, size_t want, size_t elem)
{
	size_t ncap;
	void *q;

	if (want <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < want)
		ncap = want;
	if ((q = realloc(*p, ncap * elem)) == NULL)
		return -1;
	*p = q;
	*cap = ncap;
	return 0;
}

void
tally_jtmp_reset(struct tally_jtmp *t)
{
	size_t i;

	for (i = 0; i < t->nstrs; i++)
		free(t->strs[i]);
	t->nstrs = t->nsuite = t->nkv = t->natt = 0;
	t->oom = 0;
}

void
tally_jtmp_free(struct tally_jtmp *t)
{
	tally_jtmp_reset(t);
	free(t->strs);
	free(t->suite);
	free(t->kv);
	free(t->att);
	memset(t, 0, sizeof(*t));
}

const char *
tally_jtmp_own(struct tally_jtmp *t, char *s)
{
	if (s == NULL)
		return NULL;
	if (grow((void **)&t->strs, &t->capstrs, t->nstrs + 1,
	    sizeof(*t->strs)) != 0) {
		free(s);
		t->oom = 1;
		return NULL;
	}
	t->strs[t->nstrs++] = s;
	return s;
}

void
tally_jtmp_suite(struct tally_jtmp *t, const char *name)
{
	if (name == NULL)
		return;
	if (grow((void **)&t->suite, &t->capsuite, t->nsuite + 1,
	    sizeof(*t->suite)) != 0) {
		t->oom = 1;
		return;
	}
	t->suite[t->nsuite++] = name;
}

void
tally_jtmp_kv(struct tally_jtmp *t, const char *key, const char *value)
{
	if (key == NULL || value == NULL)
		return;
	if (grow((void **)&t->kv, &t->capkv, t->nkv + 1,
	    sizeof(*t->kv)) != 0) {
		t->oom = 1;
		return;
	}
	t->kv[t->nkv].key = key;
	t->kv[t->nkv++].value = value;
}

struct tally_attempt *
tally_jtmp_attempt(struct tally_jtmp *t)
{
	struct tally_attempt *a;

	if (grow((void **)&t->att, &t->capatt, t->natt + 1,
	    sizeof(*t->att)) != 0) {
		t->oom = 1;
		return NULL;
	}
	a = &t->att[t->natt++];
	memset(a, 0, sizeof(*a));
	a->duration = -1;
	return a;
}

const char *
tally_jtmp_num(struct tally_jtmp *t, double v)
{
	char num[64];

	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(num, sizeof(num), "%.0f", v);
	else {
		snprintf(num, sizeof(num), "%.15g", v);
		if (strtod(num, NULL) != v)
			snprintf(num, sizeof(num), "%.17g", v);
	}
	return tally_jtmp_own(t, strdup(num));
}

const char *
tally_jtmp_text(struct tally_jtmp *t, const cJSON *j)
{
	if (j == NULL || cJSON_IsNull(j))
		return NULL;
	if (cJSON_IsString(j))
		return j->valuestring;
	if (cJSON_IsBool(j))
		return cJSON_IsTrue(j) ? "true" : "false";
	if (cJSON_IsNumber(j))
		return tally_jtmp_num(t, j->valuedouble);
	return tally_jtmp_own(t, cJSON_PrintUnformatted(j));
}

const char *
tally_jtmp_join(struct tally_jtmp *t, const cJSON *j, const char *sep)
{
	struct tally_buf b;
	const cJSON *c;

	if (j == NULL || cJSON_IsString(j))
		return j ? j->valuestring : NULL;
	if (!cJSON_IsArray(j) || j->child == NULL)
		return NULL;
	tally_buf_init(&b);
	for (c = j->child; c != NULL; c = c->next) {
		if (!cJSON_IsString(c))
			continue;
		if (b.data != NULL)
			tally_buf_adds(&b, sep);
		tally_buf_adds(&b, c->valuestring);
	}
	if (b.data == NULL)
		return NULL;
	return tally_jtmp_own(t, tally_buf_detach(&b));
}

static const char *
dotted(struct tally_jtmp *t, const char *prefix, const char *key)
{
	char *s;

	if (prefix == NULL || *prefix == '\0')
		return key;
	if (key == NULL)
		return prefix;
	if (asprintf(&s, "%s.%s", prefix, key) < 0) {
		t->oom = 1;
		return NULL;
	}
	return tally_jtmp_own(t, s);
}

static void
flatten(struct tally_jtmp *t, const char *prefix, const cJSON *j,
    int unique)
{
	const cJSON *c;
	int scalars = !unique;

	if (j == NULL || cJSON_IsNull(j))
		return;
	if (cJSON_IsObject(j)) {
		for (c = j->child; c != NULL; c = c->next)
			flatten(t, dotted(t, prefix, c->string), c, unique);
		return;
	}
	if (cJSON_IsArray(j)) {
		for (c = j->child; c != NULL; c = c->next)
			if (cJSON_IsArray(c) || cJSON_IsObject(c))
				scalars = 0;
		if (scalars) {
			for (c = j->child; c != NULL; c = c->next)
				tally_jtmp_kv(t, prefix, tally_jtmp_text(t, c));
			return;
		}
	}
	tally_jtmp_kv(t, prefix, tally_jtmp_text(t, j));
}

void
tally_jtmp_flatten(struct tally_jtmp *t, const char *prefix, const cJSON *j)
{
	flatten(t, prefix, j, 0);
}

void
tally_jtmp_flatten_map(struct tally_jtmp *t, const char *prefix,
    const cJSON *j)
{
	flatten(t, prefix, j, 1);
}

int
tally_jtmp_send(struct tally_jtmp *t, struct tally_sink *sink,
    const struct tally_record *rec, struct tally_error *err)
{
	int rc;

	if (t->oom)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	rc = tally_sink_record(sink, rec, err);
	tally_jtmp_reset(t);
	return rc;
}

void
tally_jtmp_keep_map(struct tally_jtmp *meta, struct tally_jtmp *t,
    const char *prefix, const cJSON *j)
{
	size_t i;

	tally_jtmp_flatten_map(t, prefix, j);
	for (i = 0; i < t->nkv; i++)
		tally_jtmp_kv(meta, tally_jtmp_own(meta, strdup(t->kv[i].key)),
		    tally_jtmp_own(meta, strdup(t->kv[i].value)));
	tally_jtmp_reset(t);
}

static int
jtmp_meta(struct tally_jtmp *t, struct tally_sink *sink,
    const char *source, struct tally_error *err)
{
	struct tally_record rec;

	if (t->oom)
		return tally_error_set(err, TALLY_ENOMEM, 0, 0,
		    "out of memory");
	if (t->nkv == 0)
		return TALLY_OK;
	tally_record_init(&rec, TALLY_REC_META);
	rec.source = source;
	rec.u.meta.items = t->kv;
	rec.u.meta.nitems = t->nkv;
	return tally_sink_record(sink, &rec, err);
}

/*
 * After a scan that ended with status rc (successfully or at a fault in
 * the input), send the meta record gathered in meta, then return rc or
 * the sink's failure.  A fault's err is kept.
 */
static int
jscan_finish(int rc, struct tally_jtmp *meta, struct tally_sink *sink,
    const char *source, struct tally_error *err)
{
	struct tally_error e2;
	int mrc;

	if (rc != TALLY_OK && rc != TALLY_EPARSE && rc != TALLY_ELIMIT &&
	    rc != TALLY_EIO)
		return rc;
	tally_error_init(&e2, source);
	if ((mrc = jtmp_meta(meta, sink, source, &e2)) != TALLY_OK) {
		*err = e2;
		return mrc;
	}
	return rc;
}

int
tally_jscan_read(struct tally_src *src, const char *const *paths,
    tally_jscan_fn fn, void *arg, unsigned need, const char *notmine,
    struct tally_jtmp *t, struct tally_jtmp *meta, struct tally_sink *sink,
    struct tally_error *err)
{
	unsigned reached = 0;
	int rc;

	rc = tally_jscan(src, paths, fn, arg, &reached, err);
	if (rc == TALLY_OK && (reached & need) == 0) {
		tally_jtmp_reset(meta);
		rc = tally_error_set(err, TALLY_EPARSE, 0, 0, "%s", notmine);
	}
	rc = jscan_finish(rc, meta, sink, src->name, err);
	tally_jtmp_free(t);
	tally_jtmp_free(meta);
	return rc;
}

const cJSON *
tally_json_get(const cJSON *obj, const char *key)
{
	return cJSON_IsObject(obj) ?
	    cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

int
tally_json_bool(const cJSON *obj, const char *key)
{
	const cJSON *c = tally_json_get(obj, key);

	return cJSON_IsBool(c) ? cJSON_IsTrue(c) : -1;
}

const char *
tally_json_nstr(const cJSON *obj, const char *key)
{
	const char *s = cJSON_IsObject(obj) ? tally_json_str(obj, key) : NULL;

	return s != NULL && *s != '\0' ? s : NULL;
}
