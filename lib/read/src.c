/* lib/read/src.c: buffered input with look-ahead over a borrowed descriptor. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define SRC_CHUNK 65536

int
tally_src_init(struct tally_src *s, int fd, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->name = name;
	s->cap = SRC_CHUNK;
	if ((s->buf = malloc(s->cap)) == NULL)
		return TALLY_ENOMEM;
	return TALLY_OK;
}

void
tally_src_fini(struct tally_src *s)
{
	free(s->buf);
	s->buf = NULL;
}

/* Read more bytes after the valid ones, growing the buffer when asked. */
static int
src_fill(struct tally_src *s, size_t want)
{
	ssize_t n;

	if (s->pos > 0 && s->pos == s->len)
		s->pos = s->len = 0;
	if (s->pos > 0 && s->len + want > s->cap) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->len + want > s->cap) {
		size_t ncap = s->cap;
		unsigned char *p;

		while (ncap < s->len + want)
			ncap *= 2;
		if ((p = realloc(s->buf, ncap)) == NULL)
			return TALLY_ENOMEM;
		s->buf = p;
		s->cap = ncap;
	}
	for (;;) {
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0) {
		s->err = errno;
		return TALLY_EIO;
	}
	if (n == 0)
		s->eof = 1;
	s->len += (size_t)n;
	return TALLY_OK;
}

int
tally_src_peek(struct tally_src *s, size_t n, const unsigned char **p,
    size_t *avail)
{
	int rc;

	while (s->len - s->pos < n && !s->eof)
		if ((rc = src_fill(s, n - (s->len - s->pos))) != TALLY_OK)
			return rc;
	*p = s->buf + s->pos;
	*avail = s->len - s->pos;
	return TALLY_OK;
}

ssize_t
tally_src_read(struct tally_src *s, void *dst, size_t n)
{
	size_t have;

	if (s->pos == s->len && !s->eof) {
		/* Large reads bypass the buffer once it is drained. */
		if (n >= s->cap) {
			ssize_t r;

			do
				r = read(s->fd, dst, n);
			while (r < 0 && errno == EINTR);
			if (r < 0)
				s->err = errno;
			if (r == 0)
				s->eof = 1;
			return r;
		}
		if (src_fill(s, 1) != TALLY_OK)
			return -1;
	}
	have = s->len - s->pos;
	if (n > have)
		n = have;
	memcpy(dst, s->buf + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

int
tally_src_getline(struct tally_src *s, struct tally_buf *b, size_t max)
{
	unsigned char *nl;
	size_t n;
	int rc;

	tally_buf_reset(b);
	for (;;) {
		if (s->pos == s->len) {
			if (s->eof)
				break;
			if ((rc = src_fill(s, 1)) != TALLY_OK)
				return rc;
			continue;
		}
		nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
		n = nl ? (size_t)(nl - (s->buf + s->pos)) : s->len - s->pos;
		if (b->len + n > max)
			return TALLY_ELIMIT;
		if (tally_buf_add(b, s->buf + s->pos, n) != TALLY_OK)
			return TALLY_ENOMEM;
		s->pos += n;
		if (nl != NULL) {
			s->pos++;
			s->line++;
			if (b->len > 0 && b->data[b->len - 1] == '\r')
				b->data[--b->len] = '\0';
			return 1;
		}
	}
	if (b->len == 0 && b->data == NULL) {
		if (tally_buf_add(b, "", 0) != TALLY_OK)
			return TALLY_ENOMEM;
	}
	if (b->len > 0) {
		s->line++;
		return 1;
	}
	return 0;
}
