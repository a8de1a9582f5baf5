/* lib/json.c: cJSON behind the checks hostile input needs. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "escape.h"
#include "internal.h"
#include "jsonline.h"

/* Line and column of byte off in buf, the line counted from first. */
static void
locate(const char *buf, size_t off, long first, long *line, long *col)
{
	size_t i, bol = 0;

	*line = first;
	for (i = 0; i < off; i++)
		if (buf[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	*col = (long)(off - bol) + 1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * A member name used twice in object j, else NULL; *nomem set when the
 * scratch array could not be had.  Sorting keeps an object with many
 * members from costing quadratic time.
 */
static const char *
duplicate(const cJSON *j, int *nomem)
{
	const cJSON *c;
	const char **names, *dup = NULL;
	size_t n = 0, i;

	for (c = j->child; c != NULL; c = c->next)
		n++;
	if (n < 2)
		return NULL;
	if ((names = malloc(n * sizeof(*names))) == NULL) {
		*nomem = 1;
		return NULL;
	}
	for (i = 0, c = j->child; c != NULL; c = c->next)
		names[i++] = c->string != NULL ? c->string : "";
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 1; i < n && dup == NULL; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			dup = names[i];
	free(names);
	return dup;
}

/*
 * Offset of the first \u0000 escape in JSON text that cJSON accepted,
 * else -1.  A backslash starts an escape unless an odd run of
 * backslashes comes before it; valid JSON has none outside strings.
 */
static size_t
nul_escape(const char *buf, size_t len)
{
	const char *p = buf, *e = buf + len, *q, *run;

	while ((q = memmem(p, (size_t)(e - p), "\\u0000", 6)) != NULL) {
		for (run = q; run > buf && run[-1] == '\\'; run--)
			;
		if ((q - run) % 2 == 0)
			return (size_t)(q - buf);
		p = q + 1;
	}
	return (size_t)-1;
}

/*
 * Offset of the bracket that opens nesting level TALLY_MAX_DEPTH + 1 in
 * the first len bytes, else -1.  The bytes must be valid JSON up to
 * there, so strings are told apart from structure.
 */
static size_t
too_deep(const char *buf, size_t len)
{
	size_t i;
	int depth = 0, instr = 0;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (buf[i] == '\\')
				i++;
			else if (buf[i] == '"')
				instr = 0;
		} else if (buf[i] == '"')
			instr = 1;
		else if (buf[i] == '[' || buf[i] == '{') {
			if (++depth > TALLY_MAX_DEPTH)
				return i;
		} else if (buf[i] == ']' || buf[i] == '}')
			depth--;
	}
	return (size_t)-1;
}

static int
check(const cJSON *j, int depth, const char **why, const char **key)
{
	const cJSON *c;
	int nomem = 0;

	/* The root is at depth 0 and opens level 1. */
	if ((cJSON_IsArray(j) || cJSON_IsObject(j)) &&
	    depth >= TALLY_MAX_DEPTH) {
		*why = TALLY_JSON_DEEP;
		return TALLY_EPARSE;
	}
	if (cJSON_IsNumber(j) && !isfinite(j->valuedouble)) {
		*why = "number out of range";
		return TALLY_EPARSE;
	}
	if (cJSON_IsObject(j) && (*key = duplicate(j, &nomem)) != NULL) {
		*why = "duplicate key";
		return TALLY_EPARSE;
	}
	if (nomem) {
		*why = "out of memory";
		return TALLY_ENOMEM;
	}
	for (c = j->child; c != NULL; c = c->next) {
		int rc;

		if ((rc = check(c, depth + 1, why, key)) != TALLY_OK)
			return rc;
	}
	return TALLY_OK;
}

/* A fault the checks found: the key, if any, named in the message. */
static int
refuse(struct tally_error *err, int rc, long line, const char *why,
    const char *key)
{
	struct tally_buf k;

	/* The key is data: no raw control characters in messages. */
	tally_buf_init(&k);
	if (key != NULL && tally_esc_term_line(&k, key, strlen(key)) ==
	    TALLY_OK && k.data != NULL)
		tally_error_set(err, rc, line, 0, "%s '%s'", why, k.data);
	else
		tally_error_set(err, rc, line, 0, "%s", why);
	tally_buf_free(&k);
	return rc;
}

/* A syntax fault at offset off, told as tally_json_parse() tells it. */
static int
syntax(const char *buf, size_t len, size_t off, long first_line,
    struct tally_error *err)
{
	size_t at;
	long line, col;

	if (off > len)
		off = len;
	/* cJSON gives up at 1000 levels: name the real limit. */
	if ((at = too_deep(buf, off < len ? off + 1 : len)) != (size_t)-1) {
		locate(buf, at, first_line, &line, &col);
		return tally_error_set(err, TALLY_EPARSE, line, col, "%s",
		    TALLY_JSON_DEEP);
	}
	locate(buf, off, first_line, &line, &col);
	return tally_error_set(err, TALLY_EPARSE, line, col,
	    off >= len ? "unexpected end of JSON" : "invalid JSON");
}

int
tally_json_parse(const char *buf, size_t len, long first_line,
    struct cJSON **out, struct tally_error *err)
{
	const char *end = NULL, *why = NULL, *key = NULL, *nul;
	size_t at;
	long line, col;
	cJSON *j;
	int rc;

	*out = NULL;
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		locate(buf, (size_t)(nul - buf), first_line, &line, &col);
		return tally_error_set(err, TALLY_EPARSE, line, col,
		    "NUL byte in JSON");
	}
	j = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
	if (j == NULL) {
		size_t off = end != NULL && end >= buf ? (size_t)(end - buf) : 0;

		return syntax(buf, len, off, first_line, err);
	}
	/* cJSON cuts a string at \u0000: "a\u0000b" would read as "a". */
	if ((at = nul_escape(buf, len)) != (size_t)-1) {
		cJSON_Delete(j);
		locate(buf, at, first_line, &line, &col);
		return tally_error_set(err, TALLY_EPARSE, line, col, "%s",
		    TALLY_JSON_NUL);
	}
	if ((rc = check(j, 0, &why, &key)) != TALLY_OK) {
		if (strcmp(why, TALLY_JSON_DEEP) == 0 &&
		    (at = too_deep(buf, len)) != (size_t)-1) {
			cJSON_Delete(j);
			locate(buf, at, first_line, &line, &col);
			return tally_error_set(err, rc, line, col, "%s", why);
		}
		refuse(err, rc, first_line, why, key);
		cJSON_Delete(j);
		return rc;
	}
	*out = j;
	return TALLY_OK;
}

