/* lib/buf.c: growable byte buffers. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void
tally_buf_init(struct tally_buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
tally_buf_free(struct tally_buf *b)
{
	free(b->data);
	tally_buf_init(b);
}

void
tally_buf_reset(struct tally_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int
tally_buf_reserve(struct tally_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return TALLY_ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return TALLY_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		return TALLY_ENOMEM;
	/*
	 * A first allocation is terminated too: a caller that reserves
	 * and then adds nothing (an empty input) still holds a string.
	 */
	p[b->len] = '\0';
	b->data = p;
	b->cap = ncap;
	return TALLY_OK;
}

int
tally_buf_add(struct tally_buf *b, const void *p, size_t n)
{
	/* Room for n bytes and the NUL (cap > len whenever cap > 0). */
	if (n >= b->cap - b->len && tally_buf_reserve(b, n) != TALLY_OK)
		return TALLY_ENOMEM;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return TALLY_OK;
}

int
tally_buf_adds(struct tally_buf *b, const char *s)
{
	return tally_buf_add(b, s, strlen(s));
}

int
tally_buf_addc(struct tally_buf *b, char c)
{
	if (b->cap - b->len < 2 && tally_buf_reserve(b, 1) != TALLY_OK)
		return TALLY_ENOMEM;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
	return TALLY_OK;
}

int
tally_buf_addll(struct tally_buf *b, long long v)
{
	char d[24], *p = d + sizeof(d);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return tally_buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

int
tally_buf_printf(struct tally_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	/* Format once into the room there is; again only if it was short. */
	if (tally_buf_reserve(b, 31) != TALLY_OK)
		return TALLY_ENOMEM;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->data[b->len] = '\0';
		return TALLY_ENOMEM;
	}
	if ((size_t)n >= room) {
		if (tally_buf_reserve(b, (size_t)n) != TALLY_OK) {
			b->data[b->len] = '\0';
			return TALLY_ENOMEM;
		}
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
	return TALLY_OK;
}

char *
tally_buf_detach(struct tally_buf *b)
{
	char *p;

	if (b->data == NULL)
		return strdup("");
	p = b->data;
	tally_buf_init(b);
	return p;
}

char *
tally_strdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int
tally_buf_add_capped(struct tally_buf *b, const char *s, size_t *dropped)
{
	size_t n = strlen(s), keep;

	keep = b->len < TALLY_MAX_FIELD ? TALLY_MAX_FIELD - b->len : 0;
	if (n > keep) {
		/* Cut before a UTF-8 continuation byte, not inside it. */
		while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
			keep--;
		*dropped += n - keep;
		n = keep;
	}
	return n > 0 ? tally_buf_add(b, s, n) : TALLY_OK;
}

int
tally_buf_add_dropped(struct tally_buf *b, size_t dropped)
{
	if (dropped == 0)
		return TALLY_OK;
	return tally_buf_printf(b, "\n[truncated %zu bytes]", dropped);
}

const char *
tally_buf_str(const struct tally_buf *b)
{
	return b->len > 0 ? b->data : NULL;
}

int
tally_buf_set(struct tally_buf *b, const char *s)
{
	tally_buf_reset(b);
	return tally_buf_adds(b, s);
}

int
tally_pairs_add(struct tally_buf *b, size_t *n, const char *k, const char *v)
{
	if (tally_buf_add(b, k, strlen(k) + 1) ||
	    tally_buf_add(b, v, strlen(v) + 1))
		return TALLY_ENOMEM;
	(*n)++;
	return TALLY_OK;
}

int
tally_pairs_kv(const struct tally_buf *b, size_t n, size_t extra,
    struct tally_kv **kv, size_t *cap)
{
	const char *p = b->data;
	struct tally_kv *items;
	size_t i;

	if (n + extra > *cap) {
		if ((items = realloc(*kv, (n + extra) * sizeof(*items))) ==
		    NULL)
			return TALLY_ENOMEM;
		*kv = items;
		*cap = n + extra;
	}
	for (i = 0; i < n; i++) {
		(*kv)[i].key = p;
		p += strlen(p) + 1;
		(*kv)[i].value = p;
		p += strlen(p) + 1;
	}
	return TALLY_OK;
}