const char *
tally_json_str(const struct cJSON *obj, const char *key)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(c) ? c->valuestring : NULL;
}

int
tally_json_num(const struct cJSON *obj, const char *key, double *out)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(c) || !isfinite(c->valuedouble))
		return -1;
	*out = c->valuedouble;
	return 0;
}

/* ---- one line of the record stream, without cJSON ---- */

/*
 * The parser below follows cJSON 1.7's parse_value() step by step, so
 * that it takes and refuses the same texts and stops at the same byte
 * (cJSON skips any byte up to 32 as white space and a UTF-8 byte order
 * mark, takes "01" and "1." as numbers, keeps raw control bytes and
 * invalid UTF-8 in strings, reads a bad \u escape as U+0000, and
 * refuses nesting past 1000 levels).  The checks tally_json_parse()
 * makes afterwards are made on the way: check() walks the tree in
 * document order, so the first fault it meets is the one that starts
 * first in the text.  (lib/jsonscan.c is strict JSON with messages of
 * its own: the stream keeps what it has always accepted.)
 */
#define CJSON_NESTING	1000
#define NONE		((size_t)-1)

/* A member name of an open object, with a hash to compare quickly. */
struct jkey {
	const char	*s;
	uint32_t	 h;
};

struct jp {
	struct tally_jline	*d;
	const unsigned char	*b;
	size_t			 blen;	/* len + 1: cJSON sees the NUL too */
	size_t			 off;
	size_t			 depth;
	size_t			 deep_at, inf_at, dup_at;
	const char		*dup_key;
	int			 escapes;	/* a backslash in some string */
	int			 oom;
};

void
tally_jline_init(struct tally_jline *jl)
{
	memset(jl, 0, sizeof(*jl));
}

void
tally_jline_free(struct tally_jline *jl)
{
	if (jl == NULL)
		return;
	free(jl->node);
	free(jl->str);
	free(jl->key);
	free(jl->tab);
	tally_jline_init(jl);
}

static int
jgrow(void **p, size_t *cap, size_t want, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (want <= *cap)
		return 0;
	while (n < want)
		n *= 2;
	if ((q = realloc(*p, n * elem)) == NULL)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

/* buffer_skip_whitespace(); the NUL at b[blen - 1] stops it. */
static inline size_t
jws(const struct jp *p, size_t off)
{
	if (off >= p->blen || p->b[off] > 32)
		return off;
	while (off < p->blen && p->b[off] <= 32)
		off++;
	if (off == p->blen)
		off--;
	return off;
}

static size_t
jnode(struct jp *p, const char *key, unsigned char type)
{
	size_t x = tally_jline_push(p->d, key, type);

	if (x == NONE)
		p->oom = 1;
	return x;
}

static unsigned
jhex4(const unsigned char *s)
{
	unsigned h = 0, i;

	for (i = 0; i < 4; i++) {
		h <<= 4;
		if (s[i] >= '0' && s[i] <= '9')
			h += s[i] - '0';
		else if (s[i] >= 'A' && s[i] <= 'F')
			h += 10u + s[i] - 'A';
		else if (s[i] >= 'a' && s[i] <= 'f')
			h += 10u + s[i] - 'a';
		else
			return 0;	/* as cJSON: U+0000, no fault */
	}
	return h;
}

/* utf16_literal_to_utf8(): bytes of input used, 0 when refused. */
static size_t
jutf16(const unsigned char *in, const unsigned char *end, char **w)
{
	unsigned long cp;
	unsigned first, second;
	size_t used = 6;
	char *o = *w;

	if (end - in < 6)
		return 0;
	first = jhex4(in + 2);
	if (first >= 0xDC00 && first <= 0xDFFF)
		return 0;
	if (first >= 0xD800 && first <= 0xDBFF) {
		if (end - (in + 6) < 6 || in[6] != '\\' || in[7] != 'u')
			return 0;
		second = jhex4(in + 8);
		if (second < 0xDC00 || second > 0xDFFF)
			return 0;
		cp = 0x10000 + (((first & 0x3FFUL) << 10) | (second & 0x3FF));
		used = 12;
	} else
		cp = first;
	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xC0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xE0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*o++ = (char)(0xF0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3F));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
		*o++ = (char)(0x80 | (cp & 0x3F));
	}
	*w = o;
	return used;
}

/*
 * parse_string() at p->off into the string buffer.  A fault leaves
 * p->off where cJSON's does: after the opening quote when the string is
 * not one or does not end, at the backslash of a bad escape.
 */
/* Where the plain run of a string ends: a quote, a backslash, the NUL. */
static const unsigned char jstop[256] = {
	[0] = 1, ['"'] = 1, ['\\'] = 1,
};

/*
 * The rest of jstring(): a string with a backslash, or one that does not
 * end.  Out of line, so that the common path stays small.
 */
static __attribute__((noinline)) int
jstring_esc(struct jp *p, const char **out, size_t *outlen)
{
	const unsigned char *b = p->b;
	size_t o = p->off, e = o + 1, i, n;
	int esc = 0;
	char *w;

	while (e < p->blen && b[e] != '"') {
		if (b[e] == '\\') {
			if (e + 1 >= p->blen) {
				p->off = o + 1;
				return -1;
			}
			esc = 1;
			e++;
		}
		e++;
	}
	if (e >= p->blen) {
		p->off = o + 1;
		return -1;
	}
	/* Room was made for the whole line: decoding never lengthens. */
	w = p->d->str + p->d->nstr;
	*out = w;
	if (!esc) {
		n = e - o - 1;
		memcpy(w, b + o + 1, n);
		w += n;
	} else {
		p->escapes = 1;
		for (i = o + 1; i < e; ) {
			if (b[i] != '\\') {
				*w++ = (char)b[i++];
				continue;
			}
			switch (b[i + 1]) {
			case 'b':
				*w++ = '\b';
				break;
			case 'f':
				*w++ = '\f';
				break;
			case 'n':
				*w++ = '\n';
				break;
			case 'r':
				*w++ = '\r';
				break;
			case 't':
				*w++ = '\t';
				break;
			case '"':
			case '\\':
			case '/':
				*w++ = (char)b[i + 1];
				break;
			case 'u':
				if ((n = jutf16(b + i, b + e, &w)) == 0) {
					p->off = i;
					return -1;
				}
				i += n;
				continue;
			default:
				p->off = i;
				return -1;
			}
			i += 2;
		}
	}
	*w = '\0';
	/* A bad \u escape is a NUL: the string ends there. */
	*outlen = strlen(*out);
	p->d->nstr = (size_t)(w + 1 - p->d->str);
	p->off = e + 1;
	return 0;
}

static inline int
jstring(struct jp *p, const char **out, size_t *outlen)
{
	const unsigned char *b = p->b;
	size_t o = p->off, e = o + 1, i, n;
	char *w;

	if (b[o] != '"') {
		p->off = o + 1;
		return -1;
	}
	/*
	 * Most strings have no escape: copy up to the quote in one go.  The
	 * NUL at b[blen - 1] is the only one in the text.
	 */
	/* Four bytes a turn; each tested in order, none read past a stop. */
	for (i = e; ; i += 4) {
		if (jstop[b[i]])
			break;
		if (jstop[b[i + 1]]) {
			i += 1;
			break;
		}
		if (jstop[b[i + 2]]) {
			i += 2;
			break;
		}
		if (jstop[b[i + 3]]) {
			i += 3;
			break;
		}
	}
	if (b[i] == '"') {
		n = i - e;
		w = p->d->str + p->d->nstr;
		memcpy(w, b + e, n);
		w[n] = '\0';
		*outlen = n;
		*out = w;
		p->d->nstr += n + 1;
		p->off = i + 1;
		return 0;
	}
	return jstring_esc(p, out, outlen);
}

/*
 * parse_number(): strtod() over the run of number characters, as
 * Debian's cJSON 1.7.15 does it (any length).  Plain integers of up to
 * 15 digits are exact in a double and skip strtod().
 */
static int
jnumber(struct jp *p, double *out)
{
	const unsigned char *s = p->b + p->off;
	size_t n, i;
	char small[64], *tmp = small, *end;
	int plain;
	double v;

	n = tally_jnum_run(s, p->blen - p->off, &plain, out);
	if (plain) {
		p->off += n;
		return 0;
	}
	if (n >= sizeof(small) && (tmp = malloc(n + 1)) == NULL) {
		p->oom = 1;
		return -1;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	v = strtod(tmp, &end);
	i = (size_t)(end - tmp);
	if (tmp != small)
		free(tmp);
	if (i == 0)
		return -1;
	*out = v;
	p->off += i;
	return 0;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The least name (strcmp order) used twice among the n names at k, else
 * NULL, as duplicate() finds it; *nomem when scratch space failed.
 */
static const char *
jdup(struct tally_jline *d, const struct jkey *k, size_t n, int *nomem)
{
	const char *dup = NULL, **v;
	size_t i, j, size, mask;
	int found = 0;

	if (n < 2)
		return NULL;
	if (n <= 8) {
		/* Equal keys set the same bit: distinct bits, no duplicate. */
		uint64_t seen = 0, bit;

		for (i = 0; i < n; i++) {
			bit = (uint64_t)1 << (k[i].h & 63);
			if (seen & bit)
				break;
			seen |= bit;
		}
		if (i == n)
			return NULL;
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (k[i].h == k[j].h &&
				    strcmp(k[i].s, k[j].s) == 0 &&
				    (dup == NULL || strcmp(k[i].s, dup) < 0))
					dup = k[i].s;
		return dup;
	}
	/* Open addressing over the hashes; only a hit costs more. */
	for (size = 16; size < 2 * n; size *= 2)
		;
	if (jgrow((void **)&d->tab, &d->captab, size, sizeof(*d->tab))) {
		*nomem = 1;
		return NULL;
	}
	memset(d->tab, 0, size * sizeof(*d->tab));
	mask = size - 1;
	for (i = 0; i < n && !found; i++) {
		for (j = k[i].h & mask; d->tab[j] != 0; j = (j + 1) & mask)
			if (k[d->tab[j] - 1].h == k[i].h &&
			    strcmp(k[d->tab[j] - 1].s, k[i].s) == 0) {
				found = 1;
				break;
			}
		d->tab[j] = (uint32_t)(i + 1);
	}
	if (!found)
		return NULL;
	if ((v = malloc(n * sizeof(*v))) == NULL) {
		*nomem = 1;
		return NULL;
	}
	for (i = 0; i < n; i++)
		v[i] = k[i].s;
	qsort(v, n, sizeof(*v), key_cmp);
	for (i = 1; i < n && dup == NULL; i++)
		if (strcmp(v[i - 1], v[i]) == 0)
			dup = v[i];
	free(v);
	return dup;
}

static int jvalue(struct jp *p, const char *key, int level);

/*
 * parse_array() and parse_object(): at p->off the bracket, x the node
 * (NONE when not kept), level the nesting of its values below the root
 * (-1: not kept).
 */
static int
jcontainer(struct jp *p, size_t x, int level, int object)
{
	struct tally_jline *d = p->d;
	const unsigned char *b = p->b;
	size_t at = p->off, kbase = d->nkey, n = 0;
	unsigned char close = object ? '}' : ']';
	const char *key = NULL, *dup;
	int nomem = 0;

	if (p->depth >= CJSON_NESTING)
		return -1;
	if (p->depth >= TALLY_MAX_DEPTH && p->deep_at == NONE)
		p->deep_at = at;
	p->depth++;
	p->off = jws(p, p->off + 1);
	if (p->off < p->blen && b[p->off] == close)
		goto done;
	if (p->off >= p->blen) {
		p->off--;
		return -1;
	}
	p->off--;
	do {
		p->off = jws(p, p->off + 1);
		if (object) {
			const unsigned char *u;
			uint64_t h = 0;
			size_t kl;

			if (jstring(p, &key, &kl) != 0)
				return -1;
			/* A hash of the length and three of the bytes. */
			u = (const unsigned char *)key;
			if (kl > 0)
				h = u[0] | (uint64_t)u[kl / 2] << 8 |
				    (uint64_t)u[kl - 1] << 16;
			h = (h ^ (uint64_t)kl << 24) * 0x9E3779B97F4A7C15ULL;
			if (jgrow((void **)&d->key, &d->capkey, d->nkey + 1,
			    sizeof(*d->key))) {
				p->oom = 1;
				return -1;
			}
			d->key[d->nkey].s = key;
			d->key[d->nkey++].h = (uint32_t)(h >> 32);
			p->off = jws(p, p->off);
			if (p->off >= p->blen || b[p->off] != ':')
				return -1;
			p->off = jws(p, p->off + 1);
		}
		if (jvalue(p, key, level) != 0)
			return -1;
		n++;
		p->off = jws(p, p->off);
	} while (p->off < p->blen && b[p->off] == ',');
	if (p->off >= p->blen || b[p->off] != close)
		return -1;
done:
	p->depth--;
	p->off++;
	if (object) {
		/* No name yet: no array either (d->key may be NULL). */
		dup = d->nkey > kbase ? jdup(d, d->key + kbase, d->nkey - kbase,
		    &nomem) : NULL;
		d->nkey = kbase;
		if (nomem) {
			p->oom = 1;
			return -1;
		}
		if (dup != NULL && (p->dup_at == NONE || at < p->dup_at)) {
			p->dup_at = at;
			p->dup_key = dup;
		}
	}
	if (x != NONE) {
		d->node[x].end = (uint32_t)d->nnode;
		d->node[x].n = level >= 0 ? (uint32_t)n : 0;
	}
	return 0;
}

/* parse_value() at p->off. */
static int
jvalue(struct jp *p, const char *key, int level)
{
	const unsigned char *s = p->b + p->off;
	size_t left = p->blen - p->off, x = NONE;
	const char *str;
	size_t sl;
	double v;

	if (level >= 0 && level <= TALLY_JLINE_KEEP &&
	    (x = jnode(p, key, TALLY_JNULL)) == NONE)
		return -1;
	if (left == 0)
		return -1;
	/* cJSON tries the words first; each starts with its own letter. */
	switch (*s) {
	case 'n':
		if (left < 4 || memcmp(s, "null", 4) != 0)
			return -1;
		p->off += 4;
		return 0;
	case 'f':
		if (left < 5 || memcmp(s, "false", 5) != 0)
			return -1;
		if (x != NONE)
			p->d->node[x].type = TALLY_JFALSE;
		p->off += 5;
		return 0;
	case 't':
		if (left < 4 || memcmp(s, "true", 4) != 0)
			return -1;
		if (x != NONE)
			p->d->node[x].type = TALLY_JTRUE;
		p->off += 4;
		return 0;
	case '"':
		if (jstring(p, &str, &sl) != 0)
			return -1;
		if (x != NONE) {
			p->d->node[x].type = TALLY_JSTRING;
			p->d->node[x].str = str;
		}
		return 0;
	case '[':
	case '{':
		if (x != NONE)
			p->d->node[x].type = *s == '[' ? TALLY_JARRAY :
			    TALLY_JOBJECT;
		return jcontainer(p, x, x != NONE &&
		    level < TALLY_JLINE_KEEP ? level + 1 : -1, *s == '{');
	}
	if (*s != '-' && (*s < '0' || *s > '9'))
		return -1;
	if (jnumber(p, &v) != 0)
		return -1;
	if (!isfinite(v) && p->inf_at == NONE)
		p->inf_at = (size_t)(s - p->b);
	if (x != NONE) {
		p->d->node[x].type = TALLY_JNUMBER;
		p->d->node[x].num = v;
	}
	return 0;
}

int
tally_jline_parse(struct tally_jline *jl, const char *buf, size_t len,
    long first_line, struct tally_error *err)
{
	struct jp p;
	const char *nul;
	size_t at;
	long line, col;

	memset(&p, 0, sizeof(p));
	p.d = jl;
	p.b = (const unsigned char *)buf;
	p.blen = len + 1;
	p.deep_at = p.inf_at = p.dup_at = NONE;
	jl->nnode = jl->nstr = jl->nkey = 0;
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		locate(buf, (size_t)(nul - buf), first_line, &line, &col);
		return tally_error_set(err, TALLY_EPARSE, line, col,
		    "NUL byte in JSON");
	}
	/* Decoded strings never outgrow the line: room for it, no more. */
	if (jl->capstr < len + 1) {
		char *q = realloc(jl->str, len + 1);

		if (q == NULL)
			return tally_error_set(err, TALLY_ENOMEM, first_line,
			    0, "out of memory");
		jl->str = q;
		jl->capstr = len + 1;
	}
	/* skip_utf8_bom(), then the value and nothing but white space. */
	if (len >= 4 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		p.off = 3;
	p.off = jws(&p, p.off);
	if (jvalue(&p, NULL, 0) != 0 ||
	    (p.off = jws(&p, p.off)) >= p.blen || p.b[p.off] != '\0') {
		if (p.oom)
			return tally_error_set(err, TALLY_ENOMEM, first_line,
			    0, "out of memory");
		return syntax(buf, len, p.off < p.blen ? p.off : len,
		    first_line, err);
	}
	if (p.escapes && (at = nul_escape(buf, len)) != (size_t)-1) {
		locate(buf, at, first_line, &line, &col);
		return tally_error_set(err, TALLY_EPARSE, line, col, "%s",
		    TALLY_JSON_NUL);
	}
	/* check()'s order: the fault that starts first; a deep object's
	 * own duplicates come after its depth. */
	if (p.deep_at != NONE && p.deep_at <= p.inf_at &&
	    p.deep_at <= p.dup_at) {
		at = too_deep(buf, len);
		locate(buf, at != (size_t)-1 ? at : p.deep_at, first_line,
		    &line, &col);
		return tally_error_set(err, TALLY_EPARSE, line, col, "%s",
		    TALLY_JSON_DEEP);
	}
	if (p.inf_at != NONE && p.inf_at < p.dup_at)
		return refuse(err, TALLY_EPARSE, first_line,
		    "number out of range", NULL);
	if (p.dup_at != NONE)
		return refuse(err, TALLY_EPARSE, first_line, "duplicate key",
		    p.dup_key);
	return TALLY_OK;
}
